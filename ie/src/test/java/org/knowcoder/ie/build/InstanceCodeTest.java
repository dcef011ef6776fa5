package org.knowcoder.ie.build;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Acceptance 2: the entity, relation and event forms of instance code (Appendix L.1) in the three orders of Appendix A. */
class InstanceCodeTest {
    private static final KelmReader READER = new KelmReader(new ClassResolver(TestLibrary.small()));
    private static final String LINE = """
            {"text": "Ann married Bob in Paris.",
             "entities": [{"name": "Ann", "types": ["human"], "start": 0, "end": 3}, {"name": "Bob", "types": ["Q5"]},
                          {"name": "Paris", "types": ["city"]}],
             "relations": [{"type": "place of birth", "head": 0, "tail": 2}],
             "events": [{"type": "marriage", "trigger": "married", "arguments": [{"role": "spouse", "entity": 0},
                         {"role": "spouse", "entity": 1}, {"role": "location", "entity": 2}]}]}""";

    private static List<String> codes(InstanceForm form) {
        return InstanceCode.of(READER.parse(LINE), form).stream().map(InstanceCode.Code::text).toList();
    }

    @Test
    void sentenceFirst() {
        assertEquals(List.of("""
                sentence = "Ann married Bob in Paris."
                from Entities import Human
                results = [
                \tHuman("Ann"),
                \tHuman("Bob")
                ]""", """
                sentence = "Ann married Bob in Paris."
                from Entities import City
                results = [
                \tCity("Paris")
                ]""", """
                sentence = "Ann married Bob in Paris."
                from Entities import Human, City
                from Relations import PlaceOfBirth
                results = [
                \tPlaceOfBirth(Human("Ann"), City("Paris"))
                ]""", """
                sentence = "Ann married Bob in Paris."
                from Entities import Human, City
                from Events import Marriage
                results = [
                \tMarriage(trigger = "married", spouse = [Human("Ann"), Human("Bob")], location = [City("Paris")])
                ]"""), codes(InstanceForm.SENTENCE_FIRST));
    }

    @Test
    void importFirst() {
        assertEquals("""
                from Entities import Human, City
                from Relations import PlaceOfBirth
                sentence = "Ann married Bob in Paris."
                results = [
                \tPlaceOfBirth(Human("Ann"), City("Paris"))
                ]""", codes(InstanceForm.IMPORT_FIRST).get(2));
    }

    @Test
    void wholeDefinesInsteadOfImporting() {
        assertEquals("""
                class City(Entity):
                \t""\"
                \tDescription: Large human settlement.
                \tExamples: Paris
                \t""\"
                \tpass

                sentence = "Ann married Bob in Paris."
                results = [
                \tCity("Paris")
                ]""", codes(InstanceForm.WHOLE).get(1));
        String relation = codes(InstanceForm.WHOLE).get(2);
        assertEquals(true, relation.startsWith("class Human(Entity):"), relation);
        assertEquals(true, relation.contains("\n\nclass City(Entity):") && relation.contains("\n\nclass PlaceOfBirth(Relation):"), relation);
    }

    @Test
    void formsParse() {
        assertEquals(InstanceForm.IMPORT_FIRST, InstanceForm.parse("import-first"));
        assertEquals(InstanceForm.WHOLE, InstanceForm.parse("Whole"));
    }
}
