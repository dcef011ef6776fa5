package org.knowcoder.schema;

/**
 * One rule a library breaks: the concept (as "entity Human"), the rule's short name, and what is
 * wrong. Rules: name, reserved-name, duplicate-name, unknown-parent, cycle, unknown-type,
 * kind-fields, duplicate-role, duplicate-method, duplicate-id, instances.
 */
public record Problem(String concept, String rule, String message) {
    @Override
    public String toString() {
        return concept + ": " + message + " [" + rule + "]";
    }
}
