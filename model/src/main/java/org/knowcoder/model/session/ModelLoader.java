package org.knowcoder.model.session;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.LowRankUpdates;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.tensor.device.Devices;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The one way from a checkpoint path to a decoding session, for every command: the weight policy
 * (quantization, the F32 heap copy) and the choice of session by device. Errors that are about
 * the model (a context too long for the heap, a size the device refuses) name the model's path.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /**
     * Widened to F32 on the CPU when their F32 copy is at most this size (about a last-level
     * cache): weights that small are not read from memory at each token, so 16-bit storage saves
     * no time, and the F32 kernels are fewer to compile than the widening ones, which a short run
     * spends much of its time waiting for. KnowCoder-mini (19 MB as F32): a first extraction and
     * an evaluation are faster with the same predictions (bench/README.md). Larger 16-bit models
     * stay 16-bit, where decoding streams the weights and half the bytes is faster.
     */
    static final long WIDEN_AT_MOST_BYTES = 32L << 20;

    /**
     * The checkpoint's weights as a session wants them: quantized to {@code quantize} when it is not
     * null (closing the file's mapping; checkpoints whose projections already are of that type stay
     * as they are), else as loaded, except on the CPU: F32 weights are copied into heap arrays,
     * which the JIT streams faster than the mapping, and so are 16-bit weights whose F32 copy is at
     * most {@link #WIDEN_AT_MOST_BYTES}, widened ({@link LlamaWeights#f32OnHeap}; the mapping is
     * then closed).
     */
    public static LlamaWeights weights(Path model, DType quantize, boolean onCpu) throws IOException {
        LlamaWeights loaded = Checkpoints.load(model);
        if (quantize != null && loaded.dtype() != quantize) {
            try (loaded) {
                return aboutModel(model, () -> loaded.quantize(quantize));
            }
        }
        if (!onCpu || !(loaded.dtype() == DType.F32 || smallSixteenBit(loaded))) return loaded;
        LlamaWeights heap = loaded.f32OnHeap();
        if (heap != loaded) loaded.close();
        return heap;
    }

    /** Whether {@link #weights} widens these 16-bit weights to F32 on the CPU. */
    static boolean smallSixteenBit(LlamaWeights w) {
        return (w.dtype() == DType.BF16 || w.dtype() == DType.F16) && w.weightBytes() * 2 <= WIDEN_AT_MOST_BYTES;
    }

    /** The type a {@code --quantize} value names ("q8_0", "q4_0", "q4_k", any case), or null for null. */
    public static DType quantization(String name) {
        if (name == null) return null;
        for (DType t : new DType[] {DType.Q8_0, DType.Q4_0, DType.Q4_K}) if (t.name().equalsIgnoreCase(name)) return t;
        throw new BadInputException("--quantize " + name + ": expected q8_0, q4_0 or q4_k");
    }

    /**
     * The accelerator named by {@code --device}, or null for "cpu": on the CPU the sessions compute on
     * the pool directly ({@link LlamaSession}), faster than through the device-neutral pass.
     */
    public static Device accelerator(String device, WorkerPool pool) {
        return device.equals("cpu") ? null : Devices.open(device, pool);
    }

    /**
     * A session of {@code sequences} KV caches: {@link LlamaSession} on the CPU ({@code device} null,
     * computing on {@code pool}), else {@link DeviceSession} on {@code device}. A LoRA adapter
     * ({@code adapter}, or null) is applied unmerged, on the CPU only.
     */
    public static DecodingSession session(Path model, LlamaWeights weights, WorkerPool pool, Device device, int sequences,
                                          LowRankUpdates adapter) {
        if (adapter != null && device != null) {
            throw new BadInputException("a LoRA adapter runs on the CPU only; merge it first (merge-adapter) to run on " + device.description());
        }
        return aboutModel(model, () -> {
            if (device != null) return new DeviceSession(weights, device, sequences);
            LlamaSession cpu = new LlamaSession(weights, pool, sequences);
            cpu.useAdapter(adapter);
            return cpu;
        });
    }

    /**
     * Runs a step whose BadInputException is about the model, naming the model's path in it; a plain
     * IllegalArgumentException is our bug and passes unchanged.
     */
    public static <T> T aboutModel(Path model, Supplier<T> step) {
        try {
            return step.get();
        } catch (BadInputException e) {
            throw new BadInputException(model + ": " + e.getMessage(), e);
        }
    }
}
