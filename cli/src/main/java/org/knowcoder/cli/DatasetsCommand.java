package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.knowcoder.ie.AtomicText;
import org.knowcoder.ie.SampleJson;
import org.knowcoder.ie.data.DatasetCatalog;
import org.knowcoder.ie.data.Split;
import org.knowcoder.ie.data.SplitStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "datasets", sortOptions = false,
        description = "Read the IE benchmarks (../shared/datasets layout) and print sentences, mentions and types per split.")
final class DatasetsCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "DIR", defaultValue = "../shared/datasets", description = "datasets directory (default ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--dataset", paramLabel = "NAME", description = "only this dataset (repeatable)")
    List<String> only;

    @Option(names = "--json", description = "one JSON array of split statistics instead of a table")
    boolean json;

    @Option(names = "--write", paramLabel = "OUT", description = "also write every split as IE-format JSON lines to OUT/<dataset>/<split>.jsonl")
    Path write;

    @Option(names = "--show-unplaced", description = "list every annotation a reader could not place (on stderr)")
    boolean showUnplaced;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "no such directory");
        List<DatasetCatalog.Entry> entries = only == null ? DatasetCatalog.ENTRIES : only.stream().map(DatasetCatalog::entry).toList();
        List<SplitStats> stats = new ArrayList<>();
        for (DatasetCatalog.Entry entry : entries) {
            List<Split> splits = DatasetCatalog.read(dir, entry);
            if (splits.isEmpty()) System.err.println("skipped " + entry.name() + ": none of its files is under " + dir);
            for (Split split : splits) {
                stats.add(SplitStats.of(split));
                report(split);
                if (write != null) {
                    Path target = write.resolve(split.dataset()).resolve(split.name() + ".jsonl");
                    AtomicText.writeLines(target, split.samples().stream().map(SampleJson::toLine)::iterator);
                    System.err.println("wrote " + target);
                }
            }
        }
        System.out.print(json ? new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(asJson(stats)) + "\n" : table(stats));
        return 0;
    }

    private void report(Split split) {
        if (split.unplaced().isEmpty() && split.repaired().isEmpty()) return;
        System.err.printf("%s %s: %d annotations unplaced, %d offsets repaired%n", split.dataset(), split.name(),
                split.unplaced().size(), split.repaired().size());
        if (showUnplaced) split.unplaced().forEach(u -> System.err.println("  unplaced: " + u));
    }

    private static ArrayNode asJson(List<SplitStats> stats) {
        return new ObjectMapper().valueToTree(stats);
    }

    private static String table(List<SplitStats> stats) {
        StringBuilder sb = new StringBuilder(String.format("%-20s %-6s %9s %9s %9s %7s %9s %6s %6s %6s %8s%n", "dataset", "split",
                "sentences", "entities", "relations", "events", "arguments", "e.typ", "r.typ", "ev.typ", "unplaced"));
        for (SplitStats s : stats) {
            sb.append(String.format("%-20s %-6s %9d %9d %9d %7d %9d %6d %6d %6d %8d%n", s.dataset(), s.split(), s.sentences(), s.entities(),
                    s.relations(), s.events(), s.arguments(), s.entityTypes().size(), s.relationTypes().size(), s.eventTypes().size(), s.unplaced()));
        }
        return sb.toString();
    }
}
