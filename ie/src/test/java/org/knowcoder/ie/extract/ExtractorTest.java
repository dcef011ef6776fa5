package org.knowcoder.ie.extract;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.session.DeviceSession;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.device.CpuDevice;
import org.knowcoder.testing.SharedFiles;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prefix reuse changes nothing but speed: the same outputs as prefilling every prompt whole (stories260K). */
class ExtractorTest {
    private static final String SHARED = "class Entity:\n\tdef __init__(self, name: str):\n\t\tself.name = name\n\n"
            + "class Human(Entity):\n\tpass\n\n\"\"\"\nInstantiate the objects.\n\"\"\"\nsentence = ";

    @Test
    void prefixReuseGivesTheSameOutputs() throws Exception {
        try (LlamaWeights weights = Checkpoints.load(SharedFiles.path("fixtures/stories260K/stories260K.bin"));
             WorkerPool pool = new WorkerPool(1)) {
            Tokenizer tok = Tokenizers.load(SharedFiles.path("fixtures/stories260K/tok512.model"));
            Extractor reusing = new Extractor(new LlamaSession(weights, pool), tok, 24, true);
            Extractor whole = new Extractor(new LlamaSession(weights, pool), tok, 24, false);
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
        try (LlamaWeights weights = Checkpoints.load(SharedFiles.path("fixtures/stories260K/stories260K.bin"));
             WorkerPool pool = new WorkerPool(2)) {
            Tokenizer tok = Tokenizers.load(SharedFiles.path("fixtures/stories260K/tok512.model"));
            List<String> prompts = List.of("Ann", "Lily", "Tom", "Bob", "Sue", "Max", "Kim").stream().map(n -> SHARED + "\"" + n + " met a cat.\"").toList();
            Extractor one = new Extractor(new LlamaSession(weights, pool), tok, 40, true);
            Extractor batched = new Extractor(new LlamaSession(weights, pool, 4), tok, 40, true);
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
     * The extractor programs against the session contract: on llama-tiny-gqa (grouped-query attention,
     * a 64-token context, so long prompts are truncated) the CPU session and the device-neutral one on
     * the CPU device give the same answers, batched and one at a time.
     */
    @Test
    void everySessionGivesTheSamePredictions() throws Exception {
        try (LlamaWeights weights = Checkpoints.load(SharedFiles.path("fixtures/models/llama-tiny-gqa/model.bin"));
             WorkerPool pool = new WorkerPool(2)) {
            Tokenizer tok = Tokenizers.load(SharedFiles.path("fixtures/stories260K/tok512.model"));
            List<String> prompts = new java.util.ArrayList<>(List.of("Ann", "Lily", "Tom", "Bob", "Sue").stream()
                    .map(n -> "Human(\"" + n + "\") sentence = \"" + n + " met a cat.\"").toList());
            prompts.add(SHARED + "\"A sentence long enough that the prompt no longer fits the tiny model's context of sixty-four tokens.\"");
            String[] cpu = new String[prompts.size()], device = new String[prompts.size()], deviceAlone = new String[prompts.size()];
            new Extractor(new LlamaSession(weights, pool, 4), tok, 12, true).extractAll(prompts, (i, o) -> cpu[i] = o.text());
            CpuDevice onCpu = new CpuDevice(pool);
            new Extractor(new DeviceSession(weights, onCpu, 4), tok, 12, true).extractAll(prompts, (i, o) -> device[i] = o.text());
            new Extractor(new DeviceSession(weights, onCpu), tok, 12, true).extractAll(prompts, (i, o) -> deviceAlone[i] = o.text());
            assertEquals(List.of(cpu), List.of(device));
            assertEquals(List.of(cpu), List.of(deviceAlone));
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
