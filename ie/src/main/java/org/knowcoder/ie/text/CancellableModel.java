package org.knowcoder.ie.text;

import org.knowcoder.ie.constrain.ResultsGrammar;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A model as one extraction asks it: every answer it asks for is kept, so that {@link #cancel}
 * (the caller gave up: a timeout, a client gone) cancels them all, and the decoder drops their
 * prompts rather than answering them for nobody. Answers asked after the cancel (a later task's
 * prompts, asked once an earlier one's answer is in) are cancelled at once.
 */
public final class CancellableModel implements TextModel {
    private final TextModel model;
    private final List<CompletableFuture<String>> asked = new ArrayList<>();
    private boolean cancelled;

    public CancellableModel(TextModel model) {
        this.model = model;
    }

    @Override
    public CompletableFuture<String> answer(Object group, String prompt, ResultsGrammar grammar, Consumer<String> stream) {
        synchronized (asked) {
            if (cancelled) return CompletableFuture.failedFuture(new java.util.concurrent.CancellationException("the extraction was cancelled"));
            CompletableFuture<String> a = model.answer(group, prompt, grammar, stream);
            asked.add(a);
            return a;
        }
    }

    /** Cancels every answer asked for and any asked from now on. */
    public void cancel() {
        synchronized (asked) {
            cancelled = true;
            asked.forEach(a -> a.cancel(false));
            asked.clear();
        }
    }

    @Override
    public int tokens(String text) {
        return model.tokens(text);
    }

    @Override
    public int promptRoom() {
        return model.promptRoom();
    }
}
