package org.knowcoder.recipe;

import org.knowcoder.io.BadInputException;

import java.util.Arrays;
import java.util.Locale;

/** The recipe's stages in order; each leaves {@code OUT/<name>.done.json} when its output is complete. */
public enum Stage {
    TOKENIZER, UNDERSTANDING, FOLLOWING, SOUP, EVAL, EXPORT;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Stage parse(String name) {
        for (Stage s : values()) if (s.id().equals(name)) return s;
        throw new BadInputException("--stage " + name + ": expected one of " + Arrays.stream(values()).map(Stage::id).toList());
    }
}
