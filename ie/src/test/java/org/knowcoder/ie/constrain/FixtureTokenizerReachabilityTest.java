package org.knowcoder.ie.constrain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Task;
import org.knowcoder.testing.SharedFiles;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 2 of constrained decoding, with the real fixture tokenizers (skipped without
 * ../shared): answers whose spans are tokenized unlike the sentence (quoted, "Johannesburg" has no
 * leading space, so not the sentence's pieces), start inside a word as spaces delimit it ("Soviet"
 * of "pro-Soviet", "東京" of "在東京": a span may start wherever a letter or digit does not follow
 * another, see SentenceAutomaton) or need byte-fallback tokens (Fraktur letters outside LLaMA-2's
 * pieces; the line breaks of the block, which LLaMA-2 writes as the byte piece {@code <0x0A>}) are
 * reachable token by token under the constraint, and EOS is offered once the block is closed.
 */
class FixtureTokenizerReachabilityTest {
    private static final String SENTENCE = "Ann flew from Johannesburg to Ağrı, a pro-Soviet town, then 在東京 met 𝔘𝔫𝔦 there.";
    private static final String ANSWER = "results = [\n\tLocation(\"Johannesburg\"),\n\tPerson(\"𝔘𝔫𝔦\"),\n\tLocation(\"Ağrı\"),"
            + "\n\tLocation(\"Soviet\"),\n\tLocation(\"東京\")\n]";

    @ParameterizedTest
    @ValueSource(strings = {"tokenizer/llama2-tokenizer.model", "tokenizer/bpe-llama-style.model"})
    void respelledMidWordAndByteFallbackSpansAreReachable(String fixture) throws IOException {
        Tokenizer tok = Tokenizers.load(SharedFiles.fixture(fixture));
        DatasetSchema schema = new DatasetSchema(Task.NER, List.of("Location", "Person"), "", List.of(), List.of(),
                List.of(Concept.builder(Kind.ENTITY, "Location").build(), Concept.builder(Kind.ENTITY, "Person").build()));
        TokenTrie trie = new TokenTrie(tok);
        ResultsConstraint constraint = new ResultsConstraint(ResultsGrammar.of(schema, SENTENCE), trie, ResultsConstraint.DOUBT);
        List<String> pieces = write(constraint, trie, tok, ANSWER.getBytes(StandardCharsets.UTF_8));
        assertTrue(pieces.stream().anyMatch(p -> p.startsWith("<0x")), "byte-fallback pieces are used: " + pieces);
        int[] ids = new int[tok.vocabSize()];
        assertEquals(1, constraint.allowed(ids), "EOS alone after the block");
        assertEquals(tok.eosId(), ids[0]);
    }

    /** Writes {@code target} under the constraint, each step the longest allowed token that continues it; returns the pieces used. */
    private static List<String> write(ResultsConstraint constraint, TokenTrie trie, Tokenizer tok, byte[] target) {
        int[] ids = new int[tok.vocabSize()];
        List<String> pieces = new ArrayList<>();
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        for (int at = 0; at < target.length; ) {
            int n = constraint.allowed(ids), best = -1;
            for (int i = 0; i < n; i++) {
                byte[] b = trie.bytes(ids[i]);
                if (ids[i] != tok.eosId() && at + b.length <= target.length && Arrays.equals(b, 0, b.length, target, at, at + b.length)
                        && (best < 0 || b.length > trie.bytes(best).length)) best = ids[i];
            }
            assertFalse(best < 0, "no allowed token continues after " + written.toString(StandardCharsets.UTF_8));
            constraint.advance(best);
            written.writeBytes(trie.bytes(best));
            pieces.add(tok.piece(best));
            at += trie.bytes(best).length;
        }
        return pieces;
    }
}
