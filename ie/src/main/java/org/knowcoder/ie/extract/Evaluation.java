package org.knowcoder.ie.extract;

import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.eval.GoldTuples;
import org.knowcoder.ie.eval.NameConsistency;
import org.knowcoder.ie.eval.Predictions;
import org.knowcoder.ie.eval.SchemaPostProcessing;
import org.knowcoder.ie.eval.Scorer;
import org.knowcoder.ie.eval.SpanMode;
import org.knowcoder.ie.eval.Tuple;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.ie.output.PyValue;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores saved predictions against the jobs' gold annotations, one scorer per task: the output is
 * parsed, the schema library's class methods and taxonomy applied when there is one, labels mapped
 * and spans filtered ({@link Predictions}), entities made consistent across neighbouring sentences when
 * asked ({@link NameConsistency}). Sentences without a prediction yet are left out, so a partial run
 * scores what it has. Parsing is the one parse of each output; its time goes to {@code timings}.
 */
public final class Evaluation {
    private Evaluation() {}

    /**
     * @param consistency whether each job's entities are checked against the neighbouring sentences'
     *                    ({@link NameConsistency}), the job's sentences taken as one text in their order
     */
    public static Map<Task, Scorer> score(List<ExtractionJob> jobs, List<Prediction> predictions, SchemaLibrary library, SpanMode mode,
                                          boolean consistency, ExtractionTimings timings) {
        Map<String, Prediction> byKey = new HashMap<>();
        for (Prediction p : predictions) byKey.put(p.key(), p);
        Map<Task, Scorer> scorers = new EnumMap<>(Task.class);
        for (ExtractionJob job : jobs) {
            SchemaPostProcessing post = library == null ? null : new SchemaPostProcessing(library, job.task());
            TypeHierarchy hierarchy = post == null ? TypeHierarchy.NONE : post.hierarchy();
            List<Sample> answered = new ArrayList<>();
            List<List<PyValue.Call>> answers = new ArrayList<>();
            for (Sample s : job.samples()) {
                Prediction p = byKey.get(Prediction.key(job.dataset(), job.task(), s.id()));
                if (p == null) continue;
                long t0 = System.nanoTime();
                List<PyValue.Call> calls = OutputParser.parse(p.output());
                timings.addParse(System.nanoTime() - t0);
                answered.add(s);
                answers.add(post == null ? calls : post.apply(calls, s.text()));
            }
            if (consistency && job.task() == Task.NER) answers = NameConsistency.apply(answered.stream().map(Sample::text).toList(), answers, hierarchy);
            Scorer scorer = scorers.computeIfAbsent(job.task(), t -> new Scorer());
            for (int i = 0; i < answered.size(); i++) {
                Sample s = answered.get(i);
                Set<Tuple> predicted = Predictions.of(job.task(), s.text(), answers.get(i), job.labels(), hierarchy, mode);
                scorer.add(job.dataset(), predicted, GoldTuples.of(job.task(), s, mode));
            }
        }
        return scorers;
    }
}
