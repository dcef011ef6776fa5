package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.ClassNames;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the KELM-style corpus: one JSON object per line,
 * <pre>{"text": "Ann married Bob in Paris.",
 *  "entities": [{"name": "Ann", "types": ["human"], "start": 0, "end": 3}, {"name": "Bob", "types": ["Q5"]},
 *               {"name": "Paris (France)", "types": ["city"]}],
 *  "relations": [{"type": "spouse", "head": 0, "tail": 1,
 *                 "qualifiers": [{"role": "place of marriage", "entity": 2}]}],
 *  "events": [{"type": "marriage", "trigger": "married", "arguments": [{"role": "spouse", "entity": 1}]}]}</pre>
 * Types are Wikidata labels, QIDs or class names of the library; {@code head}, {@code tail} and
 * {@code entity} index {@code entities}; offsets are optional, checked against the text when present.
 * A relation with qualifiers (sub-properties) is an event of the same name whose roles are the
 * qualifiers, as in KnowCoder's published schema-understanding case ({@code AdjacentStation} with
 * {@code connecting_line}, {@code towards} and {@code direction}, but neither station); the head
 * and the tail become arguments too where the line names their roles ({@code head_role},
 * {@code tail_role}).
 * Cleaning follows {@link KelmCleaning}; a malformed line is a BadInputException saying why.
 */
final class KelmReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClassResolver classes;

    KelmReader(ClassResolver classes) {
        this.classes = classes;
    }

    KelmSentence parse(String line) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadInputException("not JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) throw new BadInputException("expected a JSON object");
        String text = text(o, "text");
        List<KelmSentence.Typed> entities = new ArrayList<>(); // null where cleaning dropped the entity
        for (JsonNode e : o.path("entities")) entities.add(entity(e, text));
        List<KelmSentence.RelationFact> relations = new ArrayList<>();
        List<KelmSentence.EventFact> events = new ArrayList<>();
        for (JsonNode r : o.path("relations")) relation(r, entities, relations, events);
        for (JsonNode e : o.path("events")) {
            List<KelmSentence.Filler> args = new ArrayList<>();
            for (JsonNode a : e.path("arguments")) filler(text(a, "role"), entityAt(a, "entity", entities), args);
            String trigger = e.hasNonNull("trigger") ? e.get("trigger").asText() : null;
            events.add(new KelmSentence.EventFact(classes.resolve(Kind.EVENT, "", text(e, "type")), trigger, args));
        }
        return new KelmSentence(text, entities.stream().filter(x -> x != null).toList(), relations, events);
    }

    private KelmSentence.Typed entity(JsonNode e, String text) {
        String name = KelmCleaning.stripBrackets(text(e, "name"));
        if (e.has("start") || e.has("end")) {
            int start = e.path("start").asInt(-1), end = e.path("end").asInt(-1);
            if (start < 0 || end < start || end > text.length()) {
                throw new BadInputException("entity \"" + name + "\": offsets [" + start + ", " + end + ") out of range (text length " + text.length() + ")");
            }
        }
        if (!e.has("types") || !e.get("types").isArray()) throw new BadInputException("entity \"" + name + "\": missing \"types\"");
        List<String> types = new ArrayList<>();
        for (JsonNode t : e.get("types")) {
            String type = KelmCleaning.stripBrackets(t.asText());
            if (!type.isEmpty()) types.add(type);
        }
        if (!KelmCleaning.keepEntity(types) || name.isEmpty()) return null;
        List<Concept> resolved = new ArrayList<>(types.size());
        for (String t : types) resolved.add(classes.resolve(Kind.ENTITY, "", t));
        return new KelmSentence.Typed(name, resolved);
    }

    private void relation(JsonNode r, List<KelmSentence.Typed> entities, List<KelmSentence.RelationFact> relations,
                          List<KelmSentence.EventFact> events) {
        String type = text(r, "type");
        KelmSentence.Typed head = entityAt(r, "head", entities), tail = entityAt(r, "tail", entities);
        List<KelmSentence.Filler> qualifiers = new ArrayList<>();
        for (JsonNode q : r.path("qualifiers")) filler(text(q, "role"), entityAt(q, "entity", entities), qualifiers);
        if (qualifiers.isEmpty()) {
            if (head != null && tail != null) relations.add(new KelmSentence.RelationFact(classes.resolve(Kind.RELATION, "", type), head, tail));
            return;
        }
        List<KelmSentence.Filler> args = new ArrayList<>();
        if (r.hasNonNull("head_role")) filler(r.get("head_role").asText(), head, args);
        if (r.hasNonNull("tail_role")) filler(r.get("tail_role").asText(), tail, args);
        args.addAll(qualifiers);
        events.add(new KelmSentence.EventFact(classes.resolve(Kind.EVENT, "", type), null, args));
    }

    /** Adds a role filler unless its entity was dropped or its role is one cleaning drops; roles become snake_case. */
    private static void filler(String role, KelmSentence.Typed entity, List<KelmSentence.Filler> out) {
        if (entity != null && KelmCleaning.keepRole(role)) out.add(new KelmSentence.Filler(ClassNames.snake(role), entity));
    }

    private static KelmSentence.Typed entityAt(JsonNode o, String field, List<KelmSentence.Typed> entities) {
        JsonNode i = o.get(field);
        if (i == null || !i.canConvertToInt()) throw new BadInputException("missing entity index \"" + field + "\"");
        if (i.asInt() < 0 || i.asInt() >= entities.size()) {
            throw new BadInputException("\"" + field + "\": entity " + i.asInt() + " out of range (" + entities.size() + " entities)");
        }
        return entities.get(i.asInt());
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new BadInputException("missing \"" + field + "\"");
        return v.asText();
    }
}
