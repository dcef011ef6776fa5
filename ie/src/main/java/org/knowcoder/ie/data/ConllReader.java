package org.knowcoder.ie.data;

import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Sample;
import org.knowcoder.io.InputFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Token/BIO column files: one token per line, a blank line between sentences, {@code -DOCSTART-}
 * lines ignored. Columns are split at tabs (at runs of spaces when a line has no tab); the tag is
 * the last column (CoNLL) or the first (MIT restaurant/movie), whichever of the two holds tags on
 * more lines, and the token is the other end.
 */
public final class ConllReader {
    private ConllReader() {}

    public static Split read(Path file, String dataset, String split) throws IOException {
        List<String> lines = InputFiles.readUtf8(file, "CoNLL-style lines of a token and a tag").lines().toList();
        List<String[]> rows = new ArrayList<>(lines.size());
        int tagFirstVotes = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("-DOCSTART-")) {
                rows.add(null);
                continue;
            }
            String[] cols = line.split(line.indexOf('\t') >= 0 ? "\t" : " +");
            if (cols.length < 2) throw new MalformedDataException(file, i + 1, "expected a token and a tag separated by a tab, got \"" + line + "\"");
            boolean firstIsTag = BioTags.TAG.matcher(cols[0]).matches(), lastIsTag = BioTags.TAG.matcher(cols[cols.length - 1]).matches();
            if (firstIsTag != lastIsTag) tagFirstVotes += firstIsTag ? 1 : -1;
            rows.add(cols);
        }
        boolean tagFirst = tagFirstVotes > 0;
        List<Sample> samples = new ArrayList<>();
        List<String> tokens = new ArrayList<>(), tags = new ArrayList<>();
        for (int i = 0; i <= rows.size(); i++) {
            String[] cols = i < rows.size() ? rows.get(i) : null;
            if (cols == null) {
                if (!tokens.isEmpty()) samples.add(sample(dataset + "-" + split + "-" + samples.size(), dataset, tokens, tags));
                tokens.clear();
                tags.clear();
                continue;
            }
            String tag = tagFirst ? cols[0] : cols[cols.length - 1];
            if (!BioTags.TAG.matcher(tag).matches()) {
                throw new MalformedDataException(file, i + 1, "\"" + tag + "\" is not a BIO tag (O, B-type, I-type)");
            }
            tokens.add(tagFirst ? cols[cols.length - 1] : cols[0]);
            tags.add(tag);
        }
        return new Split(dataset, split, samples, List.of(), List.of());
    }

    private static Sample sample(String id, String dataset, List<String> tokens, List<String> tags) {
        TokenText text = new TokenText(tokens);
        List<Mention> entities = BioTags.mentions(text, tags);
        return new Sample(id, dataset, text.text, entities, List.of(), List.of());
    }
}
