package org.knowcoder.bench;

import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.eval.Predictions;
import org.knowcoder.ie.eval.Scorer;
import org.knowcoder.ie.eval.SpanMode;
import org.knowcoder.ie.eval.Tuple;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.ie.output.PyValue;
import org.knowcoder.schema.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The evaluation's hot path after generation: parsing 10,000 model outputs, and parsing them plus
 * mapping, filtering and scoring them against gold. Scores are outputs per second. The outputs are
 * synthetic but shaped like KnowCoder's (a few instances each, some classes induced through a
 * superclass, some spans absent from the sentence, every tenth output cut off).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ParseScoreBenchmark {
    static final int OUTPUTS = 10_000;
    private static final String[] NAMES = {"Ann Lee", "Bob", "Acme Corp", "Paris", "the Richard Berry home", "Dwayne \\\"The Rock\\\" Johnson", "Kenya"};

    @Param({"NER", "RE", "EAE"})
    public String task;

    private Task t;
    private String[] sentences, outputs;
    private List<Set<Tuple>> gold;
    private final LabelMap labels = new LabelMap(Map.of("Person", "person", "Organization", "organisation", "Location", "location",
            "WorkFor", "work for", "LocatedIn", "located in", "Marry", "marry", "Attack", "attack"), Map.of());
    private final TypeHierarchy hierarchy = TypeHierarchy.of(Map.of("Human", "Person", "City", "Location", "Wedding", "Marry"));

    @Setup
    public void build() {
        t = Task.parse(task);
        Random random = new Random(42);
        sentences = new String[OUTPUTS];
        outputs = new String[OUTPUTS];
        gold = new ArrayList<>(OUTPUTS);
        for (int i = 0; i < OUTPUTS; i++) {
            String a = NAMES[random.nextInt(NAMES.length)], b = NAMES[random.nextInt(NAMES.length)], c = NAMES[random.nextInt(NAMES.length)];
            sentences[i] = (a + " met " + b + " and married " + c + " in " + NAMES[3] + " on day " + i + ".").replace("\\\"", "\"");
            String text = switch (t) {
                case NER -> "results = [\n\tHuman(\"" + a + "\"),\n\tOrganization(\"" + b + "\"),\n\tCity(\"Paris\"),\n\tPerson(\"Nobody\"),\n\tLocation(\"" + c + "\")\n]";
                case RE -> "results = [\n\tWorkFor(Entity(\"" + a + "\"), Entity(\"" + b + "\")),\n\tLocatedIn(head_entity=Entity(\"" + c
                        + "\"), tail_entity=Entity(\"Paris\")),\n\tLocatedIn(Entity(\"" + a + "\"), Entity(\"" + a + "\"))\n]";
                default -> "results = [\n\tWedding(\n\t\ttrigger=\"married\",\n\t\tperson=[Entity(\"" + a + "\"), Entity(\"" + c
                        + "\")],\n\t\tplace=[Entity(\"Paris\")],\n\t\ttime=[]\n\t)\n]";
            };
            outputs[i] = i % 10 == 9 ? text.substring(0, text.length() * 2 / 3) : text;
            Set<Tuple> g = Predictions.of(t, sentences[i], OutputParser.parse(text), labels, hierarchy, SpanMode.TEXT);
            gold.add(i % 3 == 0 ? Set.of() : g);
        }
    }

    @Benchmark
    @OperationsPerInvocation(OUTPUTS)
    public int parse() {
        int n = 0;
        for (String o : outputs) n += OutputParser.parse(o).size();
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(OUTPUTS)
    public Scorer parseAndScore() {
        Scorer scorer = new Scorer();
        for (int i = 0; i < OUTPUTS; i++) {
            List<PyValue.Call> calls = OutputParser.parse(outputs[i]);
            scorer.add("bench", Predictions.of(t, sentences[i], calls, labels, hierarchy, SpanMode.TEXT), gold.get(i));
        }
        return scorer;
    }
}
