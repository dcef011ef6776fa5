package org.knowcoder.schema;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibraryTest {
    private static Concept entity(String name, String parent) {
        return Concept.builder(Kind.ENTITY, name).parent(parent).build();
    }

    private static final SchemaLibrary LIBRARY = SchemaLibrary.of(List.of(
            entity("Person", null), entity("Human", "Person"), entity("Actor", "Human"),
            entity("Organization", null), Concept.builder(Kind.ENTITY, "Company").parent("Organization").ids(List.of("Q783794")).build(),
            entity("SpatialEntity", null), entity("City", "SpatialEntity"),
            Concept.builder(Kind.ENTITY, "Rating").rules(List.of(new PostRule.AppendSuffix(" star"))).build(),
            Concept.builder(Kind.ENTITY, "Pronounless").parent("Person").rules(List.of(
                    new PostRule.CutAt(List.of(" such as ", " as ")), new PostRule.DropWords(List.of("He", "she")))).build(),
            Concept.builder(Kind.ENTITY, "Strict").parent("Pronounless").rules(List.of(new PostRule.DropWords(List.of("they")))).build(),
            Concept.builder(Kind.RELATION, "WorkFor").headTypes(List.of("Human")).tailTypes(List.of("Organization", "City")).build(),
            Concept.builder(Kind.RELATION, "Location").build(),
            Concept.builder(Kind.RELATION, "PlaceOfBirth").parent("Location").headTypes(List.of("Person")).ids(List.of("P19")).build(),
            Concept.builder(Kind.EVENT, "Attack").roles(List.of(new Role("attacker", List.of("Human")), new Role("place"))).build()));

    @Test
    void lookupAndTaxonomy() {
        Taxonomy e = LIBRARY.entities();
        assertEquals(Optional.of("Human"), e.parent("Actor"));
        assertEquals(Optional.empty(), e.parent("Person"));
        assertEquals(List.of("Human", "Person"), e.ancestors("Actor"));
        assertEquals(List.of("Human", "Pronounless", "Actor", "Strict"), e.descendants("Person"));
        assertEquals(List.of("Person", "Organization", "SpatialEntity", "Rating"), e.children("Entity"));
        assertEquals(3, e.depth("Actor"));
        assertEquals("Company", LIBRARY.byId("Q783794").orElseThrow().name());
        assertEquals(Kind.RELATION, LIBRARY.byId("P19").orElseThrow().kind());
        assertTrue(LIBRARY.get(Kind.RELATION, "Location").isPresent());
        assertFalse(LIBRARY.get(Kind.ENTITY, "Location").isPresent());
    }

    @Test
    void superclassInduction() {
        Taxonomy e = LIBRARY.entities();
        assertEquals(Optional.of("Person"), e.nearestAncestorIn("Actor", Set.of("Person", "Organization")));
        assertEquals(Optional.of("Human"), e.nearestAncestorIn("Actor", Set.of("Person", "Human")));
        assertEquals(Optional.of("Actor"), e.nearestAncestorIn("Actor", Set.of("Actor", "Person")));
        assertEquals(Optional.empty(), e.nearestAncestorIn("City", Set.of("Person")));
        assertEquals(Optional.empty(), e.nearestAncestorIn("Unknown", Set.of("Person")));
        assertEquals(Optional.of("Location"), LIBRARY.relations().nearestAncestorIn("PlaceOfBirth", Set.of("Location")));
    }

    @Test
    void constraintsAdmitSubclasses() {
        assertTrue(LIBRARY.allows("WorkFor", "Human", "Organization"));
        assertTrue(LIBRARY.allows("WorkFor", "Actor", "Company"));
        assertTrue(LIBRARY.allows("WorkFor", "Actor", "City"));
        assertFalse(LIBRARY.allows("WorkFor", "Person", "Company"), "Person is Human's superclass, not a subclass");
        assertFalse(LIBRARY.allows("WorkFor", "Company", "Company"));
        assertTrue(LIBRARY.allows("Location", "Company", "Rating"), "no types: any entity");
        assertTrue(LIBRARY.allows("PlaceOfBirth", "Actor", "City"));
        assertFalse(LIBRARY.allows("NoSuchRelation", "Human", "City"));
        assertTrue(LIBRARY.allowsRole("Attack", "attacker", "Actor"));
        assertFalse(LIBRARY.allowsRole("Attack", "attacker", "Company"));
        assertTrue(LIBRARY.allowsRole("Attack", "place", "Company"));
        assertFalse(LIBRARY.allowsRole("Attack", "victim", "Human"));
    }

    @Test
    void classMethodsPostProcessSpans() {
        assertEquals("5 star", LIBRARY.postProcess(Kind.ENTITY, "Rating", "5", "a 5 star hotel"));
        assertEquals("4.5 star", LIBRARY.postProcess(Kind.ENTITY, "Rating", "4.5", "rated 4.5 star by guests"));
        assertEquals("5", LIBRARY.postProcess(Kind.ENTITY, "Rating", "5", "5 points, no stars"), "the sentence does not go on with \" star\"");
        assertEquals("five", LIBRARY.postProcess(Kind.ENTITY, "Rating", "five", "a five star hotel"), "not a number");
        assertEquals("Chinese actors", LIBRARY.postProcess(Kind.ENTITY, "Pronounless", "Chinese actors such as Jackie Chan", "s"));
        assertEquals("the team", LIBRARY.postProcess(Kind.ENTITY, "Pronounless", "the team as of May", "s"));
        assertNull(LIBRARY.postProcess(Kind.ENTITY, "Pronounless", "He", "He left."));
        assertEquals("they", LIBRARY.postProcess(Kind.ENTITY, "Pronounless", "they", "they left."));
        // Strict inherits cut_at and replaces drop_words, as a Python subclass would
        assertEquals("x", LIBRARY.postProcess(Kind.ENTITY, "Strict", "x as y", "s"));
        assertEquals("He", LIBRARY.postProcess(Kind.ENTITY, "Strict", "He", "He left."));
        assertNull(LIBRARY.postProcess(Kind.ENTITY, "Strict", "They", "They left."));
        assertEquals("Anne", LIBRARY.postProcess(Kind.ENTITY, "Unknown", "Anne", "Anne left."));
    }
}
