package org.knowcoder.ie.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.SampleJson;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every reader on the real files of ../shared/datasets. The expected counts were computed
 * independently, by a short Python script over the raw files (CoNLL: B- tags and I- tags that start a
 * mention; JSON: list lengths; SemEval/KBP: labels other than Other / no_relation); sentence counts
 * also match the split sizes in INDEX.md.
 */
class RealDatasetsTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            // dataset, split, sentences, entities, relations, entity types, relation types
            "crossner_ai, train, 100, 532, 0, 14, 0",
            "crossner_ai, test, 431, 1809, 0, 14, 0",
            "crossner_literature, train, 100, 541, 0, 12, 0",
            "crossner_literature, test, 416, 2266, 0, 12, 0",
            "crossner_music, train, 100, 648, 0, 13, 0",
            "crossner_music, test, 465, 3336, 0, 13, 0",
            "crossner_politics, train, 200, 1304, 0, 9, 0",
            "crossner_politics, test, 651, 4209, 0, 9, 0",
            "crossner_science, train, 200, 1075, 0, 17, 0",
            "crossner_science, test, 543, 3089, 0, 17, 0",
            "conll2003, train, 14041, 23429, 0, 4, 0",
            "conll2003, test, 3453, 5628, 0, 4, 0",
            "mit_restaurant, train, 7660, 15363, 0, 8, 0",
            "mit_restaurant, test, 1521, 3151, 0, 8, 0",
            "wnut17, train, 3394, 1975, 0, 6, 0",
            "wnut17, dev, 1009, 836, 0, 6, 0",
            "wnut17, test, 1287, 1079, 0, 6, 0",
            "ncbi_disease, train, 5424, 5134, 0, 1, 0",
            "ncbi_disease, test, 940, 960, 0, 1, 0",
            "bc5cdr, train, 4560, 9385, 0, 2, 0",
            "bc5cdr, test, 4797, 9809, 0, 2, 0",
            "conll04, train, 922, 3377, 1283, 4, 5",
            "conll04, test, 288, 1079, 422, 4, 5",
            "scierc, train, 1861, 5598, 3219, 6, 7",
            "scierc, test, 551, 1685, 974, 6, 7",
            "semeval, train, 8000, 0, 6590, 0, 9",
            "semeval, test, 2717, 0, 2263, 0, 9",
    })
    void countsMatchTheRawFiles(String dataset, String split, int sentences, int entities, int relations, int entityTypes, int relationTypes)
            throws IOException {
        Split s = read(dataset, split);
        SplitStats st = SplitStats.of(s);
        assertEquals(List.of(sentences, entities, relations, entityTypes, relationTypes),
                List.of(st.sentences(), st.entities(), st.relations(), st.entityTypes().size(), st.relationTypes().size()));
        assertEquals(List.of(), s.unplaced());
        assertSpansFit(s);
    }

    /** 2986 relations in the file; 19 have an argument tag around nothing (a lost name) and are reported. */
    @Test
    void kbp37ReportsTheRelationsItCannotPlace() throws IOException {
        Split s = read("kbp37", "test");
        SplitStats st = SplitStats.of(s);
        // sentences, relation types, unplaced, relations placed or not
        assertEquals(List.of(3405, 18, 19, 2986),
                List.of(st.sentences(), st.relationTypes().size(), s.unplaced().size(), st.relations() + s.unplaced().size()));
        assertTrue(s.unplaced().getFirst().startsWith("test.txt:753: "), s.unplaced().getFirst());
        assertSpansFit(s);
    }

    /**
     * 200 documents with 2121 events and 6049 arguments; five documents have every offset one too
     * far (220 spans, repaired); arguments outside their trigger's sentence are reported, none lost.
     */
    @Test
    void casieKeepsEveryEventAndAccountsForEveryArgument() throws IOException {
        Split s = read("casie", "test");
        SplitStats st = SplitStats.of(s);
        // events, event types, repaired, arguments placed or not, unplaced
        assertEquals(List.of(2121, 5, 220, 6049, 337),
                List.of(st.events(), st.eventTypes().size(), s.repaired().size(), st.arguments() + s.unplaced().size(), s.unplaced().size()));
        assertEquals(3172, st.sentences()); // our rule-based split of the 200 documents
        assertSpansFit(s);
    }

    @Test
    void samplesSurviveJsonLines() throws IOException {
        for (String[] ds : new String[][] {{"conll04", "test"}, {"scierc", "test"}, {"casie", "test"}, {"semeval", "test"}}) {
            for (Sample sample : read(ds[0], ds[1]).samples()) assertEquals(sample, SampleJson.fromLine(SampleJson.toLine(sample)));
        }
    }

    private static Split read(String dataset, String split) throws IOException {
        DatasetCatalog.Entry entry = DatasetCatalog.entry(dataset);
        for (Split s : DatasetCatalog.read(SharedFiles.datasets(), entry)) if (s.name().equals(split)) return s;
        throw new AssertionError("no split " + split + " of " + dataset);
    }

    /** Every span's offsets select its text, which has no surrounding whitespace. */
    private static void assertSpansFit(Split split) {
        for (Sample s : split.samples()) {
            List<Mention> spans = new ArrayList<>(s.entities());
            for (Relation r : s.relations()) spans.addAll(List.of(r.head(), r.tail()));
            for (Event e : s.events()) {
                spans.add(e.trigger());
                e.arguments().stream().map(Argument::span).forEach(spans::add);
            }
            for (Mention m : spans) {
                assertEquals(m.text(), s.text().substring(m.start(), m.end()), s.id());
                assertEquals(m.text().strip(), m.text(), () -> s.id() + ": " + m);
                assertTrue(!m.text().isEmpty(), s.id());
            }
        }
    }
}
