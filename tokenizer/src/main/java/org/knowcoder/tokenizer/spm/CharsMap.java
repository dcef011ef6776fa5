package org.knowcoder.tokenizer.spm;

/**
 * SentencePiece's precompiled character map: a little-endian uint32 trie size, a Darts-clone
 * double-array trie over UTF-8 input sequences, then a blob of NUL-terminated replacement strings
 * that the trie's values point into. {@code nmt_nfkc} and the other built-in rules ship this way.
 */
final class CharsMap {
    private final int[] units;
    private final byte[] normalized;

    private CharsMap(int[] units, byte[] normalized) {
        this.units = units;
        this.normalized = normalized;
    }

    /** Parses the blob; throws with the reason when its sizes do not add up. */
    static CharsMap parse(byte[] blob) throws ProtoReader.MalformedException {
        if (blob.length < 4) throw new ProtoReader.MalformedException("precompiled charsmap of " + blob.length + " bytes has no trie size");
        long trieBytes = Integer.toUnsignedLong(littleEndian(blob, 0));
        if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > blob.length - 4L) {
            throw new ProtoReader.MalformedException("precompiled charsmap claims a trie of " + trieBytes + " bytes in a blob of " + blob.length);
        }
        int[] units = new int[(int) (trieBytes / 4)];
        for (int i = 0; i < units.length; i++) units[i] = littleEndian(blob, 4 + 4 * i);
        byte[] normalized = java.util.Arrays.copyOfRange(blob, 4 + (int) trieBytes, blob.length);
        return new CharsMap(units, normalized);
    }

    private static int littleEndian(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    /**
     * The longest key that prefixes {@code input[from, to)}: returns its length in the high 32 bits and
     * the offset of its replacement in the low 32, or 0 when no key matches.
     */
    long longestMatch(byte[] input, int from, int to) {
        int node = offset(units[0]);
        long best = 0;
        for (int i = from; i < to; i++) {
            int c = input[i] & 0xFF;
            node ^= c;
            if (node < 0 || node >= units.length) break;
            int unit = units[node];
            if ((unit & (0x80000000 | 0xFF)) != c) break;
            node ^= offset(unit);
            if (((unit >>> 8) & 1) != 0 && node >= 0 && node < units.length) {
                best = (long) (i + 1 - from) << 32 | (units[node] & 0x7FFFFFFF);
            }
        }
        return best;
    }

    /** The replacement strings, NUL-terminated; {@link #longestMatch} values are offsets into it. */
    byte[] replacements() {
        return normalized;
    }

    /** Where the replacement starting at {@code offset} ends (its NUL, or the blob's end). */
    int replacementEnd(int offset) {
        int end = offset;
        while (end < normalized.length && normalized[end] != 0) end++;
        return end;
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }
}
