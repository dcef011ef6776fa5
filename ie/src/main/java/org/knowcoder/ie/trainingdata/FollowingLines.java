package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.ie.SampleJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.util.List;

/**
 * One input line of IE samples to the lines {@code build-data following} writes for it, for a
 * builder that spreads the lines itself (module spark): given the line's index among the input's
 * non-blank lines, the result is what {@link FollowingBuilder} writes for that line, byte for byte.
 * Thread-safe.
 */
public final class FollowingLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One instruction: its task, query and code, and its {@code following.jsonl} line ({@code {"prompt", "output"}}). */
    public record Line(Task task, String prompt, String output, String json) {}

    private final FollowingSampler sampler;

    public FollowingLines(SchemaLibrary library, FollowingOptions options) {
        this.sampler = new FollowingSampler(new ClassResolver(library), options);
    }

    /**
     * The instructions of a line, in the order they are written. A line that is not a sample throws
     * {@link JsonProcessingException} (not JSON) or {@link IllegalArgumentException} (why it is not a
     * sample), as build-data skips it.
     */
    public List<Line> of(String sampleLine, long index) throws JsonProcessingException {
        return sampler.build(SampleJson.fromLine(sampleLine), index).stream().map(s -> new Line(s.task(), s.prompt(), s.output(), json(s))).toList();
    }

    /** A sample's line of {@code following.jsonl}. */
    static String json(FollowingSample s) {
        return JSON.createObjectNode().put("prompt", s.prompt()).put("output", s.output()).toString();
    }
}
