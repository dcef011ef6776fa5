package org.knowcoder.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.knowcoder.api.Options;
import org.knowcoder.io.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code spark-submit --class org.knowcoder.spark.ExtractJob knowcoder-spark.jar --input ... --output ...
 * --model ... --types ...}: {@code extract} over a corpus Spark reads, the results written as
 * Spark writes (a directory of part files, each input row with its extraction's columns).
 */
@Command(name = "extract-job", mixinStandardHelpOptions = true,
        description = "Extract entities, relations and events from every row's text, as a Spark job.")
public final class ExtractJob implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "PATH", description = "input files or directory (any path Spark reads)")
    String input;
    @Option(names = "--input-format", defaultValue = "json", description = "json (JSON lines), parquet or text (one input a line); default ${DEFAULT-VALUE}")
    String inputFormat;
    @Option(names = "--output", required = true, paramLabel = "PATH", description = "output directory")
    String output;
    @Option(names = "--output-format", defaultValue = "json", description = "json or parquet; default ${DEFAULT-VALUE}")
    String outputFormat;
    @Option(names = "--overwrite", description = "replace an existing output directory")
    boolean overwrite;
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "the model, at this path on every executor")
    Path model;
    @Option(names = "--tokenizer", paramLabel = "PATH", description = "default: the one in or beside the model")
    Path tokenizer;
    @Option(names = "--types", split = ",", paramLabel = "A,B", description = "entity types by name, or (with --schema) classes of any kind")
    List<String> types;
    @Option(names = "--types-file", paramLabel = "FILE", description = "types with descriptions, as JSON (read on the driver)")
    Path typesFile;
    @Option(names = "--schema", paramLabel = "LIBRARY", description = "a schema library or Python class definitions, at this path on every executor")
    Path schema;
    @Option(names = "--task", split = ",", paramLabel = "T", description = "ner, re, ed, eae or all (default: all the types allow)")
    List<String> tasks;
    @Option(names = "--text-column", defaultValue = "text", description = "default ${DEFAULT-VALUE}")
    String textColumn;
    @Option(names = "--id-column", description = "the column of each row's id, if any")
    String idColumn;
    @Option(names = "--threads", description = "decoding threads per executor (default: its cores)")
    Integer threads;
    @Option(names = "--batch", defaultValue = "16", description = "prompts decoded together per executor; default ${DEFAULT-VALUE}")
    int batch;
    @Option(names = "--max-new-tokens", defaultValue = "640", description = "default ${DEFAULT-VALUE}")
    int maxNewTokens;
    @Option(names = "--chunk-tokens", defaultValue = "128", description = "default ${DEFAULT-VALUE}")
    int chunkTokens;
    @Option(names = "--constrained", negatable = true, defaultValue = "true", fallbackValue = "true", description = "constrained decoding (default on)")
    boolean constrained;
    @Option(names = "--quantize", paramLabel = "q8_0|q4_0|q4_k", description = "quantize the weights at load time")
    String quantize;

    public static void main(String[] args) {
        System.exit(JobMain.run(new ExtractJob(), args));
    }

    @Override
    public Integer call() throws IOException {
        TypesSpec spec = types().tasks(tasks == null ? new String[0] : tasks.toArray(String[]::new));
        Options o = Options.defaults().withTokenizer(tokenizer).withQuantize(quantize).withBatch(batch).withMaxNewTokens(maxNewTokens)
                .withChunkTokens(chunkTokens).withConstrained(constrained);
        if (threads != null) o = o.withThreads(threads);
        SparkSession spark = SparkSession.builder().appName("knowcoder extract").getOrCreate();
        Dataset<Row> rows = SparkFormats.read(spark, input, inputFormat, textColumn);
        Dataset<Row> out = SparkExtraction.of(model, o, spec).textColumn(textColumn).idColumn(idColumn).extract(rows);
        SparkFormats.write(out, output, outputFormat, overwrite);
        return 0;
    }

    /** The types, given one way, as {@code extract} takes them. */
    private TypesSpec types() throws IOException {
        if (typesFile != null && (schema != null || types != null)) {
            throw new BadInputException("give types one way: --types-file alone, --types, or --schema with --types");
        }
        if (typesFile != null) return TypesSpec.typesFile(typesFile);
        if (schema != null) return TypesSpec.library(schema, types == null ? new String[0] : types.toArray(String[]::new));
        if (types != null) return TypesSpec.names(types.toArray(String[]::new));
        throw new BadInputException("extract-job needs types: --types Person,Organization, --types-file types.json, or --schema LIBRARY --types A,B");
    }
}
