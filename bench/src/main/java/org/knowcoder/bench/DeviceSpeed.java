package org.knowcoder.bench;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.session.DeviceSession;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.tensor.device.DeviceBuffer;
import org.knowcoder.tensor.device.Devices;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Speed of the device-neutral model ({@link DeviceSession}) on a random model: decode tok/s (greedy
 * from BOS), prefill tok/s of one long prompt, and the GEMM TFLOP/s of the prefill's weight shapes.
 * Prints one JSON line; bench/pytorch/gpu_llama_speed.py prints the same fields for PyTorch.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.knowcoder.bench.DeviceSpeed --device cuda --shape llama7b --dtype bf16</pre>
 * Options: --device cuda|cpu, --shape tiny|stories110m|1b|llama7b, --dtype f32|f16|bf16|q8_0,
 * --tokens 256 (decode), --prompt 2000 (prefill), --threads (cpu).
 */
public final class DeviceSpeed {
    private DeviceSpeed() {}

    /** LLaMA-2-7B's shape with a 4096-token context; stories110M's and the tiny one get 2304 so a 2,000-token prompt fits. */
    static LlamaConfig shape(String name) {
        return switch (name) {
            case "tiny" -> new LlamaConfig(128, 384, 2, 4, 4, 512, 2304, 1e-5f, 10000f);
            case "stories110m" -> new LlamaConfig(768, 2048, 12, 12, 12, 32000, 2304, 1e-5f, 10000f);
            case "1b" -> new LlamaConfig(2048, 5632, 22, 32, 4, 32000, 2304, 1e-5f, 10000f); // TinyLlama-1.1B's shape

            case "llama7b" -> new LlamaConfig(4096, 11008, 32, 32, 32, 32000, 4096, 1e-5f, 10000f);
            default -> throw new BadInputException("--shape " + name + ": expected tiny, stories110m, 1b or llama7b");
        };
    }

    public static void main(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("--device", "cuda", "--shape", "stories110m", "--dtype", "bf16",
                "--tokens", "256", "--prompt", "2000", "--threads", String.valueOf(Runtime.getRuntime().availableProcessors())));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) throw new BadInputException("unknown option " + args[i] + "; known: " + opt.keySet());
            opt.put(args[i], args[i + 1]);
        }
        LlamaConfig config = shape(opt.get("--shape"));
        DType dtype = DType.valueOf(opt.get("--dtype").toUpperCase(Locale.ROOT));
        int tokens = Integer.parseInt(opt.get("--tokens")), promptTokens = Integer.parseInt(opt.get("--prompt"));
        try (WorkerPool pool = new WorkerPool(Integer.parseInt(opt.get("--threads")));
             Device device = Devices.open(opt.get("--device"), pool);
             LlamaWeights weights = randomModel(config, dtype)) {
            System.err.println("measuring on " + device.description());
            DeviceSession session = new DeviceSession(weights, device);
            SpeedRun.decode(session, Math.min(tokens, 16)); // warm-up: kernels loaded, JIT compiled
            double decode = SpeedRun.decode(session, tokens);
            int[] prompt = SpeedRun.randomPrompt(promptTokens, config.vocabSize());
            session.prefill(Arrays.copyOf(prompt, Math.min(prompt.length, 64)), 0); // warm-up
            long t0 = System.nanoTime();
            session.prefill(prompt, 0);
            double prefill = prompt.length / ((System.nanoTime() - t0) / 1e9);
            StringBuilder gemm = new StringBuilder();
            for (long[] w : new long[][] {{config.dim(), config.dim()}, {config.hiddenDim(), config.dim()}, {config.dim(), config.hiddenDim()}}) {
                if (!gemm.isEmpty()) gemm.append(", ");
                gemm.append(String.format(Locale.ROOT, "\"%dx%dx%d\": %.2f", promptTokens, w[0], w[1], gemmTflops(device, dtype, promptTokens, w[0], w[1])));
            }
            // a decoded token reads every matrix once, except the embedding (one row); KV-cache reads are left out
            long streamed = weights.weightBytes() - weights.tokenEmbedding().weightBytes();
            System.out.printf(Locale.ROOT, "{\"engine\": \"knowcoder-j\", \"device\": \"%s\", \"shape\": \"%s\", \"dtype\": \"%s\", "
                            + "\"decode_tokens\": %d, \"decode_tok_s\": %.1f, \"weight_bytes_per_token\": %d, \"decode_weight_gb_s\": %.1f, "
                            + "\"prefill_tokens\": %d, \"prefill_tok_s\": %.1f, \"gemm_tflop_s\": {%s}}%n",
                    device.description(), opt.get("--shape"), dtype, tokens, decode, streamed, streamed * decode / 1e9,
                    promptTokens, prefill, gemm);
        }
    }

    /** A random model in {@code dtype}; Q8_0 is quantized from the F32 one, as --quantize does. */
    private static LlamaWeights randomModel(LlamaConfig config, DType dtype) {
        System.err.println("making a random " + config + " model in " + dtype + " ...");
        if (dtype != DType.Q8_0) return RandomWeights.create(config, false, 7, dtype);
        try (LlamaWeights f32 = RandomWeights.create(config, false, 7)) {
            return f32.quantize(DType.Q8_0);
        }
    }

    /** out[rows, outDim] = x[rows, in] w^T, timed over repeated products once warm; 2 * rows * in * outDim flops each. */
    private static double gemmTflops(Device device, DType dtype, int rows, long outDim, long in) {
        try (Arena arena = Arena.ofShared()) { // the CPU device reads it from its worker threads
            DeviceBuffer w = device.upload(RandomWeights.matrix("w", dtype, outDim, in, 3, arena));
            DeviceBuffer x = device.upload("x", randomFloats(rows * in));
            DeviceBuffer out = device.floats("out", rows * outDim);
            float[] one = new float[1];
            device.matmul(w, x, rows, out);
            device.read(out, 0, one, 1);
            int repeats = 0;
            long t0 = System.nanoTime(), elapsed;
            do {
                device.matmul(w, x, rows, out);
                device.read(out, 0, one, 1); // waits for the product
                repeats++;
                elapsed = System.nanoTime() - t0;
            } while (elapsed < 500_000_000L && repeats < 1000);
            return 2.0 * rows * in * outDim * repeats / (elapsed / 1e9) / 1e12;
        }
    }

    private static float[] randomFloats(long n) {
        SplittableRandom rng = new SplittableRandom(5);
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }
}
