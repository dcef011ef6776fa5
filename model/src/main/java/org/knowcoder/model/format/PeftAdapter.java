package org.knowcoder.model.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LoraConfig;
import org.knowcoder.model.LowRankUpdates;
import org.knowcoder.model.Projection;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A LoRA adapter in PEFT's file layout: adapter_config.json ({@link LoraConfig}) and
 * adapter_model.safetensors with {@code base_model.model.model.layers.L.MODULE.lora_A.weight} (A,
 * [rank, in]) and {@code lora_B} (B, [out, rank]) per adapted projection. Rows of q/k are in the
 * base checkpoint's layout, like the base. Inference applies it unmerged ({@link #forInference});
 * training wraps its factors in trainable variables.
 */
public record PeftAdapter(LoraConfig config, List<Factors> factors) {
    /** One projection's factors: A [rank, in] and B [out, rank], row-major. */
    public record Factors(int layer, Projection projection, float[] a, float[] b, int out, int in) {}

    public PeftAdapter {
        factors = List.copyOf(factors);
    }

    /** Reads an adapter directory for {@code model}; a missing tensor or one of the wrong shape is an error naming it. */
    public static PeftAdapter read(Path dir, LlamaConfig model) throws IOException {
        Path configFile = dir.resolve("adapter_config.json");
        LoraConfig config = LoraConfig.read(configFile);
        try {
            checkRank(config, model);
        } catch (BadInputException e) {
            throw new BadInputException(configFile + ": " + e.getMessage(), e);
        }
        List<Factors> factors = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> tensors = SafetensorsFile.read(dir.resolve("adapter_model.safetensors"), arena);
            for (int l = 0; l < model.nLayers(); l++) {
                for (Projection p : Projection.values()) {
                    if (!config.targets().contains(p)) continue;
                    int[] shape = shape(model, p);
                    factors.add(new Factors(l, p, floats(tensors, name(l, p, "A"), config.rank(), shape[1], dir),
                            floats(tensors, name(l, p, "B"), shape[0], config.rank(), dir), shape[0], shape[1]));
                }
            }
        }
        return new PeftAdapter(config, factors);
    }

    /** Writes adapter_config.json and adapter_model.safetensors into {@code dir}, atomically each. */
    public void write(Path dir, String baseModel) throws IOException {
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (Factors f : factors) {
            entries.add(new SafetensorsWriter.Entry(name(f.layer(), f.projection(), "A"), new long[] {config.rank(), f.in()}, f.a()));
            entries.add(new SafetensorsWriter.Entry(name(f.layer(), f.projection(), "B"), new long[] {f.out(), config.rank()}, f.b()));
        }
        SafetensorsWriter.writeF32(dir.resolve("adapter_model.safetensors"), entries);
        AtomicWrite.write(dir.resolve("adapter_config.json"),
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(config.toJson(baseModel)));
    }

    /** The update (alpha / r) B A of every adapted projection, applied beside the base ({@code LlamaSession.useAdapter}). */
    public LowRankUpdates forInference() {
        LowRankUpdates u = new LowRankUpdates((float) config.scale());
        for (Factors f : factors) u.put(f.layer(), f.projection(), f.a().clone(), f.b().clone(), config.rank(), f.in(), f.out());
        return u;
    }

    /** B A has rank at most the smaller side of the projection; a larger r adds parameters, not rank. */
    public static void checkRank(LoraConfig config, LlamaConfig model) {
        for (Projection p : Projection.values()) {
            int[] shape = shape(model, p);
            if (config.targets().contains(p) && config.rank() > Math.min(shape[0], shape[1])) {
                throw new BadInputException("LoRA rank " + config.rank() + " is larger than the smaller side of " + p.targetName()
                        + " " + Arrays.toString(shape));
            }
        }
    }

    /** [out, in] of projection p. */
    public static int[] shape(LlamaConfig c, Projection p) {
        return switch (p) {
            case Q, O -> new int[] {c.dim(), c.dim()};
            case K, V -> new int[] {c.kvDim(), c.dim()};
            case GATE, UP -> new int[] {c.hiddenDim(), c.dim()};
            case DOWN -> new int[] {c.dim(), c.hiddenDim()};
        };
    }

    /** The PEFT tensor name of a factor ("A" or "B") of projection p in layer l. */
    public static String name(int layer, Projection p, String factor) {
        return "base_model.model.model.layers." + layer + "." + p.module() + ".lora_" + factor + ".weight";
    }

    private static float[] floats(Map<String, Tensor> tensors, String name, int rows, int cols, Path dir) {
        Tensor t = tensors.get(name);
        if (t == null) throw new BadInputException(dir + ": adapter has no tensor " + name);
        if (!Arrays.equals(t.shape(), new long[] {rows, cols})) {
            throw new BadInputException(dir + ": tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", the model needs [" + rows + ", " + cols + "]");
        }
        return t.toFloats();
    }
}
