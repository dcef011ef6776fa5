package org.knowcoder.ie.trainingdata;

import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Task;

import java.io.Serializable;
import java.util.List;

/**
 * How schema-following data is sampled.
 *
 * @param tasks                which tasks to build from each sample
 * @param negativeRatio        negative classes per gold class (rounded up; 0.2 in the paper)
 * @param fullyNegativeShare   share of sentences given only absent classes and {@code results = []} (0.05)
 * @param fullyNegativeClasses how many absent classes those get (5)
 * @param datasetTag           name the sample's dataset in the instruction (refinement data)
 * @param refinementShare      share of instructions written as evaluation writes its queries: every class of the sample's
 *                             dataset, bare, and the evaluation instruction, with no sampled classes (the paper's refinement
 *                             data, section 3.4, mixed into this run); sentences without annotations are kept there, with
 *                             {@code results = []}, as evaluation sees them
 * @param seed                 seed of every random choice
 *                             <p>Serializable so that a distributed builder (module spark) can ship the options to its workers.
 */
public record FollowingOptions(List<Task> tasks, double negativeRatio, double fullyNegativeShare, int fullyNegativeClasses,
                               boolean datasetTag, double refinementShare, long seed) implements Serializable {
    public FollowingOptions {
        tasks = List.copyOf(tasks);
        // negated comparisons, so that NaN is refused too
        if (!(negativeRatio >= 0 && negativeRatio < Double.POSITIVE_INFINITY)) {
            throw new BadInputException("--negative-ratio must be >= 0 and finite, got " + negativeRatio);
        }
        if (!(fullyNegativeShare >= 0 && fullyNegativeShare <= 1)) {
            throw new BadInputException("--fully-negative must be in [0, 1], got " + fullyNegativeShare);
        }
        if (fullyNegativeClasses < 1) {
            throw new BadInputException("--fully-negative-classes must be at least 1, got " + fullyNegativeClasses);
        }
        if (!(refinementShare >= 0 && refinementShare <= 1)) {
            throw new BadInputException("--refinement must be in [0, 1], got " + refinementShare);
        }
    }

    /** These options with {@code share} of the instructions in evaluation's form. */
    public FollowingOptions withRefinement(double share) {
        return new FollowingOptions(tasks, negativeRatio, fullyNegativeShare, fullyNegativeClasses, datasetTag, share, seed);
    }

    public static FollowingOptions defaults(long seed) {
        return new FollowingOptions(List.of(Task.values()), 0.2, 0.05, 5, false, 0, seed);
    }
}
