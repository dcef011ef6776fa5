package org.knowcoder.api;

import org.knowcoder.ie.extract.Continuation;
import org.knowcoder.ie.extract.Extractor;
import org.knowcoder.ie.extract.LoadedExtractor;
import org.knowcoder.ie.text.CancellableModel;
import org.knowcoder.ie.text.DecodeQueue;
import org.knowcoder.ie.text.TextInput;
import org.knowcoder.ie.text.TextPipeline;
import org.knowcoder.ie.text.TextRun;
import org.knowcoder.model.session.DecoderLoad;
import org.knowcoder.model.session.ModelLoader;
import org.knowcoder.model.session.Sampler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * KnowCoder information extraction on your own text and types, from Java:
 * <pre>{@code
 * try (KnowCoder kc = KnowCoder.load(Path.of("models/knowcoder-7b"))) {
 *     Extraction r = kc.extract("Ann works for Acme in Paris.", Schema.of("Person", "Organization", "Location"));
 *     r.entities().forEach(e -> System.out.println(e.type() + " " + e.text() + " " + e.start()));
 * }
 * }</pre>
 * A text of any length is split into sentences, each asked on its own (a long one cut to fit the
 * model's context), and the results merged with offsets into the text. Thread-safe: calls from many threads share
 * the model, and their prompts are decoded together in one batch rather than one after another.
 */
public final class KnowCoder implements AutoCloseable {
    /** Texts in flight at once in {@link #extractAll}, in batches: enough to keep the batch full while the first ones finish. */
    public static final int WINDOW_BATCHES = 4;

    private final LoadedExtractor model;
    private final DecodeQueue queue;
    private final Options options;
    /**
     * A schema's prompts are built (and their tokens counted) once. Weak keys: a long-lived instance
     * (a server) sees schemas come and go, and one no caller holds any more frees its pipeline.
     */
    private final Map<Schema, TextPipeline> pipelines = Collections.synchronizedMap(new WeakHashMap<>());

    private KnowCoder(LoadedExtractor model, Options options) {
        this.model = model;
        this.options = options;
        this.queue = new DecodeQueue(model.extractor());
    }

    /** Loads KnowCoder-mini, the model this build embeds, with {@link Options#defaults()}. */
    public static KnowCoder load() throws IOException {
        return load(Options.defaults());
    }

    /**
     * Loads KnowCoder-mini, the model this build embeds. Given no prompt cache, it starts from the one
     * the build saved beside the jar (its default types' class definitions, see
     * {@link EmbeddedModel#PROMPT_CACHE_SUFFIX}) when that holds this model, machine and build, and
     * leaves that file as it is.
     */
    public static KnowCoder load(Options options) throws IOException {
        return load(EmbeddedModel.dir(), options, EmbeddedModel.builtPromptCache());
    }

    /**
     * The directory of KnowCoder-mini, the model this build embeds (unpacked into the user's cache
     * on first use when run from a jar): config, weights, tokenizer, schema library, default types.
     * A {@link org.knowcoder.io.BadInputException} when the build embeds none.
     */
    public static Path embeddedModel() throws IOException {
        return EmbeddedModel.dir();
    }

    /** Loads a model with {@link Options#defaults()}: a llama2.c {@code .bin}, a Hugging Face directory, a {@code .safetensors} file, a PyTorch or GGUF checkpoint. */
    public static KnowCoder load(Path model) throws IOException {
        return load(model, Options.defaults());
    }

    public static KnowCoder load(Path model, Options options) throws IOException {
        return load(model, options, null);
    }

    /** @param builtCache a prompt cache restored (never saved) when the options name none; null for none */
    private static KnowCoder load(Path model, Options options, Path builtCache) throws IOException {
        LoadedExtractor loaded = LoadedExtractor.open(model, options.tokenizer(), options.device(), ModelLoader.quantization(options.quantize()),
                options.adapter(), options.threads(), options.batch(), options.maxNewTokens(), true, options.constrained());
        try {
            Path restore = options.promptCache() != null ? options.promptCache() : builtCache;
            if (restore != null) loaded.restorePrefix(restore);
        } catch (IOException | RuntimeException | Error e) {
            loaded.close();
            throw e;
        }
        return new KnowCoder(loaded, options);
    }

    /** What {@code text} holds of the schema's types; its id is "1". */
    public Extraction extract(String text, Schema schema) {
        return extract(text, schema, null);
    }

    /**
     * As {@link #extract(String, Schema)}, with the generated code given to {@code tokens} as it is
     * written, prompt after prompt (with the items constrained decoding then leaves out as forced).
     */
    public Extraction extract(String text, Schema schema, Consumer<String> tokens) {
        return join(submit("1", text, schema, tokens));
    }

    /**
     * The extraction of {@code text}, when it is done; many submitted together are decoded together.
     * Cancelling the future (a caller that gave up) drops the text's prompts from the batch at the
     * decoder's next step.
     */
    public CompletableFuture<Extraction> submit(String id, String text, Schema schema, Consumer<String> tokens) {
        CancellableModel asking = new CancellableModel(queue);
        CompletableFuture<Extraction> extraction = pipeline(schema).extract(id, text, tokens, asking).thenApply(Extraction::of);
        extraction.whenComplete((x, e) -> {
            if (extraction.isCancelled()) asking.cancel();
        });
        return extraction;
    }

    /**
     * {@code prompt} continued as a base model continues text (BOS, then the prompt), decoded in one
     * batch with every other caller's prompts; {@code tokens} (or null) receives the text as it is
     * written, on the decoding thread, so it must not block. Cancelling the future (a client gone)
     * frees the prompt's place in the batch at the decoder's next step. A prompt that leaves the
     * context no room is bad input.
     */
    public CompletableFuture<Completion> complete(String prompt, Generation generation, Consumer<String> tokens) {
        Extractor extractor = model.extractor();
        // llama2.c's xorshift stays at 0 from a seed of 0: that seed takes another, fixed one
        long seed = generation.seed() == 0 ? 0x9E3779B97F4A7C15L : generation.seed();
        Sampler sampler = generation.temperature() == 0 ? null
                : new Sampler(extractor.tokenizer().vocabSize(), (float) generation.temperature(), (float) generation.topP(), seed);
        Continuation c = extractor.continuation(prompt, sampler, generation.maxTokens(), generation.stop(), tokens);
        CompletableFuture<Continuation.Result> decoded = queue.continuation(c);
        CompletableFuture<Completion> completion = decoded.thenApply(r ->
                new Completion(r.text(), r.stopped() ? Completion.Finish.STOP : Completion.Finish.LENGTH, r.promptTokens(), r.generatedTokens()));
        completion.whenComplete((x, e) -> {
            if (completion.isCancelled()) decoded.cancel(false);
        });
        return completion;
    }

    /** The options the model was loaded with. */
    public Options options() {
        return options;
    }

    /** What the decoder is doing: sequences in flight, tokens taken and generated, how full its steps are. */
    public DecoderLoad decoding() {
        return queue.load();
    }

    /** Every text's extraction, in order (ids "1", "2", ...), decoded in batches. */
    public List<Extraction> extractAll(Iterable<String> texts, Schema schema) {
        List<Extraction> out = new ArrayList<>();
        Iterator<String> it = texts.iterator();
        Iterator<TextInput> inputs = new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public TextInput next() {
                return new TextInput(String.valueOf(++n), it.next());
            }
        };
        try {
            new TextRun<>((TextInput in) -> submit(in.id(), in.text(), schema, null), Extraction::sentences, WINDOW_BATCHES * options.batch(), null)
                    .run(inputs, Set.of(), 0, -1, out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the sink is a list: it does not throw
        }
        return out;
    }

    private TextPipeline pipeline(Schema schema) {
        return pipelines.computeIfAbsent(schema, s -> new TextPipeline(queue, s.types, s.tasks, options.chunkTokens(), options.clauses(),
                options.consistency()));
    }

    /** Prompts decoded together and where: "16 prompts in flight on cpu, 4 threads". */
    @Override
    public String toString() {
        return model.extractor().inFlight() + " prompts in flight on " + model.where();
    }

    /** Waits for the prompts in flight, saves the prompt cache when the options say so, then frees the model. */
    @Override
    public void close() {
        queue.close();
        try {
            // only once the decoding thread has stopped (an interrupted close may leave it running): its cache is then still
            if (options.promptCache() != null && queue.stopped()) model.savePrefix(options.promptCache());
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("could not save the prompt cache " + options.promptCache() + ": " + e.getMessage(), e));
        } finally {
            model.close();
        }
    }

    private static Extraction join(CompletableFuture<Extraction> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new UncheckedIOException(new IOException(e.getCause()));
        }
    }
}
