package org.knowcoder.ie.trainingdata;

import org.junit.jupiter.api.Test;

import org.knowcoder.io.BadInputException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acceptance 2 and 5: each cleaning rule of Appendix H, and lines that cannot be read. */
class KelmCleaningTest {
    private static final KelmReader READER = new KelmReader(new ClassResolver(TestLibrary.small()));

    private static KelmSentence read(String entities, String relations) {
        return READER.parse("{\"text\": \"Ann married Bob in Paris.\", \"entities\": [" + entities + "], \"relations\": [" + relations + "]}");
    }

    @Test
    void entityWithoutTypeIsDropped() {
        KelmSentence s = read("{\"name\": \"Ann\", \"types\": []}, {\"name\": \"Bob\", \"types\": [\"human\"]}", "");
        assertEquals(List.of("Bob"), s.entities().stream().map(KelmSentence.Typed::name).toList());
    }

    @Test
    void disambiguationPagesAreDropped() {
        KelmSentence s = read("{\"name\": \"Paris\", \"types\": [\"city\", \"Wikimedia disambiguation page\"]},"
                + "{\"name\": \"Ann\", \"types\": [\"Q4167410\"]}, {\"name\": \"Bob\", \"types\": [\"human\"]}", "");
        assertEquals(List.of("Bob"), s.entities().stream().map(KelmSentence.Typed::name).toList());
    }

    @Test
    void bracketedTextLeavesNamesAndTypes() {
        KelmSentence s = read("{\"name\": \"Paris (France)\", \"types\": [\"city (settlement)\"]}", "");
        assertEquals("Paris", s.entities().getFirst().name());
        assertEquals("City", s.entities().getFirst().mainType());
        assertEquals("Mercury", KelmCleaning.stripBrackets("Mercury [planet] (astronomy)"));
    }

    @Test
    void relationWithSubPropertiesIsAnEventWithoutTheDroppedRoles() {
        KelmSentence s = read("{\"name\": \"Ann\", \"types\": [\"human\"]}, {\"name\": \"Bob\", \"types\": [\"human\"]},"
                        + "{\"name\": \"Paris\", \"types\": [\"city\"]}, {\"name\": \"France\", \"types\": [\"country\"]}",
                "{\"type\": \"spouse\", \"head\": 0, \"tail\": 1, \"qualifiers\": [{\"role\": \"place of marriage\", \"entity\": 2},"
                        + "{\"role\": \"country\", \"entity\": 3}, {\"role\": \"point in time\", \"entity\": 3}, {\"role\": \"of\", \"entity\": 3},"
                        + "{\"role\": \"follows\", \"entity\": 3}, {\"role\": \"followed by\", \"entity\": 3}]}");
        assertTrue(s.relations().isEmpty());
        KelmSentence.EventFact e = s.events().getFirst();
        assertEquals("Spouse", e.event().name());
        assertEquals(List.of("place_of_marriage"), e.arguments().stream().map(KelmSentence.Filler::role).toList());
        assertEquals("place_of_marriage=[Entity(\"Paris\")]",
                InstanceCode.of(s, InstanceForm.SENTENCE_FIRST).getLast().text().lines().toList().get(8).strip());
    }

    @Test
    void relationWhoseQualifiersAreAllDroppedStaysARelation() {
        KelmSentence s = read("{\"name\": \"Ann\", \"types\": [\"human\"]}, {\"name\": \"Paris\", \"types\": [\"city\"]}",
                "{\"type\": \"P19\", \"head\": 0, \"tail\": 1, \"qualifiers\": [{\"role\": \"point in time\", \"entity\": 1}]}");
        assertEquals("PlaceOfBirth", s.relations().getFirst().relation().name());
        assertTrue(s.events().isEmpty());
    }

    @Test
    void badLinesSayWhy() {
        assertEquals("unknown entity type 'planet'", assertThrows(BadInputException.class,
                () -> read("{\"name\": \"Mars\", \"types\": [\"planet\"]}", "")).getMessage());
        assertEquals("missing \"text\"", assertThrows(BadInputException.class, () -> READER.parse("{}")).getMessage());
        assertTrue(assertThrows(BadInputException.class,
                () -> read("{\"name\": \"Ann\", \"types\": [\"human\"], \"start\": 20, \"end\": 40}", "")).getMessage().contains("out of range"));
        assertTrue(assertThrows(BadInputException.class,
                () -> read("{\"name\": \"Ann\", \"types\": [\"human\"]}", "{\"type\": \"P19\", \"head\": 0, \"tail\": 5}")).getMessage().contains("out of range"));
        assertTrue(assertThrows(BadInputException.class, () -> READER.parse("{\"text\": ")).getMessage().startsWith("not JSON"));
    }
}
