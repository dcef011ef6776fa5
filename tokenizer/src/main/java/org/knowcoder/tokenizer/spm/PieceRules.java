package org.knowcoder.tokenizer.spm;

/**
 * Which strings a trainer may turn into pieces (SentencePiece's {@code IsValidSentencePiece}):
 * bounded length; U+2581 only as a prefix (or suffix), unless whitespace-only pieces are allowed,
 * and only alone or with other U+2581 when whitespace is kept apart;
 * one Unicode script per piece, Hiragana and Katakana counting as Han; digits alone when digits
 * are split; never NUL, tab or the trainer's unknown-character marker.
 */
final class PieceRules {
    static final int SPACE = 0x2581;
    /** Stands in for characters outside the covered alphabet during training. */
    static final int UNKNOWN_CHAR = 0x2585;

    private final TrainerSpec spec;

    PieceRules(TrainerSpec spec) {
        this.spec = spec;
    }

    /** Whether the code points {@code cps} may form one piece. */
    boolean isValid(int[] cps) {
        int n = cps.length;
        if (n == 0 || n > spec.maxSentencepieceLength) return false;
        boolean allSpace = true;
        for (int c : cps) allSpace &= c == SPACE;
        Character.UnicodeScript previous = null;
        for (int pos = 0; pos < n; pos++) {
            int c = cps[pos];
            if (c == UNKNOWN_CHAR || c == 0 || c == '\t' || c == ' ') return false;
            if (c == SPACE) {
                if (spec.allowWhitespaceOnlyPieces && allSpace) continue;
                if (spec.whitespaceApart) return false;
                boolean misplaced = spec.treatWhitespaceAsSuffix
                        ? (spec.splitByWhitespace ? pos < n - 1 : pos == 0 && pos < n - 1)
                        : (spec.splitByWhitespace ? pos > 0 : pos > 0 && pos == n - 1);
                if (misplaced) return false;
                continue;
            }
            boolean digit = c >= '0' && c <= '9';
            if (spec.splitDigits && digit && n > 1) return false;
            Character.UnicodeScript script = scriptOf(c);
            if (!spec.splitByNumber && digit) script = null;
            if (spec.splitByUnicodeScript && script != null && previous != null && script != previous) return false;
            previous = script;
        }
        return true;
    }

    private static Character.UnicodeScript scriptOf(int c) {
        Character.UnicodeScript s = Character.UnicodeScript.of(c);
        if (s == Character.UnicodeScript.HIRAGANA || s == Character.UnicodeScript.KATAKANA || c == 0x30FC) return Character.UnicodeScript.HAN;
        return s;
    }
}
