package org.knowcoder.ie.eval;

import org.junit.jupiter.api.Test;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.ie.output.PyValue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NameConsistencyTest {
    private static final TypeHierarchy PEOPLE = TypeHierarchy.of(Map.of("Politician", "Human"));

    /** Each sentence's answer as {@code Class("span")} items, through the parser as eval reads them. */
    private static List<List<PyValue.Call>> answers(String... code) {
        List<List<PyValue.Call>> out = new ArrayList<>();
        for (String c : code) out.add(OutputParser.parse("results = [" + c + "]"));
        return out;
    }

    private static List<String> written(List<PyValue.Call> calls) {
        return calls.stream().map(c -> c.name() + ":" + PyValue.text(c.positional().getFirst())).toList();
    }

    private static List<List<String>> apply(List<String> sentences, String... code) {
        return NameConsistency.apply(sentences, answers(code), PEOPLE).stream().map(NameConsistencyTest::written).toList();
    }

    @Test
    void aNameTakesTheClassItsNeighboursGiveItMostOften() {
        List<List<String>> out = apply(List.of("Leeds won .", "Leeds lost .", "Leeds drew .", "Leeds rested ."),
                "Organization(\"Leeds\")", "Organization(\"Leeds\")", "Location(\"Leeds\")", "");
        assertEquals(List.of("Organization:Leeds"), out.get(2));
        // and the sentence that missed it finds it
        assertEquals(List.of("Organization:Leeds"), out.get(3));
    }

    @Test
    void aTieKeepsTheSentencesOwnClass() {
        List<List<String>> out = apply(List.of("Leeds won .", "Leeds lost ."), "Organization(\"Leeds\")", "Location(\"Leeds\")");
        assertEquals(List.of("Organization:Leeds"), out.get(0));
        assertEquals(List.of("Location:Leeds"), out.get(1));
    }

    @Test
    void aNameIsAddedOnlyAsWholeWordsNotOverlappingAnEntityAndNotWhenShort() {
        List<List<String>> out = apply(List.of("Acme and Jo met .", "Acmes fell .", "Acme Corp rose .", "Jo left Acme ."),
                "Organization(\"Acme\"), Human(\"Jo\")", "", "Organization(\"Acme Corp\")", "");
        assertEquals(List.of(), out.get(1), "Acmes is not the word Acme");
        assertEquals(List.of("Organization:Acme Corp"), out.get(2), "Acme inside an entity is not added again");
        assertEquals(List.of("Organization:Acme"), out.get(3), "Jo is shorter than " + NameConsistency.MIN_CHARS + " characters");
    }

    @Test
    void aPersonNamedInFullIsFoundByTheFamilyName() {
        List<List<String>> out = apply(List.of("Tony Blair spoke .", "Blair left .", "Blair Athol won .", "Corp rose .", "Acme Corp fell .",
                        "Blair stayed .", "Blair won ."),
                "Politician(\"Tony Blair\")", "Organization(\"Blair\")", "Organization(\"Blair Athol\")", "", "Organization(\"Acme Corp\")",
                "Organization(\"Blair\")", "");
        assertEquals(List.of("Politician:Blair"), out.get(1), "retyped as the person");
        assertEquals(List.of("Politician:Blair"), out.get(6), "added as the person, whatever the name votes say");
        assertEquals(List.of("Organization:Blair Athol"), out.get(2));
        assertEquals(List.of(), out.get(3), "only people are named by a last word");
        assertEquals("Blair", NameConsistency.family("Tony Blair"));
        assertEquals(null, NameConsistency.family("Tony"));
        assertEquals(null, NameConsistency.family("Kim il-sung"));
    }

    /** Overlap is by whole words: a short name held does not keep out a longer one that merely contains its letters. */
    @Test
    void aHeldNameBlocksOnlyNamesItOverlapsAsWords() {
        List<List<String>> out = apply(List.of("Alan Smith spoke .", "Al met Alan Smith ."), "Human(\"Alan Smith\")", "Human(\"Al\")");
        assertEquals(List.of("Human:Al", "Human:Alan Smith"), out.get(1));
    }

    @Test
    void onlySentencesWithinTheWindowCount() {
        int n = 2 * NameConsistency.WINDOW + 2;
        List<String> sentences = Collections.nCopies(n, "Leeds won .");
        String[] code = new String[n];
        java.util.Arrays.fill(code, "");
        code[0] = "Organization(\"Leeds\")";
        List<List<String>> out = apply(sentences, code);
        assertEquals(List.of("Organization:Leeds"), out.get(NameConsistency.WINDOW));
        assertEquals(List.of(), out.get(NameConsistency.WINDOW + 1));
    }

    @Test
    void aCycleInTheTaxonomyEndsTheSearchForPeople() {
        TypeHierarchy cycle = TypeHierarchy.of(Map.of("Band", "Group", "Group", "Band"));
        List<List<PyValue.Call>> out = NameConsistency.apply(List.of("The Who Kids played .", "Kids left ."),
                answers("Band(\"The Who Kids\")", ""), cycle);
        assertEquals(List.of(), written(out.get(1)), "a band is not a person: its last word is not its name");
    }

    /** An entity is read as scoring reads it, the keyword form too; an instance without a span is left as it is. */
    @Test
    void entitiesAreReadAsScoringReadsThem() {
        List<List<PyValue.Call>> in = List.of(OutputParser.parse("results = [Organization(name=\"Acme\"), Organization(3)]"), List.of());
        List<List<PyValue.Call>> out = NameConsistency.apply(List.of("Acme rose .", "Acme fell ."), in, PEOPLE);
        assertEquals(in.get(0), out.get(0));
        assertEquals(List.of("Organization:Acme"), written(out.get(1)));
    }

    @Test
    void wholeWordsAreBoundedByWhatIsNotALetterOrDigit() {
        assertTrue(NameConsistency.wholeWords("(Acme) rose", "Acme"));
        assertTrue(NameConsistency.wholeWords("Acmes and Acme", "Acme"));
        assertFalse(NameConsistency.wholeWords("Acme2 rose", "Acme"));
        assertFalse(NameConsistency.wholeWords("the Acmé", "Acm"));
    }

    @Test
    void answersMustMatchTheSentences() {
        assertThrows(IllegalArgumentException.class, () -> NameConsistency.apply(List.of("a", "b"), answers(""), PEOPLE));
    }
}
