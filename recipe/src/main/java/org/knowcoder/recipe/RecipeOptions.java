package org.knowcoder.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a recipe run is given. Everything here but {@code out}, {@code stages} and
 * {@code allowChangedOptions} shapes the outputs (the thread count too: sums split across threads
 * round differently), so it is recorded in {@code OUT/recipe.json} and a rerun with other values
 * is refused unless {@code allowChangedOptions}.
 *
 * @param datasets the datasets to train on and evaluate (zero-shot ones only evaluated)
 * @param schema   the schema library (models/knowcoder-mini/schema.json)
 * @param stages   the stages to run this time; a stage needs the outputs of those before it
 */
public record RecipeOptions(Path datasetsDir, List<String> datasets, Path schema, Path out, boolean quick, int threads, long seed,
                            List<Stage> stages, boolean allowChangedOptions) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public RecipeOptions {
        datasets = List.copyOf(datasets);
        stages = List.copyOf(stages);
        if (!Files.isDirectory(datasetsDir)) throw new BadInputException("--datasets " + datasetsDir + ": no such directory");
        if (!Files.isRegularFile(schema)) throw new BadInputException("--schema " + schema + ": no such file");
        if (datasets.isEmpty()) throw new BadInputException("--dataset names no dataset");
        if (threads < 1) throw new BadInputException("--threads must be at least 1, got " + threads);
    }

    public Sizes sizes() {
        return quick ? Sizes.QUICK : Sizes.FULL;
    }

    ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode().put("datasets_dir", datasetsDir.toAbsolutePath().normalize().toString())
                .put("schema", schema.toAbsolutePath().normalize().toString()).put("quick", quick).put("threads", threads).put("seed", seed);
        datasets.forEach(o.putArray("dataset")::add);
        return o;
    }

    /** Records the options in OUT/recipe.json, after refusing a resume whose recorded options differ. */
    void record() throws IOException {
        Path file = out.resolve("recipe.json");
        // through text, as the recorded file is read back: a long read back is an int node, unequal to a long one
        JsonNode now = JSON.readTree(JSON.writeValueAsString(toJson()));
        if (Files.exists(file) && !allowChangedOptions) {
            JsonNode before = JSON.readTree(file.toFile());
            List<String> changed = new ArrayList<>();
            now.fieldNames().forEachRemaining(k -> { if (!now.get(k).equals(before.get(k))) changed.add(k); });
            if (!changed.isEmpty()) {
                throw new BadInputException(file + ": this run was started with other options (" + String.join(", ", changed)
                        + "); rerun with the same ones, or with --allow-changed-options");
            }
        }
        Files.createDirectories(out);
        AtomicWrite.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(now));
    }
}
