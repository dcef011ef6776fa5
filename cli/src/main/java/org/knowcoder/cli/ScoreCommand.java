package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.ie.eval.Counts;
import org.knowcoder.ie.eval.ScorerCases;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "score", sortOptions = false,
        description = {"Score the generated code of a scorer-cases file (format of ../shared/fixtures/ie/scorer-cases.json).",
                "Prints one JSON object keyed by task: {\"pred\", \"gold\", \"tp\", \"precision\", \"recall\", \"f1\"}."})
final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--cases", required = true, paramLabel = "FILE", description = "scorer-cases JSON file")
    Path cases;

    @Override
    public Integer call() throws IOException {
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
