package org.knowcoder.model.session;

/**
 * A prompt prefix as a session's cache holds it: its tokens and, for every layer, the keys and
 * values of positions [0, length), each [position][kvDim], exactly as computed.
 */
public record KvPrefix(int[] tokens, int kvDim, float[][] keys, float[][] values) {
    public KvPrefix {
        if (keys.length != values.length) throw new IllegalArgumentException(keys.length + " layers of keys, " + values.length + " of values");
        long floats = (long) tokens.length * kvDim;
        for (int l = 0; l < keys.length; l++) {
            if (keys[l].length != floats || values[l].length != floats) {
                throw new IllegalArgumentException("layer " + l + " of a prefix of " + tokens.length + " positions of " + kvDim
                        + " needs " + floats + " keys and values, got " + keys[l].length + " and " + values[l].length);
            }
        }
    }

    public int length() {
        return tokens.length;
    }

    public int layers() {
        return keys.length;
    }
}
