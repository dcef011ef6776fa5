package org.knowcoder.model;

/** The seven linear projections of a LLaMA block, with their module names in Hugging Face/PEFT checkpoints. */
public enum Projection {
    Q("self_attn.q_proj"), K("self_attn.k_proj"), V("self_attn.v_proj"), O("self_attn.o_proj"),
    GATE("mlp.gate_proj"), UP("mlp.up_proj"), DOWN("mlp.down_proj");

    private final String module;

    Projection(String module) {
        this.module = module;
    }

    /** The module path inside a layer, e.g. {@code self_attn.q_proj}. */
    public String module() {
        return module;
    }

    /** The short name PEFT's target_modules uses, e.g. {@code q_proj}. */
    public String targetName() {
        return module.substring(module.indexOf('.') + 1);
    }

    /** The projection PEFT calls {@code name} (q_proj, ..., down_proj), or null. */
    public static Projection byTargetName(String name) {
        for (Projection p : values()) if (p.targetName().equals(name)) return p;
        return null;
    }
}
