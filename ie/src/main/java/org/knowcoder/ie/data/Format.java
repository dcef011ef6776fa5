package org.knowcoder.ie.data;

import java.io.IOException;
import java.nio.file.Path;

/** The dataset file formats there are readers for. */
public enum Format {
    CONLL, SPERT, DYGIE, TAGGED, CASIE;

    /** Reads a file (a directory of documents for CASIE) as one split of {@code dataset}. */
    public Split read(Path path, String dataset, String split) throws IOException {
        return switch (this) {
            case CONLL -> ConllReader.read(path, dataset, split);
            case SPERT -> SpertReader.read(path, dataset, split);
            case DYGIE -> DygieReader.read(path, dataset, split);
            case TAGGED -> TaggedSentenceReader.read(path, dataset, split);
            case CASIE -> CasieReader.read(path, dataset, split);
        };
    }
}
