package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.InputFiles;
import org.knowcoder.parallel.OrderedBatches;
import org.knowcoder.parallel.WorkerPool;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The streaming loop both builders share: JSON lines from the input files in batches, built on
 * the worker threads, written in input order. A line that cannot be built is counted, kept with its
 * file, line number and reason (the first {@value #KEPT_BAD_LINES}), and skipped.
 */
final class BuildRun {
    static final int BATCH = 4096;
    static final int KEPT_BAD_LINES = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One input line; {@code index} counts lines over all files from 0 and seeds the line's randomness. */
    record Line(Path file, long number, long index, String text) {}

    /** What a line gave: its items, or why it gave none. */
    record Built(List<Item> items, String error) {
        static Built of(List<Item> items) {
            return new Built(items, null);
        }
    }

    /** A skipped line. */
    record BadLine(Path file, long number, String reason) {
        @Override
        public String toString() {
            return file + ":" + number + ": " + reason;
        }
    }

    /** What a run did. */
    record Result(long lines, long badLines, List<BadLine> bad, double seconds) {}

    interface LineBuilder {
        List<Item> build(Line line) throws Exception;
    }

    private BuildRun() {}

    static Result run(List<Path> inputs, int threads, LineBuilder builder, TrainingOutput out, Consumer<String> progress) throws IOException {
        long t0 = System.nanoTime();
        long index = 0, badCount = 0, nextReport = 100_000;
        List<BadLine> bad = new ArrayList<>();
        try (WorkerPool pool = new WorkerPool(threads)) {
            for (Path file : inputs) {
                try (BufferedReader in = InputFiles.reader(file, "JSON lines")) {
                    List<Line> batch = new ArrayList<>(BATCH);
                    long number = 0;
                    for (String text; ; ) {
                        text = in.readLine();
                        if (text != null) {
                            number++;
                            if (text.isBlank()) continue;
                            batch.add(new Line(file, number, index++, text));
                        }
                        if (batch.size() == BATCH || (text == null && !batch.isEmpty())) {
                            List<Built> built = OrderedBatches.map(pool, batch, line -> buildOne(builder, line));
                            for (int i = 0; i < built.size(); i++) {
                                Built b = built.get(i);
                                if (b.error() != null) {
                                    badCount++;
                                    if (bad.size() < KEPT_BAD_LINES) bad.add(new BadLine(file, batch.get(i).number(), b.error()));
                                    continue;
                                }
                                for (Item item : b.items()) out.add(item);
                            }
                            batch.clear();
                            if (index >= nextReport) {
                                progress.accept(String.format("%,d lines, %.0f lines/s", index, index / ((System.nanoTime() - t0) / 1e9)));
                                nextReport += 100_000;
                            }
                        }
                        if (text == null) break;
                    }
                }
            }
        }
        return new Result(index, badCount, bad, (System.nanoTime() - t0) / 1e9);
    }

    private static Built buildOne(LineBuilder builder, Line line) {
        try {
            return Built.of(builder.build(line));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return new Built(List.of(), "not JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            return new Built(List.of(), e.getMessage());
        } catch (Exception e) {
            throw new IllegalStateException(line.file() + ":" + line.number() + ": " + e, e);
        }
    }

    /** The summary printed at the end: a row per task (types, instances, samples, tokens, bytes), totals, speed, bad lines. */
    static ObjectNode summary(String phase, TrainingOutput out, Result r) {
        ObjectNode o = JSON.createObjectNode().put("phase", phase);
        ObjectNode tasks = o.putObject("tasks");
        TaskStats total = new TaskStats();
        for (Map.Entry<String, TaskStats> e : out.stats().entrySet()) {
            TaskStats s = e.getValue();
            tasks.putObject(e.getKey()).put("types", s.types.size()).put("instances", s.instances).put("samples", s.samples)
                    .put("tokens", s.tokens).put("bytes", s.bytes);
            total.types.addAll(s.types.stream().map(t -> e.getKey() + ":" + t).toList());
            total.instances += s.instances;
            total.samples += s.samples;
            total.tokens += s.tokens;
            total.bytes += s.bytes;
        }
        o.putObject("total").put("types", total.types.size()).put("instances", total.instances).put("samples", total.samples)
                .put("tokens", total.tokens).put("bytes", total.bytes);
        o.put("lines", r.lines()).put("seconds", Math.round(r.seconds() * 1000) / 1000.0)
                .put("lines_per_second", Math.round(r.lines() / Math.max(r.seconds(), 1e-9)))
                .put("jsonl_bytes", out.jsonlBytes()).put("shard_tokens", out.shardTokens()).put("shard_sequences", out.shardSequences())
                .put("bad_lines", r.badLines());
        ArrayNode bad = o.putArray("bad");
        for (BadLine b : r.bad()) bad.addObject().put("file", b.file().toString()).put("line", b.number()).put("reason", b.reason());
        return o;
    }
}
