package org.knowcoder.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.InputFiles;
import org.knowcoder.io.LineReader;
import org.knowcoder.parallel.OrderedBatches;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tokenizer.Encoding;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "tokenize", sortOptions = false,
        description = {"Encode or decode with a SentencePiece .model, llama2.c tokenizer.bin or the tokenizer of a .gguf model.",
                "JSON lines in, JSON lines out: {\"text\": ...} -> {\"ids\": [...], \"pieces\": [...]}; with --decode {\"ids\": [...]} -> {\"text\": ...}.",
                "With --lines: plain text in, one line of space-separated ids (or pieces) out per line, as spm_encode."})
final class TokenizeCommand implements Callable<Integer> {
    /** Lines encoded per batch; a batch is spread over the threads and written in order. */
    static final int BATCH_LINES = 8192;

    @Option(names = "--tokenizer", required = true, paramLabel = "PATH", description = "SentencePiece .model, llama2.c tokenizer.bin or a .gguf model")
    Path tokenizer;

    @Option(names = "--decode", description = "decode {\"ids\": [...]} lines to {\"text\": ...}")
    boolean decode;

    @Option(names = "--bos", description = "put BOS in front of each encoding")
    boolean bos;

    @Option(names = "--eos", description = "put EOS at the end of each encoding")
    boolean eos;

    @Option(names = "--lines", description = "plain text lines in, space-separated ids out (spm_encode --output_format=id)")
    boolean lines;

    @Option(names = "--pieces", description = "with --lines: write pieces instead of ids (spm_encode --output_format=piece)")
    boolean pieces;

    @Option(names = "--input", paramLabel = "PATH", description = "read this file instead of stdin")
    Path input;

    @Mixin
    ThreadsOption threads;

    /** Characters outside the BMP are written as UTF-8, not as escaped surrogate pairs. */
    private final ObjectMapper json = JsonMapper.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

    @Override
    public Integer call() throws Exception {
        if (pieces && !lines) throw new BadInputException("--pieces goes with --lines (JSON output always has both ids and pieces)");
        if (decode && lines) throw new BadInputException("--decode reads JSON lines; it does not go with --lines");
        Tokenizer tok = tokenizer.getFileName().toString().endsWith(".gguf") ? GgufVocabulary.load(tokenizer) : Tokenizers.load(tokenizer);
        OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
        try (WorkerPool pool = new WorkerPool(threads.count());
             InputStream in = input == null ? System.in
                     : InputFiles.open(input, lines ? "a text file" : decode ? "a JSON lines file of {\"ids\"}" : "a JSON lines file of {\"text\"}")) {
            LineReader reader = new LineReader(in);
            long lineNo = 0;
            List<Line> batch = new ArrayList<>(BATCH_LINES);
            while (true) {
                batch.clear();
                byte[] line;
                while (batch.size() < BATCH_LINES && (line = reader.next()) != null) batch.add(new Line(line, ++lineNo));
                if (batch.isEmpty()) break;
                for (byte[] result : OrderedBatches.map(pool, batch, l -> processLine(tok, l.bytes(), l.number()))) out.write(result);
            }
        } finally {
            out.flush(); // lines finished before an error still reach stdout; System.out itself stays open
        }
        return 0;
    }

    /** An input line and its number (from 1), for errors. */
    private record Line(byte[] bytes, long number) {}

    private byte[] processLine(Tokenizer tok, byte[] line, long lineNo) throws IOException {
        if (lines) return plainLine(tok, line);
        JsonNode node;
        try {
            node = json.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where(lineNo) + ": not a JSON object: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) throw new BadInputException(where(lineNo) + ": expected a JSON object per line");
        ObjectNode result = json.createObjectNode();
        if (decode) {
            result.put("text", tok.decode(ids(node.get("ids"), tok, lineNo)));
        } else {
            JsonNode text = node.get("text");
            if (text == null || !text.isTextual()) throw new BadInputException(where(lineNo) + ": expected {\"text\": \"...\"}");
            Encoding enc = tok.encodeWithPieces(text.asText(), bos, eos);
            ArrayNode ids = result.putArray("ids");
            for (int id : enc.ids()) ids.add(id);
            ArrayNode ps = result.putArray("pieces");
            for (String p : enc.pieces()) ps.add(p);
        }
        byte[] bytes = json.writeValueAsBytes(result);
        byte[] withNewline = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        withNewline[bytes.length] = '\n';
        return withNewline;
    }

    private byte[] plainLine(Tokenizer tok, byte[] line) {
        int[] ids = tok.encode(line, line.length, bos, eos);
        StringBuilder sb = new StringBuilder(ids.length * 6);
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) sb.append(' ');
            if (pieces) sb.append(tok.piece(ids[i]));
            else sb.append(ids[i]);
        }
        return sb.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    private int[] ids(JsonNode array, Tokenizer tok, long lineNo) {
        if (array == null || !array.isArray()) throw new BadInputException(where(lineNo) + ": expected {\"ids\": [...]}");
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = array.get(i);
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0 || v.asInt() >= tok.vocabSize()) {
                throw new BadInputException(where(lineNo) + ": id " + v + " at index " + i + " is not in the vocabulary [0, " + tok.vocabSize() + ")");
            }
            ids[i] = v.asInt();
        }
        return ids;
    }

    private String where(long lineNo) {
        return (input == null ? "stdin" : input.toString()) + " line " + lineNo;
    }
}
