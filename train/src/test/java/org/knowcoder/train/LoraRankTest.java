package org.knowcoder.train;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LoraConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.Projection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A LoRA rank above a projection's smaller side is refused, whether asked for (finetune) or read (adapter_config.json). */
class LoraRankTest {
    /** dim 16, kv dim 8 (k/v are [8, 16]), hidden 32. */
    private static final LlamaConfig MODEL = new LlamaConfig(16, 32, 1, 2, 1, 40, 16, 1e-5f, 10000f);

    @Test
    void rankAboveTheSmallerSideIsRefused() {
        var e = assertThrows(BadInputException.class,
                () -> LoraAdapter.create(new LoraConfig(9, 16, 0, Set.of(Projection.Q, Projection.K)), MODEL, 1));
        assertEquals("LoRA rank 9 is larger than the smaller side of k_proj [8, 16]", e.getMessage());
        assertDoesNotThrow(() -> LoraAdapter.create(new LoraConfig(9, 16, 0, Set.of(Projection.Q)), MODEL, 1));
        assertDoesNotThrow(() -> LoraAdapter.create(new LoraConfig(8, 16, 0, Set.of(Projection.K)), MODEL, 1));
    }

    @Test
    void adapterConfigWithTooLargeARankNamesTheFile(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("adapter_config.json"),
                "{\"r\": 64, \"lora_alpha\": 16, \"lora_dropout\": 0, \"target_modules\": [\"v_proj\"]}");
        var e = assertThrows(BadInputException.class, () -> LoraAdapter.load(dir, MODEL));
        assertEquals(config + ": LoRA rank 64 is larger than the smaller side of v_proj [8, 16]", e.getMessage());
    }
}
