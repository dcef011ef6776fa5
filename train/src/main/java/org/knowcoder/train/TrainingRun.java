package org.knowcoder.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicWrite;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The loop of a run directory: {@code config.json} (the options), {@code metrics.jsonl} (one line
 * per step: loss, lr, grad_norm, tokens_per_s), {@code checkpoints/step-N} every N steps and at the
 * end, {@code loss.svg} at the end, progress with ETA on stderr. A run directory that already holds
 * a checkpoint resumes from its latest one.
 */
public final class TrainingRun {
    /** Steps in all, sequences per step and per micro-batch, checkpoint interval (0: only at the end), data/dropout seed. */
    public record Options(int steps, int globalBatch, int microBatch, int checkpointEvery, long seed) {}

    /** What the caller saves beside a checkpoint (an adapter, an exported model). */
    @FunctionalInterface
    public interface Export {
        void save(Path runDir) throws IOException;
    }

    private TrainingRun() {}

    public static void run(Path dir, Trainer trainer, Examples data, Options o, LoraAdapter adapter, ObjectNode config,
                           Export export, PrintStream err) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Files.createDirectories(dir);
        AtomicWrite.write(dir.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
        Path checkpoints = dir.resolve("checkpoints");
        Path latest = TrainingCheckpoint.latest(checkpoints);
        if (latest != null) {
            TrainingCheckpoint.load(latest, trainer);
            err.println("resuming from " + latest + " at step " + trainer.step());
        }
        List<Double> losses = new ArrayList<>();
        long start = System.nanoTime();
        int first = trainer.step();
        while (trainer.step() < o.steps()) {
            long t0 = System.nanoTime();
            if (adapter != null) adapter.reseed(o.seed() * 1_000_003L + trainer.step());
            Trainer.StepResult r = trainer.step(data.step(trainer.step(), o.globalBatch(), o.microBatch()));
            double secs = (System.nanoTime() - t0) / 1e9;
            losses.add(r.loss());
            ObjectNode m = json.createObjectNode().put("step", r.step() + 1).put("loss", r.loss()).put("lr", r.lr())
                    .put("grad_norm", r.gradNorm()).put("tokens_per_s", r.tokens() / secs);
            Files.writeString(dir.resolve("metrics.jsonl"), json.writeValueAsString(m) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            double perStep = (System.nanoTime() - start) / 1e9 / (trainer.step() - first);
            err.printf("step %d/%d loss %.4f lr %.3g grad norm %.3g %.0f tok/s ETA %ds%n", trainer.step(), o.steps(), r.loss(),
                    r.lr(), r.gradNorm(), r.tokens() / secs, Math.round(perStep * (o.steps() - trainer.step())));
            boolean end = trainer.step() == o.steps();
            if (end || (o.checkpointEvery() > 0 && trainer.step() % o.checkpointEvery() == 0)) {
                TrainingCheckpoint.save(checkpoints, trainer, json.createObjectNode().put("seed", o.seed()).put("examples", data.size()));
                export.save(dir);
            }
        }
        AtomicWrite.write(dir.resolve("loss.svg"), LossPlot.svg(losses).getBytes(StandardCharsets.UTF_8));
    }
}
