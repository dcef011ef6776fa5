package org.knowcoder.tokenizer;

/**
 * Text to token ids and back. Implemented by the llama2.c {@code tokenizer.bin} reader and, in
 * time, the SentencePiece {@code .model} tokenizer; generation only needs this interface.
 */
public interface Tokenizer {
    int vocabSize();

    int bosId();

    int eosId();

    /** The ids of {@code text}, with BOS first and/or EOS last when asked. */
    int[] encode(String text, boolean bos, boolean eos);

    /**
     * The bytes {@code token} adds to the text when it follows {@code previous}: decoding is
     * contextual (a leading space is dropped after BOS) and byte tokens can be part of a UTF-8
     * character, so streaming output works on bytes.
     */
    byte[] decode(int previous, int token);

    /** The piece (vocabulary string) of an id. */
    String piece(int id);
}
