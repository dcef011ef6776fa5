package org.knowcoder.ie.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A chunk of the input as a prompt writes it: its words with their punctuation set apart, the
 * tokens joined by single spaces, as the benchmarks write their sentences ("Ann works for Acme in
 * Paris .", "Acme 's", "does n't", "( AP )"), and where each character came from in the input.
 * KnowCoder learns from such sentences, and a small model reads "Paris." as another word than
 * "Paris": on "Ann works for Acme in Paris." KnowCoder-mini answered MiscellaneousEntity("Paris"),
 * on "... in Paris ." GeographicLocation("Paris").
 *
 * <p>Kept whole: words with inner punctuation ("U.S.", "1,000", "1996-08-28", "e-mail", "$3.2"), and
 * a final period after a word that holds another one ("U.S." ends a sentence as it is). Set apart: a
 * word's leading {@code " ( [ {} and opening curly quotes; its trailing {@code " ) ] } , ; : ! ?},
 * closing curly quotes and "..."; the period that ends the chunk, which is one sentence ({@link
 * Chunker}: "Mr." in "Mr. Smith" ends none), unless an ordinal's ("1."); the clitics 's, 're, 'm,
 * 'll, 've, 'd and n't.
 */
final class PromptText {
    private static final String LEADING = "\"([{\u201C\u2018", TRAILING = "\")]},;:!?\u201D\u2019";
    private static final List<String> CLITICS = List.of("n't", "'s", "'re", "'m", "'ll", "'ve", "'d");

    /** The text the prompt quotes. */
    final String text;
    /** For each character of {@link #text}, its offset in the input; -1 for the spaces between tokens. */
    private final int[] source;

    private PromptText(String text, int[] source) {
        this.text = text;
        this.source = source;
    }

    /** Characters [start, end) of {@code input}: a chunk, one sentence or a piece of one. */
    static PromptText of(String input, int start, int end) {
        StringBuilder text = new StringBuilder();
        int[] source = new int[2 * (end - start)]; // each input character at most once, with at most one space before it
        int n = 0, lastEnd = end;
        while (lastEnd > start && Character.isWhitespace(input.charAt(lastEnd - 1))) lastEnd--;
        for (int i = start; i < end; ) { // each whitespace-separated word [from, i)
            while (i < end && Character.isWhitespace(input.charAt(i))) i++;
            int from = i;
            while (i < end && !Character.isWhitespace(input.charAt(i))) i++;
            if (i == from) continue;
            for (int[] token : tokens(input, from, i, i == lastEnd)) {
                if (n > 0) {
                    text.append(' ');
                    source[n++] = -1;
                }
                for (int c = token[0]; c < token[1]; c++) {
                    text.append(input.charAt(c));
                    source[n++] = c;
                }
            }
        }
        return new PromptText(text.toString(), Arrays.copyOf(source, n));
    }

    /** The tokens of the word [from, to) of {@code input}, in order; {@code last}: the word ends the chunk. */
    private static List<int[]> tokens(String input, int from, int to, boolean last) {
        List<int[]> head = new ArrayList<>(), tail = new ArrayList<>();
        while (to - from > 1 && LEADING.indexOf(input.charAt(from)) >= 0) {
            head.add(new int[] {from, from + 1});
            from++;
        }
        while (to - from > 1) {
            char c = input.charAt(to - 1);
            if (TRAILING.indexOf(c) >= 0) {
                tail.addFirst(new int[] {to - 1, to});
                to--;
            } else if (to - from > 3 && input.startsWith("...", to - 3)) {
                tail.addFirst(new int[] {to - 3, to});
                to -= 3;
            } else if (c == '.' && last && input.lastIndexOf('.', to - 2) < from && !number(input, from, to - 1)) {
                tail.addFirst(new int[] {to - 1, to});
                to--;
            } else {
                break;
            }
        }
        String word = input.substring(from, to).toLowerCase(Locale.ROOT).replace('\u2019', '\'');
        for (String clitic : CLITICS) {
            if (word.length() > clitic.length() && word.endsWith(clitic)) {
                tail.addFirst(new int[] {to - clitic.length(), to});
                to -= clitic.length();
                break;
            }
        }
        head.add(new int[] {from, to});
        head.addAll(tail);
        return head;
    }

    /** Whether [from, to) of {@code input} is digits: "1." is an ordinal (a list's "1. Ann Smith"), not a number ending a sentence. */
    private static boolean number(String input, int from, int to) {
        for (int i = from; i < to; i++) if (!Character.isDigit(input.charAt(i))) return false;
        return true;
    }

    /**
     * The input characters [start, end) under the text's characters [at, at + length), which are not
     * all spaces: from the input character of its first non-space to that of its last, less the
     * period that ends the text when this prompt set it apart from the word it ends in the input:
     * a small model copies it with the word ("California ." for the input's "California."). An
     * abbreviation that ends the sentence loses its period with it ("Acme Corp" of "... Acme
     * Corp."). A period the input itself wrote apart stays, as the benchmarks' "N.J ." does.
     */
    int[] inInput(int at, int length) {
        int first = at, last = at + length - 1;
        while (source[first] < 0) first++;
        while (source[last] < 0) last--;
        if (last == text.length() - 1 && text.endsWith(" .")) {
            int before = last - 1;
            while (before >= first && source[before] < 0) before--;
            if (before >= first && source[before] == source[last] - 1) last = before;
        }
        return new int[] {source[first], source[last] + 1};
    }
}
