package org.knowcoder.tokenizer.spm;

/** UTF-8 facts SentencePiece relies on: character lengths from the lead byte and strict validity. */
final class Utf8 {
    private Utf8() {}

    /** The length SentencePiece's {@code OneCharLen} gives a lead byte: 1, 2, 3 or 4 (continuation bytes count 1). */
    static int oneCharLength(byte lead) {
        int hi = (lead & 0xFF) >>> 4;
        return hi < 0xC ? 1 : hi < 0xE ? 2 : hi == 0xE ? 3 : 4;
    }

    /**
     * The length of the well-formed UTF-8 character at {@code s[at]} (no overlongs, surrogates or
     * code points above U+10FFFF), or 0 when it is malformed or cut off at {@code end}.
     */
    static int validCharLength(byte[] s, int at, int end) {
        int b0 = s[at] & 0xFF;
        if (b0 < 0x80) return 1;
        int len, min;
        if (b0 >= 0xC2 && b0 <= 0xDF) { len = 2; min = 0x80; }
        else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; min = 0x800; }
        else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; min = 0x10000; }
        else return 0;
        if (at + len > end) return 0;
        int cp = b0 & (0x7F >> len);
        for (int i = 1; i < len; i++) {
            int b = s[at + i] & 0xFF;
            if ((b & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        return len;
    }

    /** Decodes the well-formed character of {@code len} bytes at {@code s[at]}. */
    static int codePoint(byte[] s, int at, int len) {
        int cp = len == 1 ? s[at] : s[at] & (0x7F >> len);
        for (int i = 1; i < len; i++) cp = cp << 6 | (s[at + i] & 0x3F);
        return cp;
    }

    /**
     * Encodes {@code text} as UTF-8 into {@code out} (cleared first); a lone surrogate, which no
     * UTF-8 can carry, becomes U+FFFD, as SentencePiece does with malformed input.
     */
    static void encode(CharSequence text, ByteSink out) {
        out.clear();
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out.add((byte) c);
            } else if (c < 0x800) {
                out.add((byte) (0xC0 | c >> 6));
                out.add((byte) (0x80 | c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out.add((byte) (0xF0 | cp >> 18));
                out.add((byte) (0x80 | (cp >> 12) & 0x3F));
                out.add((byte) (0x80 | (cp >> 6) & 0x3F));
                out.add((byte) (0x80 | cp & 0x3F));
            } else {
                if (Character.isSurrogate(c)) c = '\uFFFD';
                out.add((byte) (0xE0 | c >> 12));
                out.add((byte) (0x80 | (c >> 6) & 0x3F));
                out.add((byte) (0x80 | c & 0x3F));
            }
        }
    }
}
