package org.knowcoder.ie.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * SpERT JSON (CoNLL04): an array of {@code {"tokens", "entities": [{type, start, end}], "relations":
 * [{type, head, tail}]}}, entity offsets in tokens (end exclusive), relation ends as entity indices.
 */
public final class SpertReader {
    private SpertReader() {}

    public static Split read(Path file, String dataset, String split) throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (JsonRecords.Record r : JsonRecords.read(file)) {
            JsonNode doc = r.node();
            long line = r.line();
            TokenText text = new TokenText(JsonRecords.strings(JsonRecords.array(doc, "tokens", file, line), file, line));
            List<Mention> entities = new ArrayList<>();
            for (JsonNode e : JsonRecords.array(doc, "entities", file, line)) {
                int start = JsonRecords.integer(e, "start", file, line), end = JsonRecords.integer(e, "end", file, line);
                if (start < 0 || end <= start || end > text.size()) {
                    throw new MalformedDataException(file, line, "entity tokens [" + start + ", " + end + ") outside the " + text.size() + " tokens");
                }
                entities.add(text.mention(e.path("type").asText(), start, end));
            }
            List<Relation> relations = new ArrayList<>();
            for (JsonNode rel : JsonRecords.array(doc, "relations", file, line)) {
                int head = JsonRecords.integer(rel, "head", file, line), tail = JsonRecords.integer(rel, "tail", file, line);
                if (Math.max(head, tail) >= entities.size() || Math.min(head, tail) < 0) {
                    throw new MalformedDataException(file, line, "relation between entities " + head + " and " + tail + ", but there are " + entities.size());
                }
                relations.add(new Relation(rel.path("type").asText(), entities.get(head), entities.get(tail)));
            }
            samples.add(new Sample(dataset + "-" + split + "-" + samples.size(), dataset, text.text, entities, relations, List.of()));
        }
        return new Split(dataset, split, samples, List.of(), List.of());
    }
}
