package org.knowcoder.tokenizer.spm;

import java.util.Arrays;

/** A growable byte array, reused between calls so that steady-state encoding does not allocate. */
final class ByteSink {
    byte[] bytes = new byte[256];
    int size;

    void clear() {
        size = 0;
    }

    void add(byte b) {
        if (size == bytes.length) bytes = Arrays.copyOf(bytes, size * 2);
        bytes[size++] = b;
    }

    void add(byte[] src, int from, int to) {
        int n = to - from;
        if (size + n > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(size + n, size * 2));
        System.arraycopy(src, from, bytes, size, n);
        size += n;
    }

    boolean endsWith(byte[] suffix) {
        if (size < suffix.length) return false;
        for (int i = 0; i < suffix.length; i++) if (bytes[size - suffix.length + i] != suffix[i]) return false;
        return true;
    }
}
