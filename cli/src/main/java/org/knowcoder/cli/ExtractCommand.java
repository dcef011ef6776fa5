package org.knowcoder.cli;

import org.knowcoder.ie.extract.ExtractionPipeline;
import org.knowcoder.ie.extract.ExtractionRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "extract", sortOptions = false,
        description = {"Run KnowCoder extraction over datasets and write the predictions (resumable).",
                "Greedy decoding of several sentences at a time; the prompt prefix a dataset's sentences share is computed once.",
                "Writes OUT/predictions.jsonl (resumes after a kill) and prints the run's counts and timings (JSON with --json)."})
final class ExtractCommand implements Callable<Integer> {
    @Mixin
    ExtractionOptions options;

    @Override
    public Integer call() throws Exception {
        try (ExtractionPipeline run = ExtractionPipeline.open(options.settings(), line -> System.err.println("extract: " + line))) {
            ExtractionRun.Summary summary = run.extract();
            System.out.println(options.json ? run.timingsJson(summary) : run.timingsText(summary));
        }
        return 0;
    }
}
