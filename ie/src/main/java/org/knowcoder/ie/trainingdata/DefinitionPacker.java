package org.knowcoder.ie.trainingdata;

import org.knowcoder.schema.Concept;
import org.knowcoder.schema.PythonRenderer;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Style;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Schema definition code (paper section 3.2): every concept of the library once, in a seeded random
 * order, rendered with its docstring, and packed: classes, separated by a blank line, join a text
 * while the sum of their token counts stays within {@code maxTokens}. A class longer than that is a
 * text of its own.
 */
final class DefinitionPacker {
    private DefinitionPacker() {}

    /** One packed text and the classes defined in it ("entity Human"). */
    record Pack(String text, List<String> classes) {}

    static void pack(SchemaLibrary library, int maxTokens, ToIntFunction<String> tokens, long seed, Consumer<Pack> out) {
        List<Concept> order = new ArrayList<>(library.concepts());
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            order.set(j, order.set(i, order.get(j)));
        }
        StringBuilder text = new StringBuilder();
        List<String> classes = new ArrayList<>();
        int used = 0;
        for (Concept c : order) {
            String code = PythonRenderer.render(c, Task.of(c.kind()), Style.FOLLOWING);
            int n = tokens.applyAsInt(code);
            if (!classes.isEmpty() && used + n > maxTokens) {
                out.accept(new Pack(text.toString(), List.copyOf(classes)));
                text.setLength(0);
                used = 0;
                classes.clear();
            }
            if (!classes.isEmpty()) text.append("\n\n");
            text.append(code);
            used += n;
            classes.add(c.label());
        }
        if (!classes.isEmpty()) out.accept(new Pack(text.toString(), List.copyOf(classes)));
    }
}
