package org.knowcoder.ie.extract;

import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.BenchmarkSampler;
import org.knowcoder.ie.data.DatasetCatalog;
import org.knowcoder.ie.data.DatasetLabels;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.data.Split;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.ie.prompt.Query;
import org.knowcoder.ie.prompt.ResultsCode;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns "these datasets, this split" into extraction jobs: one per dataset and task its label map
 * covers (or the tasks asked for), the first {@code limit} sentences, the dataset's classes from
 * the schema library, and few-shot examples from the first training sentences.
 */
public final class JobPlanner {
    private JobPlanner() {}

    /**
     * @param tasks   the tasks to run; empty for every task the dataset's labels cover
     * @param limit   sentences per job at most (0: all)
     * @param shots   few-shot examples from the train split (0: zero-shot)
     * @param refined whether the instruction names the dataset, as for KnowCoder's refined models
     * @param sampleSeed when not null, NER and RE run on the KnowCoder benchmark subset drawn with this
     *                   seed ({@link BenchmarkSampler}, paper Appendix F) before {@code limit} applies
     */
    public static List<ExtractionJob> plan(Path datasetsDir, List<String> datasets, String split, Set<Task> tasks,
                                           int limit, int shots, SchemaLibrary library, boolean refined, Long sampleSeed) throws IOException {
        List<ExtractionJob> jobs = new ArrayList<>();
        for (String name : datasets) {
            DatasetCatalog.Entry entry = DatasetCatalog.entry(name);
            List<Split> splits = DatasetCatalog.read(datasetsDir, entry);
            Split chosen = find(splits, split);
            if (chosen == null) {
                throw new BadInputException("dataset " + name + " has no " + split + " split under " + datasetsDir
                        + " (found: " + splits.stream().map(Split::name).toList() + ")");
            }
            if (chosen.samples().isEmpty()) throw new BadInputException("dataset " + name + " " + split + " has no sentences");
            Split train = find(splits, "train");
            for (Map.Entry<Task, LabelMap> e : DatasetLabels.load(name).entrySet()) {
                if (!tasks.isEmpty() && !tasks.contains(e.getKey())) continue;
                List<Query.Example> examples = new ArrayList<>();
                if (shots > 0) {
                    if (train == null) throw new BadInputException("--shots needs a train split, and dataset " + name + " has none");
                    for (Sample s : train.samples().subList(0, Math.min(shots, train.samples().size()))) {
                        examples.add(new Query.Example(s.text(), ResultsCode.of(e.getKey(), s, e.getValue())));
                    }
                }
                Query query = new Query(DatasetSchema.of(e.getKey(), e.getValue(), library), refined ? name : null, examples);
                jobs.add(new ExtractionJob(name, e.getKey(), sentences(chosen.samples(), e.getKey(), limit, sampleSeed), query, e.getValue()));
            }
        }
        if (jobs.isEmpty()) throw new BadInputException("no dataset among " + datasets + " has labels for the tasks " + tasks);
        return jobs;
    }

    private static List<Sample> sentences(List<Sample> all, Task task, int limit, Long sampleSeed) {
        List<Sample> samples = all;
        if (sampleSeed != null && (task == Task.NER || task == Task.RE)) {
            samples = BenchmarkSampler.sample(all, task, task == Task.NER ? BenchmarkSampler.NER_STEP : BenchmarkSampler.RE_STEP, sampleSeed);
        }
        return limit > 0 && samples.size() > limit ? samples.subList(0, limit) : samples;
    }

    private static Split find(List<Split> splits, String name) {
        for (Split s : splits) if (s.name().equals(name)) return s;
        return null;
    }
}
