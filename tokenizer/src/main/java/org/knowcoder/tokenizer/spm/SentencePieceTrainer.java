package org.knowcoder.tokenizer.spm;

import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Trains a SentencePiece model from text files and returns it as a {@link ModelProto} that
 * SentencePiece itself loads. Layout as SentencePiece writes it: the special pieces at their ids
 * (unknown, BOS, EOS, pad), control and user-defined symbols and the 256 byte pieces in the free
 * ids after them, then the learned pieces best first: BPE pieces in merge order scored minus
 * their rank, Unigram pieces by their log probability.
 */
public final class SentencePieceTrainer {
    private SentencePieceTrainer() {}

    public static ModelProto train(List<Path> inputs, TrainerSpec spec, NormalizerSpec normalizer, long seed,
                                   Consumer<String> progress) throws IOException {
        if (normalizer.precompiledCharsmap.length > 0) throw new BadInputException("training supports identity normalization only");
        List<ModelProto.Piece> meta = metaPieces(spec);
        TrainingCorpus corpus = TrainingCorpus.load(inputs, spec, normalizer, seed, progress);
        List<Integer> required = requiredChars(corpus.chars, spec.characterCoverage);
        int learned = spec.vocabSize - meta.size() - required.size();
        if (learned < 0) {
            throw new BadInputException("--vocab-size " + spec.vocabSize + " is too small: " + meta.size() + " special pieces and "
                    + required.size() + " characters need at least " + (meta.size() + required.size()));
        }
        progress.accept(String.format("%d characters cover %.4f%% of the text; learning %,d pieces", required.size(),
                100.0 * spec.characterCoverage, learned));
        List<ModelProto.Piece> normal = switch (spec.modelType) {
            case BPE -> {
                List<String> merged = new BpeTrainer(new PieceRules(spec), progress).train(corpus.words, required, learned);
                List<ModelProto.Piece> scored = new ArrayList<>();
                for (int i = 0; i < merged.size(); i++) scored.add(new ModelProto.Piece(merged.get(i), -i, PieceType.NORMAL));
                yield scored;
            }
            case UNIGRAM -> {
                Set<String> reserved = new HashSet<>();
                for (ModelProto.Piece p : meta) reserved.add(p.piece());
                yield new UnigramTrainer(spec, progress).train(corpus.words, required, learned + required.size(), reserved);
            }
            default -> throw new BadInputException("model type " + spec.modelType + " cannot be trained here (bpe and unigram can)");
        };
        if (normal.size() < learned + required.size()) {
            throw new BadInputException("--vocab-size " + spec.vocabSize + " is too large for this corpus: it yields at most "
                    + (meta.size() + normal.size()) + " pieces");
        }
        List<ModelProto.Piece> pieces = new ArrayList<>(meta);
        pieces.addAll(normal);
        return new ModelProto(List.copyOf(pieces), spec, normalizer, null);
    }

    /** Characters by frequency (ties by code point) until they cover the given share of all characters. */
    static List<Integer> requiredChars(Map<Integer, Long> counts, float coverage) {
        long total = 0;
        for (long c : counts.values()) total += c;
        List<Map.Entry<Integer, Long>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Comparator.comparing((Map.Entry<Integer, Long> e) -> -e.getValue()).thenComparing(Map.Entry::getKey));
        List<Integer> required = new ArrayList<>();
        long accumulated = 0;
        for (Map.Entry<Integer, Long> e : sorted) {
            if ((double) accumulated / total >= coverage) break;
            if (e.getKey() == PieceRules.UNKNOWN_CHAR) continue;
            accumulated += e.getValue();
            required.add(e.getKey());
        }
        return required;
    }

    /** Special, control, user-defined and byte pieces, each at its id; an id left empty or used twice is an error. */
    static List<ModelProto.Piece> metaPieces(TrainerSpec spec) {
        List<ModelProto.Piece> fixed = new ArrayList<>();
        List<ModelProto.Piece> flowing = new ArrayList<>();
        for (String s : spec.controlSymbols) flowing.add(new ModelProto.Piece(s, 0, PieceType.CONTROL));
        for (String s : spec.userDefinedSymbols) flowing.add(new ModelProto.Piece(s, 0, PieceType.USER_DEFINED));
        if (spec.byteFallback) for (int b = 0; b < 256; b++) flowing.add(new ModelProto.Piece(Vocabulary.bytePiece(b), 0, PieceType.BYTE));
        int[] ids = {spec.unkId, spec.bosId, spec.eosId, spec.padId};
        String[] names = {spec.unkPiece, spec.bosPiece, spec.eosPiece, spec.padPiece};
        String[] flags = {"--unk-id", "--bos-id", "--eos-id", "--pad-id"};
        int specials = 0;
        for (int id : ids) if (id >= 0) specials++;
        int total = specials + flowing.size();
        ModelProto.Piece[] slots = new ModelProto.Piece[total];
        if (spec.unkId < 0) throw new BadInputException("--unk-id must be set: every model needs an unknown piece");
        for (int k = 0; k < 4; k++) {
            if (ids[k] < -1) throw new BadInputException(flags[k] + " must be an id >= 0, or -1 for none, got " + ids[k]);
            if (ids[k] < 0) continue;
            if (ids[k] >= total) throw new BadInputException(flags[k] + " " + ids[k] + " leaves a gap: special ids must be below " + total);
            if (slots[ids[k]] != null) throw new BadInputException(flags[k] + " " + ids[k] + " is already taken by " + slots[ids[k]].piece());
            slots[ids[k]] = new ModelProto.Piece(names[k], 0, k == 0 ? PieceType.UNKNOWN : PieceType.CONTROL);
        }
        int next = 0;
        for (ModelProto.Piece p : flowing) {
            while (slots[next] != null) next++;
            slots[next] = p;
        }
        fixed.addAll(List.of(slots));
        // a model with a piece twice cannot say which id it encodes to; SentencePiece refuses it too
        Set<String> seen = new HashSet<>();
        for (ModelProto.Piece p : fixed) {
            if (!seen.add(p.piece())) {
                throw new BadInputException("the piece " + p.piece() + " is defined twice (--control-symbols, --user-defined-symbols and the special pieces must differ)");
            }
        }
        return fixed;
    }
}
