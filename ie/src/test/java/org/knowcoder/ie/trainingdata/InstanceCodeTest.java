package org.knowcoder.ie.trainingdata;

import org.junit.jupiter.api.Test;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.SchemaLibrary;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 2: the entity, relation and event forms of instance code (Appendix L.1) in the three
 * orders of Appendix A. The first three tests rebuild, from hand-made corpus lines, the three
 * schema-understanding cases the KnowCoder authors publish (Cases.md of ICT-GoKnow/KnowCoder,
 * commit 82a90e5), byte for byte but for one typo of theirs: the event case imports
 * {@code from Entites import Entity}, which we spell {@code Entities} as every other import does.
 */
class InstanceCodeTest {
    private static final KelmReader READER = new KelmReader(new ClassResolver(TestLibrary.small()));
    private static final KelmReader CASES = new KelmReader(new ClassResolver(casesLibrary()));
    private static final String LINE = """
            {"text": "Ann married Bob in Paris.",
             "entities": [{"name": "Ann", "types": ["human"], "start": 0, "end": 3}, {"name": "Bob", "types": ["Q5"]},
                          {"name": "Paris", "types": ["city"]}],
             "relations": [{"type": "place of birth", "head": 0, "tail": 2}],
             "events": [{"type": "marriage", "trigger": "married", "arguments": [{"role": "spouse", "entity": 0},
                         {"role": "spouse", "entity": 1}, {"role": "location", "entity": 2}]}]}""";

    /** The classes the published cases use, as a library built from Wikidata would name them. */
    private static SchemaLibrary casesLibrary() {
        return SchemaLibrary.of(List.of(
                Concept.builder(Kind.ENTITY, "Human").build(),
                Concept.builder(Kind.ENTITY, "AssociationFootballClub").build(),
                Concept.builder(Kind.ENTITY, "MetroStation").build(),
                Concept.builder(Kind.ENTITY, "RapidTransitLine").build(),
                Concept.builder(Kind.ENTITY, "Road").build(),
                Concept.builder(Kind.RELATION, "MemberOfSportsTeam").build(),
                Concept.builder(Kind.EVENT, "AdjacentStation")
                        .roles(List.of(new Role("connecting_line"), new Role("towards"), new Role("direction"))).build()));
    }

    private static List<String> codes(KelmReader reader, String line, InstanceForm form) {
        return InstanceCode.of(reader.parse(line), form).stream().map(InstanceCode.Code::text).toList();
    }

    private static List<String> codes(InstanceForm form) {
        return codes(READER, LINE, form);
    }

    @Test
    void publishedEntityCase() {
        String line = """
                {"text": "Lalita Yauhleuskaya competed at the 2008 Summer Olympics.",
                 "entities": [{"name": "Lalita Yauhleuskaya", "types": ["human"]}]}""";
        assertEquals(List.of("""
                # Extract the entities from the following sentence.
                sentence = "Lalita Yauhleuskaya competed at the 2008 Summer Olympics."

                from Entities import Human

                results = [
                \tHuman("Lalita Yauhleuskaya")
                ]"""), codes(CASES, line, InstanceForm.SENTENCE_FIRST));
    }

    @Test
    void publishedRelationCase() {
        String line = """
                {"text": "Gzim Istrefi plays for Carlstad United BK.",
                 "entities": [{"name": "Gzim Istrefi", "types": ["human"]},
                              {"name": "Carlstad United BK", "types": ["association football club"]}],
                 "relations": [{"type": "member of sports team", "head": 0, "tail": 1}]}""";
        assertEquals("""
                # Extract the relations from the following sentence.
                sentence = "Gzim Istrefi plays for Carlstad United BK."

                from Entities import Human, AssociationFootballClub
                from Relations import MemberOfSportsTeam

                results = [
                    MemberOfSportsTeam(
                        Human("Gzim Istrefi"),
                        AssociationFootballClub("Carlstad United BK")
                    )
                ]""", codes(CASES, line, InstanceForm.SENTENCE_FIRST).getLast());
    }

    @Test
    void publishedEventCase() {
        // a relation with sub-properties: the event's roles are the qualifiers, not the two stations
        String line = """
                {"text": "Jamsilsaenae station is adjacent to Sports Complex station which is on the Seoul Subway Line 2. \
                The Sports Complex station is in the direction of Inner Ring Road and is located near Gangnam station.",
                 "entities": [{"name": "Jamsilsaenae station", "types": ["metro station"]},
                              {"name": "Sports Complex station", "types": ["metro station"]},
                              {"name": "Seoul Subway Line 2", "types": ["rapid transit line"]},
                              {"name": "Gangnam station", "types": ["metro station"]},
                              {"name": "Inner Ring Road", "types": ["road"]}],
                 "relations": [{"type": "adjacent station", "head": 0, "tail": 1,
                                "qualifiers": [{"role": "connecting line", "entity": 2}, {"role": "towards", "entity": 3},
                                               {"role": "direction", "entity": 4}]}]}""";
        assertEquals("""
                # Extract the events from the following sentence.
                sentence = "Jamsilsaenae station is adjacent to Sports Complex station which is on the Seoul Subway Line 2. \
                The Sports Complex station is in the direction of Inner Ring Road and is located near Gangnam station."

                from Entities import Entity
                from Events import AdjacentStation

                results = [
                    AdjacentStation(
                        connecting_line=[Entity("Seoul Subway Line 2")],
                        towards=[Entity("Gangnam station")],
                        direction=[Entity("Inner Ring Road")]
                    )
                ]""", codes(CASES, line, InstanceForm.SENTENCE_FIRST).getLast());
    }

    @Test
    void sentenceFirstGivesOneCodePerConcept() {
        List<String> codes = codes(InstanceForm.SENTENCE_FIRST);
        assertEquals(4, codes.size());
        assertEquals("""
                # Extract the entities from the following sentence.
                sentence = "Ann married Bob in Paris."

                from Entities import Human

                results = [
                \tHuman("Ann"),
                \tHuman("Bob")
                ]""", codes.get(0));
        assertTrue(codes.get(1).endsWith("results = [\n\tCity(\"Paris\")\n]"), codes.get(1));
        assertEquals("""
                # Extract the events from the following sentence.
                sentence = "Ann married Bob in Paris."

                from Entities import Entity
                from Events import Marriage

                results = [
                    Marriage(
                        trigger="married",
                        spouse=[Entity("Ann"), Entity("Bob")],
                        location=[Entity("Paris")]
                    )
                ]""", codes.get(3));
    }

    @Test
    void importFirst() {
        assertEquals("""
                # Extract the relations from the following sentence.
                from Entities import Human, City
                from Relations import PlaceOfBirth

                sentence = "Ann married Bob in Paris."

                results = [
                    PlaceOfBirth(
                        Human("Ann"),
                        City("Paris")
                    )
                ]""", codes(InstanceForm.IMPORT_FIRST).get(2));
    }

    @Test
    void wholeDefinesInsteadOfImporting() {
        assertEquals("""
                # Extract the entities from the following sentence.
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
        assertTrue(relation.startsWith("# Extract the relations from the following sentence.\nclass Human(Entity):"), relation);
        assertTrue(relation.contains("\n\nclass City(Entity):") && relation.contains("\n\nclass PlaceOfBirth(Relation):"), relation);
        String event = codes(InstanceForm.WHOLE).get(3);
        assertTrue(event.startsWith("# Extract the events from the following sentence.\nclass Marriage(Event):"), event);
    }

    @Test
    void headAndTailBecomeArgumentsWhereTheLineNamesTheirRoles() {
        String line = """
                {"text": "Ann married Bob in Paris.",
                 "entities": [{"name": "Ann", "types": ["human"]}, {"name": "Bob", "types": ["human"]}, {"name": "Paris", "types": ["city"]}],
                 "relations": [{"type": "spouse", "head": 0, "tail": 1, "head_role": "spouse", "tail_role": "spouse",
                                "qualifiers": [{"role": "place of marriage", "entity": 2}]}]}""";
        assertTrue(codes(READER, line, InstanceForm.SENTENCE_FIRST).getLast().endsWith("""
                results = [
                    Spouse(
                        spouse=[Entity("Ann"), Entity("Bob")],
                        place_of_marriage=[Entity("Paris")]
                    )
                ]"""));
    }

    @Test
    void formsParse() {
        assertEquals(InstanceForm.IMPORT_FIRST, InstanceForm.parse("import-first"));
        assertEquals(InstanceForm.WHOLE, InstanceForm.parse("Whole"));
    }
}
