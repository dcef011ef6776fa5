package org.knowcoder.tokenizer.spm;

/** {@code ModelProto.SentencePiece.Type}: how the encoder and decoder treat a piece. */
public enum PieceType {
    NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

    final int code;

    PieceType(int code) {
        this.code = code;
    }

    /** The proto's number, which GGUF's {@code tokenizer.ggml.token_type} uses too. */
    public int code() {
        return code;
    }

    /** The type numbered {@code code}, or null. */
    public static PieceType of(long code) {
        for (PieceType t : values()) if (t.code == code) return t;
        return null;
    }
}
