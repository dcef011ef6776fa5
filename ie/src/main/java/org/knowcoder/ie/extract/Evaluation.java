package org.knowcoder.ie.extract;

import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.eval.GoldTuples;
import org.knowcoder.ie.eval.Predictions;
import org.knowcoder.ie.eval.SchemaPostProcessing;
import org.knowcoder.ie.eval.Scorer;
import org.knowcoder.ie.eval.SpanMode;
import org.knowcoder.ie.eval.Tuple;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.ie.output.PyValue;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores saved predictions against the jobs' gold annotations, one scorer per task: the output is
 * parsed, the schema library's class methods and taxonomy applied when there is one, labels mapped
 * and spans filtered ({@link Predictions}). Sentences without a prediction yet are left out, so a
 * partial run scores what it has. Parsing is the one parse of each output; its time goes to {@code timings}.
 */
public final class Evaluation {
    private Evaluation() {}

    public static Map<Task, Scorer> score(List<ExtractionJob> jobs, List<Prediction> predictions, SchemaLibrary library, SpanMode mode,
                                          ExtractionTimings timings) {
        Map<String, Prediction> byKey = new HashMap<>();
        for (Prediction p : predictions) byKey.put(p.key(), p);
        Map<Task, Scorer> scorers = new EnumMap<>(Task.class);
        for (ExtractionJob job : jobs) {
            SchemaPostProcessing post = library == null ? null : new SchemaPostProcessing(library, job.task());
            TypeHierarchy hierarchy = post == null ? TypeHierarchy.NONE : post.hierarchy();
            Scorer scorer = scorers.computeIfAbsent(job.task(), t -> new Scorer());
            for (Sample s : job.samples()) {
                Prediction p = byKey.get(Prediction.key(job.dataset(), job.task(), s.id()));
                if (p == null) continue;
                long t0 = System.nanoTime();
                List<PyValue.Call> calls = OutputParser.parse(p.output());
                timings.addParse(System.nanoTime() - t0);
                if (post != null) calls = post.apply(calls, s.text());
                Set<Tuple> predicted = Predictions.of(job.task(), s.text(), calls, job.labels(), hierarchy, mode);
                scorer.add(job.dataset(), predicted, GoldTuples.of(job.task(), s, mode));
            }
        }
        return scorers;
    }
}
