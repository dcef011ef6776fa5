package org.knowcoder.model.format;

import java.util.List;

/**
 * One GGUF metadata value with its wire type, which matters: llama.cpp checks the type of every key
 * it reads, so a writer must say uint32 where the format says uint32. Integers of every width are
 * held as a long (uint64 as its bit pattern), floats as a double; an array holds its element type
 * and its items as Long, Double, Boolean or String.
 */
public record GgufValue(Type type, Object value) {

    /** The metadata value types and their codes in the file. */
    public enum Type {
        UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1), STRING(0), ARRAY(0),
        UINT64(8), INT64(8), FLOAT64(8);

        /** Bytes of a scalar of this type; 0 for strings and arrays, whose size is in the data. */
        final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }

        int code() {
            return ordinal(); // the declaration order is the file's numbering, 0 to 12
        }

        static Type of(int code) {
            return code >= 0 && code < values().length ? values()[code] : null;
        }
    }

    /** An array: the element type and the items. */
    public record Array(Type elementType, List<Object> items) {}

    public static GgufValue uint32(long v) {
        return new GgufValue(Type.UINT32, v);
    }

    public static GgufValue float32(float v) {
        return new GgufValue(Type.FLOAT32, (double) v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(Type.BOOL, v);
    }

    public static GgufValue string(String v) {
        return new GgufValue(Type.STRING, v);
    }

    public static GgufValue array(Type elementType, List<?> items) {
        return new GgufValue(Type.ARRAY, new Array(elementType, List.copyOf(items)));
    }

    public boolean isInteger() {
        return value instanceof Long;
    }
}
