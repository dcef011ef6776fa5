package org.knowcoder.ie.extract;

import org.knowcoder.io.BadInputException;
import org.knowcoder.tensor.DType;
import org.knowcoder.schema.Task;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Everything an extraction run over benchmark datasets is given: the model and how to run it, the
 * datasets and how their prompts are built, and where predictions go.
 *
 * @param device         "cpu" or an accelerator's name ("cuda")
 * @param quantize       the type to quantize the weights to at load time (Q8_0, Q4_0, Q4_K), or null
 * @param tasks          the tasks to run; empty for every task a dataset's labels cover
 * @param limit          sentences per job at most (0: all)
 * @param schema         schema library JSON, or null for bare classes named by the label maps
 * @param benchmarkSeed  when not null, NER and RE on KnowCoder's benchmark subset drawn with this seed
 * @param constrained    answers kept to well-formed results of the prompt's classes and the sentence's spans
 * @param clauses        a long sentence's entities asked clause by clause ({@link org.knowcoder.ie.prompt.Clauses})
 * @param consistency    entities scored after checking them against the neighbouring sentences' ({@link org.knowcoder.ie.eval.NameConsistency})
 * @param batch          sentences decoded together (1: one at a time)
 * @param out            the run directory: predictions.jsonl, options.json, scores.json
 * @param allowChangedOptions resume even though an option that shapes the predictions differs ({@link ExtractionRecord})
 */
public record ExtractionSettings(Path model, Path tokenizer, String device, DType quantize, int threads,
                                 Path datasetsDir, List<String> datasets, String split, Set<Task> tasks, int limit,
                                 int shots, Path schema, boolean refined, Long benchmarkSeed, int maxNewTokens,
                                 boolean prefixReuse, boolean constrained, boolean clauses, boolean consistency, int batch, Path out, boolean allowChangedOptions) {
    public ExtractionSettings {
        datasets = List.copyOf(datasets);
        tasks = Set.copyOf(tasks);
        if (datasets.isEmpty()) throw new BadInputException("--dataset names no dataset");
        if (limit < 0) throw new BadInputException("--limit must be >= 0, got " + limit);
        if (shots < 0) throw new BadInputException("--shots must be >= 0, got " + shots);
        if (maxNewTokens < 1) throw new BadInputException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        if (batch < 1) throw new BadInputException("--batch must be at least 1, got " + batch);
    }

    public Path predictions() {
        return out.resolve("predictions.jsonl");
    }

    public Path scores() {
        return out.resolve("scores.json");
    }
}
