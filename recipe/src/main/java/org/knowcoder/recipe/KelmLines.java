package org.knowcoder.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.DatasetLabels;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.schema.Task;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A train sentence as a line of the KELM-style corpus that schema-understanding data is built from
 * (format in the ie module's KelmReader): the datasets' annotations stand in for KELM's Wikidata
 * facts, so their labels become the library's class names through the dataset's label map.
 * Relation ends and event arguments are entities of the line, so only those that are also typed
 * entity mentions of the sentence are kept (an untyped span has no class for instance code).
 */
final class KelmLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Label to class name per task, and role to argument name, of one dataset. */
    private final Map<Task, Map<String, String>> classes = new HashMap<>();
    private final Map<String, String> arguments = new HashMap<>();

    KelmLines(String dataset) {
        for (Map.Entry<Task, LabelMap> e : DatasetLabels.load(dataset).entrySet()) {
            Map<String, String> byLabel = new HashMap<>();
            e.getValue().classToLabel().forEach((cls, label) -> byLabel.put(label, cls));
            classes.put(e.getKey(), byLabel);
            e.getValue().argumentToRole().forEach((arg, role) -> arguments.put(role, arg));
        }
    }

    /** The line, or null when nothing of the sentence maps to a class. */
    String line(Sample s) {
        ObjectNode o = JSON.createObjectNode().put("text", s.text());
        ArrayNode entities = o.putArray("entities");
        Map<String, Integer> index = new HashMap<>(); // "start:end" of a kept entity to its index
        for (Mention m : s.entities()) {
            String cls = cls(Task.NER, m.type());
            if (cls == null || index.containsKey(key(m))) continue;
            index.put(key(m), entities.size());
            entities.addObject().put("name", m.text()).put("start", m.start()).put("end", m.end()).putArray("types").add(cls);
        }
        ArrayNode relations = o.putArray("relations");
        for (Relation r : s.relations()) {
            String cls = cls(Task.RE, r.type());
            Integer head = index.get(key(r.head())), tail = index.get(key(r.tail()));
            if (cls != null && head != null && tail != null) relations.addObject().put("type", cls).put("head", head).put("tail", tail);
        }
        ArrayNode events = o.putArray("events");
        for (Event e : s.events()) {
            String cls = cls(Task.ED, e.type());
            if (cls == null) continue;
            ObjectNode event = events.addObject().put("type", cls).put("trigger", e.trigger().text());
            ArrayNode args = event.putArray("arguments");
            for (Argument a : e.arguments()) {
                Integer entity = index.get(key(a.span()));
                if (entity != null) args.addObject().put("role", arguments.getOrDefault(a.role(), a.role())).put("entity", entity);
            }
        }
        return entities.isEmpty() && events.isEmpty() ? null : o.toString();
    }

    private String cls(Task task, String label) {
        return label == null ? null : classes.getOrDefault(task, Map.of()).get(label);
    }

    private static String key(Mention m) {
        return m.start() + ":" + m.end();
    }

    static List<String> lines(String dataset, List<Sample> samples) {
        KelmLines k = new KelmLines(dataset);
        return samples.stream().map(k::line).filter(l -> l != null).toList();
    }
}
