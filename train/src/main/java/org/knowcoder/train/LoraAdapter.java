package org.knowcoder.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LowRankUpdates;
import org.knowcoder.model.LlamaParams;
import org.knowcoder.model.Projection;
import org.knowcoder.model.ProjectionHook;
import org.knowcoder.model.SafetensorsFile;
import org.knowcoder.model.SafetensorsWriter;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.autograd.Add;
import org.knowcoder.tensor.autograd.Dropout;
import org.knowcoder.tensor.autograd.Linear;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LoRA adapters on a frozen base: projection p of layer l returns W x + (alpha / r) B A dropout(x),
 * A [r, in] and B [out, r] trainable, the base untouched in its file dtype. Saved and loaded in
 * PEFT's layout (adapter_config.json + adapter_model.safetensors, tensors
 * {@code base_model.model.model.layers.L.MODULE.lora_A.weight}); {@link #mergeInto} folds the update
 * into a model's weights for export. Rows of q/k are in the base checkpoint's layout, like the base.
 */
public final class LoraAdapter implements ProjectionHook {
    private record Pair(Var a, Var b) {}

    private final LoraConfig config;
    private final Map<String, Pair> pairs = new LinkedHashMap<>();
    private long dropoutSeed;

    private LoraAdapter(LoraConfig config) {
        this.config = config;
    }

    /** Fresh adapters as PEFT initializes them: A uniform in +-1/sqrt(in) (seeded), B zero, so training starts at the base model. */
    public static LoraAdapter create(LoraConfig config, LlamaConfig model, long seed) {
        checkRank(config, model);
        LoraAdapter ad = new LoraAdapter(config);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int l = 0; l < model.nLayers(); l++) {
            for (Projection p : Projection.values()) {
                if (!config.targets().contains(p)) continue;
                int[] shape = shape(model, p);
                float[] a = new float[config.rank() * shape[1]];
                double bound = 1 / Math.sqrt(shape[1]);
                for (int i = 0; i < a.length; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                ad.put(l, p, a, new float[shape[0] * config.rank()], shape);
            }
        }
        return ad;
    }

    /** Reads a PEFT adapter directory; a tensor of the wrong shape, or a missing one, is an error naming it. */
    public static LoraAdapter load(Path dir, LlamaConfig model) throws IOException {
        Path configFile = dir.resolve("adapter_config.json");
        LoraConfig config = LoraConfig.read(configFile);
        try {
            checkRank(config, model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configFile + ": " + e.getMessage(), e);
        }
        LoraAdapter ad = new LoraAdapter(config);
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> tensors = SafetensorsFile.read(dir.resolve("adapter_model.safetensors"), arena);
            for (int l = 0; l < model.nLayers(); l++) {
                for (Projection p : Projection.values()) {
                    if (!config.targets().contains(p)) continue;
                    int[] shape = shape(model, p);
                    float[] a = floats(tensors, name(l, p, "A"), config.rank(), shape[1], dir);
                    float[] b = floats(tensors, name(l, p, "B"), shape[0], config.rank(), dir);
                    ad.put(l, p, a, b, shape);
                }
            }
        }
        return ad;
    }

    /** B A has rank at most the smaller side of the projection; a larger r adds parameters, not rank. */
    private static void checkRank(LoraConfig config, LlamaConfig model) {
        for (Projection p : Projection.values()) {
            int[] shape = shape(model, p);
            if (config.targets().contains(p) && config.rank() > Math.min(shape[0], shape[1])) {
                throw new IllegalArgumentException("LoRA rank " + config.rank() + " is larger than the smaller side of " + p.targetName()
                        + " " + Arrays.toString(shape));
            }
        }
    }

    private void put(int layer, Projection p, float[] a, float[] b, int[] shape) {
        pairs.put(key(layer, p), new Pair(Var.param(name(layer, p, "A"), a, config.rank(), shape[1]),
                Var.param(name(layer, p, "B"), b, shape[0], config.rank())));
    }

    private static float[] floats(Map<String, Tensor> tensors, String name, int rows, int cols, Path dir) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(dir + ": adapter has no tensor " + name);
        if (!Arrays.equals(t.shape(), new long[] {rows, cols})) {
            throw new IllegalArgumentException(dir + ": tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", the model needs [" + rows + ", " + cols + "]");
        }
        return t.toFloats();
    }

    /** [out, in] of projection p. */
    private static int[] shape(LlamaConfig c, Projection p) {
        return switch (p) {
            case Q, O -> new int[] {c.dim(), c.dim()};
            case K, V -> new int[] {c.kvDim(), c.dim()};
            case GATE, UP -> new int[] {c.hiddenDim(), c.dim()};
            case DOWN -> new int[] {c.dim(), c.hiddenDim()};
        };
    }

    static String name(int layer, Projection p, String factor) {
        return "base_model.model.model.layers." + layer + "." + p.module() + ".lora_" + factor + ".weight";
    }

    private static String key(int layer, Projection p) {
        return layer + "/" + p;
    }

    public LoraConfig config() {
        return config;
    }

    /** Dropout masks of the next forward are drawn from this seed (set per micro-batch, so resume redraws them). */
    public void reseed(long seed) {
        this.dropoutSeed = seed;
    }

    /** The trainable factors under their PEFT names (weight decay applies: they are matrices). */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (Pair pr : pairs.values()) {
            out.add(new Parameter(pr.a().name(), pr.a(), true));
            out.add(new Parameter(pr.b().name(), pr.b(), true));
        }
        return out;
    }

    @Override
    public Var apply(Tape tape, int layer, Projection projection, Var input, Var base) {
        Pair pr = pairs.get(key(layer, projection));
        if (pr == null) return base;
        Var x = Dropout.apply(tape, input, (float) config.dropout(), dropoutSeed ^ (layer * 31L + projection.ordinal()) * 0x9E3779B97F4A7C15L);
        return Add.apply(tape, base, Linear.apply(tape, Linear.apply(tape, x, pr.a()), pr.b()), (float) config.scale());
    }

    /** Writes adapter_config.json and adapter_model.safetensors into {@code dir}, atomically each. */
    public void save(Path dir, String baseModel) throws IOException {
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (Pair pr : pairs.values()) {
            for (Var v : List.of(pr.a(), pr.b())) entries.add(new SafetensorsWriter.Entry(v.name(), new long[] {v.rows(), v.cols()}, v.value()));
        }
        SafetensorsWriter.writeF32(dir.resolve("adapter_model.safetensors"), entries);
        AtomicWrite.write(dir.resolve("adapter_config.json"),
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(config.toJson(baseModel)));
    }

    /** The adapters for inference, applied unmerged beside the base ({@link org.knowcoder.model.LlamaSession#useAdapter}). */
    public LowRankUpdates forInference() {
        LowRankUpdates u = new LowRankUpdates((float) config.scale());
        pairs.forEach((key, pr) -> {
            String[] lp = key.split("/");
            u.put(Integer.parseInt(lp[0]), Projection.valueOf(lp[1]), pr.a().value().clone(), pr.b().value().clone(),
                    config.rank(), pr.a().cols(), pr.b().rows());
        });
        return u;
    }

    /** Adds (alpha / r) B A to each adapted weight of {@code params} (trainable F32 copies of the base). */
    public void mergeInto(LlamaParams params) {
        float s = (float) config.scale();
        for (int l = 0; l < params.layers().size(); l++) {
            for (Projection p : Projection.values()) {
                Pair pr = pairs.get(key(l, p));
                if (pr == null) continue;
                float[] w = params.layer(l).weight(p).value(), a = pr.a().value(), b = pr.b().value();
                int out = pr.b().rows(), in = pr.a().cols(), r = config.rank();
                for (int o = 0; o < out; o++) {
                    for (int k = 0; k < r; k++) {
                        float f = s * b[o * r + k];
                        for (int i = 0; i < in; i++) w[o * in + i] += f * a[k * in + i];
                    }
                }
            }
        }
    }
}
