package org.knowcoder.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.InputFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds a library from Wikidata-style input (paper section 2.2, Appendix I), streaming.
 *
 * <p>Items, one JSON object a line: {@code {"id": "Q5", "label": "human", "description": "...",
 * "subclass_of": ["Q154954"], "instances": 123, "examples": ["Ann"]}}. Properties, one a line:
 * {@code {"id": "P19", "kind": "relation", "label": "place of birth", "description": "...",
 * "subproperty_of": ["P276"], "instances": 50, "examples": [["Ann", "Paris"]], "head": {"Q5": 900},
 * "tail": {"Q515": 700}}}; an event property has {@code "kind": "event"}, trigger words as
 * examples and {@code "roles": [{"label": "spouse", "types": {"Q5": 10}}]}. Type maps count how
 * often each item was seen in that place.
 *
 * <p>Selected as entity concepts: items with at least {@code minInstances} instances and every
 * item a property names as a type. Of several hypernyms the one with the most instances is kept;
 * when it is not selected, the concept inherits from the nearest selected ancestor on that chain,
 * else from {@code Entity}. Only selected items are kept in memory, with the few unselected
 * ancestors the chains pass through: each further level of such ancestors costs one more pass
 * over the items file, so a dump of millions of items builds in memory bounded by the selection.
 */
public final class WikidataBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<String> BY_ID = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

    /** A selected item, with all it renders into. */
    private record Item(String id, String label, String description, List<String> parents, long instances, List<String> examples) {}

    /** An unselected item on an ancestor chain: only its hypernyms and its count. */
    private record Link(List<String> parents, long instances) {}

    private final Path items;
    private final long minInstances;
    private final Consumer<String> progress;
    private final Map<String, Item> selected = new LinkedHashMap<>();
    private final Map<String, Link> links = new HashMap<>();
    private final Set<String> absent = new HashSet<>();

    private WikidataBuilder(Path items, long minInstances, Consumer<String> progress) {
        this.items = items;
        this.minInstances = minInstances;
        this.progress = progress;
    }

    /** The concepts of the items and properties files; progress lines go to {@code progress}. */
    public static List<Concept> build(Path items, Path properties, long minInstances, Consumer<String> progress) throws IOException {
        List<JsonNode> props = new ArrayList<>();
        forEachLine(properties, (line, n) -> {
            JsonNode p = object(properties, n, line);
            text(p, "id", properties, n);
            props.add(p);
        });
        Set<String> typeIds = new HashSet<>();
        for (JsonNode p : props) {
            p.path("head").fieldNames().forEachRemaining(typeIds::add);
            p.path("tail").fieldNames().forEachRemaining(typeIds::add);
            for (JsonNode r : p.path("roles")) r.path("types").fieldNames().forEachRemaining(typeIds::add);
        }
        WikidataBuilder b = new WikidataBuilder(items, minInstances, progress);
        b.select(typeIds);
        b.resolveChains();
        Map<String, String> entityNames = b.entityNames();
        List<Concept> out = new ArrayList<>(b.entities(entityNames));
        out.addAll(properties(props, entityNames));
        return out;
    }

    /** Pass 1: keeps the selected items. */
    private void select(Set<String> typeIds) throws IOException {
        long t0 = System.nanoTime();
        long[] read = {0};
        forEachLine(items, (line, n) -> {
            read[0]++;
            JsonNode o = object(items, n, line);
            String id = text(o, "id", items, n);
            long instances = o.path("instances").asLong();
            if (instances >= minInstances || typeIds.contains(id)) {
                if (selected.containsKey(id)) throw new BadInputException(items + ":" + n + ": item " + id + " appears twice");
                selected.put(id, new Item(id, o.path("label").asText(""), o.path("description").asText(""),
                        strings(o.path("subclass_of")), instances, strings(o.path("examples"))));
            }
            if (read[0] % 1_000_000 == 0) progress.accept("items: " + read[0] + " read, " + selected.size() + " selected");
        });
        progress.accept(String.format("items: %d read, %d selected (%.1f s)", read[0], selected.size(), (System.nanoTime() - t0) / 1e9));
    }

    /** Further passes: fetches the unselected hypernyms the parent choice and the chains need, one level per pass. */
    private void resolveChains() throws IOException {
        for (int pass = 2; ; pass++) {
            Set<String> wanted = new HashSet<>();
            for (Item item : selected.values()) walk(item.parents(), wanted);
            if (wanted.isEmpty()) return;
            long t0 = System.nanoTime();
            Set<String> found = new HashSet<>();
            forEachLine(items, (line, n) -> {
                String id = idOf(line, n);
                if (!wanted.contains(id)) return;
                JsonNode o = object(items, n, line);
                links.put(id, new Link(strings(o.path("subclass_of")), o.path("instances").asLong()));
                found.add(id);
            });
            wanted.removeAll(found);
            absent.addAll(wanted);
            progress.accept(String.format("ancestors pass %d: %d hypernyms fetched (%.1f s)", pass, found.size(), (System.nanoTime() - t0) / 1e9));
        }
    }

    /** Follows the chain of chosen hypernyms from {@code parents}, collecting the ids still to fetch before it can go on. */
    private void walk(List<String> parents, Set<String> wanted) {
        Set<String> seen = new HashSet<>();
        while (true) {
            List<String> unknown = parents.stream().filter(p -> !known(p)).toList();
            if (!unknown.isEmpty()) {
                wanted.addAll(unknown);
                return;
            }
            String best = best(parents);
            if (best == null || selected.containsKey(best) || !seen.add(best)) return;
            parents = links.get(best).parents();
        }
    }

    private boolean known(String id) {
        return selected.containsKey(id) || links.containsKey(id) || absent.contains(id);
    }

    /** The hypernym with the most instances (ties: the smaller id); null when none is in the dump. */
    private String best(List<String> parents) {
        String best = null;
        long most = -1;
        for (String p : parents.stream().sorted(BY_ID).toList()) {
            long n = selected.containsKey(p) ? selected.get(p).instances() : links.containsKey(p) ? links.get(p).instances() : -1;
            if (n > most) {
                most = n;
                best = p;
            }
        }
        return best;
    }

    /** The nearest selected item on the chain of chosen hypernyms; null for the base class. */
    private String selectedParent(Item item) {
        Set<String> seen = new HashSet<>();
        String p = best(item.parents());
        while (p != null && !selected.containsKey(p) && seen.add(p)) p = best(links.get(p).parents());
        return p == null || !selected.containsKey(p) || p.equals(item.id()) ? null : p;
    }

    private Map<String, String> entityNames() {
        return ClassNames.assign(selected.values().stream().map(i -> new ClassNames.Named(i.id(), i.label(), i.instances())).toList(),
                Kind.ENTITY.baseClass());
    }

    private List<Concept> entities(Map<String, String> names) {
        List<Concept> out = new ArrayList<>();
        Map<String, String> parents = new HashMap<>();
        for (Item item : selected.values()) parents.put(item.id(), selectedParent(item));
        for (Item item : selected.values()) {
            String parent = parents.get(item.id());
            if (parent != null && leadsTo(parents, parent, item.id())) parent = null; // a subclass cycle in the source
            out.add(Concept.builder(Kind.ENTITY, names.get(item.id())).parent(parent == null ? null : names.get(parent))
                    .description(item.description()).examples(item.examples()).ids(List.of(item.id())).instances(item.instances()).build());
        }
        return out;
    }

    /** Whether following {@code parents} from {@code from} reaches {@code target}. */
    private static boolean leadsTo(Map<String, String> parents, String from, String target) {
        Set<String> seen = new HashSet<>();
        for (String p = from; p != null && seen.add(p); p = parents.get(p)) {
            if (p.equals(target)) return true;
        }
        return false;
    }

    /** Relations and events: names per kind, parent from the sub-property with the most instances, constraints from observed types. */
    private static List<Concept> properties(List<JsonNode> props, Map<String, String> entityNames) {
        List<Concept> out = new ArrayList<>();
        for (Kind kind : List.of(Kind.RELATION, Kind.EVENT)) {
            Map<String, JsonNode> ofKind = new LinkedHashMap<>();
            for (JsonNode p : props) {
                if (Kind.parse(p.path("kind").asText("relation")).equals(kind)) ofKind.put(p.path("id").asText(), p);
            }
            Map<String, String> names = ClassNames.assign(ofKind.values().stream().map(p -> new ClassNames.Named(
                    p.path("id").asText(), p.path("label").asText(""), p.path("instances").asLong())).toList(), kind.baseClass());
            Map<String, String> parents = new HashMap<>();
            for (JsonNode p : ofKind.values()) {
                String best = null;
                long most = -1;
                for (String s : strings(p.path("subproperty_of")).stream().sorted(BY_ID).toList()) {
                    JsonNode parent = ofKind.get(s);
                    if (parent != null && parent.path("instances").asLong() > most) {
                        most = parent.path("instances").asLong();
                        best = s;
                    }
                }
                parents.put(p.path("id").asText(), best);
            }
            for (JsonNode p : ofKind.values()) {
                String id = p.path("id").asText();
                String parent = parents.get(id);
                if (parent != null && leadsTo(parents, parent, id)) parent = null;
                Concept.Builder b = Concept.builder(kind, names.get(id)).parent(parent == null ? null : names.get(parent))
                        .description(p.path("description").asText("")).ids(List.of(id)).instances(p.path("instances").asLong());
                if (kind == Kind.RELATION) {
                    List<ExamplePair> pairs = new ArrayList<>();
                    for (JsonNode e : p.path("examples")) pairs.add(new ExamplePair(e.path(0).asText(), e.path(1).asText()));
                    b.pairExamples(pairs).headTypes(types(p.path("head"), entityNames)).tailTypes(types(p.path("tail"), entityNames));
                } else {
                    List<Role> roles = new ArrayList<>();
                    Set<String> roleNames = new HashSet<>();
                    for (JsonNode r : p.path("roles")) {
                        String name = ClassNames.snake(r.path("label").asText());
                        if (name.isEmpty()) name = "role";
                        for (int k = 2; !roleNames.add(name); k++) name = ClassNames.snake(r.path("label").asText()) + "_" + k;
                        roles.add(new Role(name, types(r.path("types"), entityNames)));
                    }
                    b.examples(strings(p.path("examples"))).roles(roles);
                }
                out.add(b.build());
            }
        }
        return out;
    }

    /** Observed type counts to class names, most frequent first (ties by name); types not in the items are dropped. */
    private static List<String> types(JsonNode counts, Map<String, String> entityNames) {
        Map<String, Long> byName = new HashMap<>();
        counts.properties().forEach(e -> {
            String name = entityNames.get(e.getKey());
            if (name != null) byName.merge(name, e.getValue().asLong(), Long::sum);
        });
        return byName.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).toList();
    }

    private interface LineConsumer {
        void accept(String line, long number);
    }

    private static void forEachLine(Path file, LineConsumer each) throws IOException {
        try (BufferedReader r = InputFiles.reader(file, "JSON lines")) {
            long n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                if (!line.isBlank()) each.accept(line, n);
            }
        }
    }

    private static JsonNode object(Path file, long n, String line) {
        try {
            JsonNode o = JSON.readTree(line);
            if (o != null && o.isObject()) return o;
        } catch (IOException e) {
            throw new BadInputException(file + ":" + n + ": not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        throw new BadInputException(file + ":" + n + ": expected a JSON object");
    }

    /** The line's top-level "id" without building the whole object: most lines of the later passes are skipped. */
    private String idOf(String line, long n) {
        try (JsonParser p = JSON.getFactory().createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new BadInputException(items + ":" + n + ": expected a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("id")) return p.getText();
                p.skipChildren();
            }
        } catch (IOException e) {
            throw new BadInputException(items + ":" + n + ": not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        throw new BadInputException(items + ":" + n + ": item without \"id\"");
    }

    private static String text(JsonNode o, String key, Path file, long n) {
        JsonNode v = o.get(key);
        if (v == null || !v.isTextual()) throw new BadInputException(file + ":" + n + ": \"" + key + "\" must be a string");
        return v.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : array) out.add(v.asText());
        return out;
    }
}
