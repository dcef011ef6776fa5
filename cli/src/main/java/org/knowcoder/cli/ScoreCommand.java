package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.SampleJson;
import org.knowcoder.ie.data.DatasetCatalog;
import org.knowcoder.ie.data.DatasetLabels;
import org.knowcoder.ie.data.Split;
import org.knowcoder.ie.eval.Counts;
import org.knowcoder.ie.eval.SampleScores;
import org.knowcoder.ie.eval.ScoreReport;
import org.knowcoder.ie.eval.ScorerCases;
import org.knowcoder.io.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "score", sortOptions = false,
        description = {"Score predictions against gold, without a model. Either:",
                "  --cases FILE: the generated code of a scorer-cases file (format of ../shared/fixtures/ie/scorer-cases.json);",
                "    prints {\"pred\", \"gold\", \"tp\", \"precision\", \"recall\", \"f1\"} keyed by task.",
                "  --predictions FILE --dataset NAME: extract's output (IE samples, class names) against the dataset's gold",
                "    (--gold FILE, or the --split of --datasets DIR), classes mapped to the dataset's labels as eval maps them;",
                "    prints the scores in eval's JSON."})
final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--cases", paramLabel = "FILE", description = "scorer-cases JSON file")
    Path cases;

    @Option(names = "--predictions", paramLabel = "FILE", description = "extract's output: one IE sample per line")
    Path predictions;

    @Option(names = "--dataset", paramLabel = "NAME", description = "the dataset whose labels and gold the predictions are scored by")
    String dataset;

    @Option(names = "--gold", paramLabel = "FILE", description = "gold IE samples, one per line (default: the dataset's split in --datasets)")
    Path gold;

    @Option(names = "--datasets", paramLabel = "DIR", description = "the benchmark directory (as ../shared/datasets)")
    Path datasets;

    @Option(names = "--split", defaultValue = "test", description = "the gold split in --datasets (default ${DEFAULT-VALUE})")
    String split;

    @Override
    public Integer call() throws IOException {
        if ((cases == null) == (predictions == null)) throw new BadInputException("give either --cases or --predictions");
        if (cases != null) return scoreCases();
        if (dataset == null) throw new BadInputException("--predictions needs --dataset: its labels map the predicted classes");
        String name = dataset.toLowerCase(Locale.ROOT);
        List<Sample> goldSamples = gold != null ? SampleJson.read(gold) : datasetSplit(name);
        System.out.println(ScoreReport.json(SampleScores.score(name, DatasetLabels.load(name), SampleJson.read(predictions), goldSamples)));
        return 0;
    }

    private List<Sample> datasetSplit(String name) throws IOException {
        if (datasets == null) throw new BadInputException("--predictions needs --gold FILE or --datasets DIR for the gold samples");
        for (Split s : DatasetCatalog.read(datasets, DatasetCatalog.entry(name))) {
            if (s.name().equals(split)) return s.samples();
        }
        throw new BadInputException("--split: " + name + " has no split '" + split + "' in " + datasets);
    }

    private int scoreCases() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        for (var e : ScorerCases.read(cases).score().entrySet()) {
            Counts c = e.getValue();
            out.putObject(e.getKey().name()).put("pred", c.pred()).put("gold", c.gold()).put("tp", c.tp())
                    .put("precision", c.precision()).put("recall", c.recall()).put("f1", c.f1());
        }
        System.out.println(json.writeValueAsString(out));
        return 0;
    }
}
