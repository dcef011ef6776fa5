package org.knowcoder.tokenizer.spm;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowcoder.tokenizer.Encoding;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.tokenizer.TokenizerFixtures.file;
import static org.knowcoder.tokenizer.TokenizerFixtures.ints;
import static org.knowcoder.tokenizer.TokenizerFixtures.json;

/** Every case SentencePiece 0.1.97 encoded and decoded for the four fixture models: ids, pieces and text exactly. */
class SentencePieceCasesTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama2-tokenizer", "bpe-llama-style", "unigram-identity", "unigram-nfkc"})
    void matchesSentencePiece(String model) throws Exception {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(file(model + ".model"));
        JsonNode cases = json(model + ".cases.json").get("cases");
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] expectedIds = ints(c.get("ids"));
            Encoding got = tok.encodeWithPieces(text, false, false);
            List<String> expectedPieces = new ArrayList<>();
            c.get("pieces").forEach(p -> expectedPieces.add(p.asText()));
            if (!java.util.Arrays.equals(expectedIds, got.ids()) || !expectedPieces.equals(List.of(got.pieces()))) {
                failures.add("encode " + quote(text) + ": expected " + java.util.Arrays.toString(expectedIds) + " " + expectedPieces
                        + ", got " + java.util.Arrays.toString(got.ids()) + " " + List.of(got.pieces()));
            }
            if (!java.util.Arrays.equals(expectedIds, tok.encode(text, false, false))) failures.add("ids-only encode differs for " + quote(text));
            String decoded = tok.decode(expectedIds);
            if (!c.get("decoded").asText().equals(decoded)) failures.add("decode " + quote(text) + ": expected " + quote(c.get("decoded").asText()) + ", got " + quote(decoded));
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases differ:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }

    @org.junit.jupiter.api.Test
    void llama2PublicVectors() throws Exception {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(file("llama2-tokenizer.model"));
        JsonNode vectors = json("llama2-public-vectors.json");
        for (JsonNode v : vectors.get("llama2c")) {
            assertEquals(java.util.Arrays.toString(ints(v.get("ids_with_bos"))), java.util.Arrays.toString(tok.encode(v.get("text").asText(), true, false)), v.get("text").asText());
        }
        for (JsonNode v : vectors.get("hf_llama2")) {
            assertEquals(java.util.Arrays.toString(ints(v.get("ids"))), java.util.Arrays.toString(tok.encode(v.get("text").asText(), false, false)), v.get("text").asText());
        }
    }
}
