package org.knowcoder.schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acceptance 3: each construction rule on small hand-made inputs. */
class WikidataBuilderTest {
    @TempDir
    Path dir;
    private final List<String> progress = new ArrayList<>();

    private SchemaLibrary build(long minInstances, String items, String properties) throws IOException {
        Path i = Files.writeString(dir.resolve("items.jsonl"), items);
        Path p = Files.writeString(dir.resolve("properties.jsonl"), properties);
        return SchemaLibrary.of(WikidataBuilder.build(i, p, minInstances, progress::add));
    }

    private static String item(String id, String label, long instances, String... parents) {
        return "{\"id\": \"" + id + "\", \"label\": \"" + label + "\", \"instances\": " + instances + ", \"subclass_of\": ["
                + String.join(", ", List.of(parents).stream().map(s -> "\"" + s + "\"").toList()) + "]}\n";
    }

    @Test
    void classNamesFromLabels() {
        assertEquals("PlaceOfBirth", ClassNames.pascal("place of birth"));
        assertEquals("Dna", ClassNames.pascal("DNA"));
        assertEquals("Mercury", ClassNames.pascal("Mercury (planet)"));
        assertEquals("TvSeries", ClassNames.pascal("TV series [fiction]"));
        assertEquals("CoStar", ClassNames.pascal("co-star"));
        assertEquals("PeoplesRepublic", ClassNames.pascal("people's republic"));
        assertEquals("_19thCentury", ClassNames.pascal("19th century"));
        assertEquals("Pokémon", ClassNames.pascal("pokémon"));
        assertEquals("location_of_ceremony", ClassNames.snake("Location of ceremony"));
    }

    @Test
    void collisionsAreResolvedByInstancesThenId() throws IOException {
        SchemaLibrary lib = build(1, item("Q2", "Mercury (planet)", 10) + item("Q3", "Mercury (element)", 50)
                + item("Q11", "bank", 5) + item("Q10", "Bank", 5) + item("Q12", "Entity", 5), "");
        assertEquals("Q3", id(lib, "Mercury"));
        assertEquals("Q2", id(lib, "MercuryPlanet"));
        assertEquals("Q10", id(lib, "Bank"));
        assertEquals("Q11", id(lib, "BankQ11"));
        assertEquals("Q12", id(lib, "EntityQ12"), "the base class name is reserved");
    }

    @Test
    void theHypernymWithTheMostInstancesIsKept() throws IOException {
        SchemaLibrary lib = build(1, item("Q1", "person", 100) + item("Q2", "worker", 300) + item("Q3", "teacher", 5, "Q1", "Q2"), "");
        assertEquals("Worker", lib.entities().get("Teacher").orElseThrow().parent());
    }

    @Test
    void unselectedParentsAreSkippedToTheNearestSelectedAncestor() throws IOException {
        // Q4 -> Q3 (unselected) -> Q2 (unselected, beats Q5 on instances) -> Q1; Q6 -> Q7 (unselected root)
        SchemaLibrary lib = build(10, item("Q1", "object", 100) + item("Q2", "artifact", 9, "Q1") + item("Q5", "thing", 1, "Q1")
                + item("Q3", "tool", 8, "Q2", "Q5") + item("Q4", "hammer", 20, "Q3") + item("Q7", "idea", 0) + item("Q6", "plan", 15, "Q7")
                + item("Q8", "loop", 12, "Q9") + item("Q9", "loop back", 1, "Q8"), "");
        assertEquals(List.of("Object"), lib.entities().ancestors("Hammer"));
        assertEquals(List.of(), lib.entities().ancestors("Plan"));
        assertEquals(List.of(), lib.entities().ancestors("Loop"), "a chain back to the concept itself ends at the base class");
        assertEquals(4, lib.size());
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("ancestors pass")), progress::toString);
    }

    @Test
    void constraintsFromCoOccurringTypes() throws IOException {
        String items = item("Q5", "human", 100) + item("Q515", "city", 50) + item("Q6256", "country", 50) + item("Q43229", "organization", 0);
        String properties = """
                {"id": "P276", "kind": "relation", "label": "location", "instances": 500}
                {"id": "P19", "kind": "relation", "label": "place of birth", "description": "birth place", "subproperty_of": ["P276", "P999"], "instances": 90, "examples": [["Ann", "Paris"]], "head": {"Q5": 900, "Q43229": 3}, "tail": {"Q515": 700, "Q6256": 800, "Q404": 1}}
                {"id": "P26", "kind": "event", "label": "spouse", "examples": ["married"], "roles": [{"label": "spouse", "types": {"Q5": 10}}, {"label": "place of marriage", "types": {}}, {"label": "Spouse"}]}
                """;
        SchemaLibrary lib = build(50, items, properties);
        Concept pob = lib.relations().get("PlaceOfBirth").orElseThrow();
        assertEquals("Location", pob.parent());
        assertEquals(List.of("Human", "Organization"), pob.headTypes(), "organization is selected because a property names it");
        assertEquals(List.of("Country", "City"), pob.tailTypes(), "by count; Q404 is not an item");
        assertEquals(List.of(new ExamplePair("Ann", "Paris")), pob.pairExamples());
        assertTrue(lib.allows("PlaceOfBirth", "Human", "City"));
        Concept spouse = lib.events().get("Spouse").orElseThrow();
        assertEquals(List.of(new Role("spouse", List.of("Human")), new Role("place_of_marriage"), new Role("spouse_2")), spouse.roles());
        assertEquals(List.of("married"), spouse.examples());
    }

    @Test
    void statisticsPerKind() throws IOException {
        SchemaLibrary lib = build(1, "{\"id\": \"Q1\", \"label\": \"a\", \"description\": \"d\", \"instances\": 3, \"examples\": [\"x\"]}\n"
                + item("Q2", "b", 1, "Q1") + item("Q3", "c", 1, "Q2"), "{\"id\": \"P1\", \"label\": \"r\", \"head\": {\"Q1\": 1}}\n");
        Map<String, Map<String, Long>> stats = SchemaStats.of(lib);
        assertEquals(Map.of("types", 3L, "withDescription", 1L, "withoutDescription", 2L, "withExamples", 1L, "topLevel", 1L,
                "maxDepth", 3L), stats.get("entity"));
        assertEquals(1L, stats.get("relation").get("withTypeConstraints"));
        assertEquals(0L, stats.get("event").get("types"));
    }

    @Test
    void badLinesAreNamed() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> build(1, item("Q1", "a", 1) + "{\"id\": 5}\n", ""));
        assertTrue(e.getMessage().endsWith("items.jsonl:2: \"id\" must be a string"), e::getMessage);
        e = assertThrows(BadInputException.class, () -> build(1, "", "\n{not json\n"));
        assertTrue(e.getMessage().contains("properties.jsonl:2: not JSON"), e::getMessage);
    }

    private static String id(SchemaLibrary lib, String name) {
        return lib.entities().get(name).orElseThrow(() -> new AssertionError(name + " missing: " + lib.concepts())).ids().getFirst();
    }
}
