package org.knowcoder.tokenizer;

import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * llama2.c's {@code tokenizer.bin}: an int32 max piece length, then per piece a float32 merge score,
 * an int32 byte length and the piece's bytes. Encoding is llama2.c's greedy BPE: start from one
 * piece per UTF-8 character (byte pieces {@code <0xXX>} at id byte + 3 when the character is not in
 * the vocabulary), then repeatedly merge the adjacent pair whose concatenation has the highest score.
 */
public final class Llama2cTokenizer implements Tokenizer {
    private static final int BYTE_PIECE_OFFSET = 3;

    private final byte[][] pieces;
    private final float[] scores;
    /** Pieces by their bytes (as ISO-8859-1 strings, one char per byte); the first id wins a duplicate. */
    private final Map<String, Integer> ids = new HashMap<>();

    private Llama2cTokenizer(byte[][] pieces, float[] scores) {
        this.pieces = pieces;
        this.scores = scores;
        for (int i = 0; i < pieces.length; i++) ids.putIfAbsent(new String(pieces[i], StandardCharsets.ISO_8859_1), i);
    }

    public static Llama2cTokenizer load(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() < 4) throw new TokenizerFormatException(file, "truncated: no header");
        int maxLen = buf.getInt();
        List<byte[]> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        while (buf.hasRemaining()) {
            int id = pieces.size();
            if (buf.remaining() < 8) throw new TokenizerFormatException(file, "truncated inside the entry of piece " + id);
            float score = buf.getFloat();
            int len = buf.getInt();
            if (len < 0 || len > buf.remaining() || len > Math.max(maxLen, 64)) {
                throw new TokenizerFormatException(file, "piece " + id + " claims " + len + " bytes (max piece length "
                        + maxLen + ", " + buf.remaining() + " bytes left)");
            }
            byte[] piece = new byte[len];
            buf.get(piece);
            pieces.add(piece);
            scores.add(score);
        }
        if (pieces.size() < 3 + 256) throw new TokenizerFormatException(file, "only " + pieces.size() + " pieces; expected at least 259");
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) s[i] = scores.get(i);
        Llama2cTokenizer tok = new Llama2cTokenizer(pieces.toArray(new byte[0][]), s);
        // llama2.c's encoder starts every text with this piece, so a file without it cannot encode anything
        if (!tok.ids.containsKey(" ")) throw new TokenizerFormatException(file, "no piece \" \" (the dummy prefix llama2.c's encoder adds)");
        return tok;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int bosId() {
        return 1;
    }

    @Override
    public int eosId() {
        return 2;
    }

    @Override
    public String piece(int id) {
        return new String(pieces[id], StandardCharsets.UTF_8);
    }

    @Override
    public int[] encode(String text, boolean bos, boolean eos) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] tokens = new int[utf8.length + 3];
        int n = 0;
        if (bos) tokens[n++] = bosId();
        // SentencePiece's dummy prefix: the text is encoded as if it started with a space
        if (utf8.length > 0) tokens[n++] = lookup(" ");
        for (int i = 0; i < utf8.length; ) {
            int len = utf8Length(utf8, i);
            Integer id = ids.get(new String(utf8, i, len, StandardCharsets.ISO_8859_1));
            if (id != null) {
                tokens[n++] = id;
            } else {
                for (int b = i; b < i + len; b++) tokens[n++] = (utf8[b] & 0xFF) + BYTE_PIECE_OFFSET;
            }
            i += len;
        }
        n = mergePairs(tokens, n);
        if (eos) tokens[n++] = eosId();
        return java.util.Arrays.copyOf(tokens, n);
    }

    /** Bytes of the UTF-8 sequence starting at i: a lead byte and its continuation bytes, at most 4. */
    private static int utf8Length(byte[] s, int i) {
        int len = 1;
        while (i + len < s.length && (s[i + len] & 0xC0) == 0x80 && len < 4) len++;
        return len;
    }

    private int mergePairs(int[] tokens, int n) {
        while (true) {
            float best = -1e10f;
            int bestId = -1, bestAt = -1;
            for (int i = 0; i + 1 < n; i++) {
                byte[] a = pieces[tokens[i]], b = pieces[tokens[i + 1]];
                byte[] merged = new byte[a.length + b.length];
                System.arraycopy(a, 0, merged, 0, a.length);
                System.arraycopy(b, 0, merged, a.length, b.length);
                Integer id = ids.get(new String(merged, StandardCharsets.ISO_8859_1));
                if (id != null && scores[id] > best) {
                    best = scores[id];
                    bestId = id;
                    bestAt = i;
                }
            }
            if (bestAt < 0) return n;
            tokens[bestAt] = bestId;
            System.arraycopy(tokens, bestAt + 2, tokens, bestAt + 1, n - bestAt - 2);
            n--;
        }
    }

    private int lookup(String piece) {
        Integer id = ids.get(piece);
        if (id == null) throw new BadInputException("the vocabulary has no piece \"" + piece + "\"");
        return id;
    }

    @Override
    public byte[] decode(int previous, int token) {
        byte[] piece = pieces[token];
        int start = previous == bosId() && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
        int b = bytePiece(piece);
        if (b >= 0) return new byte[] {(byte) b};
        return java.util.Arrays.copyOfRange(piece, start, piece.length);
    }

    /** The byte of a {@code <0xXX>} piece, or -1. */
    private static int bytePiece(byte[] p) {
        if (p.length != 6 || p[0] != '<' || p[1] != '0' || p[2] != 'x' || p[5] != '>') return -1;
        int hi = Character.digit(p[3], 16), lo = Character.digit(p[4], 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}
