package org.knowcoder.ie.constrain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.ie.output.PyValue;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.model.session.Sampler;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.Task;
import org.knowcoder.testing.Llama2cTokenizers;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 1 of constrained decoding: random prompts (class sets of every task, sentences with
 * Unicode, quotes, backslashes, line breaks and repeated words) decoded under random logits, greedy
 * and sampled. Every answer is a complete block that the output parser reads whole, names only the
 * offered classes (and argument classes and roles), and quotes only trimmed substrings of the sentence; the
 * constraint never leaves a step without a token. Dropping the items it forced keeps every answer
 * so. A tokenizer written here (code fragments, words,
 * byte fallback), so no ../shared is needed.
 */
class ConstrainedOutputPropertyTest {
    private static final List<String> WORDS = List.of("Ann", "ann", "Bob", "met", "in", "Paris", "Zürich", "日本", "東京", "😀", "é",
            "\"", "'", "\\", "\\n", "\n", "\t", "(", ")", "[", "]", ",", "=", "results", "Entity", "\"\"\"", "the", "the", "Ann");
    private static final List<String> PIECES = List.of(" ", "results", " = [", "\n\t", "(\"", "\")", "\"),", "\")\n]", ")", "\"", ",\n\t",
            "\n]", "]", "\n", "Entity", "(Entity(\"", "\"), Entity(\"", "\"))", "(trigger = \"", " = [Entity(\"", ", ", "\\\"", "\\\\", "\\",
            "\\n", "Ann", " Ann", "ann", "nn", " met", " in", " Paris", "Paris", "Zü", "rich", "日本", "東", "the", " the", "Per", "son", "Org",
            "Loc", "Attack", "Born", "place", "agent", "é", "😀", "Bob", "()", "\"\"", "results = []", "=", " ");

    @TempDir
    static Path tmp;

    /** A llama2.c tokenizer of {@code pieces}, written into {@code dir}. */
    static Tokenizer tokenizer(Path dir, List<String> pieces) throws IOException {
        Path file = dir.resolve("tokenizer.bin");
        Files.write(file, Llama2cTokenizers.of(pieces));
        return Tokenizers.load(file);
    }

    @Test
    void tenThousandRandomPromptsAlwaysGiveWellFormedAnswers() throws IOException {
        Tokenizer tok = tokenizer(tmp, PIECES);
        TokenTrie trie = new TokenTrie(tok);
        Random random = new Random(17);
        Sampler sampler = new Sampler(tok.vocabSize(), 1f, 0f, 99);
        int[] ids = new int[tok.vocabSize()];
        int instances = 0, dropped = 0;
        for (int c = 0; c < 10_000; c++) {
            Task task = Task.values()[random.nextInt(Task.values().length)];
            DatasetSchema schema = schema(task, random);
            String sentence = sentence(random);
            // half the answers keep every item; the others drop those the constraint forced far from the random logits
            boolean trusting = c % 4 < 2;
            ResultsConstraint constraint = new ResultsConstraint(ResultsGrammar.of(schema, sentence), trie, trusting ? Float.POSITIVE_INFINITY : 3);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            int previous = tok.eosId(), steps = 0;
            while (true) {
                int n = constraint.allowed(ids);
                assertTrue(n > 0, "no token allowed after " + text.toString(StandardCharsets.UTF_8));
                float[] logits = new float[tok.vocabSize()];
                for (int i = 0; i < logits.length; i++) logits[i] = (float) random.nextGaussian() * 3;
                float best = logits[Sampler.argmax(logits)];
                int token = c % 2 == 0 ? Sampler.argmax(logits, 0, ids, n) : sampler.sample(logits, ids, n);
                if (token == tok.eosId()) break;
                constraint.forced(best - logits[token]);
                constraint.advance(token);
                text.writeBytes(tok.decode(previous, token));
                previous = token;
                assertTrue(++steps < 20_000, "runaway answer");
            }
            String written = text.toString(StandardCharsets.UTF_8), kept = new String(constraint.kept(text.toByteArray()), StandardCharsets.UTF_8);
            if (trusting) assertEquals(written, kept);
            int n = check(schema, sentence, kept);
            if (trusting) instances += n;
            else dropped += check(schema, sentence, written) - n;
        }
        assertTrue(instances > 2_500, "the answers hold instances, not only empty lists: " + instances);
        assertTrue(dropped > 500, "forced items are dropped: " + dropped);
    }

    /** Checks one answer; returns its instances. */
    private static int check(DatasetSchema schema, String sentence, String out) {
        assertTrue(out.startsWith("results = [") && out.endsWith("]"), out);
        List<PyValue.Call> calls = OutputParser.parse(out);
        assertEquals(out.split("\n\t", -1).length - 1, calls.size(), "every instance written is parsed: " + out);
        for (PyValue.Call call : calls) {
            int cls = schema.classes().indexOf(call.name());
            assertTrue(cls >= 0, "offered class: " + call.name() + " in " + out);
            Concept concept = schema.concepts().get(cls);
            switch (schema.task()) {
                case NER, ED -> {
                    assertEquals(1, call.positional().size(), out);
                    assertSpan(sentence, call.positional().getFirst(), out);
                }
                case RE -> {
                    assertEquals(2, call.positional().size(), out);
                    assertArgument(concept.headTypes(), sentence, call.positional().get(0), out);
                    assertArgument(concept.tailTypes(), sentence, call.positional().get(1), out);
                }
                case EAE -> {
                    assertSpan(sentence, call.keywords().get("trigger"), out);
                    List<String> roles = concept.roles().stream().map(Role::name).toList();
                    for (Map.Entry<String, PyValue> e : call.keywords().entrySet()) {
                        if (e.getKey().equals("trigger")) continue;
                        assertTrue(roles.contains(e.getKey()), "role " + e.getKey() + " of " + roles + " in " + out);
                        for (PyValue filler : ((PyValue.PyList) e.getValue()).items()) assertArgument(List.of(), sentence, filler, out);
                    }
                }
            }
        }
        return calls.size();
    }

    private static void assertArgument(List<String> hinted, String sentence, PyValue v, String out) {
        PyValue.Call call = (PyValue.Call) v;
        assertTrue(call.name().equals("Entity") || hinted.contains(call.name()), call.name() + " in " + out);
        assertSpan(sentence, call.positional().getFirst(), out);
    }

    private static void assertSpan(String sentence, PyValue v, String out) {
        String span = ((PyValue.Str) v).value();
        assertTrue(SentenceAutomatonTest.quotable(sentence, span), "span '" + span + "' of " + sentence + ", whole words and trimmed, in " + out);
    }

    private static final List<String> NAMES = List.of("Person", "PersonGroup", "Org", "Location", "Loc", "Attack", "Born", "BornIn", "Überfall", "X");

    private static DatasetSchema schema(Task task, Random random) {
        List<String> classes = new ArrayList<>();
        for (String n : NAMES) if (random.nextInt(3) == 0) classes.add(n);
        if (classes.isEmpty() && random.nextBoolean()) classes.add(NAMES.get(random.nextInt(NAMES.size())));
        List<Concept> concepts = new ArrayList<>();
        for (String n : classes) {
            Concept.Builder b = Concept.builder(task.kind(), n);
            if (task == Task.RE) b.headTypes(List.of("Person", "Org")).tailTypes(random.nextBoolean() ? List.of("Location") : List.of());
            if (task == Task.EAE) {
                List<Role> roles = new ArrayList<>();
                for (String r : List.of("place", "agent", "agent_of", "victim")) if (random.nextBoolean()) roles.add(new Role(r));
                b.roles(roles);
            }
            concepts.add(b.build());
        }
        return new DatasetSchema(task, classes, "", List.of(), List.of(), concepts);
    }

    private static String sentence(Random random) {
        StringBuilder sb = new StringBuilder();
        int words = random.nextInt(12);
        for (int i = 0; i < words; i++) {
            if (i > 0 && random.nextInt(4) > 0) sb.append(' ');
            sb.append(WORDS.get(random.nextInt(WORDS.size())));
        }
        return sb.toString();
    }
}
