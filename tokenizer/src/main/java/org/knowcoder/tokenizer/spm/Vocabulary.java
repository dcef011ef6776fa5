package org.knowcoder.tokenizer.spm;

import org.knowcoder.io.BadInputException;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pieces of a model with SentencePiece's lookup rules: normal, user-defined and unused pieces
 * take part in segmentation; unknown, control and byte pieces are reserved and only found by
 * {@link #id}, which checks them first and answers the unknown id for strings it does not know.
 */
final class Vocabulary {
    final String[] pieces;
    final byte[][] utf8;
    final float[] scores;
    final PieceType[] types;
    final int unkId;
    final int[] byteIds = new int[256];
    private final Map<String, Integer> segmentable = new HashMap<>();
    private final Map<String, Integer> reserved = new HashMap<>();

    Vocabulary(List<ModelProto.Piece> list) {
        int n = list.size();
        pieces = new String[n];
        utf8 = new byte[n][];
        scores = new float[n];
        types = new PieceType[n];
        int unk = -1;
        for (int i = 0; i < n; i++) {
            ModelProto.Piece p = list.get(i);
            pieces[i] = p.piece();
            utf8[i] = p.piece().getBytes(StandardCharsets.UTF_8);
            scores[i] = p.score();
            types[i] = p.type();
            Map<String, Integer> table = isSegmentable(i) ? segmentable : reserved;
            if (table.putIfAbsent(p.piece(), i) != null || (table == segmentable ? reserved : segmentable).containsKey(p.piece())) {
                throw new BadInputException("piece " + i + " \"" + p.piece() + "\" is a duplicate");
            }
            if (p.type() == PieceType.BYTE && !p.piece().matches("<0x[0-9A-F]{2}>")) {
                throw new BadInputException("piece " + i + " \"" + p.piece() + "\" has type BYTE but is not of the form <0xHH>");
            }
            if (p.type() == PieceType.UNKNOWN) {
                if (unk >= 0) throw new BadInputException("pieces " + unk + " and " + i + " are both of type UNKNOWN");
                unk = i;
            }
        }
        if (unk < 0) throw new BadInputException("no piece of type UNKNOWN (the model needs an <unk>)");
        unkId = unk;
        for (int b = 0; b < 256; b++) byteIds[b] = id(bytePiece(b));
    }

    int size() {
        return pieces.length;
    }

    boolean isSegmentable(int id) {
        PieceType t = types[id];
        return t == PieceType.NORMAL || t == PieceType.USER_DEFINED || t == PieceType.UNUSED;
    }

    /** SentencePiece's {@code PieceToId}: reserved pieces first, then the others, else the unknown id. */
    int id(String piece) {
        Integer id = reserved.get(piece);
        if (id == null) id = segmentable.get(piece);
        return id == null ? unkId : id;
    }

    /** The id of a normal, user-defined or unused piece, or -1. */
    int segmentableId(String piece) {
        Integer id = segmentable.get(piece);
        return id == null ? -1 : id;
    }

    Iterable<Map.Entry<String, Integer>> segmentablePieces() {
        return segmentable.entrySet();
    }

    static String bytePiece(int b) {
        return String.format("<0x%02X>", b);
    }

    /** The byte a {@code <0xXX>} piece stands for. */
    int byteValue(int id) {
        return Integer.parseInt(pieces[id].substring(3, 5), 16);
    }
}
