package org.knowcoder.ie.extract;

import org.knowcoder.ie.Event;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.eval.Task;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.ie.prompt.Instruction;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Runs jobs through an extractor into a predictions file, resuming where an earlier run stopped
 * (sentences already in the file are skipped), with progress and an ETA on the given channel.
 * Sentences of one job run back to back so that their shared prompt prefix stays in the KV cache.
 */
public final class ExtractionRun {
    private final Extractor extractor;
    private final Consumer<String> progress;

    /** What the run did: sentences run now, sentences skipped as already done, and wall time. */
    public record Summary(int extracted, int skipped, long nanos) {}

    public ExtractionRun(Extractor extractor, Consumer<String> progress) {
        this.extractor = extractor;
        this.progress = progress;
    }

    public Summary run(List<ExtractionJob> jobs, Path predictions) throws IOException {
        int total = 0;
        for (ExtractionJob job : jobs) total += job.samples().size();
        int extracted = 0, skipped = 0;
        long start = System.nanoTime(), lastReport = start;
        try (PredictionsFile out = PredictionsFile.append(predictions)) { // cuts a torn last line first
            Set<String> done = new HashSet<>();
            for (Prediction p : PredictionsFile.read(predictions)) done.add(p.key());
            for (ExtractionJob job : jobs) {
                for (Sample s : job.samples()) {
                    if (done.contains(Prediction.key(job.dataset(), job.task(), s.id()))) {
                        skipped++;
                        continue;
                    }
                    String prompt = job.query().prompt(s.text(), job.task() == Task.EAE ? triggers(s, job) : List.of());
                    Extractor.Output output = extractor.extract(prompt);
                    long t = System.nanoTime();
                    OutputParser.parse(output.text()); // parsed here to time it; scoring parses the saved text again
                    extractor.timings().addParse(System.nanoTime() - t);
                    out.write(new Prediction(job.dataset(), job.task(), s.id(), output.text()));
                    extracted++;
                    long now = System.nanoTime();
                    if (now - lastReport > 5_000_000_000L || extracted + skipped == total) {
                        lastReport = now;
                        double rate = extracted / ((now - start) / 1e9);
                        progress.accept(String.format("%s %s: %d of %d sentences done, %.2f sentences/s, ETA %.0f s",
                                job.dataset(), job.task(), extracted + skipped, total, rate, (total - extracted - skipped) / rate));
                    }
                }
            }
        }
        return new Summary(extracted, skipped, System.nanoTime() - start);
    }

    /** EAE is given the gold triggers: each with the class its event label maps to. */
    private static List<Instruction.Trigger> triggers(Sample s, ExtractionJob job) {
        Map<String, String> classOf = job.labels().classToLabel().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey, (a, b) -> a));
        List<Instruction.Trigger> out = new ArrayList<>();
        for (Event e : s.events()) out.add(new Instruction.Trigger(e.trigger().text(), classOf.getOrDefault(e.type(), e.type())));
        return out;
    }
}
