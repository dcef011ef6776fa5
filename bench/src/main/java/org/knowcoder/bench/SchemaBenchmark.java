package org.knowcoder.bench;

import org.knowcoder.schema.Concept;
import org.knowcoder.schema.ExamplePair;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.PythonRenderer;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Style;
import org.knowcoder.schema.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The schema library's two speeds that matter (issue 4): loading a library of 30,000 concepts
 * from its JSON file (parse, validate, index; goal under a second) and rendering the 20 classes
 * of a prompt in the schema-following form (goal well under a millisecond). The library is
 * synthetic, with the shape of KnowCoder's: a deep entity taxonomy, descriptions and examples,
 * relations with type constraints, events with roles.
 */
@BenchmarkMode(Mode.AverageTime)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SchemaBenchmark {
    static final int ENTITIES = 20_000, RELATIONS = 6_000, EVENTS = 4_000, PROMPT_CLASSES = 20;

    private Path file;
    private List<Concept> prompt;

    @Setup(Level.Trial)
    public void writeLibrary() throws IOException {
        file = Files.createTempFile("schema-bench", ".json");
        SchemaLibrary library = SchemaLibrary.of(concepts(new SplittableRandom(7)));
        SchemaJson.write(library, file);
        prompt = library.entities().concepts().subList(1000, 1000 + PROMPT_CLASSES);
    }

    @TearDown(Level.Trial)
    public void deleteLibrary() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public SchemaLibrary load30k() throws IOException {
        return SchemaJson.read(file);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public String renderPrompt20() {
        return PythonRenderer.render(prompt, Task.NER, Style.FOLLOWING);
    }

    private static List<Concept> concepts(SplittableRandom random) {
        List<Concept> out = new ArrayList<>();
        for (int i = 0; i < ENTITIES; i++) {
            out.add(Concept.builder(Kind.ENTITY, "EntityType" + i).parent(i < 10 ? null : "EntityType" + random.nextInt(i))
                    .description(words(random, 12)).examples(List.of(words(random, 2), words(random, 3), words(random, 1),
                            words(random, 2), words(random, 2))).ids(List.of("Q" + i)).instances(random.nextInt(100_000)).build());
        }
        for (int i = 0; i < RELATIONS; i++) {
            out.add(Concept.builder(Kind.RELATION, "RelationType" + i).parent(i < 10 ? null : "RelationType" + random.nextInt(i))
                    .description(words(random, 10)).pairExamples(List.of(new ExamplePair(words(random, 2), words(random, 2)),
                            new ExamplePair(words(random, 1), words(random, 3))))
                    .headTypes(List.of("EntityType" + random.nextInt(ENTITIES), "EntityType" + random.nextInt(ENTITIES)))
                    .tailTypes(List.of("EntityType" + random.nextInt(ENTITIES))).ids(List.of("P" + i)).build());
        }
        for (int i = 0; i < EVENTS; i++) {
            List<Role> roles = new ArrayList<>();
            for (int r = 0; r < 5; r++) roles.add(new Role("role_" + r, List.of("EntityType" + random.nextInt(ENTITIES))));
            out.add(Concept.builder(Kind.EVENT, "EventType" + i).description(words(random, 10))
                    .examples(List.of(words(random, 1), words(random, 1))).roles(roles).ids(List.of("E" + i)).build());
        }
        return out;
    }

    private static String words(SplittableRandom random, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(' ');
            int len = 3 + random.nextInt(7);
            for (int k = 0; k < len; k++) sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }
}
