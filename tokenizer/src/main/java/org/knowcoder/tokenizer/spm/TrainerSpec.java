package org.knowcoder.tokenizer.spm;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of {@code TrainerSpec} that encoding and training use, with the proto's defaults.
 * Fields not listed here are skipped when reading and not written.
 */
public final class TrainerSpec {
    public ModelType modelType = ModelType.UNIGRAM;
    public int vocabSize = 8000;
    public float characterCoverage = 0.9995f;
    public long inputSentenceSize = 0;
    public boolean shuffleInputSentence = true;
    public int maxSentenceLength = 4192;
    public int maxSentencepieceLength = 16;
    /** Unigram: seed pieces before EM; share of pieces kept per pruning round; EM steps per round. */
    public int seedSentencepieceSize = 1_000_000;
    public float shrinkingFactor = 0.75f;
    public int numSubIterations = 2;
    public boolean splitByUnicodeScript = true;
    public boolean splitByNumber = true;
    public boolean splitByWhitespace = true;
    public boolean treatWhitespaceAsSuffix = false;
    public boolean allowWhitespaceOnlyPieces = false;
    public boolean splitDigits = false;
    /**
     * Training only, not in the proto (the model file stays a standard one): U+2581 never joins
     * other characters in a piece, so a word is the same pieces after a space as after a quote or a
     * bracket. An extraction model must copy the sentence's words into {@code Person("Ann")}; with
     * "▁Ann" in the sentence and "Ann" in the output it would first have to learn, word by word, that
     * two unrelated ids spell the same.
     */
    public boolean whitespaceApart = false;
    public boolean byteFallback = false;
    public List<String> controlSymbols = new ArrayList<>();
    public List<String> userDefinedSymbols = new ArrayList<>();
    public int unkId = 0, bosId = 1, eosId = 2, padId = -1;
    public String unkPiece = "<unk>", bosPiece = "<s>", eosPiece = "</s>", padPiece = "<pad>";
    public String unkSurface = " \u2047 ";

    static TrainerSpec read(ProtoReader in) throws ProtoReader.MalformedException {
        TrainerSpec spec = new TrainerSpec();
        while (in.hasMore()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 3 -> spec.modelType = ModelType.of(in.varint());
                case 4 -> spec.vocabSize = (int) in.varint();
                case 10 -> spec.characterCoverage = in.fixed32Float();
                case 11 -> spec.inputSentenceSize = in.varint();
                case 14 -> spec.seedSentencepieceSize = (int) in.varint();
                case 15 -> spec.shrinkingFactor = in.fixed32Float();
                case 17 -> spec.numSubIterations = (int) in.varint();
                case 18 -> spec.maxSentenceLength = (int) in.varint();
                case 19 -> spec.shuffleInputSentence = in.varint() != 0;
                case 20 -> spec.maxSentencepieceLength = (int) in.varint();
                case 21 -> spec.splitByUnicodeScript = in.varint() != 0;
                case 22 -> spec.splitByWhitespace = in.varint() != 0;
                case 23 -> spec.splitByNumber = in.varint() != 0;
                case 24 -> spec.treatWhitespaceAsSuffix = in.varint() != 0;
                case 25 -> spec.splitDigits = in.varint() != 0;
                case 26 -> spec.allowWhitespaceOnlyPieces = in.varint() != 0;
                case 30 -> spec.controlSymbols.add(in.string());
                case 31 -> spec.userDefinedSymbols.add(in.string());
                case 35 -> spec.byteFallback = in.varint() != 0;
                case 40 -> spec.unkId = (int) in.varint();
                case 41 -> spec.bosId = (int) in.varint();
                case 42 -> spec.eosId = (int) in.varint();
                case 43 -> spec.padId = (int) in.varint();
                case 44 -> spec.unkSurface = in.string();
                case 45 -> spec.unkPiece = in.string();
                case 46 -> spec.bosPiece = in.string();
                case 47 -> spec.eosPiece = in.string();
                case 48 -> spec.padPiece = in.string();
                default -> in.skip(tag & 7);
            }
        }
        return spec;
    }

    ProtoWriter write() {
        ProtoWriter out = new ProtoWriter()
                .varint(3, modelType.code).varint(4, vocabSize).fixed32Float(10, characterCoverage)
                .varint(11, inputSentenceSize).varint(14, seedSentencepieceSize)
                .fixed32Float(15, shrinkingFactor).varint(17, numSubIterations).varint(18, maxSentenceLength).bool(19, shuffleInputSentence)
                .varint(20, maxSentencepieceLength).bool(21, splitByUnicodeScript).bool(22, splitByWhitespace)
                .bool(23, splitByNumber).bool(24, treatWhitespaceAsSuffix).bool(25, splitDigits)
                .bool(26, allowWhitespaceOnlyPieces);
        for (String s : controlSymbols) out.string(30, s);
        for (String s : userDefinedSymbols) out.string(31, s);
        return out.bool(35, byteFallback)
                .varint(40, unkId).varint(41, bosId).varint(42, eosId).varint(43, padId)
                .string(44, unkSurface).string(45, unkPiece).string(46, bosPiece).string(47, eosPiece).string(48, padPiece);
    }
}
