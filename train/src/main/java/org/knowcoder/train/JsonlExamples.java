package org.knowcoder.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.InputFiles;
import org.knowcoder.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training examples from JSON lines: {"text": ...} (loss on every token) or {"prompt": ..., "output": ...}
 * (loss only on the output), tokenized as BOS + text + EOS. Every problem, including a token id the
 * model's vocabulary cannot hold, is a BadInputException naming file and line, raised
 * while reading, before any training step.
 */
public final class JsonlExamples {
    private JsonlExamples() {}

    public static List<Examples.Example> read(Path file, Tokenizer tokenizer, int vocabSize) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Examples.Example> out = new ArrayList<>();
        try (BufferedReader r = InputFiles.reader(file, "JSON lines of {\"text\"} or {\"prompt\", \"output\"}")) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) continue;
                String where = file + ":" + no + ": ";
                JsonNode n;
                try {
                    n = json.readTree(line);
                } catch (IOException e) {
                    throw new BadInputException(where + "not valid JSON");
                }
                Examples.Example e;
                if (n.path("text").isTextual()) {
                    int[] t = tokenizer.encode(n.get("text").asText(), true, true);
                    int[] mask = new int[t.length];
                    Arrays.fill(mask, 1);
                    e = new Examples.Example(t, mask);
                } else if (n.path("prompt").isTextual() && n.path("output").isTextual()) {
                    int[] p = tokenizer.encode(n.get("prompt").asText(), true, false);
                    int[] o = tokenizer.encode(n.get("output").asText(), false, true);
                    int[] t = Arrays.copyOf(p, p.length + o.length);
                    System.arraycopy(o, 0, t, p.length, o.length);
                    int[] mask = new int[t.length];
                    Arrays.fill(mask, p.length, t.length, 1);
                    e = new Examples.Example(t, mask);
                } else {
                    throw new BadInputException(where + "expected {\"text\": ...} or {\"prompt\": ..., \"output\": ...}");
                }
                for (int id : e.tokens()) {
                    if (id >= vocabSize) {
                        throw new BadInputException(where + "token id " + id + " does not fit the model's vocabulary of "
                                + vocabSize + " (a tokenizer for another model?)");
                    }
                }
                out.add(e);
            }
        }
        if (out.isEmpty()) throw new BadInputException(file + ": no training examples");
        return out;
    }
}
