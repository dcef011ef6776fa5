package org.knowcoder.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.knowcoder.ie.trainingdata.InstanceForm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code spark-submit --class org.knowcoder.spark.UnderstandingJob knowcoder-spark.jar CORPUS... --library L --out DIR}:
 * {@code build-data understanding} as a Spark job ({@link SparkUnderstanding}), with the command's
 * options and defaults, from JSON lines or Parquet, and with {@code --tokenizer} and
 * {@code --shards} its token shard. Prints a summary line (texts, bad records, shard tokens and
 * sequences, seconds) and the first bad records on stderr.
 */
@Command(name = "understanding-job", mixinStandardHelpOptions = true,
        description = "Schema definition code and instance code from a KELM-style corpus (JSON lines or Parquet), as a Spark job; "
                + "the bytes of build-data understanding.")
public final class UnderstandingJob implements Callable<Integer> {
    @Parameters(paramLabel = "CORPUS", arity = "0..*", description = "KELM-style corpus files, directories (their files in name order) or globs, "
            + "in order (none: definition code only)")
    List<String> corpus = List.of();
    @Option(names = "--form", defaultValue = "sentence-first", description = "instance code form: sentence-first, import-first or whole (default ${DEFAULT-VALUE})")
    String form;
    @Option(names = "--max-tokens", defaultValue = "2048", description = "definition code and shard sequence length (default ${DEFAULT-VALUE})")
    int maxTokens;
    @Mixin
    DataJobOptions data = new DataJobOptions();
    @Mixin
    ShardOptions shard = new ShardOptions();

    public static void main(String[] args) {
        System.exit(JobMain.run(new UnderstandingJob(), args));
    }

    @Override
    public Integer call() throws IOException {
        InstanceForm f = InstanceForm.parse(form);
        boolean shards = shard.wanted();
        SparkSession spark = SparkSession.builder().appName("knowcoder build-data understanding").getOrCreate();
        long t0 = System.nanoTime();
        // written, then counted: kept so that the count does not build everything again
        Dataset<Row> built = SparkUnderstanding.build(spark, corpus, data.inputFormat, data.library, f, maxTokens, data.seed, shard.tokenizer)
                .persist(StorageLevel.MEMORY_AND_DISK());
        SparkUnderstanding.write(built, data.out, data.outputFormat.toLowerCase(Locale.ROOT), data.overwrite);
        ShardCounts counts = shards ? SparkUnderstanding.writeShard(built, shard.shards, maxTokens, shard.vocabSize(), shard.tokenizer)
                : new ShardCounts(0, 0);
        BuiltRows.Counts n = BuiltRows.counted(built, "understanding-job", "record");
        System.out.printf(Locale.ROOT, "{\"phase\":\"understanding\",\"samples\":%d,\"bad_lines\":%d,\"shard_tokens\":%d,\"shard_sequences\":%d,"
                + "\"form\":\"%s\",\"seconds\":%.3f}%n", n.texts(), n.skipped(), counts.tokens(), counts.sequences(),
                f.name().toLowerCase(Locale.ROOT).replace('_', '-'), (System.nanoTime() - t0) / 1e9);
        built.unpersist();
        return 0;
    }
}
