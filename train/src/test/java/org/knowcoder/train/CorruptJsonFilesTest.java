package org.knowcoder.train;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LoraConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A corrupt adapter_config.json or state.json is an error naming the file and what it should be, not the parser's text alone. */
class CorruptJsonFilesTest {
    @TempDir
    Path dir;

    @Test
    void adapterConfig() throws IOException {
        Path file = Files.writeString(dir.resolve("adapter_config.json"), "{\"r\": 8,");
        var e = assertThrows(BadInputException.class, () -> LoraConfig.read(file));
        assertTrue(e.getMessage().startsWith(file + ": not valid JSON ("), e::getMessage);
        assertTrue(e.getMessage().endsWith("expected PEFT's adapter_config.json"), e::getMessage);
    }

    @Test
    void checkpointState() throws IOException {
        Path file = Files.writeString(dir.resolve("state.json"), "{\"step\": ");
        // the state is read before the trainer is touched
        var e = assertThrows(BadInputException.class, () -> TrainingCheckpoint.load(dir, null));
        assertTrue(e.getMessage().startsWith(file + ": not valid JSON ("), e::getMessage);
        Files.writeString(file, "[]");
        e = assertThrows(BadInputException.class, () -> TrainingCheckpoint.load(dir, null));
        assertTrue(e.getMessage().startsWith(file + ": expected a checkpoint's state"), e::getMessage);
    }
}
