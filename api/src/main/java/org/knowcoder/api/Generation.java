package org.knowcoder.api;

import org.knowcoder.io.BadInputException;

import java.util.List;

/**
 * How {@link KnowCoder#complete} continues a prompt; the checks name the fields as the OpenAI API
 * does, since that is where a server's clients set them.
 *
 * @param maxTokens   tokens generated at most (fewer when the context ends first)
 * @param temperature 0 for greedy decoding (the same text every time), up to 2
 * @param topP        nucleus sampling's probability mass, in (0, 1]; 1 samples from every token
 * @param seed        the sampler's seed: the same seed and prompt give the same text
 * @param stop        up to 4 strings that end the text (not included)
 */
public record Generation(int maxTokens, double temperature, double topP, long seed, List<String> stop) {
    public Generation {
        if (maxTokens < 1) throw new BadInputException("max_tokens must be at least 1, got " + maxTokens);
        if (!(temperature >= 0 && temperature <= 2)) throw new BadInputException("temperature must be from 0 to 2, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new BadInputException("top_p must be above 0 and at most 1, got " + topP);
        if (stop.size() > 4) throw new BadInputException("stop may hold up to 4 strings, got " + stop.size());
        for (String s : stop) if (s.isEmpty()) throw new BadInputException("stop must not hold an empty string");
        stop = List.copyOf(stop);
    }

    /** Greedy decoding of up to {@code maxTokens} tokens, no stop strings. */
    public static Generation greedy(int maxTokens) {
        return new Generation(maxTokens, 0, 1, 1, List.of());
    }
}
