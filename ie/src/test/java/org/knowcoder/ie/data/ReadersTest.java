package org.knowcoder.ie.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each reader on small hand-written files: offsets, conventions, and errors that name file and line. */
class ReadersTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }

    private static void assertMalformed(String fileAndLine, ThrowingRead read) {
        MalformedDataException e = assertThrows(MalformedDataException.class, read::run);
        assertTrue(e.getMessage().contains(fileAndLine + ": "), e.getMessage());
    }

    private interface ThrowingRead {
        void run() throws IOException;
    }

    @Test
    void conllTagLastOrFirst() throws IOException {
        Split last = ConllReader.read(file("a.txt", "Ann\tB-person\nLee\tI-person\nvisited\tO\nParis\tB-location\n\n-DOCSTART-\tO\n\nHi\tO\n"), "d", "test");
        Split first = ConllReader.read(file("b.txt", "B-person\tAnn\nI-person\tLee\nO\tvisited\nB-location\tParis\n\nO\tHi\n"), "d", "test");
        for (Split s : List.of(last, first)) {
            assertEquals(2, s.samples().size());
            Sample x = s.samples().getFirst();
            assertEquals("Ann Lee visited Paris", x.text());
            assertEquals(List.of(new Mention("person", "Ann Lee", 0, 7), new Mention("location", "Paris", 16, 21)), x.entities());
            assertTrue(s.samples().get(1).isEmpty());
        }
    }

    @Test
    void conllOrphanInsideTagStartsAMention() throws IOException {
        Sample s = ConllReader.read(file("a.txt", "a\tI-x\nb\tI-y\nc\tB-y\nd\tE-y\ne\tS-z\n"), "d", "t").samples().getFirst();
        assertEquals(List.of("a", "b", "c d", "e"), s.entities().stream().map(Mention::text).toList());
    }

    @Test
    void conllErrorsNameFileAndLine() {
        assertMalformed("bad.txt:2", () -> ConllReader.read(file("bad.txt", "Ann\tB-person\nLee\n"), "d", "t"));
        assertMalformed("bad2.txt:3", () -> ConllReader.read(file("bad2.txt", "Ann\tB-person\nLee\tO\nx\tQ-person\n"), "d", "t"));
    }

    @Test
    void spertEntityOffsetsAndRelations() throws IOException {
        Split s = SpertReader.read(file("s.json", """
                [{"tokens": ["John", "Smith", "works", "for", "IBM", "."],
                  "entities": [{"type": "Peop", "start": 0, "end": 2}, {"type": "Org", "start": 4, "end": 5}],
                  "relations": [{"type": "Work_For", "head": 0, "tail": 1}]}]"""), "conll04", "test");
        Sample x = s.samples().getFirst();
        assertEquals("John Smith works for IBM .", x.text());
        assertEquals(List.of(new Relation("Work_For", new Mention("Peop", "John Smith", 0, 10), new Mention("Org", "IBM", 21, 24))), x.relations());
    }

    @Test
    void spertErrorsNameTheDocumentsLine() {
        assertMalformed("s.json:3", () -> SpertReader.read(file("s.json", "[\n{\"tokens\": [\"a\"], \"entities\": [], \"relations\": []},\n"
                + "{\"tokens\": [\"a\"], \"entities\": [{\"type\": \"X\", \"start\": 0, \"end\": 2}], \"relations\": []}]"), "d", "t"));
        assertMalformed("t.json:2", () -> SpertReader.read(file("t.json", "[{\"tokens\": [\"a\"],\n \"entities\": [}]"), "d", "t"));
    }

    @Test
    void dygieUsesDocumentOffsetsAndReportsWhatCrossesSentences() throws IOException {
        Split s = DygieReader.read(file("d.json", """
                {"doc_key": "x", "sentences": [["We", "use", "CRFs", "."], ["CRFs", "help", "parsing", "."]],
                 "ner": [[[2, 2, "Method"]], [[4, 4, "Method"], [6, 6, "Task"], [3, 4, "Generic"]]],
                 "relations": [[], [[4, 4, 6, 6, "USED-FOR"], [2, 2, 6, 6, "USED-FOR"]]]}
                """), "scierc", "test");
        assertEquals(2, s.samples().size());
        Sample second = s.samples().get(1);
        assertEquals("CRFs help parsing .", second.text());
        assertEquals(List.of(new Mention("Method", "CRFs", 0, 4), new Mention("Task", "parsing", 10, 17)), second.entities());
        assertEquals(List.of(new Relation("USED-FOR", new Mention("Method", "CRFs", 0, 4), new Mention("Task", "parsing", 10, 17))), second.relations());
        assertEquals(2, s.unplaced().size(), s.unplaced().toString());
    }

    @Test
    void dygieEvents() throws IOException {
        Split s = DygieReader.read(file("e.json", """
                {"sentences": [["Rebels", "attacked", "the", "town"]], "events": [[[[1, "Attack"], [0, 0, "Attacker"], [2, 3, "Target"]]]]}
                """), "ace", "test");
        Event e = s.samples().getFirst().events().getFirst();
        assertEquals("attacked", e.trigger().text());
        assertEquals(List.of("Rebels", "the town"), e.arguments().stream().map(a -> a.span().text()).toList());
    }

    @Test
    void taggedSentencesDirectionsAndWhitespace() throws IOException {
        Split s = TaggedSentenceReader.read(file("sem.txt", """
                1\t"The <e1>company</e1> fabricates plastic <e2>chairs</e2>."
                Product-Producer(e2,e1)
                Comment: fine

                2\t" After <e1> Isle of Wight </e1> came <e2> Ryde </e2> . "
                no_relation


                3\t"A <e1>b</e1> c <e2>d</e2>"
                Other
                """), "semeval", "test");
        assertEquals(3, s.samples().size());
        Sample a = s.samples().getFirst();
        assertEquals("The company fabricates plastic chairs.", a.text());
        assertEquals(new Relation("Product-Producer", new Mention(null, "chairs", 31, 37), new Mention(null, "company", 4, 11)), a.relations().getFirst());
        assertEquals("After Isle of Wight came Ryde .", s.samples().get(1).text());
        assertTrue(s.samples().get(1).relations().isEmpty() && s.samples().get(2).relations().isEmpty());
    }

    @Test
    void taggedSentenceErrorsAndEmptyTags() throws IOException {
        assertMalformed("a.txt:1", () -> TaggedSentenceReader.read(file("a.txt", "1 no tab here\nOther\n"), "d", "t"));
        assertMalformed("b.txt:2", () -> TaggedSentenceReader.read(file("b.txt", "1\t\"<e1>a</e1> <e2>b</e2>\"\nCause-Effect\n"), "d", "t"));
        assertMalformed("c.txt:1", () -> TaggedSentenceReader.read(file("c.txt", "1\t\"<e1>a</e1> b\"\nOther\n"), "d", "t"));
        Split s = TaggedSentenceReader.read(file("k.txt", "7\t\" <e1> </e1> won <e2> X </e2> \"\nper:title(e1,e2)\n\n"), "kbp37", "t");
        assertEquals("won X", s.samples().getFirst().text());
        assertEquals(1, s.unplaced().size());
    }

    @Test
    void casieRepairsShiftedOffsetsAndReportsArgumentsInOtherSentences() throws IOException {
        // offsets one too far, as in five real CASIE documents
        String content = "Hackers stole data from Acme. The breach hit 5 users. Mr. Smith said so.";
        file("casie/1.json", """
                {"content": "%s", "cyberevent": {"hopper": [{"events": [{"subtype": "Databreach",
                  "nugget": {"startOffset": 9, "endOffset": 14, "text": "stole"},
                  "argument": [{"startOffset": 1, "endOffset": 8, "text": "Hackers", "role": {"type": "Attacker"}},
                               {"startOffset": 46, "endOffset": 47, "text": "5", "role": {"type": "Number-of-Victim"}},
                               {"startOffset": 0, "endOffset": 3, "text": "nowhere", "role": {"type": "Victim"}}]}]}]}}
                """.formatted(content));
        Split s = CasieReader.read(dir.resolve("casie"), "casie", "test");
        assertEquals(List.of("Hackers stole data from Acme.", "The breach hit 5 users.", "Mr. Smith said so."),
                s.samples().stream().map(Sample::text).toList());
        Event e = s.samples().getFirst().events().getFirst();
        assertEquals(new Mention(null, "stole", 8, 13), e.trigger());
        assertEquals(List.of("Hackers"), e.arguments().stream().map(a -> a.span().text()).toList());
        assertEquals(3, s.repaired().size());
        assertEquals(2, s.unplaced().size(), s.unplaced().toString()); // "5" in the next sentence, "nowhere" nowhere
    }

    @Test
    void sentencesNeverCutAnAnnotation() {
        String text = "It said Yahoo! Inc. was hit. Then A. B. Smith left.";
        java.util.BitSet noCut = new java.util.BitSet();
        int s = text.indexOf("Yahoo! Inc."), e = s + "Yahoo! Inc.".length();
        noCut.set(s + 1, e);
        List<String> sentences = SentenceSplitter.split(text, noCut).stream().map(b -> text.substring(b[0], b[1])).toList();
        assertEquals(List.of("It said Yahoo! Inc. was hit.", "Then A. B. Smith left."), sentences);
    }
}
