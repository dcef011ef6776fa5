package org.knowcoder.ie.text;

import org.knowcoder.ie.constrain.ResultsGrammar;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A stub model that replays fixed generated code: the answer to a prompt is looked up by its task
 * (from the instruction) and the text between the quotes of its {@code sentence = "..."}; anything
 * not scripted is {@code results = []}. A token is a space-separated word, so chunk sizes are easy to
 * reason about. Records every prompt it is asked.
 */
final class ScriptedModel implements TextModel {
    private final Function<String, String> script;
    final List<String> prompts = new ArrayList<>();

    /** @param script "TASK|chunk text" to the code the model "writes" (TASK: NER, RE, ED, EAE) */
    ScriptedModel(Map<String, String> script) {
        this.script = key -> script.getOrDefault(key, "results = []");
    }

    /** @param script from "TASK|chunk text" to the code the model "writes" */
    ScriptedModel(Function<String, String> script) {
        this.script = script;
    }

    @Override
    public synchronized CompletableFuture<String> answer(Object group, String prompt, ResultsGrammar grammar, Consumer<String> stream) {
        prompts.add(prompt);
        String code = script.apply(task(prompt) + "|" + sentence(prompt));
        if (stream != null) stream.accept(code);
        return CompletableFuture.completedFuture(code);
    }

    static String task(String prompt) {
        if (prompt.contains("Relation Objects")) return "RE";
        if (prompt.contains("Event Objects")) return prompt.contains("confirmed as follows") ? "EAE" : "ED";
        return "NER";
    }

    static String sentence(String prompt) {
        int start = prompt.lastIndexOf("sentence = \"") + "sentence = \"".length();
        return prompt.substring(start, prompt.lastIndexOf('"'));
    }

    @Override
    public int tokens(String text) {
        return text.isBlank() ? 0 : text.strip().split(" +").length;
    }

    @Override
    public int promptRoom() {
        return 100_000;
    }
}
