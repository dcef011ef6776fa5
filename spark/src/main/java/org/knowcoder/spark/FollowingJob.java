package org.knowcoder.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.knowcoder.ie.trainingdata.FollowingOptions;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code spark-submit --class org.knowcoder.spark.FollowingJob knowcoder-spark.jar SAMPLES... --library L --out DIR}:
 * {@code build-data following} as a Spark job ({@link SparkFollowing}), with the command's sampling
 * options and defaults, from JSON lines or Parquet, and with {@code --tokenizer} and {@code --shards}
 * its token shard. Prints a summary line (instructions, bad lines, shard tokens and sequences,
 * seconds) and the first bad lines on stderr.
 */
@Command(name = "following-job", mixinStandardHelpOptions = true,
        description = "Schema-following instructions from IE samples (JSON lines or Parquet), as a Spark job; the bytes of build-data following.")
public final class FollowingJob implements Callable<Integer> {
    @Parameters(paramLabel = "SAMPLES", arity = "1..*", description = "IE sample files, directories (their files in name order) or globs, in order")
    List<String> samples;
    @Option(names = "--tasks", split = ",", defaultValue = "ner,re,ed,eae", description = "tasks to build (default ${DEFAULT-VALUE})")
    List<String> tasks;
    @Option(names = "--negative-ratio", defaultValue = "0.2", description = "negative classes per gold class, rounded up (default ${DEFAULT-VALUE})")
    double negativeRatio;
    @Option(names = "--fully-negative", defaultValue = "0.05", description = "share of sentences with only absent classes (default ${DEFAULT-VALUE})")
    double fullyNegative;
    @Option(names = "--fully-negative-classes", defaultValue = "5", description = "classes of a fully negative sample (default ${DEFAULT-VALUE})")
    int fullyNegativeClasses;
    @Option(names = "--dataset-tag", description = "name the sample's dataset in the instruction (refinement data)")
    boolean datasetTag;
    @Option(names = "--refinement", defaultValue = "0", description = "share of instructions in evaluation's form (default ${DEFAULT-VALUE})")
    double refinement;
    @Mixin
    DataJobOptions data = new DataJobOptions();
    @Mixin
    ShardOptions shard = new ShardOptions();

    public static void main(String[] args) {
        System.exit(JobMain.run(new FollowingJob(), args));
    }

    @Override
    public Integer call() throws IOException {
        FollowingOptions options = new FollowingOptions(tasks.stream().map(FollowingJob::task).distinct().toList(), negativeRatio,
                fullyNegative, fullyNegativeClasses, datasetTag, refinement, data.seed);
        boolean shards = shard.wanted();
        SparkSession spark = SparkSession.builder().appName("knowcoder build-data following").getOrCreate();
        long t0 = System.nanoTime();
        // written, then counted: kept so that the count does not build everything again
        Dataset<Row> built = SparkFollowing.build(spark, samples, data.inputFormat, data.library, options, shard.tokenizer)
                .persist(StorageLevel.MEMORY_AND_DISK());
        SparkFollowing.write(built, data.out, data.outputFormat.toLowerCase(Locale.ROOT), data.overwrite);
        ShardCounts counts = shards ? SparkFollowing.writeShard(built, shard.shards, shard.vocabSize(), shard.tokenizer) : new ShardCounts(0, 0);
        BuiltRows.Counts n = BuiltRows.counted(built, "following-job", "line");
        System.out.printf(Locale.ROOT, "{\"phase\":\"following\",\"samples\":%d,\"bad_lines\":%d,\"shard_tokens\":%d,\"shard_sequences\":%d,"
                + "\"seconds\":%.3f}%n", n.texts(), n.skipped(), counts.tokens(), counts.sequences(), (System.nanoTime() - t0) / 1e9);
        built.unpersist();
        return 0;
    }

    private static Task task(String name) {
        try {
            return Task.parse(name);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--tasks: unknown task '" + name + "' (expected ner, re, ed or eae)");
        }
    }
}
