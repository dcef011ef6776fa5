package org.knowcoder.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * LoRA hyperparameters as PEFT's adapter_config.json holds them: rank r, alpha (the update is
 * scaled by alpha / r), dropout on the adapter's input, and the target projections (KnowCoder: r 32,
 * alpha 64, dropout 0.1 on all seven).
 */
public record LoraConfig(int rank, double alpha, double dropout, Set<Projection> targets) {

    public LoraConfig {
        if (rank < 1) throw new BadInputException("LoRA rank must be at least 1, got " + rank);
        if (!(alpha > 0 && alpha < Double.POSITIVE_INFINITY)) throw new BadInputException("LoRA alpha must be positive, got " + alpha);
        if (!(dropout >= 0 && dropout < 1)) throw new BadInputException("LoRA dropout must be in [0, 1), got " + dropout);
        if (targets.isEmpty()) throw new BadInputException("LoRA needs at least one target module");
        targets = Set.copyOf(targets);
    }

    public double scale() {
        return alpha / rank;
    }

    /** Projections by PEFT name (q_proj ... down_proj); an unknown name is an error that lists the known ones. */
    public static Set<Projection> parseTargets(List<String> names) {
        Set<Projection> out = EnumSet.noneOf(Projection.class);
        for (String n : names) {
            Projection p = Projection.byTargetName(n.trim());
            if (p == null) {
                throw new BadInputException("unknown LoRA target module \"" + n + "\" (known: "
                        + Arrays.stream(Projection.values()).map(Projection::targetName).collect(Collectors.joining(", ")) + ")");
            }
            out.add(p);
        }
        return out;
    }

    public static LoraConfig read(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not valid JSON (" + e.getOriginalMessage() + "); expected PEFT's adapter_config.json");
        }
        if (n == null || !n.isObject()) throw new BadInputException(file + ": expected a JSON object (PEFT's adapter_config.json)");
        List<String> names = new java.util.ArrayList<>();
        n.path("target_modules").forEach(t -> names.add(t.asText()));
        try {
            return new LoraConfig(n.path("r").asInt(0), n.path("lora_alpha").asDouble(), n.path("lora_dropout").asDouble(0), parseTargets(names));
        } catch (BadInputException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
    }

    /** adapter_config.json in PEFT's layout. */
    public ObjectNode toJson(String baseModel) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("peft_type", "LORA");
        n.put("task_type", "CAUSAL_LM");
        n.put("r", rank);
        n.put("lora_alpha", alpha);
        n.put("lora_dropout", dropout);
        var arr = n.putArray("target_modules");
        for (Projection p : Projection.values()) if (targets.contains(p)) arr.add(p.targetName());
        n.put("bias", "none");
        n.put("fan_in_fan_out", false);
        n.put("base_model_name_or_path", baseModel);
        return n;
    }
}
