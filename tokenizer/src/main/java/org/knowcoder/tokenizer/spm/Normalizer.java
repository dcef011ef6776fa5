package org.knowcoder.tokenizer.spm;

/**
 * SentencePiece's normalizer, on UTF-8 bytes: user-defined symbols pass through untouched, the
 * precompiled character map rewrites the longest matching prefix (NFKC and friends), whitespace
 * runs are squeezed and trimmed when {@code remove_extra_whitespaces} is set, a dummy space goes
 * in front (or at the end when whitespace is a suffix), and spaces become U+2581.
 */
final class Normalizer {
    static final byte[] SPACE_SYMBOL = {(byte) 0xE2, (byte) 0x96, (byte) 0x81};
    private static final byte[] SPACE = {' '};
    private static final byte[] REPLACEMENT_CHARACTER = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

    private final CharsMap charsMap;
    private final ByteTrie userDefined;
    private final boolean addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces, whitespaceAsSuffix;

    /** {@code charsMap} and {@code userDefined} may be null (identity rule, no user-defined symbols). */
    Normalizer(NormalizerSpec spec, CharsMap charsMap, ByteTrie userDefined, boolean whitespaceAsSuffix) {
        this.charsMap = charsMap;
        this.userDefined = userDefined;
        this.addDummyPrefix = spec.addDummyPrefix;
        this.removeExtraWhitespaces = spec.removeExtraWhitespaces;
        this.escapeWhitespaces = spec.escapeWhitespaces;
        this.whitespaceAsSuffix = whitespaceAsSuffix;
    }

    /** Normalizes {@code input[0, length)} into {@code out} (cleared first). */
    void normalize(byte[] input, int length, ByteSink out) {
        out.clear();
        Prefix p = new Prefix();
        int pos = 0;
        if (removeExtraWhitespaces) {
            while (pos < length) {
                p.at(this, input, pos, length);
                if (!p.isSingleSpace()) break;
                pos += p.consumed;
            }
        }
        if (pos == length) return;
        if (!whitespaceAsSuffix && addDummyPrefix) addWhitespace(out);
        boolean prevSpace = removeExtraWhitespaces;
        while (pos < length) {
            p.at(this, input, pos, length);
            int from = p.from;
            if (prevSpace) while (from < p.to && p.src[from] == ' ') from++;
            if (from < p.to) {
                for (int i = from; i < p.to; i++) {
                    byte b = p.src[i];
                    if (escapeWhitespaces && b == ' ') out.add(SPACE_SYMBOL, 0, 3);
                    else out.add(b);
                }
                prevSpace = p.src[p.to - 1] == ' ';
            }
            pos += p.consumed;
            if (!removeExtraWhitespaces) prevSpace = false;
        }
        if (removeExtraWhitespaces) {
            byte[] space = escapeWhitespaces ? SPACE_SYMBOL : SPACE;
            while (out.endsWith(space)) out.size -= space.length;
        }
        if (whitespaceAsSuffix && addDummyPrefix) addWhitespace(out);
    }

    private void addWhitespace(ByteSink out) {
        if (escapeWhitespaces) out.add(SPACE_SYMBOL, 0, 3);
        else out.add((byte) ' ');
    }

    /** The normalized form of the input's next prefix: bytes {@code src[from, to)} replacing {@code consumed} input bytes. */
    private static final class Prefix {
        byte[] src;
        int from, to, consumed;

        void at(Normalizer n, byte[] input, int pos, int length) {
            if (n.userDefined != null) {
                int matched = n.userDefined.longestPrefix(input, pos, length);
                if (matched > 0) {
                    set(input, pos, pos + matched, matched);
                    return;
                }
            }
            if (n.charsMap != null) {
                long match = n.charsMap.longestMatch(input, pos, length);
                if (match != 0) {
                    int offset = (int) match;
                    set(n.charsMap.replacements(), offset, n.charsMap.replacementEnd(offset), (int) (match >>> 32));
                    return;
                }
            }
            int charLength = Utf8.validCharLength(input, pos, length);
            if (charLength > 0) set(input, pos, pos + charLength, charLength);
            else set(REPLACEMENT_CHARACTER, 0, 3, 1); // a malformed byte: U+FFFD, consuming that byte only
        }

        private void set(byte[] src, int from, int to, int consumed) {
            this.src = src;
            this.from = from;
            this.to = to;
            this.consumed = consumed;
        }

        boolean isSingleSpace() {
            return to - from == 1 && src[from] == ' ';
        }
    }
}
