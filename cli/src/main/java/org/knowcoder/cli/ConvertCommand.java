package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.GgufValue;
import org.knowcoder.model.format.GgufWriter;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.model.format.Llama2cWriter;
import org.knowcoder.model.session.ModelLoader;
import org.knowcoder.tensor.DType;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;
import org.knowcoder.tokenizer.spm.SentencePieceTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** Rewrites a model in another file format with the existing writers; every output is written atomically. */
@Command(name = "convert", sortOptions = false,
        description = "Write a model in another format: gguf (one file, as llama.cpp reads it), hf (a Hugging Face directory) "
                + "or llama2c (one .bin file).")
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "the model to convert (any format the engine reads)")
    Path model;

    @Option(names = "--to", required = true, description = "gguf, hf or llama2c")
    String to;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "the file (gguf, llama2c) or directory (hf) to write")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", description = "matrix dtype: f32, f16 (gguf) or bf16 (gguf, hf) (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--quantize", paramLabel = "TYPE", description = "q8_0 (gguf: blocks of 32; llama2c: version 2), q4_0 or q4_k (gguf): quantized matrices")
    String quantize;

    @Option(names = "--tokenizer", paramLabel = "PATH", description = "gguf: the SentencePiece .model stored in the file "
            + "(default: tokenizer.model beside or in the model, or the tokenizer of a GGUF model)")
    Path tokenizer;

    @Override
    public Integer call() throws IOException {
        DType type = matrixType();
        String note = "";
        try (LlamaWeights w = Checkpoints.load(model)) {
            switch (to) {
                case "gguf" -> {
                    Map<String, GgufValue> vocabulary = tokenizerMetadata(w.config().vocabSize());
                    GgufWriter.write(w, out, type, vocabulary);
                    if (vocabulary.isEmpty()) note = " without a tokenizer (no --tokenizer; llama.cpp needs one)";
                }
                case "hf" -> {
                    if (type != DType.F32 && type != DType.BF16) throw new BadInputException("--to hf writes f32 or bf16, not " + describe(type));
                    HuggingFaceWriter.write(w, out, type);
                }
                case "llama2c" -> {
                    if (type == DType.Q8_0) Llama2cWriter.writeVersion2(w, out);
                    else if (type == DType.F32) Llama2cWriter.writeVersion0(w, out);
                    else throw new BadInputException("--to llama2c writes f32 or --quantize q8_0, not " + describe(type));
                }
                default -> throw new BadInputException("--to must be gguf, hf or llama2c, got " + to);
            }
        }
        System.err.println("convert: wrote " + out + note);
        return 0;
    }

    private DType matrixType() {
        if (quantize != null) {
            return ModelLoader.quantization(quantize);
        }
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            default -> throw new BadInputException("--dtype " + dtype + ": expected f32, f16 or bf16");
        };
    }

    private static String describe(DType type) {
        String name = type.name().toLowerCase(Locale.ROOT);
        return type == DType.Q8_0 || type.isQ4() ? "--quantize " + name : "--dtype " + name;
    }

    /** The tokenizer.ggml.* keys: from --tokenizer, a tokenizer.model beside the model, or the model's own GGUF tokenizer. */
    private Map<String, GgufValue> tokenizerMetadata(int vocabSize) throws IOException {
        Path path = tokenizer;
        if (path == null) {
            Path home = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
            if (Files.isRegularFile(home.resolve("tokenizer.model"))) path = home.resolve("tokenizer.model");
        }
        Tokenizer tok;
        if (path != null) {
            tok = Tokenizers.load(path);
        } else if (model.getFileName().toString().endsWith(".gguf")) {
            path = model;
            tok = GgufVocabulary.read(model);
        } else {
            tok = null;
        }
        if (tok == null) return Map.of();
        if (!(tok instanceof SentencePieceTokenizer spm)) {
            throw new BadInputException(path + ": GGUF stores a SentencePiece tokenizer; give its .model with --tokenizer");
        }
        Tokenizers.requireFits(tok, path, vocabSize, model);
        return GgufVocabulary.metadata(spm, path);
    }
}
