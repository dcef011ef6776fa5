package org.knowcoder.tokenizer.spm;

/** {@code TrainerSpec.ModelType}; this encoder implements BPE and Unigram. */
public enum ModelType {
    UNIGRAM(1), BPE(2), WORD(3), CHAR(4);

    final int code;

    ModelType(int code) {
        this.code = code;
    }

    static ModelType of(long code) {
        for (ModelType t : values()) if (t.code == code) return t;
        return null;
    }
}
