package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;

/**
 * llama2.c checkpoints (versions 0, 1 and 2) that are cut short or whose header does not fit the file.
 * The files are {@link OwnModels}' stand-ins for the fixtures named here, so these run without ../shared.
 */
class Llama2cBadInputTest {
    private static final String V0 = "models/llama-tiny-gqa/model.bin";
    private static final String V1 = "models/llama-tiny-gqa/model-v1.bin";
    private static final String V2 = "models/llama-tiny-q8/model-q8_0.bin";

    @TempDir
    Path tmp;

    /** The stand-in, written here, for a fixture of that shape and format. */
    private static Path own(String fixture) {
        return switch (fixture) {
            case V0 -> OwnModels.tinyV0();
            case V1 -> OwnModels.tinyV1();
            case V2 -> OwnModels.tinyQ8();
            default -> OwnModels.stories();
        };
    }

    private static CliRun generate(Path model) {
        return CliRun.inProcess("generate", "--model", model, "--prompt-ids", "1,2", "--output-ids", "--steps", "3");
    }

    @ParameterizedTest(name = "{0} cut to {1} bytes")
    @CsvSource({
            V0 + ", 500000, 'expected 634140 bytes for a llama2.c version 0 file'",
            V1 + ", 500000, 'expected 632320 bytes for a llama2.c version 1 file'",
            V2 + ", 175615, 'expected 175616 bytes for a llama2.c version 2 file'",
            "stories260K/stories260K.bin, 1000000, 'expected 1056540 bytes'",
            V0 + ", 20, 'shorter than a llama2.c header'",
            V1 + ", 100, 'shorter than the 256-byte header'",
            V2 + ", 0, 'shorter than a llama2.c header'"})
    void truncatedFile(String fixture, long keep, String expected) throws IOException {
        Path bad = BadFiles.truncated(own(fixture), keep, tmp);
        generate(bad).assertBadInput(bad, "truncated", expected);
    }

    @ParameterizedTest(name = "{0}: int at byte {1} set to {2}")
    @CsvSource({
            V0 + ",  0, 128, 'expected 1464860 bytes for a llama2.c version 0 file of dim 128'",
            V0 + ",  8,   3, 'hidden_dim 176, 3 layers'",
            V0 + ", 12,   6, 'dim 64 is not a multiple of n_heads 6'",
            V0 + ",  0,  -1, 'every size must be positive, got dim -1'",
            V1 + ",  4,   7, 'unsupported llama2.c version 7 (expected 0, 1 or 2)'",
            V1 + ", 12, 352, 'hidden_dim 352'",
            V2 + ", 28, 1024, 'vocab 1024'",
            V2 + ", 37,   5, 'Q8_0 group size 5 must divide dim 64'"})
    void headerDoesNotMatchTheFile(String fixture, int offset, int value, String expected) throws IOException {
        Path bad = BadFiles.withInt(own(fixture), offset, value, tmp);
        generate(bad).assertBadInput(bad, expected);
    }

    @Test
    void headerSizesTooLargeForAnyFile() throws IOException {
        Path bad = BadFiles.withInt(BadFiles.withInt(own(V0), 0, 1 << 30, tmp), 8, 1 << 30, tmp);
        generate(bad).assertBadInput(bad, "dim 1073741824", "more than 2^63 bytes");
    }

    @Test
    void fileLongerThanItsHeaderSays() throws IOException {
        Path bad = BadFiles.extended(own(V1), 4, tmp);
        generate(bad).assertBadInput(bad, "found 632324", "the header sizes do not match the file");
    }

    /** seq_len does not change a version 1 file's size; a corrupt one must still not end in an OutOfMemoryError. */
    @Test
    void contextTooLargeForTheKvCache() throws IOException {
        Path bad = BadFiles.withInt(own(V1), 32, 1 << 30, tmp);
        generate(bad).assertBadInput(bad, "a context of 1073741824 positions", "KV cache");
    }
}
