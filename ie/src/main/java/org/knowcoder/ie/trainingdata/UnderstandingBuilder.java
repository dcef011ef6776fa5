package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Schema-understanding data (code pretraining): the library's definition code packed to
 * {@code maxTokens}, then instance code from the KELM-style corpus ({@link KelmReader}) in the
 * chosen {@link InstanceForm}. Writes {@code understanding.jsonl} ({@code {"text"}}) and, with a
 * tokenizer, the shard {@code understanding.*}: every text as BOS, text, EOS, back to back, cut
 * into sequences of {@code maxTokens}, all tokens in the loss. The texts are {@link UnderstandingLines}'.
 */
public final class UnderstandingBuilder {
    static final List<String> TASKS = List.of("definition", "entity", "relation", "event");

    private UnderstandingBuilder() {}

    public static ObjectNode build(List<Path> corpus, SchemaLibrary library, InstanceForm form, int maxTokens, long seed,
                                   Tokenizer tokenizer, String tokenizerPath, Path outDir, int threads,
                                   Consumer<String> progress) throws IOException {
        UnderstandingLines lines = new UnderstandingLines(library, form, tokenizer);
        List<UnderstandingLines.Text> definitions = lines.definitions(maxTokens, seed);
        try (TrainingOutput out = new TrainingOutput(outDir, "understanding", tokenizer, tokenizerPath, maxTokens, TASKS)) {
            for (UnderstandingLines.Text d : definitions) out.add(item(d));
            progress.accept(String.format("definition code: %,d classes in %,d texts", library.size(), out.stats().get("definition").samples));
            BuildRun.Result r = BuildRun.run(corpus, threads, line -> lines.of(line.text()).stream().map(UnderstandingBuilder::item).toList(),
                    out, progress);
            out.commit();
            return BuildRun.summary("understanding", out, r).put("form", form.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
    }

    private static Item item(UnderstandingLines.Text t) {
        return new Item(t.task(), t.json(), t.ids(), 0, t.types(), t.instances(), t.bytes());
    }
}
