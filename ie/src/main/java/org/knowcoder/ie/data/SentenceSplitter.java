package org.knowcoder.ie.data;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits running text into sentences by rule (CoreNLP, which UIE used for CASIE, is not available
 * here): a sentence ends after '.', '!' or '?' (and any closing quotes or brackets) that is followed
 * by whitespace and then an upper-case letter, a digit or an opening quote or bracket, unless the
 * word before the period is a common abbreviation or a single letter (an initial), or the boundary
 * falls inside a span the caller protects (an annotation must never be cut in two).
 */
public final class SentenceSplitter {
    private static final Set<String> ABBREVIATIONS = Set.of("mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "inc",
            "corp", "ltd", "co", "llc", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "no", "jan", "feb", "mar", "apr", "jun",
            "jul", "aug", "sep", "sept", "oct", "nov", "dec", "gen", "gov", "sen", "rep", "rev", "fig", "approx", "dept", "ver", "vol");

    private SentenceSplitter() {}

    /**
     * Sentence boundaries as [start, end) pairs of offsets, each trimmed of surrounding whitespace.
     * {@code noCut} holds every offset k where a cut between characters k - 1 and k would split an
     * annotation (for a span [s, e): s + 1 .. e - 1).
     */
    public static List<int[]> split(String text, BitSet noCut) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '.' && c != '!' && c != '?') continue;
            int end = i + 1;
            while (end < text.length() && "\"'”’)]".indexOf(text.charAt(end)) >= 0) end++;
            int next = end;
            while (next < text.length() && Character.isWhitespace(text.charAt(next))) next++;
            if (next == end || next == text.length() || !startsSentence(text.charAt(next))) continue;
            if (c == '.' && isAbbreviation(text, i)) continue;
            int cut = noCut.nextSetBit(end);
            if (cut >= 0 && cut <= next) continue; // the sentences would share an annotation
            add(out, text, start, end);
            start = next;
        }
        add(out, text, start, text.length());
        return out;
    }

    private static boolean startsSentence(char c) {
        return Character.isUpperCase(c) || Character.isDigit(c) || "\"'“‘([".indexOf(c) >= 0;
    }

    /** Whether the period at {@code dot} ends a known abbreviation or an initial ("J. Smith"). */
    private static boolean isAbbreviation(String text, int dot) {
        int w = dot;
        while (w > 0 && !Character.isWhitespace(text.charAt(w - 1)) && "\"'“‘(".indexOf(text.charAt(w - 1)) < 0) w--;
        String word = text.substring(w, dot).toLowerCase(Locale.ROOT);
        return word.length() == 1 && Character.isLetter(word.charAt(0)) || ABBREVIATIONS.contains(word);
    }

    private static void add(List<int[]> out, String text, int start, int end) {
        while (start < end && Character.isWhitespace(text.charAt(start))) start++;
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) end--;
        if (start < end) out.add(new int[] {start, end});
    }
}
