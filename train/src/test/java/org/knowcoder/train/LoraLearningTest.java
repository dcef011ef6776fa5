package org.knowcoder.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.LoraConfig;
import org.knowcoder.model.Projection;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 5, LoRA: fine-tuning the llama-tiny-gqa fixture on a handful of prompt/output pairs
 * drives the output-token loss under 0.1 while every byte of the frozen base stays as it was.
 * Dropout is 0 so the last step's loss (all pairs in one batch) is the exact loss on the set.
 */
class LoraLearningTest {
    private static final String[][] PAIRS = {
            {"Who is the king of the forest?", " The lion."},
            {"What colour is the sky?", " Blue, on a sunny day."},
            {"Where does Tim live?", " In a small house by the sea."},
            {"What did Lily find?", " A shiny red ball."},
            {"Name the entity in: Sam went to Paris.", " person: Sam; location: Paris"},
            {"Name the entity in: Anna met Ben.", " person: Anna; person: Ben"},
            {"How many legs has a dog?", " Four."},
            {"What do cats say?", " Meow."},
    };
    private static final int STEPS = 30;

    @Test
    void outputLossFallsUnderATenthWithTheBaseUntouched(@TempDir Path tmp) throws IOException {
        Path model = Fixtures.dir("models/llama-tiny-gqa");
        Path data = tmp.resolve("sft.jsonl");
        StringBuilder jsonl = new StringBuilder();
        for (String[] p : PAIRS) jsonl.append("{\"prompt\": \"").append(p[0]).append("\", \"output\": \"").append(p[1]).append("\"}\n");
        Files.writeString(data, jsonl);
        try (WorkerPool pool = new WorkerPool(2); LlamaWeights base = Checkpoints.load(model)) {
            List<Examples.Example> pairs = JsonlExamples.read(data, Tokenizers.load(Fixtures.dir("stories260K/tok512.bin")),
                    base.config().vocabSize());
            Examples examples = new Examples(pairs, 32, 1);
            LlamaParams frozen = LlamaParams.frozen(base);
            Map<String, byte[]> before = bytes(frozen);
            LoraAdapter adapter = LoraAdapter.create(new LoraConfig(8, 16, 0, EnumSet.allOf(Projection.class)), base.config(), 3);
            Trainer trainer = new Trainer(new TrainingForward(frozen, adapter), adapter.parameters(), AdamW.knowCoder(),
                    LrSchedule.withWarmupRatio(1e-2, 0.1, STEPS, 0.1), 1.0, new Tape(pool));
            double loss = Double.NaN;
            for (int s = 0; s < STEPS; s++) {
                loss = trainer.step(examples.step(s, PAIRS.length, PAIRS.length)).loss();
            }
            assertTrue(loss < 0.1, "output-token loss after " + STEPS + " steps: " + loss);
            Map<String, byte[]> after = bytes(frozen);
            for (String name : before.keySet()) assertArrayEquals(before.get(name), after.get(name), name + " changed");
        }
    }

    /** A copy of every base tensor's bytes, in its file dtype. */
    private static Map<String, byte[]> bytes(LlamaParams params) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Var> e : params.named().entrySet()) {
            out.put(e.getKey(), e.getValue().tensor().data().toArray(ValueLayout.JAVA_BYTE));
        }
        return out;
    }
}
