package org.knowcoder.tokenizer.spm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.tokenizer.TokenizerFormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corrupt and truncated models, unknown model types, malformed text and ids: clear errors or SentencePiece's replacement, never a crash. */
class BadInputTest {
    @TempDir
    static Path tmp;

    private static Path write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(tmp, "bad", ".model");
        Files.write(file, bytes);
        return file;
    }

    /** Loads, or fails with a TokenizerFormatException naming the file; any other exception fails the test. */
    private static void loadsOrFailsCleanly(byte[] bytes) throws IOException {
        Path file = write(bytes);
        try {
            SentencePieceTokenizer tok = SentencePieceTokenizer.load(file);
            tok.decode(tok.encode("Hello world, 123 日本 😀", true, true));
        } catch (TokenizerFormatException e) {
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void truncatedModelsFailCleanly() throws Exception {
        byte[] model = TrainerTest.smallModel(360).toByteArray();
        for (int cut = 0; cut < model.length; cut += 7) loadsOrFailsCleanly(java.util.Arrays.copyOf(model, cut));
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> SentencePieceTokenizer.load(write(java.util.Arrays.copyOf(model, model.length - 1))));
        assertTrue(e.getMessage().contains("not a SentencePiece model"), e.getMessage());
    }

    @Test
    void corruptedModelsFailCleanly() throws Exception {
        byte[] model = TrainerTest.smallModel(360).toByteArray();
        SplittableRandom random = new SplittableRandom(5);
        for (int trial = 0; trial < 300; trial++) {
            byte[] bad = model.clone();
            for (int k = random.nextInt(1, 4); k > 0; k--) bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            loadsOrFailsCleanly(bad);
        }
    }

    @Test
    void textFilesAreNotModels() throws Exception {
        loadsOrFailsCleanly("this is not a protobuf, just some text\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void unsupportedModelTypesAreNamed() throws Exception {
        ModelProto model = TrainerTest.smallModel(360);
        model.trainer().modelType = ModelType.WORD;
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> SentencePieceTokenizer.load(write(model.toByteArray())));
        assertTrue(e.getMessage().contains("WORD is not supported"), e.getMessage());
        byte[] unknownType = new ProtoWriter().message(2, new ProtoWriter().varint(3, 99)).toByteArray();
        e = assertThrows(TokenizerFormatException.class, () -> SentencePieceTokenizer.load(write(unknownType)));
        assertTrue(e.getMessage().contains("unknown model type"), e.getMessage());
    }

    @Test
    void modelsWithoutUnknownOrWithBadPiecesAreRejected() throws Exception {
        List<ModelProto.Piece> pieces = new ArrayList<>(TrainerTest.smallModel(360).pieces());
        pieces.set(0, new ModelProto.Piece("<unk>", 0, PieceType.CONTROL));
        ModelProto noUnk = new ModelProto(pieces, new TrainerSpec(), NormalizerSpec.identity(), null);
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> SentencePieceTokenizer.load(write(noUnk.toByteArray())));
        assertTrue(e.getMessage().contains("UNKNOWN"), e.getMessage());
        pieces.set(0, new ModelProto.Piece("<unk>", 0, PieceType.UNKNOWN));
        pieces.set(5, new ModelProto.Piece("byte?", 0, PieceType.BYTE));
        ModelProto badByte = new ModelProto(pieces, new TrainerSpec(), NormalizerSpec.identity(), null);
        e = assertThrows(TokenizerFormatException.class, () -> SentencePieceTokenizer.load(write(badByte.toByteArray())));
        assertTrue(e.getMessage().contains("piece 5"), e.getMessage());
    }

    @Test
    void malformedUtf8EncodesAsReplacementCharacters() throws Exception {
        SentencePieceTokenizer tok = new SentencePieceTokenizer(TrainerTest.smallModel(360));
        byte[] bad = {'a', (byte) 0xFF, 'b', (byte) 0xE6, (byte) 0x97, 'c', (byte) 0xC0, (byte) 0x80};
        assertArrayEquals(tok.encode("a\uFFFDb\uFFFD\uFFFDc\uFFFD\uFFFD", false, false), tok.encode(bad, bad.length, false, false));
        assertArrayEquals(tok.encode("x\uFFFDy", false, false), tok.encode("x\uD800y", false, false)); // a lone surrogate
    }

    @Test
    void idsOutsideTheVocabularyAreRejected() throws Exception {
        SentencePieceTokenizer tok = new SentencePieceTokenizer(TrainerTest.smallModel(360));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {5, 360}));
        assertTrue(e.getMessage().contains("id 360 is outside the vocabulary [0, 360)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> tok.piece(1000));
    }
}
