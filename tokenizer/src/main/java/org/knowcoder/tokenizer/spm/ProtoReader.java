package org.knowcoder.tokenizer.spm;

import java.nio.charset.StandardCharsets;

/**
 * The protobuf wire format, read forward over a byte range: just what a SentencePiece
 * {@code .model} needs (varints, 32-bit floats, length-delimited strings and sub-messages).
 * Every read checks its bounds and throws {@link MalformedException} naming the offset.
 */
final class ProtoReader {
    static final int VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

    /** Bad protobuf bytes; the message names the byte offset and what was wrong. */
    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    private final byte[] buf;
    private int pos;
    private final int end;

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    private ProtoReader(byte[] buf, int from, int to) {
        this.buf = buf;
        this.pos = from;
        this.end = to;
    }

    boolean hasMore() {
        return pos < end;
    }

    int offset() {
        return pos;
    }

    /** The next field's tag: field number in the high bits, wire type in the low three. */
    int tag() throws MalformedException {
        long tag = varint();
        if (tag >>> 3 == 0 || tag > Integer.MAX_VALUE) throw new MalformedException("invalid field tag " + tag + " at byte " + pos);
        return (int) tag;
    }

    long varint() throws MalformedException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw new MalformedException("truncated varint at byte " + pos);
            byte b = buf[pos++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) return value;
        }
        throw new MalformedException("varint longer than 10 bytes at byte " + pos);
    }

    float fixed32Float() throws MalformedException {
        need(4, "float");
        int bits = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    byte[] bytes() throws MalformedException {
        int length = length();
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + length);
        pos += length;
        return out;
    }

    String string() throws MalformedException {
        int length = length();
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    /** A reader over the next length-delimited sub-message; this reader moves past it. */
    ProtoReader message() throws MalformedException {
        int length = length();
        ProtoReader sub = new ProtoReader(buf, pos, pos + length);
        pos += length;
        return sub;
    }

    /** Skips a field of the given wire type (unknown fields are allowed, as in protobuf). */
    void skip(int wireType) throws MalformedException {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> advance(8);
            case LENGTH_DELIMITED -> advance(length());
            case FIXED32 -> advance(4);
            default -> throw new MalformedException("unsupported wire type " + wireType + " at byte " + pos);
        }
    }

    private int length() throws MalformedException {
        long length = varint();
        if (length < 0 || length > end - pos) {
            throw new MalformedException("field of " + length + " bytes at byte " + pos + " runs past the end (" + (end - pos) + " bytes left)");
        }
        return (int) length;
    }

    private void advance(int n) throws MalformedException {
        need(n, "field");
        pos += n;
    }

    private void need(int n, String what) throws MalformedException {
        if (end - pos < n) throw new MalformedException("truncated " + what + " at byte " + pos);
    }
}
