package org.knowcoder.tokenizer.spm;

import org.junit.jupiter.api.Test;

import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The BPE trainer on small generated corpora: model layout, determinism, sampling, the piece rules, and its errors. */
class TrainerTest {
    private static Path corpus;

    /** A corpus of English-like sentences with code and numbers, written once (deleted when the JVM exits). */
    static synchronized Path corpus() throws IOException {
        if (corpus != null) return corpus;
        Path file = Files.createTempFile("knowcoder-corpus", ".txt");
        file.toFile().deleteOnExit();
        String[] words = {"the", "extraction", "of", "entities", "Person", "results", "=", "[", "]", "(\"Ann\")", "works", "for", "Acme",
                "in", "Paris", "def", "return", "self", "class", "Entity", "1999", "42", "married", "Bob", "located", "café", "日本"};
        SplittableRandom random = new SplittableRandom(1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder(i % 10 == 0 ? "    " : "");
            for (int w = random.nextInt(3, 15); w > 0; w--) sb.append(words[random.nextInt(words.length)]).append(' ');
            lines.add(sb.toString().strip());
        }
        Files.write(file, lines);
        return corpus = file;
    }

    static TrainerSpec llamaStyle(int vocabSize) {
        TrainerSpec spec = new TrainerSpec();
        spec.modelType = ModelType.BPE;
        spec.vocabSize = vocabSize;
        spec.byteFallback = true;
        spec.splitDigits = true;
        spec.allowWhitespaceOnlyPieces = true;
        return spec;
    }

    static ModelProto smallModel(int vocabSize) throws IOException {
        return SentencePieceTrainer.train(List.of(corpus()), llamaStyle(vocabSize), NormalizerSpec.identity(), 42, line -> {});
    }

    @Test
    void layoutIsSentencePieces() throws Exception {
        ModelProto model = smallModel(380);
        assertEquals(380, model.pieces().size());
        assertEquals(PieceType.UNKNOWN, model.pieces().get(0).type());
        assertEquals("<s>", model.pieces().get(1).piece());
        assertEquals("<0x00>", model.pieces().get(3).piece());
        assertEquals(PieceType.BYTE, model.pieces().get(258).type());
        for (int i = 260; i < 380; i++) assertTrue(model.pieces().get(i).score() < model.pieces().get(i - 1).score());
        // saved and read back: the same model
        ModelProto reread = ModelProto.parse(model.toByteArray());
        assertEquals(model.pieces(), reread.pieces());
        SentencePieceTokenizer tok = new SentencePieceTokenizer(reread);
        int[] ids = tok.encode("results = [Person(\"Ann\")]", false, false);
        assertEquals("results = [Person(\"Ann\")]", tok.decode(ids));
        assertTrue(ids.length < 12, "learned pieces are used: " + Arrays.toString(ids));
    }

    @Test
    void sameSeedSameModel() throws Exception {
        assertArrayEquals(smallModel(350).toByteArray(), smallModel(350).toByteArray());
    }

    @Test
    void piecesFollowTheRules() throws Exception {
        assertLlamaPieceRules(smallModel(380));
    }

    /** Digits split, U+2581 only in front or alone in whitespace-only pieces. */
    static void assertLlamaPieceRules(ModelProto model) {
        for (ModelProto.Piece p : model.pieces()) {
            if (p.type() != PieceType.NORMAL || p.piece().length() < 2) continue;
            assertTrue(p.piece().chars().noneMatch(Character::isDigit), "digits are split: " + p.piece());
            assertTrue(p.piece().indexOf('\u2581', 1) < 0 || p.piece().chars().allMatch(c -> c == '\u2581'), "space only in front: " + p.piece());
        }
    }

    @Test
    void wordsKeptApartFromSpacesAreTheSamePiecesQuotedAsInTheSentence() throws Exception {
        TrainerSpec spec = llamaStyle(340); // fewer pieces than with spaces in front: the corpus's words once each
        spec.whitespaceApart = true;
        ModelProto model = SentencePieceTrainer.train(List.of(corpus()), spec, NormalizerSpec.identity(), 42, line -> {});
        for (ModelProto.Piece p : model.pieces()) {
            if (p.type() == PieceType.NORMAL && p.piece().indexOf('\u2581') >= 0) {
                assertTrue(p.piece().chars().allMatch(c -> c == '\u2581'), "a space only with spaces: " + p.piece());
            }
        }
        SentencePieceTokenizer tok = new SentencePieceTokenizer(ModelProto.parse(model.toByteArray()));
        int[] word = tok.encode("extraction", false, false); // the dummy prefix's space, then the word's pieces
        int[] pieces = Arrays.copyOfRange(word, 1, word.length);
        String text = "sentence = \"the extraction of entities\"";
        assertTrue(contains(tok.encode(text, false, false), pieces), "in the sentence");
        assertTrue(contains(tok.encode("Entity(\"extraction\")", false, false), pieces), "quoted in a result");
        assertEquals(text, tok.decode(tok.encode(text, false, false)));
    }

    private static boolean contains(int[] ids, int[] run) {
        for (int i = 0; i + run.length <= ids.length; i++) {
            if (Arrays.equals(ids, i, i + run.length, run, 0, run.length)) return true;
        }
        return false;
    }

    @Test
    void samplingBoundsTheSentencesUsed() throws Exception {
        TrainerSpec spec = llamaStyle(400);
        spec.inputSentenceSize = 500;
        TrainingCorpus corpus = TrainingCorpus.load(List.of(corpus()), spec, NormalizerSpec.identity(), 3, line -> {});
        assertEquals(3000, corpus.sentencesRead);
        assertEquals(500, corpus.sentencesUsed);
    }

    @Test
    void wordsSplitAtSpaces() {
        TrainerSpec spec = llamaStyle(100);
        assertEquals(List.of("▁▁▁", "▁if", "▁x"), TrainingCorpus.splitIntoWords("▁▁▁▁if▁x", spec));
        spec.allowWhitespaceOnlyPieces = false;
        assertEquals(List.of("▁", "▁", "▁", "▁if", "▁x"), TrainingCorpus.splitIntoWords("▁▁▁▁if▁x", spec));
    }

    @Test
    void vocabularyThatDoesNotFitIsAnError() {
        BadInputException small = assertThrows(BadInputException.class, () -> smallModel(100));
        assertTrue(small.getMessage().contains("too small"), small.getMessage());
        BadInputException large = assertThrows(BadInputException.class, () -> smallModel(100_000));
        assertTrue(large.getMessage().contains("too large"), large.getMessage());
    }
}
