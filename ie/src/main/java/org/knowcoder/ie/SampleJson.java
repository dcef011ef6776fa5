package org.knowcoder.ie;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.knowcoder.io.BadInputException;
import org.knowcoder.io.InputFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Samples as JSON lines in the layout of DESIGN.md "IE data" (a mention without a type has no "type" key). */
public final class SampleJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleJson() {}

    public static String toLine(Sample s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", s.id()).put("dataset", s.dataset()).put("text", s.text());
        ArrayNode entities = o.putArray("entities");
        s.entities().forEach(m -> entities.add(mention(m)));
        ArrayNode relations = o.putArray("relations");
        for (Relation r : s.relations()) {
            ObjectNode rel = relations.addObject().put("type", r.type());
            rel.set("head", mention(r.head()));
            rel.set("tail", mention(r.tail()));
        }
        ArrayNode events = o.putArray("events");
        for (Event e : s.events()) {
            ObjectNode ev = events.addObject().put("type", e.type());
            ev.set("trigger", mention(e.trigger()));
            ArrayNode args = ev.putArray("arguments");
            for (Argument a : e.arguments()) args.add(JSON.createObjectNode().put("role", a.role()).setAll(mention(a.span())));
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of strings and ints always serializes
        }
    }

    /** Every non-blank line of a samples file; a bad line is a BadInputException naming the file and line. */
    public static List<Sample> read(Path file) throws IOException {
        List<Sample> out = new ArrayList<>();
        List<String> lines = InputFiles.readUtf8(file, "IE samples as JSON lines").lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                out.add(fromLine(lines.get(i)));
            } catch (JsonProcessingException | BadInputException e) {
                throw new BadInputException(file + ":" + (i + 1) + ": not an IE sample: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return out;
    }

    /** Reads one line; a missing field or a span that does not fit the text is a BadInputException. */
    public static Sample fromLine(String line) throws JsonProcessingException {
        JsonNode o = JSON.readTree(line);
        String text = required(o, "text").asText();
        List<Mention> entities = new ArrayList<>();
        for (JsonNode m : o.path("entities")) entities.add(mention(m, text));
        List<Relation> relations = new ArrayList<>();
        for (JsonNode r : o.path("relations")) {
            relations.add(new Relation(required(r, "type").asText(), mention(required(r, "head"), text), mention(required(r, "tail"), text)));
        }
        List<Event> events = new ArrayList<>();
        for (JsonNode e : o.path("events")) {
            List<Argument> args = new ArrayList<>();
            for (JsonNode a : e.path("arguments")) args.add(new Argument(required(a, "role").asText(), mention(a, text)));
            events.add(new Event(required(e, "type").asText(), mention(required(e, "trigger"), text), args));
        }
        return new Sample(o.path("id").asText(""), o.path("dataset").asText(""), text, entities, relations, events);
    }

    private static ObjectNode mention(Mention m) {
        ObjectNode o = JSON.createObjectNode();
        if (m.type() != null) o.put("type", m.type());
        return o.put("text", m.text()).put("start", m.start()).put("end", m.end());
    }

    private static Mention mention(JsonNode o, String text) {
        int start = required(o, "start").asInt(), end = required(o, "end").asInt();
        if (start < 0 || end < start || end > text.length()) {
            throw new BadInputException("span [" + start + ", " + end + ") lies outside the text (length " + text.length() + ")");
        }
        String type = o.hasNonNull("type") ? o.get("type").asText() : null;
        Mention m = Mention.of(type, text, start, end);
        if (o.has("text") && !o.get("text").asText().equals(m.text())) {
            throw new BadInputException("span [" + start + ", " + end + ") is \"" + m.text() + "\", not \"" + o.get("text").asText() + "\"");
        }
        return m;
    }

    private static JsonNode required(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) throw new BadInputException("missing \"" + field + "\"");
        return v;
    }
}
