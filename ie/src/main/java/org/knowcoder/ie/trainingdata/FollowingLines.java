package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.ie.SampleJson;
import org.knowcoder.ie.prompt.KnowCoderPrompt;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;
import org.knowcoder.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One input line of IE samples to the lines {@code build-data following} writes for it, for
 * {@link FollowingBuilder} and for a builder that spreads the lines itself (module spark): given the
 * line's index among the input's non-blank lines, the result is what the command writes for that
 * line, byte for byte, and with a tokenizer the sequence its shard holds for each instruction.
 * Thread-safe.
 */
public final class FollowingLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One instruction: its task, query and code, its {@code following.jsonl} line
     * ({@code {"prompt", "output"}}), its ids (BOS, the query wrapped as the model input, the code,
     * EOS; null without a tokenizer) and the first id in the loss, its gold classes and instances.
     */
    public record Line(Task task, String prompt, String output, String json, int[] ids, int maskFrom, List<String> types, int instances) {
        /** UTF-8 bytes of the prompt and the output. */
        long bytes() {
            return prompt.getBytes(StandardCharsets.UTF_8).length + output.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    private final FollowingSampler sampler;
    private final Tokens tokens;

    /** Without ids. */
    public FollowingLines(SchemaLibrary library, FollowingOptions options) {
        this(library, options, null);
    }

    /** {@code tokenizer} null: no ids. */
    public FollowingLines(SchemaLibrary library, FollowingOptions options, Tokenizer tokenizer) {
        this.sampler = new FollowingSampler(new ClassResolver(library), options);
        this.tokens = new Tokens(tokenizer);
    }

    /**
     * The instructions of a line, in the order they are written. A line that is not a sample throws
     * {@link JsonProcessingException} (not JSON) or {@link IllegalArgumentException} (why it is not a
     * sample), as build-data skips it.
     */
    public List<Line> of(String sampleLine, long index) throws JsonProcessingException {
        return sampler.build(SampleJson.fromLine(sampleLine), index).stream().map(this::line).toList();
    }

    private Line line(FollowingSample s) {
        String modelInput = KnowCoderPrompt.wrap(s.prompt());
        int[] ids = tokens.instruction(modelInput, s.output());
        String json = JSON.createObjectNode().put("prompt", s.prompt()).put("output", s.output()).toString();
        return new Line(s.task(), s.prompt(), s.output(), json, ids, ids == null ? 0 : tokens.outputStart(modelInput, ids),
                s.gold().classes(), s.gold().instances().size());
    }
}
