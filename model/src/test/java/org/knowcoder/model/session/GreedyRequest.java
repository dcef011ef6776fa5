package org.knowcoder.model.session;

import java.util.ArrayList;
import java.util.List;

/** A prompt answered greedily until it has {@code limit} tokens, which it collects: the plainest request, for decoder tests. */
final class GreedyRequest implements BatchDecoder.Request {
    final int[] prompt;
    final int limit;
    final List<Integer> tokens = new ArrayList<>();

    GreedyRequest(int[] prompt, int limit) {
        this.prompt = prompt;
        this.limit = limit;
    }

    @Override
    public int[] prompt() {
        return prompt;
    }

    @Override
    public int choose(float[] logits, int offset, int vocab) {
        return Sampler.argmax(logits, offset, vocab);
    }

    @Override
    public boolean accept(int token) {
        tokens.add(token);
        return tokens.size() < limit;
    }
}
