package org.knowcoder.tokenizer.spm;

import org.knowcoder.tokenizer.TokenizerFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SentencePiece {@code .model} file: the {@code ModelProto} message with its pieces (string,
 * score, type), trainer spec, normalizer spec and optional denormalizer spec.
 */
public record ModelProto(List<Piece> pieces, TrainerSpec trainer, NormalizerSpec normalizer, NormalizerSpec denormalizer) {

    /** One vocabulary entry. */
    public record Piece(String piece, float score, PieceType type) {}

    public static ModelProto load(Path file) throws IOException {
        try {
            return parse(Files.readAllBytes(file));
        } catch (ProtoReader.MalformedException e) {
            throw new TokenizerFormatException(file, "not a SentencePiece model: " + e.getMessage());
        }
    }

    static ModelProto parse(byte[] bytes) throws ProtoReader.MalformedException {
        ProtoReader in = new ProtoReader(bytes);
        List<Piece> pieces = new ArrayList<>();
        TrainerSpec trainer = new TrainerSpec();
        NormalizerSpec normalizer = new NormalizerSpec();
        NormalizerSpec denormalizer = null;
        while (in.hasMore()) {
            int at = in.offset();
            int tag = in.tag();
            if ((tag >>> 3) <= 5 && (tag & 7) != ProtoReader.LENGTH_DELIMITED) {
                throw new ProtoReader.MalformedException("field " + (tag >>> 3) + " at byte " + at + " has wire type " + (tag & 7) + ", expected a message");
            }
            switch (tag >>> 3) {
                case 1 -> pieces.add(readPiece(in.message(), pieces.size()));
                case 2 -> trainer = TrainerSpec.read(in.message());
                case 3 -> normalizer = NormalizerSpec.read(in.message());
                case 5 -> denormalizer = NormalizerSpec.read(in.message());
                default -> in.skip(tag & 7);
            }
        }
        if (trainer.modelType == null) throw new ProtoReader.MalformedException("unknown model type in the trainer spec");
        return new ModelProto(List.copyOf(pieces), trainer, normalizer, denormalizer);
    }

    private static Piece readPiece(ProtoReader in, int id) throws ProtoReader.MalformedException {
        String piece = null;
        float score = 0;
        PieceType type = PieceType.NORMAL;
        while (in.hasMore()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 1 -> piece = in.string();
                case 2 -> score = in.fixed32Float();
                case 3 -> {
                    long code = in.varint();
                    type = PieceType.of(code);
                    if (type == null) throw new ProtoReader.MalformedException("piece " + id + " has unknown type " + code);
                }
                default -> in.skip(tag & 7);
            }
        }
        if (piece == null || piece.isEmpty()) throw new ProtoReader.MalformedException("piece " + id + " is empty");
        return new Piece(piece, score, type);
    }

    /** The serialized message, as SentencePiece writes it (fields in number order). */
    public byte[] toByteArray() {
        ProtoWriter out = new ProtoWriter();
        for (Piece p : pieces) {
            ProtoWriter piece = new ProtoWriter().string(1, p.piece()).fixed32Float(2, p.score());
            if (p.type() != PieceType.NORMAL) piece.varint(3, p.type().code);
            out.message(1, piece);
        }
        out.message(2, trainer.write()).message(3, normalizer.write());
        if (denormalizer != null) out.message(5, denormalizer.write());
        return out.toByteArray();
    }
}
