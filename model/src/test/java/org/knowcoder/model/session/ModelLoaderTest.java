package org.knowcoder.model.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.tensor.DType;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The weight policy: which checkpoints the CPU gets as F32 heap arrays. */
class ModelLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void aSmallBf16ModelIsWidenedOnTheCpuAndStaysBf16ForADevice() throws IOException {
        LlamaConfig config = new LlamaConfig(64, 128, 2, 4, 2, 96, 32, 1e-5f, 10000f);
        try (LlamaWeights w = RandomWeights.create(config, false, 3, DType.BF16)) {
            HuggingFaceWriter.write(w, tmp, DType.BF16);
        }
        try (LlamaWeights cpu = ModelLoader.weights(tmp, null, true); LlamaWeights device = ModelLoader.weights(tmp, null, false)) {
            assertEquals(DType.F32, cpu.dtype());
            assertNotNull(cpu.layer(0).wq().floatArray());
            assertNotNull(cpu.classifier().floatArray());
            assertEquals(DType.BF16, device.dtype());
            assertNull(device.layer(0).wq().floatArray());
        }
    }

    @Test
    void onlySixteenBitWeightsUpToTheLimitAreWidened() {
        LlamaConfig small = new LlamaConfig(64, 128, 2, 4, 2, 96, 32, 1e-5f, 10000f);
        // 11.2M parameters: 22 MB as BF16, 45 MB as F32, over the 32 MiB limit
        LlamaConfig large = new LlamaConfig(288, 768, 2, 6, 6, 16_000, 32, 1e-5f, 10000f);
        try (LlamaWeights bf16 = RandomWeights.create(small, false, 3, DType.BF16); LlamaWeights f16 = RandomWeights.create(small, false, 3, DType.F16);
             LlamaWeights q8 = bf16.quantize(DType.Q8_0); LlamaWeights bigBf16 = RandomWeights.create(large, false, 3, DType.BF16)) {
            assertTrue(ModelLoader.smallSixteenBit(bf16));
            assertTrue(ModelLoader.smallSixteenBit(f16));
            assertFalse(ModelLoader.smallSixteenBit(q8), "a quantized model keeps its type");
            assertTrue(bigBf16.weightBytes() * 2 > ModelLoader.WIDEN_AT_MOST_BYTES);
            assertFalse(ModelLoader.smallSixteenBit(bigBf16));
        }
    }
}
