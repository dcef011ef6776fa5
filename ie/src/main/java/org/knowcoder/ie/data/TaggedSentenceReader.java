package org.knowcoder.ie.data;

import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.io.InputFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SemEval-2010 task 8 and KBP37 files: per sentence {@code id<TAB>"... <e1>x</e1> ... <e2>y</e2> ..."},
 * then the label {@code Type(e1,e2)} (or {@code Other} / {@code no_relation}: no relation), then
 * optional comment lines, then a blank line. The tags are removed and runs of whitespace become one
 * space; the relation's head is the first argument of the label's (e1,e2) or (e2,e1). A relation
 * whose argument tags enclose no text (KBP37 has some, where the name was lost) is reported as
 * unplaced; its sentence stays.
 */
public final class TaggedSentenceReader {
    private static final Pattern HEADER = Pattern.compile("(\\S+)\\t\"(.*)\"\\s*");
    private static final Pattern LABEL = Pattern.compile("(.+)\\((e[12]),(e[12])\\)");
    private static final Set<String> NO_RELATION = Set.of("Other", "no_relation");
    private static final String[] TAGS = {"<e1>", "</e1>", "<e2>", "</e2>"};

    private TaggedSentenceReader() {}

    public static Split read(Path file, String dataset, String split) throws IOException {
        List<String> lines = InputFiles.readUtf8(file, "sentences with <e1> and <e2> tags").lines().toList();
        List<Sample> samples = new ArrayList<>();
        List<String> unplaced = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            if (lines.get(i).isBlank()) {
                i++;
                continue;
            }
            Matcher header = HEADER.matcher(lines.get(i));
            if (!header.matches()) throw new MalformedDataException(file, i + 1, "expected id<TAB>\"sentence with <e1>..</e1> and <e2>..</e2>\"");
            Tagged sentence = untag(header.group(2), file, i + 1);
            if (i + 1 >= lines.size() || lines.get(i + 1).isBlank()) throw new MalformedDataException(file, i + 2, "expected the relation label");
            String label = lines.get(i + 1).strip();
            List<Relation> relations = new ArrayList<>();
            if (!NO_RELATION.contains(label)) {
                Matcher m = LABEL.matcher(label);
                if (!m.matches() || m.group(2).equals(m.group(3))) {
                    throw new MalformedDataException(file, i + 2, "expected Type(e1,e2), Type(e2,e1), Other or no_relation, got \"" + label + "\"");
                }
                boolean e1First = m.group(2).equals("e1");
                if (sentence.e1 == null || sentence.e2 == null) {
                    unplaced.add(file.getFileName() + ":" + (i + 1) + ": " + label + ": <e" + (sentence.e1 == null ? 1 : 2) + "> encloses no text");
                } else {
                    relations.add(new Relation(m.group(1), e1First ? sentence.e1 : sentence.e2, e1First ? sentence.e2 : sentence.e1));
                }
            }
            samples.add(new Sample(dataset + "-" + header.group(1), dataset, sentence.text, List.of(), relations, List.of()));
            i += 2;
            while (i < lines.size() && !lines.get(i).isBlank()) i++; // comments
        }
        return new Split(dataset, split, samples, unplaced, List.of());
    }

    private record Tagged(String text, Mention e1, Mention e2) {}

    private static Tagged untag(String tagged, Path file, int line) throws MalformedDataException {
        StringBuilder text = new StringBuilder();
        int[] at = {-1, -1, -1, -1}; // where each tag was, as offsets into the untagged text
        for (int i = 0; i < tagged.length(); ) {
            int tag = tagAt(tagged, i);
            if (tag >= 0) {
                if (at[tag] >= 0) throw new MalformedDataException(file, line, TAGS[tag] + " appears twice");
                at[tag] = text.length();
                i += TAGS[tag].length();
            } else {
                char c = tagged.charAt(i++);
                if (!Character.isWhitespace(c)) text.append(c);
                else if (!text.isEmpty() && text.charAt(text.length() - 1) != ' ') text.append(' ');
            }
        }
        for (int t = 0; t < 4; t++) if (at[t] < 0) throw new MalformedDataException(file, line, "no " + TAGS[t] + " in the sentence");
        String s = text.toString();
        return new Tagged(s.stripTrailing(), span(s, at[0], at[1], TAGS[0], file, line), span(s, at[2], at[3], TAGS[2], file, line));
    }

    /** The text between an opening and a closing tag, without the spaces next to the tags; null when there is none. */
    private static Mention span(String text, int start, int end, String tag, Path file, int line) throws MalformedDataException {
        while (start < end && text.charAt(start) == ' ') start++;
        while (end > start && text.charAt(end - 1) == ' ') end--;
        if (start > end) throw new MalformedDataException(file, line, tag + " closes before it opens");
        if (start == end) return null;
        return Mention.of(null, text, start, end);
    }

    private static int tagAt(String s, int i) {
        if (s.charAt(i) != '<') return -1;
        for (int t = 0; t < TAGS.length; t++) if (s.startsWith(TAGS[t], i)) return t;
        return -1;
    }
}
