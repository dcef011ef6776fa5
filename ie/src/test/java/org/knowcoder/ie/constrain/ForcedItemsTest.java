package org.knowcoder.ie.constrain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Task;
import org.knowcoder.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Items whose spans the constraint forced far from the model's choices are left out of the answer,
 * which stays well-formed; the class names it chose among the prompt's do not count.
 */
class ForcedItemsTest {
    private static final List<String> PIECES = List.of("results = [", "]", "\n\t", ",\n\t", "\n]", "Person", "Place", "(\"", "\")", "\"),",
            "Ann", "Bob", "Paris", " ", "\"");
    private static final String SENTENCE = "Ann met Bob in Paris";

    @TempDir
    static Path tmp;

    private static ResultsConstraint constraint(Tokenizer tok, float doubt) {
        List<Concept> concepts = List.of(Concept.builder(Task.NER.kind(), "Person").build(), Concept.builder(Task.NER.kind(), "Place").build());
        DatasetSchema schema = new DatasetSchema(Task.NER, List.of("Person", "Place"), "", List.of(), List.of(), concepts);
        return new ResultsConstraint(ResultsGrammar.of(schema, SENTENCE), new TokenTrie(tok), doubt);
    }

    /**
     * Writes {@code parts} through the constraint, each part's tokens the longest allowed pieces,
     * every token of part i told gap {@code gaps[i]}; returns what the constraint keeps.
     */
    private static String write(Tokenizer tok, ResultsConstraint constraint, List<String> parts, float[] gaps) {
        int[] ids = new int[tok.vocabSize()];
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int p = 0; p < parts.size(); p++) {
            String rest = parts.get(p);
            while (!rest.isEmpty()) {
                int n = constraint.allowed(ids), best = -1;
                for (int i = 0; i < n; i++) {
                    String piece = new String(tok.decode(tok.eosId(), ids[i]), StandardCharsets.UTF_8);
                    if (rest.startsWith(piece) && (best < 0 || piece.length() > tok.decode(tok.eosId(), best).length)) best = ids[i];
                }
                assertTrue(best >= 0, "the grammar allows " + rest);
                byte[] piece = tok.decode(tok.eosId(), best);
                constraint.forced(gaps[p]);
                constraint.advance(best);
                text.writeBytes(piece);
                rest = rest.substring(new String(piece, StandardCharsets.UTF_8).length());
            }
        }
        return new String(constraint.kept(text.toByteArray()), StandardCharsets.UTF_8);
    }

    private static Tokenizer tokenizer() throws IOException {
        return ConstrainedOutputPropertyTest.tokenizer(tmp, PIECES);
    }

    @Test
    void anItemPastTheLimitIsLeftOutAndTheRestKeptInOrder() throws IOException {
        Tokenizer tok = tokenizer();
        List<String> parts = List.of("results = [\n\t", "Person(\"Ann\")", ",\n\t", "Person(\"Bob\")", ",\n\t", "Place(\"Paris\")", "\n]");
        // an item here is four tokens ("Person", "(\"", "Bob", "\")"), two of them in its span: Ann's sum 1, Bob's 6, Paris's 4.8
        float[] gaps = {0, 0.5f, 0, 3, 0, 2.4f, 0};
        assertEquals("results = [\n\tPerson(\"Ann\"),\n\tPlace(\"Paris\")\n]", write(tok, constraint(tok, 5), parts, gaps));
        assertEquals("results = [\n\tPerson(\"Ann\"),\n\tPerson(\"Bob\"),\n\tPlace(\"Paris\")\n]",
                write(tok, constraint(tok, Float.POSITIVE_INFINITY), parts, gaps), "no limit: the answer as written");
    }

    @Test
    void aClassNameChosenAmongThePromptsDoesNotCount() throws IOException {
        Tokenizer tok = tokenizer();
        List<String> parts = List.of("results = [\n\t", "Person", "(\"Ann\")", "\n]");
        assertEquals("results = [\n\tPerson(\"Ann\")\n]", write(tok, constraint(tok, 5), parts, new float[] {0, 9, 0, 0}));
    }

    @Test
    void withEveryItemForcedTheBlockIsEmpty() throws IOException {
        Tokenizer tok = tokenizer();
        List<String> parts = List.of("results = [\n\t", "Person(\"Ann\")", "\n]");
        assertEquals("results = []", write(tok, constraint(tok, 5), parts, new float[] {0, 9, 0}));
    }

    @Test
    void anAnswerCutShortKeepsItsTrustedCompleteItems() throws IOException {
        Tokenizer tok = tokenizer();
        List<String> parts = List.of("results = [\n\t", "Person(\"Ann\")", ",\n\t", "Place(\"Paris\")", ",\n\t", "Person(\"B");
        assertEquals("results = [\n\tPlace(\"Paris\")\n]", write(tok, constraint(tok, 5), parts, new float[] {0, 8, 0, 0, 0, 0}));
    }
}
