package org.knowcoder.recipe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.ie.Sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainSplitsTest {
    @TempDir
    Path datasets;

    /** Writes a CoNLL file of one-word sentences, each word its own sentence. */
    private void conll(String path, String... words) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String w : words) sb.append(w).append("\tB-person\n\n");
        Path p = datasets.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, sb.toString());
    }

    private static List<String> texts(Map<String, List<Sample>> splits, String dataset) {
        return splits.get(dataset).stream().map(Sample::text).toList();
    }

    @Test
    void devSentencesFollowTheTrainOnesOnlyWhenAskedAndTestNever() throws Exception {
        conll("conll2003/train.txt", "Ann", "Bob", "Cy");
        conll("conll2003/dev.txt", "Dee", "Eve");
        conll("conll2003/test.txt", "Fay");
        conll("crossner/ai/train.txt", "Gus");
        conll("crossner/ai/dev.txt", "Hal");
        List<String> names = List.of("crossner_ai", "conll2003");

        Map<String, List<Sample>> train = TrainSplits.read(datasets, names, 0, false);
        assertEquals(List.of("conll2003"), List.copyOf(train.keySet()), "a zero-shot dataset is never trained on");
        assertEquals(List.of("Ann", "Bob", "Cy"), texts(train, "conll2003"));
        assertEquals(List.of("Ann", "Bob", "Cy", "Dee", "Eve"), texts(TrainSplits.read(datasets, names, 0, true), "conll2003"));
        assertEquals(List.of("Ann", "Bob", "Dee", "Eve"), texts(TrainSplits.read(datasets, names, 2, true), "conll2003"),
                "the limit holds for each split");
    }

    @Test
    void aDatasetWithoutATrainSplitIsLeftOutEvenWithItsDevSplit() throws Exception {
        conll("conll2003/dev.txt", "Dee");
        assertEquals(Map.of(), TrainSplits.read(datasets, List.of("conll2003"), 0, true));
    }
}
