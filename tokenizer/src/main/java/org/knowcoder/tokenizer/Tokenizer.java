package org.knowcoder.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back. Implemented by the SentencePiece {@code .model} tokenizer and the
 * llama2.c {@code tokenizer.bin} reader.
 */
public interface Tokenizer {
    int vocabSize();

    /** The BOS id, or -1 when the model has none. */
    int bosId();

    /** The EOS id, or -1 when the model has none. */
    int eosId();

    /** The ids of {@code text}, with BOS first and/or EOS last when asked. */
    int[] encode(String text, boolean bos, boolean eos);

    /** The ids of UTF-8 text {@code utf8[0, length)}; malformed bytes become U+FFFD. */
    default int[] encode(byte[] utf8, int length, boolean bos, boolean eos) {
        return encode(new String(utf8, 0, length, StandardCharsets.UTF_8), bos, eos);
    }

    /** Ids and their pieces, as SentencePiece's {@code EncodeAsPieces} (unknown text shows as the unknown piece). */
    default Encoding encodeWithPieces(String text, boolean bos, boolean eos) {
        int[] ids = encode(text, bos, eos);
        String[] pieces = new String[ids.length];
        for (int i = 0; i < ids.length; i++) pieces[i] = piece(ids[i]);
        return new Encoding(ids, pieces);
    }

    /**
     * The bytes {@code token} adds to the text when it follows {@code previous}: decoding is
     * contextual (a leading space is dropped after BOS) and byte tokens can be part of a UTF-8
     * character, so streaming output works on bytes. The array may be shared: do not change it.
     */
    byte[] decode(int previous, int token);

    /** The text of a whole id sequence; bytes that form no UTF-8 become U+FFFD. */
    default String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        for (int id : ids) {
            out.writeBytes(decode(previous, id));
            previous = id;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The piece (vocabulary string) of an id. */
    String piece(int id);
}
