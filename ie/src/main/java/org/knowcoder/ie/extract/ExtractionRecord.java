package org.knowcoder.ie.extract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.InputFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The options that shape an extraction run's predictions, kept in {@code OUT/options.json}. A resumed
 * run skips the sentences already in predictions.jsonl, so one that changed such an option (another
 * --max-new-tokens, model or schema) would leave a file of outputs that no one setting produced: it
 * is refused unless allowed. Options that only select sentences (--dataset, --limit, --task) or
 * change how fast they run (--batch, --threads) may differ, and so may --consistency, which the file
 * records too but which only shapes the scores, made afresh from the predictions on each run.
 */
final class ExtractionRecord {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExtractionRecord() {}

    private static Path file(ExtractionSettings s) {
        return s.out().resolve("options.json");
    }

    /** The shaping options, by name as the CLI spells them with '_' for '-'. */
    private static ObjectNode of(ExtractionSettings s) {
        return JSON.createObjectNode().put("model", path(s.model())).put("tokenizer", path(s.tokenizer()))
                .put("datasets", path(s.datasetsDir())).put("split", s.split()).put("shots", s.shots())
                .put("schema", s.schema() == null ? null : path(s.schema())).put("refined", s.refined())
                .put("max_new_tokens", s.maxNewTokens()).put("quantize", s.quantize() == null ? "none" : s.quantize().name().toLowerCase(java.util.Locale.ROOT))
                .put("constrained", s.constrained()).put("clauses", s.clauses());
    }

    private static String path(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    /** Refuses a resume (a predictions file with lines) whose options differ from the recorded ones, unless allowed. */
    static void checkResume(ExtractionSettings s) throws IOException {
        Path file = file(s);
        if (s.allowChangedOptions() || !Files.exists(file) || !Files.exists(s.predictions()) || Files.size(s.predictions()) == 0) return;
        JsonNode recorded;
        try {
            recorded = JSON.readTree(InputFiles.readUtf8(file, "the run's options, a JSON object"));
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not valid JSON (" + e.getOriginalMessage() + "); expected the run's options");
        }
        for (Map.Entry<String, JsonNode> e : of(s).properties()) {
            JsonNode before = recorded.path(e.getKey());
            if (before.equals(e.getValue())) continue;
            throw new BadInputException(file + ": --" + e.getKey().replace('_', '-') + " is " + e.getValue() + " but the predictions in "
                    + s.out() + " were made with " + (before.isMissingNode() ? "none" : before)
                    + "; resume with the same value, or pass --allow-changed-options to continue with the new one");
        }
    }

    static void write(ExtractionSettings s) throws IOException {
        Files.createDirectories(s.out());
        AtomicWrite.write(file(s), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(of(s).put("consistency", s.consistency())));
    }
}
