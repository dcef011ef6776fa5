package org.knowcoder.ie.extract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.ie.constrain.ResultsGrammar;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.ie.output.PyValue;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.session.DeviceSession;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.model.session.TokenConstraint;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Task;
import org.knowcoder.tensor.device.CpuDevice;
import org.knowcoder.testing.Llama2cTokenizers;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prefix reuse and batching change nothing but speed: the same outputs as prefilling every prompt
 * whole and decoding one at a time. On random models in the fixtures' shapes and a tokenizer written
 * here: what is checked is our own extractor, not a model's answers, so no ../shared is needed.
 */
class ExtractorTest {
    /** stories260K's shape: 5 layers, 8 heads over 4 kv heads, vocabulary and context 512. */
    /** No limit on a constrained item's gaps: a random model's items are all forced. */
    private static final float KEEP_ALL = Float.POSITIVE_INFINITY;
    private static final LlamaConfig STORIES = new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 1e-5f, 10000f);
    /** llama-tiny-gqa's: 2 layers, a context of 64 tokens. */
    private static final LlamaConfig TINY_GQA = new LlamaConfig(64, 176, 2, 8, 4, 512, 64, 1e-5f, 10000f);

    @TempDir
    static Path tmp;

    /** A llama2.c tokenizer of tok512.bin's 512 pieces. */
    private static Tokenizer tokenizer() throws IOException {
        Path file = tmp.resolve("tokenizer.bin");
        if (Files.notExists(file)) Files.write(file, Llama2cTokenizers.stories());
        return Tokenizers.load(file);
    }

    /** The NER schema of the constrained tests: one class. */
    private static final DatasetSchema HUMAN = new DatasetSchema(Task.NER, List.of("Human"), "", List.of(), List.of(),
            List.of(Concept.builder(Kind.ENTITY, "Human").build()));

    private static final String SHARED = "class Entity:\n\tdef __init__(self, name: str):\n\t\tself.name = name\n\n"
            + "class Human(Entity):\n\tpass\n\n\"\"\"\nInstantiate the objects.\n\"\"\"\nsentence = ";

    @Test
    void prefixReuseGivesTheSameOutputs() throws Exception {
        try (LlamaWeights weights = RandomWeights.create(STORIES, true, 13);
             WorkerPool pool = new WorkerPool(1)) {
            Tokenizer tok = tokenizer();
            Extractor reusing = new Extractor(new LlamaSession(weights, pool), tok, 24, true, false);
            Extractor whole = new Extractor(new LlamaSession(weights, pool), tok, 24, false, false);
            for (String sentence : List.of("\"Ann met Bob.\"", "\"Lily saw a cat.\"", "\"Ann met Bob again.\"")) {
                Extractor.Output a = reusing.extract(SHARED + sentence), b = whole.extract(SHARED + sentence);
                assertEquals(b.text(), a.text());
            }
            assertTrue(reusing.timings().prefilledTokens() < whole.timings().prefilledTokens() / 2,
                    reusing.timings().prefilledTokens() + " prefilled with reuse, " + whole.timings().prefilledTokens() + " without");
        }
    }

    /** Sentences decoded together (and their prefix copied between caches) give what each gives alone. */
    @Test
    void batchedDecodingGivesTheSameOutputs() throws Exception {
        try (LlamaWeights weights = RandomWeights.create(STORIES, true, 13);
             WorkerPool pool = new WorkerPool(2)) {
            Tokenizer tok = tokenizer();
            List<String> prompts = List.of("Ann", "Lily", "Tom", "Bob", "Sue", "Max", "Kim").stream().map(n -> SHARED + "\"" + n + " met a cat.\"").toList();
            Extractor one = new Extractor(new LlamaSession(weights, pool), tok, 40, true, false);
            Extractor batched = new Extractor(new LlamaSession(weights, pool, 4), tok, 40, true, false);
            assertEquals(3, batched.inFlight());
            String[] alone = new String[prompts.size()], together = new String[prompts.size()];
            one.extractAll(prompts, (i, o) -> alone[i] = o.text());
            batched.extractAll(prompts, (i, o) -> together[i] = o.text());
            assertEquals(List.of(alone), List.of(together));
            assertTrue(batched.timings().prefilledTokens() < one.timings().prefilledTokens() + 40,
                    "the shared prefix is computed once: " + batched.timings().prefilledTokens() + " vs " + one.timings().prefilledTokens());
        }
    }

    /**
     * Over-long prompts of one job, cut to their head and tail, share only the head: that is what the
     * kept prefix holds, once, and each prompt prefills its own tail (not its whole self again into
     * the kept prefix, as when a prompt sharing less than half counted as a new job's), with the same
     * outputs as prefilling every prompt whole.
     */
    @Test
    void truncatedPromptsShareTheirHeadOnce() throws Exception {
        try (LlamaWeights weights = RandomWeights.create(STORIES, true, 13);
             WorkerPool pool = new WorkerPool(2)) {
            Tokenizer tok = tokenizer();
            String schema = SHARED.replace("sentence = ", "") + "Lily had a big red ball and a small dog. ".repeat(40) + "\nsentence = ";
            List<String> prompts = new java.util.ArrayList<>();
            // sentences of different lengths, so that each tail begins at another place of the schema
            for (String s : List.of("Ann", "Lily met", "Tom saw a dog", "Bob", "Sue had a big", "Max", "Kim ran and ran")) prompts.add(schema + "\"" + s + " a cat.\"");
            Extractor batched = new Extractor(new LlamaSession(weights, pool, 4), tok, 24, true, false);
            Extractor whole = new Extractor(new LlamaSession(weights, pool), tok, 24, false, false);
            int room = batched.promptRoom(), head = room * 3 / 7;
            assertTrue(tok.encode(prompts.getFirst(), true, false).length > room, "the prompts are cut");
            String[] together = new String[prompts.size()], alone = new String[prompts.size()];
            batched.extractAll(prompts, (i, o) -> together[i] = o.text());
            whole.extractAll(prompts, (i, o) -> alone[i] = o.text());
            assertEquals(List.of(alone), List.of(together));
            // at most the head once and each tail (less where a tail shares its start with one in flight);
            // a new kept prefix per prompt was prompts.size() * (room - 1)
            long prefilled = batched.timings().prefilledTokens();
            assertTrue(prefilled <= head + prompts.size() * (room - head), prefilled + " prefilled, room " + room);
        }
    }

    /**
     * Two kinds of prompt in turn (two schemas): a prompt copies its share from a prompt of its kind
     * in flight rather than making the kept prefix switch kinds at every arrival, with the same
     * outputs as one at a time, and each kind's prefix prefilled only while none of its kind is in flight.
     */
    @Test
    void mixedPromptsCopyFromPromptsInFlight() throws Exception {
        try (LlamaWeights weights = RandomWeights.create(STORIES, true, 13);
             WorkerPool pool = new WorkerPool(2)) {
            Tokenizer tok = tokenizer();
            String other = SHARED.replace("Human", "Animal").replace("Instantiate", "Create");
            List<String> prompts = new java.util.ArrayList<>();
            for (String n : List.of("Ann", "Lily", "Tom", "Bob", "Sue", "Max", "Kim", "Joe", "Eve")) {
                prompts.add((prompts.size() % 2 == 0 ? SHARED : other) + "\"" + n + " met a cat.\"");
            }
            Extractor one = new Extractor(new LlamaSession(weights, pool), tok, 40, true, false);
            Extractor batched = new Extractor(new LlamaSession(weights, pool, 4), tok, 40, true, false);
            String[] alone = new String[prompts.size()], together = new String[prompts.size()];
            one.extractAll(prompts, (i, o) -> alone[i] = o.text());
            batched.extractAll(prompts, (i, o) -> together[i] = o.text());
            assertEquals(List.of(alone), List.of(together));
            int prefix = tok.encode(SHARED, true, false).length;
            // all three slots finish together here (40 tokens each): the first round's prompts find no cache at all,
            // and a round with more prompts of a kind than caches of it left prefills one: 5 prefixes, against 9
            // when only the kept prefix is copied from
            assertTrue(batched.timings().prefilledTokens() < 5 * prefix + 9 * 20,
                    batched.timings().prefilledTokens() + " prefilled for 9 prompts of about " + prefix + " shared tokens");
        }
    }

    /**
     * The extractor programs against the session contract: on llama-tiny-gqa's shape (grouped-query attention,
     * a 64-token context, so long prompts are truncated) the CPU session and the device-neutral one on
     * the CPU device give the same answers, batched and one at a time.
     */
    @Test
    void everySessionGivesTheSamePredictions() throws Exception {
        try (LlamaWeights weights = RandomWeights.create(TINY_GQA, false, 11);
             WorkerPool pool = new WorkerPool(2)) {
            Tokenizer tok = tokenizer();
            List<String> prompts = new java.util.ArrayList<>(List.of("Ann", "Lily", "Tom", "Bob", "Sue").stream()
                    .map(n -> "Human(\"" + n + "\") sentence = \"" + n + " met a cat.\"").toList());
            prompts.add(SHARED + "\"A sentence long enough that the prompt no longer fits the tiny model's context of sixty-four tokens.\"");
            String[] cpu = new String[prompts.size()], device = new String[prompts.size()], deviceAlone = new String[prompts.size()];
            new Extractor(new LlamaSession(weights, pool, 4), tok, 12, true, false).extractAll(prompts, (i, o) -> cpu[i] = o.text());
            CpuDevice onCpu = new CpuDevice(pool);
            new Extractor(new DeviceSession(weights, onCpu, 4), tok, 12, true, false).extractAll(prompts, (i, o) -> device[i] = o.text());
            new Extractor(new DeviceSession(weights, onCpu), tok, 12, true, false).extractAll(prompts, (i, o) -> deviceAlone[i] = o.text());
            assertEquals(List.of(cpu), List.of(device));
            assertEquals(List.of(cpu), List.of(deviceAlone));
        }
    }

    /**
     * Constrained, a random model's answers (batched, the prefix reused) are complete results blocks
     * that name the prompt's class and quote the sentence, and come out the same one at a time. Its
     * items are forced (the model's own choices are random), so they are kept here (no limit on the
     * gap) and, with the default limit, some are left out.
     */
    @Test
    void constrainedAnswersAreWellFormed() throws Exception {
        try (LlamaWeights weights = RandomWeights.create(STORIES, true, 13);
             WorkerPool pool = new WorkerPool(2)) {
            Tokenizer tok = tokenizer();
            List<String> sentences = List.of("Ann met a cat.", "Lily saw Bob.", "Tom met Sue at noon.", "Kim.");
            List<String> prompts = sentences.stream().map(t -> SHARED + "\"" + t + "\"\nresults = ").toList();
            List<ResultsGrammar> grammars = sentences.stream().map(t -> ResultsGrammar.of(HUMAN, t)).toList();
            String[] batched = new String[prompts.size()], alone = new String[prompts.size()];
            new Extractor(new LlamaSession(weights, pool, 3), tok, 200, true, true, KEEP_ALL).extractAll(prompts, grammars, (i, o) -> batched[i] = o.text());
            new Extractor(new LlamaSession(weights, pool), tok, 200, false, true, KEEP_ALL).extractAll(prompts, grammars, (i, o) -> alone[i] = o.text());
            assertEquals(List.of(alone), List.of(batched));
            String[] doubted = new String[prompts.size()];
            new Extractor(new LlamaSession(weights, pool, 3), tok, 200, true, true).extractAll(prompts, grammars, (i, o) -> doubted[i] = o.text());
            int all = 0, kept = 0;
            for (int i = 0; i < prompts.size(); i++) {
                List<String> items = batched[i].lines().skip(1).map(l -> l.replaceAll(",$", "")).toList();
                List<String> trusted = doubted[i].lines().skip(1).map(l -> l.replaceAll(",$", "")).toList();
                assertTrue(items.containsAll(trusted) && (trusted.isEmpty() || doubted[i].endsWith("\n]")), doubted[i] + " from " + batched[i]);
                all += OutputParser.parse(batched[i]).size();
                kept += OutputParser.parse(doubted[i]).size();
            }
            assertTrue(kept < all, "the default limit leaves out forced items: " + kept + " of " + all);
            assertTrue(List.of(batched).stream().anyMatch(a -> !OutputParser.parse(a).isEmpty()), "some answer holds an instance: " + List.of(batched));
            for (int i = 0; i < sentences.size(); i++) {
                assertTrue(batched[i].startsWith("results = [") && batched[i].endsWith("]"), batched[i]);
                for (PyValue.Call c : OutputParser.parse(batched[i])) {
                    assertEquals("Human", c.name());
                    assertTrue(sentences.get(i).contains(((PyValue.Str) c.positional().getFirst()).value()), batched[i]);
                }
            }
        }
    }

    /**
     * An answer the new-token limit cuts short keeps its complete instances, closed: every limit
     * gives a well-formed block whose instances begin the uncut answer's.
     */
    @Test
    void constrainedAnswersCutByTheLimitAreClosed() throws Exception {
        try (LlamaWeights weights = RandomWeights.create(STORIES, true, 13);
             WorkerPool pool = new WorkerPool(2)) {
            Tokenizer tok = tokenizer();
            String sentence = "Ann met Bob, Sue and Tom at noon in Rome, and Kim saw Lily there.";
            String prompt = SHARED + "\"" + sentence + "\"\nresults = ";
            String[] full = new String[1];
            new Extractor(new LlamaSession(weights, pool), tok, 400, true, true, KEEP_ALL)
                    .extractAll(List.of(prompt), List.of(ResultsGrammar.of(HUMAN, sentence)), (i, o) -> full[0] = o.text());
            List<PyValue.Call> whole = OutputParser.parse(full[0]);
            assertFalse(whole.isEmpty(), "the uncut answer has an instance to cut");
            int closed = 0;
            for (int limit = 1; limit <= 60; limit++) {
                String[] out = new String[1];
                new Extractor(new LlamaSession(weights, pool), tok, limit, true, true, KEEP_ALL)
                        .extractAll(List.of(prompt), List.of(ResultsGrammar.of(HUMAN, sentence)), (i, o) -> out[0] = o.text());
                if (!out[0].startsWith("results = [")) {
                    assertTrue("results = [".startsWith(out[0]), "cut before the block opened: " + out[0]);
                    continue;
                }
                assertTrue(out[0].endsWith("]"), "limit " + limit + ": " + out[0]);
                List<PyValue.Call> kept = OutputParser.parse(out[0]);
                assertEquals(whole.subList(0, kept.size()), kept, "limit " + limit + ": " + out[0]);
                closed++;
            }
            assertTrue(closed > 10, closed + " limits cut an open block");
        }
    }

    /** Acceptance 5: a constraint that leaves no token ends the answer there, and the text so far is kept. */
    @Test
    void noAllowedTokenEndsTheAnswerKeepingItsText() throws Exception {
        try (LlamaWeights weights = RandomWeights.create(STORIES, true, 13);
             WorkerPool pool = new WorkerPool(1)) {
            Tokenizer tok = tokenizer();
            int[] script = tok.encode("results", false, false);
            TokenConstraint runsDry = new TokenConstraint() {
                int step;

                @Override
                public int allowed(int[] ids) {
                    if (step >= script.length) return 0;
                    ids[0] = script[step];
                    return 1;
                }

                @Override
                public void advance(int token) {
                    assertEquals(script[step++], token);
                }
            };
            Extractor extractor = new Extractor(new LlamaSession(weights, pool), tok, 50, true, true);
            Extractor.Output[] out = new Extractor.Output[1];
            extractor.run(new java.util.ArrayDeque<>(List.of(extractor.answerWithin(0, SHARED + "\"Ann\"", runsDry, null))), (i, o) -> out[0] = o);
            assertEquals("results", out[0].text().strip());
            assertEquals(script.length, out[0].generatedTokens());
        }
    }

    @Test
    void truncationKeepsHeadAndTail() {
        int[] tokens = new int[5000];
        for (int i = 0; i < tokens.length; i++) tokens[i] = i;
        int[] kept = PromptTruncation.apply(tokens, 100_000);
        assertEquals(3500, kept.length);
        assertEquals(1499, kept[1499]);
        assertEquals(3000, kept[1500]);
        assertEquals(4999, kept[3499]);
        int[] small = PromptTruncation.apply(tokens, 700);
        assertEquals(700, small.length);
        assertEquals(299, small[299]);
        assertEquals(4600, small[300]);
        assertEquals(10, PromptTruncation.apply(new int[10], 700).length);
    }
}
