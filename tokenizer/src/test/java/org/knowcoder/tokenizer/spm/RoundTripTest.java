package org.knowcoder.tokenizer.spm;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.tokenizer.TokenizerFixtures.file;
import static org.knowcoder.tokenizer.TokenizerFixtures.json;

/** decode(encode(x)) == x: for random Unicode with byte-fallback models, and for every fixture case SentencePiece round-trips. */
class RoundTripTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama2-tokenizer", "bpe-llama-style"})
    void randomUnicodeRoundTrips(String model) throws Exception {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(file(model + ".model"));
        SplittableRandom random = new SplittableRandom(2024);
        for (int i = 0; i < 3000; i++) {
            String text = randomText(random);
            assertEquals(text, tok.decode(tok.encode(text, false, false)), () -> "round trip of " + text.codePoints().mapToObj(Integer::toHexString).toList());
        }
    }

    @Test
    void trainedModelRoundTripsWithoutFixtures() throws Exception {
        SentencePieceTokenizer tok = new SentencePieceTokenizer(TrainerTest.smallModel(360));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            String text = randomText(random);
            assertEquals(text, tok.decode(tok.encode(text, false, false)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama2-tokenizer", "bpe-llama-style", "unigram-identity", "unigram-nfkc"})
    void fixtureCasesThatRoundTripInSentencePieceRoundTripHere(String model) throws Exception {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(file(model + ".model"));
        for (JsonNode c : json(model + ".cases.json").get("cases")) {
            String text = c.get("text").asText();
            if (!text.equals(c.get("decoded").asText())) continue;
            assertEquals(text, tok.decode(tok.encode(text, false, false)));
        }
    }

    /** Code points from every plane and category: ASCII, spaces and controls, Latin, CJK, emoji, combining marks, private use. */
    static String randomText(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(0, 24);
        for (int k = 0; k < n; k++) {
            int cp = switch (random.nextInt(6)) {
                case 0 -> random.nextInt(0, 0x80);
                case 1 -> " \t\n\r\u3000\u00a0".charAt(random.nextInt(6));
                case 2 -> random.nextInt(0x80, 0x800);
                case 3 -> random.nextInt(0x800, 0xD800);
                case 4 -> random.nextInt(0xE000, 0x10000);
                default -> random.nextInt(0x10000, 0x110000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }
}
