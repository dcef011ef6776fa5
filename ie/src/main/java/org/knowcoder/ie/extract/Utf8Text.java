package org.knowcoder.ie.extract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes a model writes token by token, read as text whole characters at a time: a token may
 * end inside a UTF-8 character (byte tokens), which a later token completes, so a stream must not
 * be given the first half as a replacement character.
 */
final class Utf8Text {
    private byte[] bytes = new byte[64];
    private int length;
    /** Bytes up to the last whole character, already returned by {@link #append}. */
    private int complete;

    /** Appends a token's bytes; returns the characters they complete (empty when they end inside one). */
    String append(byte[] piece) {
        if (length + piece.length > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(length + piece.length, 2 * bytes.length));
        System.arraycopy(piece, 0, bytes, length, piece.length);
        length += piece.length;
        int end = wholeCharacters();
        if (end <= complete) return "";
        String added = new String(bytes, complete, end - complete, StandardCharsets.UTF_8);
        complete = end;
        return added;
    }

    /** All the text; a character the bytes end inside is U+FFFD. */
    String all() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /** All the bytes. */
    byte[] bytes() {
        return Arrays.copyOf(bytes, length);
    }

    /** What {@link #append} has held back: the start of a character the bytes end inside, as U+FFFD; empty when they end whole. */
    String rest() {
        return new String(bytes, complete, length - complete, StandardCharsets.UTF_8);
    }

    /** The end of the last whole character: before a lead byte whose character runs past the bytes written. */
    private int wholeCharacters() {
        for (int i = length - 1; i >= Math.max(complete, length - 4); i--) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) break;
            if (b >= 0xC0) {
                int size = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return i + size > length ? i : length;
            }
        }
        return length;
    }
}
