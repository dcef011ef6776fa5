package org.knowcoder.cli;

import org.knowcoder.ie.data.DatasetCatalog;
import org.knowcoder.recipe.Recipe;
import org.knowcoder.recipe.RecipeOptions;
import org.knowcoder.recipe.Stage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code recipe}: training recipes end to end; the work is in the org.knowcoder.recipe module. */
@Command(name = "recipe", description = "Train a model end to end by a recipe.", subcommands = RecipeCommand.Mini.class)
final class RecipeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "mini", sortOptions = false, description = {
            "KnowCoder-mini from scratch: tokenizer, schema understanding (pretraining), schema following (fine-tuning), "
                    + "a soup of fine-tuned copies, evaluation, export to OUT/model. Resumable: rerun the same command after a kill.",
            "Progress on stderr; a JSON summary (stage wall times, scores) on stdout."})
    static final class Mini implements Callable<Integer> {
        @Option(names = "--datasets", required = true, paramLabel = "DIR", description = "the benchmark directory (as ../shared/datasets)")
        Path datasetsDir;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the run directory (resumes what it holds)")
        Path out;

        @Option(names = "--quick", description = "a tiny model, few steps and sentences: a test of the plumbing (about 20 s on all datasets)")
        boolean quick;

        @Option(names = "--stage", split = ",", paramLabel = "STAGES", description = "run only these stages: tokenizer, understanding, "
                + "following, soup, eval, export (default: all); each needs the ones before it complete")
        List<String> stages = Arrays.stream(Stage.values()).map(Stage::id).toList();

        @Option(names = "--dataset", split = ",", paramLabel = "NAMES", description = "datasets to train on and evaluate (default: all; "
                + "CrossNER and MIT-Restaurant are only evaluated, zero-shot)")
        List<String> datasets = DatasetCatalog.ENTRIES.stream().map(DatasetCatalog.Entry::name).toList();

        @Option(names = "--schema", defaultValue = "models/knowcoder-mini/schema.json", paramLabel = "PATH",
                description = "the schema library (default ${DEFAULT-VALUE})")
        Path schema;

        @Option(names = "--seed", defaultValue = "1", description = "seed of every random choice (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--allow-changed-options", description = "resume even though OUT was started with other options (OUT/recipe.json)")
        boolean allowChangedOptions;

        /** Part of the recorded options: the same thread count gives the same bytes. */
        @Mixin
        ThreadsOption threads;

        @Override
        public Integer call() throws Exception {
            datasets.forEach(DatasetCatalog::entry); // names an unknown dataset before any work
            RecipeOptions options = new RecipeOptions(datasetsDir, datasets, schema, out, quick, threads.count(), seed,
                    stages.stream().map(Stage::parse).toList(), allowChangedOptions);
            SchemaCommand.printJson(new Recipe(options, System.err).run());
            return 0;
        }
    }
}
