package org.knowcoder.model.session;

/**
 * A prompt prefix as a session's cache holds it: its tokens and, for every layer, the keys and
 * values of positions [0, length), in [layer][position][kvDim] order, exactly as computed.
 */
public record KvPrefix(int[] tokens, int layers, int kvDim, float[] keys, float[] values) {
    public KvPrefix {
        long floats = (long) layers * tokens.length * kvDim;
        if (keys.length != floats || values.length != floats) {
            throw new IllegalArgumentException("a prefix of " + tokens.length + " positions, " + layers + " layers of " + kvDim
                    + " needs " + floats + " keys and values, got " + keys.length + " and " + values.length);
        }
    }

    public int length() {
        return tokens.length;
    }

    /** Where layer l's first key (and value) is in {@link #keys} (and {@link #values}). */
    public int layerOffset(int l) {
        return l * tokens.length * kvDim;
    }
}
