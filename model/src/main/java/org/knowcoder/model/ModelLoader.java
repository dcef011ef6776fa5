package org.knowcoder.model;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.WorkerPool;
import org.knowcoder.tensor.device.Device;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The one way from a checkpoint path to a decoding session, for every command: the weight policy
 * (Q8_0 quantization, the F32 heap copy) and the choice of session by device. Errors that are about
 * the model (a context too long for the heap, a size the device refuses) name the model's path.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /**
     * The checkpoint's weights as a session wants them: quantized to Q8_0 when asked (closing the
     * file's mapping; Q8_0 checkpoints stay as they are), else as loaded, except that F32 weights
     * for the CPU are copied into heap arrays, which the JIT streams faster than the mapping
     * ({@link LlamaWeights#f32OnHeap}; the mapping is then closed).
     */
    public static LlamaWeights weights(Path model, boolean quantizeQ8, boolean onCpu) throws IOException {
        LlamaWeights loaded = Checkpoints.load(model);
        if (quantizeQ8 && loaded.dtype() != DType.Q8_0) {
            try (loaded) {
                return aboutModel(model, loaded::quantizeQ8);
            }
        }
        if (loaded.dtype() != DType.F32 || !onCpu) return loaded;
        LlamaWeights heap = loaded.f32OnHeap();
        if (heap != loaded) loaded.close();
        return heap;
    }

    /**
     * A session of {@code sequences} KV caches: {@link LlamaSession} on the CPU ({@code device} null,
     * computing on {@code pool}), else {@link DeviceSession} on {@code device}.
     */
    public static DecodingSession session(Path model, LlamaWeights weights, WorkerPool pool, Device device, int sequences) {
        return aboutModel(model, () -> device == null ? new LlamaSession(weights, pool, sequences) : new DeviceSession(weights, device, sequences));
    }

    /** Runs a step whose IllegalArgumentException is about the model, naming the model's path in it. */
    public static <T> T aboutModel(Path model, Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(model + ": " + e.getMessage(), e);
        }
    }
}
