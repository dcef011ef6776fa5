package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Schema-understanding data (code pretraining): the library's definition code packed to
 * {@code maxTokens}, then instance code from the KELM-style corpus ({@link KelmReader}) in the
 * chosen {@link InstanceForm}. Writes {@code understanding.jsonl} ({@code {"text"}}) and, with a
 * tokenizer, the shard {@code understanding.*}: every text as BOS, text, EOS, back to back, cut
 * into sequences of {@code maxTokens}, all tokens in the loss.
 */
public final class UnderstandingBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> TASKS = List.of("definition", "entity", "relation", "event");

    private UnderstandingBuilder() {}

    public static ObjectNode build(List<Path> corpus, SchemaLibrary library, InstanceForm form, int maxTokens, long seed,
                                   Tokenizer tokenizer, String tokenizerPath, Path outDir, int threads,
                                   Consumer<String> progress) throws IOException {
        if (maxTokens < 1) throw new BadInputException("--max-tokens must be at least 1, got " + maxTokens);
        Tokens tokens = new Tokens(tokenizer);
        KelmReader reader = new KelmReader(new ClassResolver(library));
        try (TrainingOutput out = new TrainingOutput(outDir, "understanding", tokenizer, tokenizerPath, maxTokens, TASKS)) {
            DefinitionPacker.pack(library, maxTokens, tokens::count, seed, pack -> {
                try {
                    out.add(item("definition", pack.text(), pack.classes(), pack.classes().size(), tokens));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            progress.accept(String.format("definition code: %,d classes in %,d texts", library.size(), out.stats().get("definition").samples));
            BuildRun.Result r = BuildRun.run(corpus, threads, line -> {
                List<Item> items = new ArrayList<>();
                for (InstanceCode.Code c : InstanceCode.of(reader.parse(line.text()), form)) {
                    items.add(item(c.kind().jsonName(), c.text(), List.of(c.concept()), c.instances(), tokens));
                }
                return items;
            }, out, progress);
            out.commit();
            return BuildRun.summary("understanding", out, r).put("form", form.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
    }

    private static Item item(String task, String text, List<String> types, int instances, Tokens tokens) {
        return new Item(task, JSON.createObjectNode().put("text", text).toString(), tokens.text(text), 0, types, instances,
                text.getBytes(StandardCharsets.UTF_8).length);
    }
}
