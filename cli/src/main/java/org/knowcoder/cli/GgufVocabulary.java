package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.format.CheckpointFormatException;
import org.knowcoder.model.format.GgufFile;
import org.knowcoder.model.format.GgufValue;
import org.knowcoder.tokenizer.spm.ModelProto;
import org.knowcoder.tokenizer.spm.ModelType;
import org.knowcoder.tokenizer.spm.NormalizerSpec;
import org.knowcoder.tokenizer.spm.PieceType;
import org.knowcoder.tokenizer.spm.SentencePieceTokenizer;
import org.knowcoder.tokenizer.spm.TrainerSpec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer of a llama GGUF file, its {@code tokenizer.ggml.*} metadata (model "llama": pieces,
 * scores and piece types, which use SentencePiece's type numbering), as our SentencePiece tokenizer,
 * and back. GGUF keeps only what llama.cpp's SentencePiece encoder uses: the vocabulary, the special
 * ids and the dummy-prefix switch. The rest is LLaMA's: a BPE model merged by score, identity
 * normalization with whitespace kept as it is, byte fallback when the vocabulary has byte pieces.
 * A tokenizer with a normalization rule (a precompiled character map) or a Unigram model cannot be
 * carried this way, and is refused when writing. One switch GGUF lacks is kept under a key of our
 * own, {@value #REMOVE_EXTRA_WHITESPACES}: SentencePiece models trained with it on (llama2.c's
 * tok512) collapse runs of spaces, which llama.cpp, not knowing the key, does not.
 */
final class GgufVocabulary {
    private GgufVocabulary() {}

    static final String REMOVE_EXTRA_WHITESPACES = "knowcoder.tokenizer.remove_extra_whitespaces";

    /** The {@code tokenizer.ggml.*} keys for {@code tok}. */
    static Map<String, GgufValue> metadata(SentencePieceTokenizer tok, Path source) {
        ModelProto m = tok.model();
        if (m.trainer().modelType != ModelType.BPE || m.normalizer().precompiledCharsmap.length > 0) {
            throw new BadInputException(source + ": GGUF's \"llama\" tokenizer carries BPE models with identity "
                    + "normalization (LLaMA's); this one is " + m.trainer().modelType + " with normalization \"" + m.normalizer().name + "\"");
        }
        List<Object> pieces = new ArrayList<>(), scores = new ArrayList<>(), types = new ArrayList<>();
        for (ModelProto.Piece p : m.pieces()) {
            pieces.add(p.piece());
            scores.add((double) p.score());
            types.add((long) p.type().code());
        }
        Map<String, GgufValue> out = new LinkedHashMap<>();
        out.put("tokenizer.ggml.model", GgufValue.string("llama"));
        out.put("tokenizer.ggml.tokens", GgufValue.array(GgufValue.Type.STRING, pieces));
        out.put("tokenizer.ggml.scores", GgufValue.array(GgufValue.Type.FLOAT32, scores));
        out.put("tokenizer.ggml.token_type", GgufValue.array(GgufValue.Type.INT32, types));
        TrainerSpec t = m.trainer();
        out.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(tok.bosId()));
        out.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(tok.eosId()));
        out.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(t.unkId));
        if (t.padId >= 0) out.put("tokenizer.ggml.padding_token_id", GgufValue.uint32(t.padId));
        out.put("tokenizer.ggml.add_bos_token", GgufValue.bool(true));
        out.put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
        out.put("tokenizer.ggml.add_space_prefix", GgufValue.bool(m.normalizer().addDummyPrefix));
        if (m.normalizer().removeExtraWhitespaces) out.put(REMOVE_EXTRA_WHITESPACES, GgufValue.bool(true));
        return out;
    }

    /** The tokenizer stored in {@code file}; one that holds none is bad input. */
    static SentencePieceTokenizer load(Path file) throws IOException {
        SentencePieceTokenizer tok = read(file);
        if (tok == null) throw new CheckpointFormatException(file, "holds no tokenizer (no tokenizer.ggml.tokens)");
        return tok;
    }

    /** The tokenizer stored in {@code file}, or null when it holds none. */
    static SentencePieceTokenizer read(Path file) throws IOException {
        Map<String, GgufValue> md;
        try (Arena arena = Arena.ofConfined()) {
            md = GgufFile.read(file, arena).metadata();
        }
        if (!md.containsKey("tokenizer.ggml.tokens")) return null;
        GgufValue model = md.get("tokenizer.ggml.model");
        if (model == null || !"llama".equals(model.value())) {
            throw new CheckpointFormatException(file, "tokenizer.ggml.model is " + (model == null ? "absent" : model.value())
                    + "; this engine reads the \"llama\" (SentencePiece) tokenizer");
        }
        List<Object> tokens = array(file, md, "tokenizer.ggml.tokens", GgufValue.Type.STRING);
        List<Object> scores = array(file, md, "tokenizer.ggml.scores", GgufValue.Type.FLOAT32);
        List<Object> types = array(file, md, "tokenizer.ggml.token_type", GgufValue.Type.INT32);
        if (scores.size() != tokens.size() || types.size() != tokens.size()) {
            throw new CheckpointFormatException(file, tokens.size() + " tokens but " + scores.size() + " scores and " + types.size() + " token types");
        }
        List<ModelProto.Piece> pieces = new ArrayList<>();
        boolean bytes = false;
        for (int i = 0; i < tokens.size(); i++) {
            PieceType type = PieceType.of((Long) types.get(i));
            if (type == null) throw new CheckpointFormatException(file, "token " + i + " has unknown token_type " + types.get(i));
            if (((String) tokens.get(i)).isEmpty()) throw new CheckpointFormatException(file, "token " + i + " is empty");
            bytes |= type == PieceType.BYTE;
            pieces.add(new ModelProto.Piece((String) tokens.get(i), (float) (double) (Double) scores.get(i), type));
        }
        TrainerSpec trainer = new TrainerSpec();
        trainer.modelType = ModelType.BPE;
        trainer.byteFallback = bytes;
        trainer.unkId = id(file, md, "tokenizer.ggml.unknown_token_id", 0, tokens.size());
        trainer.bosId = id(file, md, "tokenizer.ggml.bos_token_id", 1, tokens.size());
        trainer.eosId = id(file, md, "tokenizer.ggml.eos_token_id", 2, tokens.size());
        trainer.padId = md.containsKey("tokenizer.ggml.padding_token_id") ? id(file, md, "tokenizer.ggml.padding_token_id", -1, tokens.size()) : -1;
        trainer.unkPiece = (String) tokens.get(trainer.unkId);
        trainer.bosPiece = (String) tokens.get(trainer.bosId);
        trainer.eosPiece = (String) tokens.get(trainer.eosId);
        NormalizerSpec normalizer = NormalizerSpec.identity();
        if (md.get("tokenizer.ggml.add_space_prefix") instanceof GgufValue v && v.value() instanceof Boolean b) normalizer.addDummyPrefix = b;
        if (md.get(REMOVE_EXTRA_WHITESPACES) instanceof GgufValue v && v.value() instanceof Boolean b) normalizer.removeExtraWhitespaces = b;
        try {
            return new SentencePieceTokenizer(new ModelProto(pieces, trainer, normalizer, null));
        } catch (Exception e) {
            throw new CheckpointFormatException(file, "the tokenizer metadata does not make a tokenizer: " + e.getMessage());
        }
    }

    private static List<Object> array(Path file, Map<String, GgufValue> md, String key, GgufValue.Type element) throws CheckpointFormatException {
        GgufValue v = md.get(key);
        if (v == null) throw new CheckpointFormatException(file, "missing metadata key " + key);
        if (!(v.value() instanceof GgufValue.Array a) || a.elementType() != element) {
            throw new CheckpointFormatException(file, "metadata key " + key + " is not an array of " + element);
        }
        return a.items();
    }

    private static int id(Path file, Map<String, GgufValue> md, String key, int absent, int vocab) throws CheckpointFormatException {
        GgufValue v = md.get(key);
        if (v == null) return absent;
        if (!v.isInteger() || (Long) v.value() < 0 || (Long) v.value() >= vocab) {
            throw new CheckpointFormatException(file, "metadata key " + key + " is " + v.value() + ", not a token id below " + vocab);
        }
        return (int) (long) (Long) v.value();
    }
}
