package org.knowcoder.ie.trainingdata;

import org.knowcoder.io.BadInputException;

import java.util.Locale;

/**
 * Where instance code puts the sentence and the classes (the ablation of the paper's Appendix A):
 * the sentence, then the import clause ({@code SENTENCE_FIRST}, the default); the import clause
 * first ({@code IMPORT_FIRST}); or the classes' full definitions instead of imports ({@code WHOLE}).
 */
public enum InstanceForm {
    SENTENCE_FIRST, IMPORT_FIRST, WHOLE;

    public static InstanceForm parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "sentence-first" -> SENTENCE_FIRST;
            case "import-first" -> IMPORT_FIRST;
            case "whole" -> WHOLE;
            default -> throw new BadInputException("unknown instance form '" + name + "' (expected sentence-first, import-first or whole)");
        };
    }
}
