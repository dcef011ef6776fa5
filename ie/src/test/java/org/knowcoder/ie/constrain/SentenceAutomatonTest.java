package org.knowcoder.ie.constrain;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quotable spans of a sentence: whole words and runs of them, with a letter or digit, checked against a plain definition on strings. */
class SentenceAutomatonTest {
    /** The automaton's verdict on a candidate span: every byte accepted and the span closable. */
    private static boolean accepts(SentenceAutomaton a, String span) {
        int s = SentenceAutomaton.ROOT;
        for (byte b : span.getBytes(StandardCharsets.UTF_8)) {
            s = a.step(s, b & 0xFF);
            if (s == SentenceAutomaton.NONE) return false;
        }
        return a.closable(s);
    }

    /** The plain definition: a substring at some offset with no whitespace at either end, no letter or digit on both sides of either end, and a letter or digit in it. */
    static boolean quotable(String sentence, String span) {
        if (span.isEmpty() || Character.isWhitespace(span.codePointAt(0)) || Character.isWhitespace(span.codePointBefore(span.length()))) return false;
        if (span.codePoints().noneMatch(Character::isLetterOrDigit)) return false;
        for (int at = sentence.indexOf(span); at >= 0; at = sentence.indexOf(span, at + 1)) {
            if (boundary(sentence, at) && boundary(sentence, at + span.length())) return true;
        }
        return false;
    }

    private static boolean boundary(String s, int i) {
        return i == 0 || i == s.length() || !(joins(s.codePointBefore(i)) && joins(s.codePointAt(i)));
    }

    /** Letters and digits of a script written with spaces: Latin, Greek and the like, not Han or kana. */
    private static boolean joins(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return Character.isLetterOrDigit(cp) && script != Character.UnicodeScript.HAN && script != Character.UnicodeScript.HIRAGANA
                && script != Character.UnicodeScript.KATAKANA && script != Character.UnicodeScript.THAI && script != Character.UnicodeScript.LAO
                && script != Character.UnicodeScript.KHMER && script != Character.UnicodeScript.MYANMAR && script != Character.UnicodeScript.TIBETAN;
    }

    @Test
    void spansAreWholeWordsOrRunsOfThem() {
        SentenceAutomaton a = new SentenceAutomaton("Paris-based firms, e.g. Acme's.");
        for (String ok : new String[] {"Paris", "Paris-based", "based firms", "firms,", "e.g", "e.g.", "Acme", "Acme's", "'s.", ", e"}) {
            assertTrue(accepts(a, ok), ok);
        }
        for (String cut : new String[] {"aris", "Pari", "ased", "Paris ", " firms", "irm", "Acm", "firms, e.g. Acme's. ", "-", ".", "'"}) {
            assertFalse(accepts(a, cut), cut);
        }
        assertTrue(a.quotable());
        assertFalse(new SentenceAutomaton(" \t ").quotable());
        // written without spaces, every character is a word: any substring of a Japanese sentence may be quoted
        SentenceAutomaton ja = new SentenceAutomaton("東京都に住む");
        assertTrue(accepts(ja, "東京") && accepts(ja, "京都") && accepts(ja, "住む"));
        // a lone surrogate is written as one '?', and the positions after it stay aligned
        assertTrue(accepts(new SentenceAutomaton("a\uD800 Rome"), "Rome"));
    }

    @Test
    void everySubstringOfRandomSentencesIsJudgedAsThePlainDefinitionJudgesIt() {
        String[] pieces = {"a", "b", "é", "日", "本", "か", "1", " ", "-", "'", ".", "\t", "ab", "Ω"};
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            StringBuilder sb = new StringBuilder();
            for (int i = random.nextInt(12); i >= 0; i--) sb.append(pieces[random.nextInt(pieces.length)]);
            String sentence = sb.toString();
            SentenceAutomaton a = new SentenceAutomaton(sentence);
            boolean any = false;
            for (int from = 0; from < sentence.length(); from++) {
                for (int to = from + 1; to <= sentence.length(); to++) {
                    if (Character.isLowSurrogate(sentence.charAt(from)) || to < sentence.length() && Character.isLowSurrogate(sentence.charAt(to))) continue;
                    String span = sentence.substring(from, to);
                    boolean expected = quotable(sentence, span);
                    any |= expected;
                    assertEquals(expected, accepts(a, span), "\"" + span + "\" of \"" + sentence + "\"");
                }
            }
            assertEquals(any, a.quotable(), sentence);
        }
    }
}
