package org.knowcoder.ie.trainingdata;

import org.knowcoder.io.AtomicOutput;
import org.knowcoder.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where built items go: {@code <dir>/<name>.jsonl} and, with a tokenizer, the {@link TrainingShard}:
 * one sequence per item (instructions, loss on the output only) or, with a pack length, all items'
 * ids back to back cut into sequences of that length (pretraining, loss everywhere). Counts each
 * task's row of the summary. Nothing appears unless {@link #commit()} runs.
 */
final class TrainingOutput implements AutoCloseable {
    private final AtomicOutput jsonl;
    private final TrainingShard shard;
    private final Map<String, TaskStats> stats = new LinkedHashMap<>();
    private long jsonlBytes;

    /** {@code tokenizer} null: JSON lines only. {@code packLength} 0: one sequence per item. */
    TrainingOutput(Path dir, String name, Tokenizer tokenizer, String tokenizerPath, int packLength, List<String> tasks) throws IOException {
        this.jsonl = new AtomicOutput(dir.resolve(name + ".jsonl"));
        this.shard = tokenizer == null ? null : new TrainingShard(dir, name, tokenizer.vocabSize(), tokenizerPath, packLength);
        for (String t : tasks) stats.put(t, new TaskStats());
    }

    void add(Item item) throws IOException {
        byte[] line = (item.jsonLine() + "\n").getBytes(StandardCharsets.UTF_8);
        jsonl.write(line);
        jsonlBytes += line.length;
        stats.get(item.task()).add(item);
        if (shard != null) shard.add(item.ids(), item.maskFrom());
    }

    Map<String, TaskStats> stats() {
        return stats;
    }

    long jsonlBytes() {
        return jsonlBytes;
    }

    /** Tokens in the shard (0 without a tokenizer). */
    long shardTokens() {
        return shard == null ? 0 : shard.tokens();
    }

    long shardSequences() {
        return shard == null ? 0 : shard.sequences();
    }

    /** Writes the last, shorter packed sequence and moves every file into place. */
    void commit() throws IOException {
        if (shard != null) shard.commit();
        jsonl.commit();
    }

    @Override
    public void close() throws IOException {
        try {
            jsonl.close();
        } finally {
            if (shard != null) shard.close();
        }
    }
}
