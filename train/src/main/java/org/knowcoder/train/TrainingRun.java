package org.knowcoder.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.InputFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loop of a run directory: {@code config.json} (the options), {@code metrics.jsonl} (one line
 * per step: loss, lr, grad_norm, tokens_per_s over every row computed, real_tokens_per_s over the
 * examples' rows without padding), {@code checkpoints/step-N} every N steps and at the
 * end, {@code loss.svg} at the end, progress with ETA on stderr. A run directory that already holds
 * a checkpoint resumes from its latest one: with the options that checkpoint was trained with
 * (recorded in its state.json), metrics.jsonl cut back to its step, and loss.svg drawn over the whole run.
 */
public final class TrainingRun {
    /**
     * Steps in all, sequences per step and per micro-batch, checkpoint interval (0: only at the end),
     * data/dropout seed, and whether a resume may change options that shape the run.
     */
    public record Options(int steps, int globalBatch, int microBatch, int checkpointEvery, long seed, boolean allowChangedOptions) {}

    /** What the caller saves beside a checkpoint (an adapter, an exported model). */
    @FunctionalInterface
    public interface Export {
        void save(Path runDir) throws IOException;
    }

    /**
     * Keys of the config a resume may change: more steps extend a run (its documented use); micro-batches
     * and activation checkpointing trade memory for time and leave the steps' results alone (a run
     * grouped by prompt records its block size as "group_by_prompt", so a changed block is refused).
     */
    private static final Set<String> FREE_ON_RESUME = Set.of("steps", "micro_batch", "checkpoint_activations");
    /**
     * Options that runs were recorded without before they existed, with the value that behaves as
     * those runs did: a checkpoint without "pack" was trained one sequence per example.
     */
    private static final Map<String, JsonNode> BEFORE_THEY_EXISTED = Map.of("pack", BooleanNode.FALSE, "group_by_prompt", IntNode.valueOf(0),
            "dropout", IntNode.valueOf(0));
    private static final String OPTIONS = "options";

    private TrainingRun() {}

    /**
     * Trains in {@code dir}. {@code config} holds the options by name, as the CLI spells them with
     * '_' for '-' (a changed one is reported as its --option), plus "command"; it is written to
     * config.json and with each checkpoint.
     */
    public static void run(Path dir, Trainer trainer, Examples data, Options o, ObjectNode config,
                           Export export, PrintStream err) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path checkpoints = dir.resolve("checkpoints");
        Path latest = TrainingCheckpoint.latest(checkpoints);
        // checked before config.json is written, so that a refused resume leaves the run's record as it was
        if (latest != null) checkResume(latest, TrainingCheckpoint.state(latest), o, config);
        Files.createDirectories(dir);
        AtomicWrite.write(dir.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
        if (latest != null) {
            TrainingCheckpoint.load(latest, trainer);
            err.println("resuming from " + latest + " at step " + trainer.step());
        }
        Path metrics = dir.resolve("metrics.jsonl");
        List<Double> losses = keepMetrics(metrics, trainer.step(), json);
        long start = System.nanoTime();
        int first = trainer.step();
        while (trainer.step() < o.steps()) {
            long t0 = System.nanoTime();
            trainer.reseed(o.seed() * 1_000_003L + trainer.step());
            long real = data.realTokens(trainer.step(), o.globalBatch());
            Trainer.StepResult r = trainer.step(data.step(trainer.step(), o.globalBatch(), o.microBatch()));
            double secs = (System.nanoTime() - t0) / 1e9;
            losses.add(r.loss());
            ObjectNode m = json.createObjectNode().put("step", r.step() + 1).put("loss", r.loss()).put("lr", r.lr())
                    .put("grad_norm", r.gradNorm()).put("tokens_per_s", r.tokens() / secs).put("real_tokens_per_s", real / secs);
            Files.writeString(metrics, json.writeValueAsString(m) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            double perStep = (System.nanoTime() - start) / 1e9 / (trainer.step() - first);
            err.printf("step %d/%d loss %.4f lr %.3g grad norm %.3g %.0f tok/s (%.0f real) ETA %ds%n", trainer.step(), o.steps(),
                    r.loss(), r.lr(), r.gradNorm(), r.tokens() / secs, real / secs, Math.round(perStep * (o.steps() - trainer.step())));
            boolean end = trainer.step() == o.steps();
            if (end || (o.checkpointEvery() > 0 && trainer.step() % o.checkpointEvery() == 0)) {
                ObjectNode state = json.createObjectNode().put("seed", o.seed()).put("examples", data.size());
                state.set(OPTIONS, config);
                TrainingCheckpoint.save(checkpoints, trainer, state);
                export.save(dir);
            }
        }
        // a run killed after its final checkpoint but before (or during) the export beside it gets it now
        if (latest != null && first == o.steps()) export.save(dir);
        AtomicWrite.write(dir.resolve("loss.svg"), LossPlot.svg(losses).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A resume must lie within the run's steps and, unless allowed, repeat the options the checkpoint
     * was trained with: a silently changed --lr or --data would make a run that no record describes.
     */
    private static void checkResume(Path checkpoint, JsonNode state, Options o, ObjectNode config) {
        Path stateFile = checkpoint.resolve(TrainingCheckpoint.STATE);
        int step = state.path("step").asInt();
        if (step > o.steps()) {
            throw new BadInputException(stateFile + ": \"step\" is " + step + ", past this run's --steps " + o.steps()
                    + "; pass --steps " + step + " or more to resume it");
        }
        if (o.allowChangedOptions()) return;
        JsonNode recorded = state.path(OPTIONS);
        for (Map.Entry<String, JsonNode> e : config.properties()) {
            JsonNode before = recorded.has(e.getKey()) ? recorded.get(e.getKey())
                    : BEFORE_THEY_EXISTED.getOrDefault(e.getKey(), recorded.path(e.getKey()));
            if (FREE_ON_RESUME.contains(e.getKey()) || same(before, e.getValue())) continue;
            String name = e.getKey().equals("command") ? "the command" : "--" + e.getKey().replace('_', '-');
            throw new BadInputException(stateFile + ": " + name + " is " + e.getValue() + " but the run was trained with "
                    + (before.isMissingNode() ? "none" : before) + "; resume with the same value, or pass --allow-changed-options to continue with the new one");
        }
    }

    /** Equal as JSON values, numbers by value: a seed recorded as a long reads back as an int. */
    private static boolean same(JsonNode a, JsonNode b) {
        return a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) == 0 : a.equals(b);
    }

    /**
     * Cuts metrics.jsonl back to the rows of steps up to {@code step}, where the run resumes (a killed
     * run wrote rows past its latest checkpoint, the last maybe torn), and returns their losses, so
     * the file and loss.svg describe each step once.
     */
    private static List<Double> keepMetrics(Path metrics, int step, ObjectMapper json) throws IOException {
        List<Double> losses = new ArrayList<>();
        if (!Files.exists(metrics)) return losses;
        StringBuilder kept = new StringBuilder();
        for (String line : InputFiles.readUtf8(metrics, "the run's metrics, JSON lines").lines().toList()) {
            JsonNode row;
            try {
                row = json.readTree(line);
            } catch (JsonProcessingException torn) {
                break;
            }
            if (row.path("step").asInt(Integer.MAX_VALUE) > step) break;
            kept.append(line).append('\n');
            losses.add(row.path("loss").asDouble());
        }
        AtomicWrite.write(metrics, kept.toString().getBytes(StandardCharsets.UTF_8));
        return losses;
    }
}
