package org.knowcoder.ie.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.schema.Task;
import org.knowcoder.testing.SharedFiles;


import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetLabelsTest {

    @Test
    void everyDatasetHasAMapping() {
        for (DatasetCatalog.Entry e : DatasetCatalog.ENTRIES) assertTrue(!DatasetLabels.load(e.name()).isEmpty(), e.name());
        assertEquals(Optional.of("person"), DatasetLabels.load("conll2003").get(Task.NER).label("Human", TypeHierarchy.NONE));
    }

    /** Each label that occurs in the real files has a class, and each mapping label occurs (no typos). */
    @Test
    void mappingsCoverExactlyTheLabelsOfTheData() throws IOException {
        for (DatasetCatalog.Entry entry : DatasetCatalog.ENTRIES) {
            Map<Task, LabelMap> maps = DatasetLabels.load(entry.name());
            Set<String> entity = new HashSet<>(), relation = new HashSet<>(), event = new HashSet<>(), role = new HashSet<>();
            for (Split split : DatasetCatalog.read(SharedFiles.datasets(), entry)) {
                for (Sample s : split.samples()) {
                    s.entities().stream().map(Mention::type).forEach(entity::add);
                    s.relations().stream().map(Relation::type).forEach(relation::add);
                    s.events().stream().map(Event::type).forEach(event::add);
                    s.events().forEach(e -> e.arguments().stream().map(Argument::role).forEach(role::add));
                }
            }
            assertEquals(entity, labels(maps.get(Task.NER)), entry.name() + " entities");
            assertEquals(relation, labels(maps.get(Task.RE)), entry.name() + " relations");
            assertEquals(event, labels(maps.get(Task.ED)), entry.name() + " events");
            assertEquals(role, maps.containsKey(Task.EAE) ? new HashSet<>(maps.get(Task.EAE).argumentToRole().values()) : Set.of(), entry.name() + " roles");
        }
    }

    /** CASIE's classes and argument names are those of the released event definitions. */
    @Test
    void casieUsesTheReleasedEventClasses() throws IOException {
        JsonNode defs = new ObjectMapper().readTree(SharedFiles.path("knowcoder-reference/eae_class_defs.json").toFile());
        LabelMap eae = DatasetLabels.load("casie").get(Task.EAE);
        for (String cls : eae.classToLabel().keySet()) assertTrue(defs.has(cls), cls);
        StringBuilder all = new StringBuilder();
        eae.classToLabel().keySet().forEach(c -> all.append(defs.get(c).asText()));
        for (String arg : eae.argumentToRole().keySet()) assertTrue(all.indexOf("\t\t" + arg + ": List") >= 0, arg);
    }

    @Test
    void aClassStandsForOneLabel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetLabels.parse(
                new BufferedReader(new StringReader("entity\ta\tX\nentity\tb\tX\n")), "m.tsv"));
        assertTrue(e.getMessage().startsWith("m.tsv:2: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DatasetLabels.parse(new BufferedReader(new StringReader("thing\ta\tX\n")), "m.tsv"));
    }

    private static Set<String> labels(LabelMap m) {
        return m == null ? Set.of() : new HashSet<>(m.classToLabel().values());
    }
}
