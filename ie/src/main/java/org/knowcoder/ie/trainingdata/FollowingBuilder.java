package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;
import org.knowcoder.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Schema-following data: IE samples (DESIGN.md JSON lines, so every dataset reader feeds it) to
 * {@code following.jsonl} ({@code {"prompt", "output"}}, the prompt being the query) and, with a
 * tokenizer, the shard {@code following.*}: one sequence per instruction, the query wrapped as
 * the model input, the loss on the output and EOS only. The instructions are {@link FollowingLines}'.
 */
public final class FollowingBuilder {
    private FollowingBuilder() {}

    public static ObjectNode build(List<Path> samples, SchemaLibrary library, FollowingOptions options, Tokenizer tokenizer,
                                   String tokenizerPath, Path outDir, int threads, Consumer<String> progress) throws IOException {
        FollowingLines lines = new FollowingLines(library, options, tokenizer);
        List<String> tasks = Arrays.stream(Task.values()).filter(options.tasks()::contains).map(Task::name).toList();
        try (TrainingOutput out = new TrainingOutput(outDir, "following", tokenizer, tokenizerPath, 0, tasks)) {
            BuildRun.Result r = BuildRun.run(samples, threads,
                    line -> lines.of(line.text(), line.index()).stream().map(FollowingBuilder::item).toList(), out, progress);
            requireAGoodLine(samples, r);
            out.commit();
            return BuildRun.summary("following", out, r);
        }
    }

    /**
     * Input of which no line could be read (another format, the wrong file) is bad input, not a
     * run: skipping every line would write empty files and exit 0. Thrown before the commit, so
     * nothing is written.
     */
    private static void requireAGoodLine(List<Path> samples, BuildRun.Result r) {
        if (r.lines() == 0 || r.badLines() < r.lines()) return;
        throw new BadInputException("every line of " + samples.stream().map(Path::toString).collect(Collectors.joining(", "))
                + " is bad (" + r.badLines() + " bad lines, the first " + r.bad().getFirst() + "); nothing written");
    }

    private static Item item(FollowingLines.Line l) {
        return new Item(l.task().name(), l.json(), l.ids(), l.maskFrom(), l.types(), l.instances(), l.bytes());
    }
}
