package org.knowcoder.ie.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HierarchyTest {

    @Test
    void classLinesGiveParents() {
        TypeHierarchy h = ClassDefinitionHierarchy.parse("class Entity:\n\tpass\nclass Human(Person):\n\tpass\n  class City (HumanSettlement, Place) :\n\"\"\"class Not(This)\"\"\"");
        assertEquals(Optional.of("Person"), h.parentOf("Human"));
        assertEquals(Optional.of("HumanSettlement"), h.parentOf("City"));
        assertEquals(Optional.empty(), h.parentOf("Entity"));
        assertEquals(Optional.empty(), h.parentOf("Not"));
    }

    @Test
    void releasedDefinitionsDriveSuperclassInduction() throws IOException {
        StringBuilder defs = new StringBuilder();
        for (String f : new String[] {"entity_class_defs.json", "relation_class_defs.json", "eae_class_defs.json"}) {
            JsonNode d = new ObjectMapper().readTree(SharedFiles.path("knowcoder-reference/" + f).toFile());
            d.properties().forEach(e -> defs.append(e.getValue().asText()).append('\n'));
        }
        TypeHierarchy h = ClassDefinitionHierarchy.parse(defs);
        assertEquals(Optional.of("Person"), h.parentOf("Human"));
        assertEquals(Optional.of("Location"), h.parentOf("PlaceOfBirth"));
        assertEquals(Optional.of("Life"), h.parentOf("Marry"));
        LabelMap labels = LabelMap.of(Map.of("Life", "life", "Company", "company"));
        assertEquals(Optional.of("life"), labels.label("Marry", h));
        assertEquals(Optional.of("company"), labels.label("Corporation", h));
        assertEquals(Optional.empty(), labels.label("Human", h));
    }

    @Test
    void cyclesEndTheWalk() {
        TypeHierarchy loop = TypeHierarchy.of(Map.of("A", "B", "B", "A"));
        assertEquals(Optional.empty(), LabelMap.of(Map.of("C", "c")).label("A", loop));
    }
}
