package org.knowcoder.tokenizer.spm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Unigram trainer on TrainerTest's generated corpus (27 distinct words, so at most about 345 pieces): layout, scores, round trips, determinism, the seed's suffix sort. */
class UnigramTrainerTest {
    private static ModelProto model;

    static ModelProto unigramModel(int vocabSize) throws IOException {
        TrainerSpec spec = TrainerTest.llamaStyle(vocabSize);
        spec.modelType = ModelType.UNIGRAM;
        return SentencePieceTrainer.train(List.of(TrainerTest.corpus()), spec, NormalizerSpec.identity(), 42, line -> {});
    }

    private static synchronized ModelProto model() throws IOException {
        if (model == null) model = unigramModel(340);
        return model;
    }

    @Test
    void layoutAndScores() throws Exception {
        ModelProto m = model();
        assertEquals(340, m.pieces().size());
        assertEquals(ModelType.UNIGRAM, m.trainer().modelType);
        assertEquals(PieceType.UNKNOWN, m.pieces().get(0).type());
        assertEquals("<0x00>", m.pieces().get(3).piece());
        assertEquals(PieceType.BYTE, m.pieces().get(258).type());
        for (int i = 259; i < 340; i++) {
            ModelProto.Piece p = m.pieces().get(i);
            assertEquals(PieceType.NORMAL, p.type());
            assertTrue(p.score() < 0, "a log probability: " + p);
            if (i > 259) assertTrue(p.score() <= m.pieces().get(i - 1).score(), "sorted by score at " + i);
        }
        ModelProto reread = ModelProto.parse(m.toByteArray());
        assertEquals(m.pieces(), reread.pieces());
        assertEquals(ModelType.UNIGRAM, reread.trainer().modelType);
        assertEquals(2, reread.trainer().numSubIterations);
    }

    @Test
    void roundTripsAndCompresses() throws Exception {
        SentencePieceTokenizer tok = new SentencePieceTokenizer(model());
        for (String s : List.of("results = [Person(\"Ann\")]", "the extraction of entities in Paris 1999", "    def  self", "ünïcødé → 𝄞 ok", "")) {
            assertEquals(s, tok.decode(tok.encode(s, false, false)), s);
        }
        int[] ids = tok.encode("the extraction of entities", false, false);
        assertTrue(ids.length <= 5, "learned pieces are used: " + Arrays.stream(ids).mapToObj(tok::piece).toList());
        TrainerTest.assertLlamaPieceRules(tok.model());
    }

    @Test
    void sameSeedSameModel() throws Exception {
        assertArrayEquals(model().toByteArray(), unigramModel(340).toByteArray());
    }

    @Test
    void digamma() {
        assertEquals(-0.5772156649015329, UnigramTrainer.digamma(1), 1e-12);
        assertEquals(Math.log(1000) - 1 / 2000.0 - 1 / 12e6, UnigramTrainer.digamma(1000), 1e-12);
        assertEquals(UnigramTrainer.digamma(0.3) + 1 / 0.3, UnigramTrainer.digamma(1.3), 1e-12);
    }

    @Test
    void suffixSortOrdersSuffixes() {
        String[] words = {"banana", "bandana", "ana", "a", "nab"};
        List<Integer> text = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int w = 0; w < words.length; w++) {
            for (int i = 0; i < words[w].length(); i++) {
                starts.add(text.size());
                text.add((int) words[w].charAt(i));
                expected.add(words[w].substring(i) + "\u0000" + (char) ('z' - w)); // separators sort before letters
            }
            text.add(-1 - w);
        }
        int[] t = text.stream().mapToInt(Integer::intValue).toArray();
        int[] s = starts.stream().mapToInt(Integer::intValue).toArray();
        SuffixSort.sort(t, s);
        List<String> sorted = new ArrayList<>();
        for (int p : s) {
            StringBuilder sb = new StringBuilder();
            int k = p;
            while (t[k] >= 0) sb.append((char) t[k++]);
            sorted.add(sb.append('\u0000').append((char) ('z' + 1 + t[k])).toString());
        }
        expected.sort(null);
        assertEquals(expected, sorted);
    }
}
