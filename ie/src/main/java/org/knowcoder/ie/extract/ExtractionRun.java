package org.knowcoder.ie.extract;

import org.knowcoder.ie.Sample;
import org.knowcoder.ie.constrain.ResultsGrammar;
import org.knowcoder.ie.prompt.Clauses;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs jobs through an extractor into a predictions file, resuming where an earlier run stopped
 * (sentences already in the file are skipped), with progress and an ETA on the given channel.
 * A job's sentences go to the extractor together, so that their shared prompt prefix is computed
 * once and several are decoded at a time; each is written as soon as it is answered.
 */
public final class ExtractionRun {
    private final Extractor extractor;
    private final boolean clauses;
    private final Consumer<String> progress;

    /** What the run did: sentences run now, sentences skipped as already done, and wall time. */
    public record Summary(int extracted, int skipped, long nanos) {}

    /** @param clauses whether a long sentence's entities are asked clause by clause ({@link Clauses}) */
    public ExtractionRun(Extractor extractor, boolean clauses, Consumer<String> progress) {
        this.extractor = extractor;
        this.clauses = clauses;
        this.progress = progress;
    }

    public Summary run(List<ExtractionJob> jobs, Path predictions) throws IOException {
        Progress p = new Progress(jobs.stream().mapToInt(j -> j.samples().size()).sum());
        try (PredictionsFile out = PredictionsFile.append(predictions)) { // cuts a torn last line first
            Set<String> done = new HashSet<>();
            for (Prediction old : PredictionsFile.read(predictions)) done.add(old.key());
            for (ExtractionJob job : jobs) {
                List<Sample> todo = new ArrayList<>();
                for (Sample s : job.samples()) {
                    if (done.contains(Prediction.key(job.dataset(), job.task(), s.id()))) p.skipped++;
                    else todo.add(s);
                }
                // a prompt per clause of each sentence; a sentence is written once all of its clauses are answered
                List<String> prompts = new ArrayList<>();
                List<ResultsGrammar> grammars = new ArrayList<>();
                List<Clause> asked = new ArrayList<>();
                for (Sample s : todo) {
                    List<String> parts = Clauses.of(clauses, job.task(), s.text());
                    Asked a = new Asked(s, new String[parts.size()]);
                    for (int c = 0; c < parts.size(); c++) {
                        prompts.add(job.query().prompt(parts.get(c)));
                        grammars.add(ResultsGrammar.of(job.query().schema(), parts.get(c)));
                        asked.add(new Clause(a, c));
                    }
                }
                extractor.extractAll(prompts, grammars, (i, output) -> {
                    Asked a = asked.get(i).sentence();
                    a.answers[asked.get(i).index()] = output.text();
                    if (++a.answered < a.answers.length) return;
                    out.write(new Prediction(job.dataset(), job.task(), a.sample.id(), Clauses.answer(Arrays.asList(a.answers))));
                    p.extracted++;
                    p.report(job);
                });
            }
        }
        return new Summary(p.extracted, p.skipped, System.nanoTime() - p.start);
    }

    /** What one prompt asks: clause {@code index} of a sentence. */
    private record Clause(Asked sentence, int index) {}

    /** A sentence being answered: its clauses' answers so far. */
    private static final class Asked {
        final Sample sample;
        final String[] answers;
        int answered;

        Asked(Sample sample, String[] answers) {
            this.sample = sample;
            this.answers = answers;
        }
    }

    /** Counts, and a progress line at most every five seconds (and at the end). */
    private final class Progress {
        final int total;
        final long start = System.nanoTime();
        long lastReport = start;
        int extracted, skipped;

        Progress(int total) {
            this.total = total;
        }

        void report(ExtractionJob job) {
            long now = System.nanoTime();
            if (now - lastReport < 5_000_000_000L && extracted + skipped < total) return;
            lastReport = now;
            double rate = extracted / ((now - start) / 1e9);
            progress.accept(String.format("%s %s: %d of %d sentences done, %.2f sentences/s, ETA %.0f s",
                    job.dataset(), job.task(), extracted + skipped, total, rate, (total - extracted - skipped) / rate));
        }
    }
}
