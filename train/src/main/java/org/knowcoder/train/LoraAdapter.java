package org.knowcoder.train;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LoraConfig;
import org.knowcoder.model.LowRankUpdates;
import org.knowcoder.model.Projection;
import org.knowcoder.model.format.PeftAdapter;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.ProjectionHook;
import org.knowcoder.tensor.autograd.Add;
import org.knowcoder.tensor.autograd.Dropout;
import org.knowcoder.tensor.autograd.Linear;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trainable LoRA adapters on a frozen base: projection p of layer l returns W x + (alpha / r) B A
 * dropout(x), A [r, in] and B [out, r] trainable, the base untouched in its file dtype. Saved and
 * loaded as a {@link PeftAdapter}; {@link #mergeInto} folds the update into a model's weights for export.
 */
public final class LoraAdapter implements ProjectionHook {
    private record Pair(int layer, Projection projection, Var a, Var b) {}

    private final LoraConfig config;
    private final Map<String, Pair> pairs = new LinkedHashMap<>();
    private long dropoutSeed;

    private LoraAdapter(LoraConfig config) {
        this.config = config;
    }

    /** Fresh adapters as PEFT initializes them: A uniform in +-1/sqrt(in) (seeded), B zero, so training starts at the base model. */
    public static LoraAdapter create(LoraConfig config, LlamaConfig model, long seed) {
        PeftAdapter.checkRank(config, model);
        LoraAdapter ad = new LoraAdapter(config);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int l = 0; l < model.nLayers(); l++) {
            for (Projection p : Projection.values()) {
                if (!config.targets().contains(p)) continue;
                int[] shape = PeftAdapter.shape(model, p);
                float[] a = new float[config.rank() * shape[1]];
                double bound = 1 / Math.sqrt(shape[1]);
                for (int i = 0; i < a.length; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                ad.put(new PeftAdapter.Factors(l, p, a, new float[shape[0] * config.rank()], shape[0], shape[1]));
            }
        }
        return ad;
    }

    /** Reads a PEFT adapter directory to train on; a tensor of the wrong shape, or a missing one, is an error naming it. */
    public static LoraAdapter load(Path dir, LlamaConfig model) throws IOException {
        PeftAdapter file = PeftAdapter.read(dir, model);
        LoraAdapter ad = new LoraAdapter(file.config());
        file.factors().forEach(ad::put);
        return ad;
    }

    private void put(PeftAdapter.Factors f) {
        pairs.put(key(f.layer(), f.projection()), new Pair(f.layer(), f.projection(),
                Var.param(PeftAdapter.name(f.layer(), f.projection(), "A"), f.a(), config.rank(), f.in()),
                Var.param(PeftAdapter.name(f.layer(), f.projection(), "B"), f.b(), f.out(), config.rank())));
    }

    private static String key(int layer, Projection p) {
        return layer + "/" + p;
    }

    public LoraConfig config() {
        return config;
    }

    /** Dropout masks of the next forwards are drawn from this seed (set per step, so a resumed step redraws them). */
    @Override
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

    /** The adapter as it stands, in PEFT's layout (the factors' current values, not copies). */
    public PeftAdapter asFile() {
        List<PeftAdapter.Factors> factors = new ArrayList<>();
        for (Pair pr : pairs.values()) factors.add(new PeftAdapter.Factors(pr.layer(), pr.projection(), pr.a().value(), pr.b().value(), pr.b().rows(), pr.a().cols()));
        return new PeftAdapter(config, factors);
    }

    /** Writes adapter_config.json and adapter_model.safetensors into {@code dir}, atomically each. */
    public void save(Path dir, String baseModel) throws IOException {
        asFile().write(dir, baseModel);
    }

    /** The adapters for inference, applied unmerged beside the base ({@link org.knowcoder.model.session.LlamaSession#useAdapter}). */
    public LowRankUpdates forInference() {
        return asFile().forInference();
    }

    /** Adds (alpha / r) B A to each adapted weight of {@code params} (trainable F32 copies of the base). */
    public void mergeInto(LlamaParams params) {
        float s = (float) config.scale();
        for (Pair pr : pairs.values()) {
            float[] w = params.layer(pr.layer()).weight(pr.projection()).value(), a = pr.a().value(), b = pr.b().value();
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
