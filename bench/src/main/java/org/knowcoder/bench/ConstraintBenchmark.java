package org.knowcoder.bench;

import org.knowcoder.ie.constrain.ResultsConstraint;
import org.knowcoder.ie.constrain.ResultsGrammar;
import org.knowcoder.ie.constrain.TokenTrie;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Task;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-step mask of constrained decoding ({@link ResultsConstraint#allowed}): the tokens a
 * CoNLL03-style NER answer may continue with, at the kinds of place an answer spends its steps:
 * choosing a class ({@code class}), starting a span ({@code spanStart}: every piece that is a
 * substring of the sentence, the costliest), inside one ({@code span}) and after an instance
 * ({@code after}). The tokenizer defaults to the
 * LLaMA-2 fixture (32,000 pieces); microseconds per mask, to set beside a decode step's milliseconds.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ConstraintBenchmark {
    private static final String SENTENCE = "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT . Nadim Ladki AL-AIN , United Arab Emirates"
            + " 1996-12-06 Japan began the defence of their Asian Cup title with a lucky 2-1 win against Syria in a Group C championship match on Friday .";
    private static final List<String> PLACES = List.of("class", "spanStart", "span", "after");
    private static final List<String> PREFIXES = List.of("results = [\n\t", "results = [\n\tLocation(\"", "results = [\n\tLocation(\"Uni",
            "results = [\n\tLocation(\"Japan\")");

    @Param("../shared/fixtures/tokenizer/llama2-tokenizer.model")
    public String tokenizer;

    /** Where the answer is: class, spanStart (right after the opening quote), span (inside one) or after. */
    @Param({"class", "spanStart", "span", "after"})
    public String place;

    private ResultsConstraint constraint;
    private int[] ids;

    @Setup
    public void setup() throws IOException {
        Tokenizer tok = Tokenizers.load(Path.of(tokenizer));
        List<String> classes = List.of("Location", "MiscellaneousEntity", "Organization", "Person");
        DatasetSchema schema = new DatasetSchema(Task.NER, classes, "", List.of(), List.of(),
                classes.stream().map(c -> Concept.builder(Kind.ENTITY, c).build()).toList());
        constraint = new ResultsConstraint(ResultsGrammar.of(schema, SENTENCE), new TokenTrie(tok), ResultsConstraint.DOUBT);
        ids = new int[tok.vocabSize()];
        String prefix = PREFIXES.get(PLACES.indexOf(place));
        write(tok, prefix.getBytes(StandardCharsets.UTF_8));
    }

    /** Brings the constraint to the end of {@code target}, each step the longest allowed token that continues it. */
    private void write(Tokenizer tok, byte[] target) {
        for (int at = 0; at < target.length; ) {
            int n = constraint.allowed(ids), best = -1, bestLength = 0;
            for (int i = 0; i < n; i++) {
                byte[] b = tok.decode(tok.eosId(), ids[i]);
                if (b.length > bestLength && at + b.length <= target.length && Arrays.equals(b, 0, b.length, target, at, at + b.length)) {
                    best = ids[i];
                    bestLength = b.length;
                }
            }
            if (best < 0) throw new IllegalStateException("the benchmark's prefix is not reachable at byte " + at);
            constraint.advance(best);
            at += bestLength;
        }
    }

    @Benchmark
    public int mask() {
        return constraint.allowed(ids);
    }
}
