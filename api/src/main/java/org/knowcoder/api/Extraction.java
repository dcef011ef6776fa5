package org.knowcoder.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.knowcoder.ie.text.TextResult;

import java.util.List;

/**
 * What was found in one text: entities, relations and events with character offsets into
 * {@code text} (end exclusive). Jackson writes it as one sample of the IE format the project's
 * datasets and scorer use ({@code {"id", "text", "entities", "relations", "events"}}), plus
 * {@code "truncated": true} when a sentence was too long for one prompt and was cut into pieces, and
 * the generated code ({@code "raw"}) unless {@link #withoutRaw} dropped it.
 *
 * <p>Spans are placed on the text by a rule: an entity or trigger on its first occurrence not
 * taken by another prediction of its type (a repeat beyond the occurrences is a duplicate and
 * dropped); a relation's head and tail on their occurrences nearest each other; an event argument
 * on its occurrence nearest the trigger.
 *
 * @param sentences how many sentences the text was split into (not written)
 */
@JsonPropertyOrder({"id", "text", "entities", "relations", "events", "truncated", "raw"})
public record Extraction(String id, String text, List<Mention> entities, List<Relation> relations, List<Event> events,
                         @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean truncated,
                         @JsonIgnore int sentences,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Raw> raw) {
    public Extraction {
        entities = List.copyOf(entities);
        relations = List.copyOf(relations);
        events = List.copyOf(events);
        raw = List.copyOf(raw);
    }

    /** A span of the text; {@code type} is null (and not written) for triggers and for relation ends no entity covers. */
    @JsonPropertyOrder({"type", "text", "start", "end"})
    public record Mention(@JsonInclude(JsonInclude.Include.NON_NULL) String type, String text, int start, int end) {}

    public record Relation(String type, Mention head, Mention tail) {}

    public record Event(String type, Mention trigger, List<Argument> arguments) {
        public Event {
            arguments = List.copyOf(arguments);
        }
    }

    @JsonPropertyOrder({"role", "text", "start", "end"})
    public record Argument(String role, String text, int start, int end) {}

    /** The code the model wrote for one task ({@code ner}, {@code re}, {@code ed}, {@code eae}) on characters [start, end) of the text. */
    @JsonPropertyOrder({"task", "start", "end", "code"})
    public record Raw(String task, int start, int end, String code) {}

    /** This extraction without the generated code. */
    public Extraction withoutRaw() {
        return new Extraction(id, text, entities, relations, events, truncated, sentences, List.of());
    }

    static Extraction of(TextResult r) {
        return new Extraction(r.id(), r.text(),
                r.entities().stream().map(Extraction::mention).toList(),
                r.relations().stream().map(x -> new Relation(x.type(), mention(x.head()), mention(x.tail()))).toList(),
                r.events().stream().map(e -> new Event(e.type(), mention(e.trigger()), e.arguments().stream()
                        .map(a -> new Argument(a.role(), a.span().text(), a.span().start(), a.span().end())).toList())).toList(),
                r.truncated(), r.sentences(),
                r.generated().stream().map(g -> new Raw(g.task(), g.start(), g.end(), g.code())).toList());
    }

    private static Mention mention(org.knowcoder.ie.Mention m) {
        return new Mention(m.type(), m.text(), m.start(), m.end());
    }
}
