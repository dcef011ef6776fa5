package org.knowcoder.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.ie.data.DatasetCatalog;
import org.knowcoder.ie.eval.ScoreReport;
import org.knowcoder.ie.eval.SpanMode;
import org.knowcoder.ie.extract.ExtractionPipeline;
import org.knowcoder.ie.extract.ExtractionSettings;
import org.knowcoder.io.AtomicWrite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** What {@code eval} does for one group of datasets: extract from their test splits with the schema, score by text. */
final class TestScores {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Sentences decoded together: eval's default. */
    private static final int BATCH = 16;

    private final Path model, tokenizer;
    private final RecipeOptions o;
    private final Sizes sizes;
    private final Consumer<String> log;

    TestScores(Path model, Path tokenizer, RecipeOptions o, Sizes sizes, Consumer<String> log) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.o = o;
        this.sizes = sizes;
        this.log = log;
    }

    /** The scores of the datasets whose test file is there (an empty object for none); predictions in {@code dir}. */
    JsonNode run(List<String> datasets, Path dir) throws IOException {
        List<String> present = datasets.stream().filter(this::hasTest).toList();
        if (present.isEmpty()) return JSON.createObjectNode();
        ExtractionSettings s = new ExtractionSettings(model, tokenizer, "cpu", null, o.threads(), o.datasetsDir(), present, "test",
                Set.of(), sizes.evalSentences(), 0, o.schema(), false, null, sizes.maxNewTokens(), true, true, true, true, BATCH, dir, o.allowChangedOptions());
        try (ExtractionPipeline run = ExtractionPipeline.open(s, log)) {
            log.accept(run.timingsText(run.extract()));
            String json = ScoreReport.json(run.score(SpanMode.TEXT));
            AtomicWrite.write(s.scores(), json.getBytes(StandardCharsets.UTF_8));
            return JSON.readTree(json);
        }
    }

    private boolean hasTest(String dataset) {
        String test = DatasetCatalog.entry(dataset).splits().get("test");
        return test != null && Files.exists(o.datasetsDir().resolve(test));
    }
}
