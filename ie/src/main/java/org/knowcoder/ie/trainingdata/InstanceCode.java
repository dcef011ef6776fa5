package org.knowcoder.ie.trainingdata;

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
 * of a sentence at a time, a comment naming the task, the sentence, the import clause and the
 * instantiating clause, laid out as the KnowCoder authors' published cases (Cases.md in
 * ICT-GoKnow/KnowCoder), e.g.
 * <pre>
 * # Extract the relations from the following sentence.
 * sentence = "Ann was born in Paris."
 *
 * from Entities import Human, City
 * from Relations import PlaceOfBirth
 *
 * results = [
 *     PlaceOfBirth(
 *         Human("Ann"),
 *         City("Paris")
 *     )
 * ]</pre>
 * Entities are instantiated with their class, one per tab-indented line; relation heads and tails
 * with their entity's first type; event arguments as {@code Entity}, by role
 * ({@code connecting_line=[Entity("Seoul Subway Line 2")]}), after the trigger where the corpus
 * has one. Relations and events take one line per argument, indented by four spaces, as the
 * published cases do.
 */
final class InstanceCode {
    private InstanceCode() {}

    private static final String INDENT = "    ";
    /** The name event arguments are instantiated with: the root of the entity taxonomy. */
    private static final String ENTITY = "Entity";
    /** What the comment heading each code says it extracts. */
    private static final Map<Kind, String> TASK_NOUNS = Map.of(Kind.ENTITY, "entities", Kind.RELATION, "relations", Kind.EVENT, "events");

    /** One piece of instance code: the concept it instantiates, its text and how many instances it holds. */
    record Code(Kind kind, String concept, String text, int instances) {}

    /** The sentence's codes: its entity types, then relations, then events, each in order of first appearance. */
    static List<Code> of(KelmSentence s, InstanceForm form) {
        List<Code> out = new ArrayList<>();
        Map<Concept, List<String>> entities = new LinkedHashMap<>();
        for (KelmSentence.Typed e : s.entities()) {
            for (Concept t : e.types()) entities.computeIfAbsent(t, k -> new ArrayList<>()).add(PyCode.call(t.name(), e.name()));
        }
        entities.forEach((c, calls) -> out.add(code(s, form, c, List.of(), List.of(), PyCode.results(calls), calls.size())));

        Map<Concept, List<KelmSentence.RelationFact>> relations = new LinkedHashMap<>();
        for (KelmSentence.RelationFact r : s.relations()) relations.computeIfAbsent(r.relation(), k -> new ArrayList<>()).add(r);
        relations.forEach((c, facts) -> {
            LinkedHashSet<String> types = new LinkedHashSet<>();
            List<String> calls = new ArrayList<>();
            for (KelmSentence.RelationFact r : facts) {
                types.add(r.head().mainType());
                types.add(r.tail().mainType());
                calls.add(multiLineCall(c.name(), List.of(typed(r.head()), typed(r.tail()))));
            }
            List<Concept> entityTypes = entityConcepts(s, types);
            out.add(code(s, form, c, entityTypes.stream().map(Concept::name).toList(), entityTypes, multiLineResults(calls), calls.size()));
        });

        Map<Concept, List<KelmSentence.EventFact>> events = new LinkedHashMap<>();
        for (KelmSentence.EventFact e : s.events()) events.computeIfAbsent(e.event(), k -> new ArrayList<>()).add(e);
        events.forEach((c, facts) -> {
            List<String> calls = facts.stream().map(e -> eventCall(c.name(), e)).toList();
            boolean arguments = facts.stream().anyMatch(e -> !e.arguments().isEmpty());
            // the root class is imported, never defined: Whole defines the event class alone
            out.add(code(s, form, c, arguments ? List.of(ENTITY) : List.of(), List.of(), multiLineResults(calls), calls.size()));
        });
        return out;
    }

    private static String typed(KelmSentence.Typed e) {
        return PyCode.call(e.mainType(), e.name());
    }

    private static String eventCall(String cls, KelmSentence.EventFact e) {
        Map<String, List<String>> byRole = new LinkedHashMap<>();
        for (KelmSentence.Filler a : e.arguments()) byRole.computeIfAbsent(a.role(), r -> new ArrayList<>()).add(PyCode.call(ENTITY, a.entity().name()));
        List<String> parts = new ArrayList<>();
        if (e.trigger() != null) parts.add("trigger=\"" + e.trigger() + "\"");
        byRole.forEach((role, fillers) -> parts.add(role + "=[" + String.join(", ", fillers) + "]"));
        return multiLineCall(cls, parts);
    }

    /** {@code Cls(} then one argument per line, a level deeper than the call, then {@code )} at the call's level. */
    private static String multiLineCall(String cls, List<String> arguments) {
        if (arguments.isEmpty()) return cls + "()";
        String inner = "\n" + INDENT + INDENT;
        return cls + "(" + inner + String.join("," + inner, arguments) + "\n" + INDENT + ")";
    }

    private static String multiLineResults(List<String> calls) {
        return "results = [\n" + INDENT + String.join(",\n" + INDENT, calls) + "\n]";
    }

    /** The entity classes of these names (each the first type of some entity of the sentence). */
    private static List<Concept> entityConcepts(KelmSentence s, LinkedHashSet<String> names) {
        Map<String, Concept> byName = new LinkedHashMap<>();
        for (KelmSentence.Typed e : s.entities()) byName.putIfAbsent(e.mainType(), e.types().getFirst());
        return names.stream().map(byName::get).toList();
    }

    /**
     * The code's parts in the form's order, blank lines between the sentence, the imports (or
     * definitions) and the results, as in the published cases. {@code entityImports} are the entity
     * classes the import clause names, {@code entityDefinitions} those the Whole form defines.
     */
    private static Code code(KelmSentence s, InstanceForm form, Concept concept, List<String> entityImports,
                             List<Concept> entityDefinitions, String results, int instances) {
        String header = "# Extract the " + TASK_NOUNS.get(concept.kind()) + " from the following sentence.\n";
        String sentence = PyCode.sentence(s.text());
        String text = switch (form) {
            case SENTENCE_FIRST -> header + sentence + "\n\n" + imports(concept, entityImports) + "\n\n" + results;
            case IMPORT_FIRST -> header + imports(concept, entityImports) + "\n\n" + sentence + "\n\n" + results;
            case WHOLE -> header + definitions(concept, entityDefinitions) + "\n\n" + sentence + "\n\n" + results;
        };
        return new Code(concept.kind(), concept.name(), text, instances);
    }

    private static String imports(Concept concept, List<String> entityTypes) {
        if (concept.kind() == Kind.ENTITY) return PyCode.imports("Entities", List.of(concept.name()));
        String own = PyCode.imports(concept.kind() == Kind.RELATION ? "Relations" : "Events", List.of(concept.name()));
        if (entityTypes.isEmpty()) return own; // an event without arguments names no entity class
        return PyCode.imports("Entities", entityTypes) + "\n" + own;
    }

    /** The full definitions of what the import clause would import: the entity types, then the concept. */
    private static String definitions(Concept concept, List<Concept> entityTypes) {
        List<String> parts = new ArrayList<>();
        for (Concept t : entityTypes) parts.add(PythonRenderer.render(t, Task.NER, Style.FOLLOWING));
        parts.add(PythonRenderer.render(concept, Task.of(concept.kind()), Style.FOLLOWING));
        return String.join("\n\n", parts);
    }
}
