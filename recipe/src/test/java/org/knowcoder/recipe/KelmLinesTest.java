package org.knowcoder.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class KelmLinesTest {
    private static final String TEXT = "Ann works for Acme in Paris .";

    @Test
    void labelsBecomeClassesAndRelationEndsIndexTheEntities() throws Exception {
        Mention ann = Mention.of("Peop", TEXT, 0, 3), acme = Mention.of("Org", TEXT, 14, 18), in = Mention.of(null, TEXT, 19, 21);
        Sample s = new Sample("1", "conll04", TEXT, List.of(ann, acme),
                List.of(new Relation("Work_For", ann, acme), new Relation("Located_In", acme, in)), List.of());
        JsonNode line = new ObjectMapper().readTree(new KelmLines("conll04").line(s));
        assertEquals("Human", line.at("/entities/0/types/0").asText());
        assertEquals("Organization", line.at("/entities/1/types/0").asText());
        assertEquals(1, line.get("relations").size(), "the relation to an untyped span is left out");
        assertEquals("WorkFor", line.at("/relations/0/type").asText());
        assertEquals(0, line.at("/relations/0/head").asInt());
        assertEquals(1, line.at("/relations/0/tail").asInt());
    }

    @Test
    void aSentenceWithNothingMappedHasNoLine() {
        Sample s = new Sample("1", "conll04", TEXT, List.of(), List.of(), List.of());
        assertNull(new KelmLines("conll04").line(s));
    }

    @Test
    void zeroShotDatasetsAreNotTrainedOn() {
        assertEquals(List.of(true, true, false), List.of(TrainSplits.zeroShot("crossner_ai"), TrainSplits.zeroShot("mit_restaurant"),
                TrainSplits.zeroShot("conll2003")));
    }
}
