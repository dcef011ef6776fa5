package org.knowcoder.ie.build;

import org.knowcoder.ie.prompt.PyCode;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.PythonRenderer;
import org.knowcoder.schema.Style;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Instance code of the schema-understanding data (paper section 3.2, Appendix L.1): for one concept
 * of a sentence at a time, the sentence, the import clause and the instantiating clause, e.g.
 * <pre>
 * sentence = "Ann was born in Paris."
 * from Entities import Human, City
 * from Relations import PlaceOfBirth
 * results = [
 * 	PlaceOfBirth(Human("Ann"), City("Paris"))
 * ]</pre>
 * Entities are instantiated with their class; relation heads and tails and event arguments with
 * their entity's first type; events as {@code Marriage(trigger = "married", spouse = [Human("Bob")])}.
 */
final class InstanceCode {
    private InstanceCode() {}

    /** One piece of instance code: the concept it instantiates, its text and how many instances it holds. */
    record Code(Kind kind, String concept, String text, int instances) {}

    /** The sentence's codes: its entity types, then relations, then events, each in order of first appearance. */
    static List<Code> of(KelmSentence s, InstanceForm form) {
        List<Code> out = new ArrayList<>();
        Map<Concept, List<String>> entities = new LinkedHashMap<>();
        for (KelmSentence.Typed e : s.entities()) {
            for (Concept t : e.types()) entities.computeIfAbsent(t, k -> new ArrayList<>()).add(PyCode.call(t.name(), e.name()));
        }
        entities.forEach((c, calls) -> out.add(code(s, form, c, List.of(), calls)));

        Map<Concept, List<KelmSentence.RelationFact>> relations = new LinkedHashMap<>();
        for (KelmSentence.RelationFact r : s.relations()) relations.computeIfAbsent(r.relation(), k -> new ArrayList<>()).add(r);
        relations.forEach((c, facts) -> {
            LinkedHashSet<String> types = new LinkedHashSet<>();
            List<String> calls = new ArrayList<>();
            for (KelmSentence.RelationFact r : facts) {
                types.add(r.head().mainType());
                types.add(r.tail().mainType());
                calls.add(c.name() + "(" + typed(r.head()) + ", " + typed(r.tail()) + ")");
            }
            out.add(code(s, form, c, entityConcepts(s, types), calls));
        });

        Map<Concept, List<KelmSentence.EventFact>> events = new LinkedHashMap<>();
        for (KelmSentence.EventFact e : s.events()) events.computeIfAbsent(e.event(), k -> new ArrayList<>()).add(e);
        events.forEach((c, facts) -> {
            LinkedHashSet<String> types = new LinkedHashSet<>();
            List<String> calls = new ArrayList<>();
            for (KelmSentence.EventFact e : facts) {
                e.arguments().forEach(a -> types.add(a.entity().mainType()));
                calls.add(eventCall(c.name(), e));
            }
            out.add(code(s, form, c, entityConcepts(s, types), calls));
        });
        return out;
    }

    private static String typed(KelmSentence.Typed e) {
        return PyCode.call(e.mainType(), e.name());
    }

    private static String eventCall(String cls, KelmSentence.EventFact e) {
        Map<String, List<String>> byRole = new LinkedHashMap<>();
        for (KelmSentence.Filler a : e.arguments()) byRole.computeIfAbsent(a.role(), r -> new ArrayList<>()).add(typed(a.entity()));
        List<String> parts = new ArrayList<>();
        if (e.trigger() != null) parts.add("trigger = \"" + e.trigger() + "\"");
        byRole.forEach((role, fillers) -> parts.add(role + " = [" + String.join(", ", fillers) + "]"));
        return cls + "(" + String.join(", ", parts) + ")";
    }

    /** The entity classes of these names (each the first type of some entity of the sentence). */
    private static List<Concept> entityConcepts(KelmSentence s, LinkedHashSet<String> names) {
        Map<String, Concept> byName = new LinkedHashMap<>();
        for (KelmSentence.Typed e : s.entities()) byName.putIfAbsent(e.mainType(), e.types().getFirst());
        return names.stream().map(byName::get).toList();
    }

    private static Code code(KelmSentence s, InstanceForm form, Concept concept, List<Concept> entityTypes, List<String> calls) {
        String sentence = PyCode.sentence(s.text());
        String results = PyCode.results(calls);
        String text = switch (form) {
            case SENTENCE_FIRST -> sentence + "\n" + imports(concept, entityTypes) + "\n" + results;
            case IMPORT_FIRST -> imports(concept, entityTypes) + "\n" + sentence + "\n" + results;
            case WHOLE -> definitions(concept, entityTypes) + "\n\n" + sentence + "\n" + results;
        };
        return new Code(concept.kind(), concept.name(), text, calls.size());
    }

    private static String imports(Concept concept, List<Concept> entityTypes) {
        if (concept.kind() == Kind.ENTITY) return PyCode.imports("Entities", List.of(concept.name()));
        String own = PyCode.imports(concept.kind() == Kind.RELATION ? "Relations" : "Events", List.of(concept.name()));
        if (entityTypes.isEmpty()) return own; // an event without arguments names no entity class
        return PyCode.imports("Entities", entityTypes.stream().map(Concept::name).toList()) + "\n" + own;
    }

    /** The full definitions of what the import clause would import: the entity types, then the concept. */
    private static String definitions(Concept concept, List<Concept> entityTypes) {
        List<String> parts = new ArrayList<>();
        for (Concept t : entityTypes) parts.add(PythonRenderer.render(t, Task.NER, Style.FOLLOWING));
        parts.add(PythonRenderer.render(concept, Task.of(concept.kind()), Style.FOLLOWING));
        return String.join("\n\n", parts);
    }
}
