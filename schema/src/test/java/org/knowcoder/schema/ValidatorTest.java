package org.knowcoder.schema;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acceptance 5: each broken rule is reported with the concept that breaks it. */
class ValidatorTest {
    private static Concept.Builder entity(String name) {
        return Concept.builder(Kind.ENTITY, name);
    }

    private static void assertOnly(String concept, String rule, String mention, Concept... concepts) {
        List<Problem> problems = SchemaValidator.check(List.of(concepts));
        assertEquals(1, problems.size(), problems::toString);
        Problem p = problems.getFirst();
        assertEquals(concept, p.concept());
        assertEquals(rule, p.rule());
        assertTrue(p.toString().contains(mention), p::toString);
        InvalidSchemaException e = assertThrows(InvalidSchemaException.class, () -> SchemaLibrary.of(List.of(concepts)));
        assertTrue(e.getMessage().contains(concept) && e.getMessage().contains("[" + rule + "]"), e::getMessage);
    }

    @Test
    void unknownParent() {
        assertOnly("entity Human", "unknown-parent", "Person", entity("Human").parent("Person").build());
    }

    @Test
    void cycle() {
        assertOnly("entity A", "cycle", "A -> B -> C -> A", entity("A").parent("B").build(), entity("B").parent("C").build(),
                entity("C").parent("A").build(), entity("D").parent("A").build());
        assertOnly("entity Self", "cycle", "Self -> Self", entity("Self").parent("Self").build());
    }

    @Test
    void duplicateName() {
        assertOnly("entity Human", "duplicate-name", "more than once", entity("Human").build(), entity("Human").build());
        assertTrue(SchemaValidator.check(List.of(entity("Location").build(), Concept.builder(Kind.RELATION, "Location").build())).isEmpty(),
                "kinds are separate name spaces");
    }

    @Test
    void unknownTypes() {
        assertOnly("relation WorkFor", "unknown-type", "tail type Company",
                entity("Human").build(), Concept.builder(Kind.RELATION, "WorkFor").headTypes(List.of("Human")).tailTypes(List.of("Company")).build());
        assertOnly("event Attack", "unknown-type", "role attacker",
                Concept.builder(Kind.EVENT, "Attack").roles(List.of(new Role("attacker", List.of("Human")))).build());
    }

    @Test
    void namesAndFields() {
        assertOnly("entity Two words", "name", "not a Python identifier", entity("Two words").build());
        assertOnly("relation Relation", "reserved-name", "base class", Concept.builder(Kind.RELATION, "Relation").build());
        assertOnly("entity Human", "kind-fields", "roles", entity("Human").roles(List.of(new Role("x"))).build());
        assertOnly("relation R", "kind-fields", "single examples", Concept.builder(Kind.RELATION, "R").examples(List.of("x")).build());
        assertOnly("event E", "duplicate-role", "place", Concept.builder(Kind.EVENT, "E").roles(List.of(new Role("place"), new Role("place"))).build());
        assertOnly("event E", "name", "role 'a-b'", Concept.builder(Kind.EVENT, "E").roles(List.of(new Role("a-b"))).build());
        assertOnly("entity E", "duplicate-method", "drop_words", entity("E").rules(List.of(new PostRule.DropWords(List.of("a")),
                new PostRule.DropWords(List.of("b")))).build());
        assertOnly("entity B", "duplicate-id", "Q5", entity("A").ids(List.of("Q5")).build(), entity("B").ids(List.of("Q5")).build());
        assertOnly("entity A", "instances", "negative", entity("A").instances(-1).build());
    }

    /** Issue 23 item 18: a class name Python cannot define is an error naming the concept and the rule. */
    @Test
    void pythonKeywordsAndNamesPythonRefuses() {
        for (String keyword : List.of("False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
                "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
                "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "__debug__")) {
            assertOnly("entity " + keyword, "reserved-name", "'" + keyword + "' is reserved in Python", entity(keyword).build());
        }
        assertTrue(SchemaValidator.check(List.of(Concept.builder(Kind.EVENT, "Marriage").roles(List.of(new Role("from"))).build())).isEmpty(),
                "a role may be a keyword: KnowCoder's own prompts name Marriage's role 'from'");
        assertOnly("event E", "name", "role 'x²' is not a Python identifier", Concept.builder(Kind.EVENT, "E").roles(List.of(new Role("x²"))).build());
        for (String bad : List.of("", "2x", "x²", "a-b", "a.b", "½")) assertOnly("entity " + bad, "name", "not a Python identifier", entity(bad).build());
        // soft keywords, case variants, combining marks (Devanagari vowel signs) and connectors are names Python accepts
        assertTrue(SchemaValidator.check(List.of(entity("match").build(), entity("Class").build(), entity("NONE").build(),
                entity("क्या").build(), entity("a‿b").build(), entity("_x1").build())).isEmpty());
    }

    @Test
    void messagesUseTheRightArticle() {
        assertOnly("entity Human", "unknown-parent", "parent Person is not an entity of the library", entity("Human").parent("Person").build());
        assertOnly("event E", "unknown-parent", "is not an event", Concept.builder(Kind.EVENT, "E").parent("P").build());
        assertOnly("relation R", "unknown-parent", "is not a relation", Concept.builder(Kind.RELATION, "R").parent("P").build());
        assertOnly("entity Human", "kind-fields", "an entity cannot have roles", entity("Human").roles(List.of(new Role("x"))).build());
    }
}
