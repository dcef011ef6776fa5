package org.knowcoder.cli;

import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;
import org.knowcoder.tokenizer.spm.ModelProto;
import org.knowcoder.tokenizer.spm.ModelType;
import org.knowcoder.tokenizer.spm.NormalizerSpec;
import org.knowcoder.tokenizer.spm.SentencePieceTrainer;
import org.knowcoder.tokenizer.spm.TrainerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train-tokenizer", sortOptions = false,
        description = {"Train a SentencePiece model (.model, loadable by SentencePiece) from text files, one sentence per line.",
                "Defaults are LLaMA-2's: BPE (or --model-type unigram), byte fallback, split digits, identity normalization, dummy prefix, whitespace kept."})
final class TrainTokenizerCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, split = ",", paramLabel = "FILES", description = "text files, comma-separated or repeated")
    List<Path> inputs;

    @Option(names = "--vocab-size", required = true, description = "pieces in the model, special and byte pieces included")
    int vocabSize;

    @Option(names = "--model-type", defaultValue = "bpe", description = "bpe or unigram (default ${DEFAULT-VALUE})")
    String modelType;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "the .model file to write")
    Path output;

    @Option(names = "--byte-fallback", negatable = true, defaultValue = "true", fallbackValue = "true", description = "256 byte pieces for unknown characters (default ${DEFAULT-VALUE})")
    boolean byteFallback;

    @Option(names = "--split-digits", negatable = true, defaultValue = "true", fallbackValue = "true", description = "every digit its own piece (default ${DEFAULT-VALUE})")
    boolean splitDigits;

    @Option(names = "--add-dummy-prefix", negatable = true, defaultValue = "true", fallbackValue = "true", description = "encode text as if it started with a space (default ${DEFAULT-VALUE})")
    boolean addDummyPrefix;

    @Option(names = "--remove-extra-whitespaces", negatable = true, defaultValue = "false", fallbackValue = "true", description = "squeeze and trim spaces (default ${DEFAULT-VALUE})")
    boolean removeExtraWhitespaces;

    @Option(names = "--allow-whitespace-only-pieces", negatable = true, defaultValue = "true", fallbackValue = "true", description = "learn pieces of several spaces, for code (default ${DEFAULT-VALUE})")
    boolean allowWhitespaceOnlyPieces;

    @Option(names = "--whitespace-apart", description = "never join a space with other characters in a piece: a word is the same "
            + "pieces after a space and after a quote, which an extraction model copying words into its output needs (not LLaMA-2's choice; "
            + "the model file stays a standard one)")
    boolean whitespaceApart;

    @Option(names = "--character-coverage", defaultValue = "0.9995", description = "share of the text's characters that get their own piece (default ${DEFAULT-VALUE})")
    float characterCoverage;

    @Option(names = "--max-piece-length", defaultValue = "16", description = "longest piece, in characters (default ${DEFAULT-VALUE})")
    int maxPieceLength;

    @Option(names = "--input-sentence-size", defaultValue = "2000000", description = "sentences sampled from the input, 0 for all (default ${DEFAULT-VALUE})")
    long inputSentenceSize;

    @Option(names = "--max-sentence-length", defaultValue = "4192", description = "longer lines (in bytes) are skipped (default ${DEFAULT-VALUE})")
    int maxSentenceLength;

    @Option(names = "--seed", defaultValue = "42", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--unk-id", defaultValue = "0", description = "id of the unknown piece (default ${DEFAULT-VALUE})") int unkId;
    @Option(names = "--bos-id", defaultValue = "1", description = "-1 for none (default ${DEFAULT-VALUE})") int bosId;
    @Option(names = "--eos-id", defaultValue = "2", description = "-1 for none (default ${DEFAULT-VALUE})") int eosId;
    @Option(names = "--pad-id", defaultValue = "-1", description = "-1 for none (default ${DEFAULT-VALUE})") int padId;

    @Option(names = "--user-defined-symbols", split = ",", paramLabel = "S", description = "pieces that always stay whole")
    List<String> userDefined = new ArrayList<>();

    @Option(names = "--control-symbols", split = ",", paramLabel = "S", description = "invisible pieces, for ids only")
    List<String> control = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        for (Path in : inputs) if (!Files.isRegularFile(in)) throw new NoSuchFileException(in.toString(), null, "no such input file");
        ModelType type = switch (modelType.toLowerCase(java.util.Locale.ROOT)) {
            case "bpe" -> ModelType.BPE;
            case "unigram" -> ModelType.UNIGRAM;
            default -> throw new BadInputException("--model-type " + modelType + ": only bpe and unigram can be trained");
        };
        // negated, so that NaN is refused too
        if (!(characterCoverage > 0 && characterCoverage <= 1)) throw new BadInputException("--character-coverage must be in (0, 1], got " + characterCoverage);
        if (maxPieceLength < 1) throw new BadInputException("--max-piece-length must be at least 1, got " + maxPieceLength);
        if (vocabSize < 1) throw new BadInputException("--vocab-size must be positive, got " + vocabSize);
        if (inputSentenceSize < 0) throw new BadInputException("--input-sentence-size must be >= 0 (0: all), got " + inputSentenceSize);
        if (maxSentenceLength < 1) throw new BadInputException("--max-sentence-length must be at least 1, got " + maxSentenceLength);
        TrainerSpec spec = new TrainerSpec();
        spec.modelType = type;
        spec.vocabSize = vocabSize;
        spec.byteFallback = byteFallback;
        spec.splitDigits = splitDigits;
        spec.allowWhitespaceOnlyPieces = allowWhitespaceOnlyPieces;
        spec.whitespaceApart = whitespaceApart;
        spec.characterCoverage = characterCoverage;
        spec.maxSentencepieceLength = maxPieceLength;
        spec.inputSentenceSize = inputSentenceSize;
        spec.maxSentenceLength = maxSentenceLength;
        spec.unkId = unkId;
        spec.bosId = bosId;
        spec.eosId = eosId;
        spec.padId = padId;
        spec.userDefinedSymbols = userDefined;
        spec.controlSymbols = control;
        NormalizerSpec normalizer = NormalizerSpec.identity();
        normalizer.addDummyPrefix = addDummyPrefix;
        normalizer.removeExtraWhitespaces = removeExtraWhitespaces;
        long t0 = System.nanoTime();
        ModelProto model = SentencePieceTrainer.train(inputs, spec, normalizer, seed, line -> System.err.println("train-tokenizer: " + line));
        AtomicWrite.write(output, model.toByteArray());
        System.err.printf("train-tokenizer: wrote %s (%d pieces) in %.1f s%n", output, model.pieces().size(), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
