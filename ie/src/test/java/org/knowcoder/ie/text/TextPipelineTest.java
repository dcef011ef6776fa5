package org.knowcoder.ie.text;

import org.junit.jupiter.api.Test;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.constrain.ResultsGrammar;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.PostRule;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole path from text to result on a scripted model: chunking and merging with document
 * offsets, span placement, relation and event argument placement, superclass induction, class
 * methods, duplicates, cut sentences.
 */
class TextPipelineTest {
    /** Person drops pronouns, Organization cuts at " as ", GeographicLocation is a Location that is not chosen. */
    private static final SchemaLibrary LIBRARY = SchemaLibrary.of(List.of(
            Concept.builder(Kind.ENTITY, "Person").addRule(new PostRule.DropWords(List.of("she", "he"))).build(),
            Concept.builder(Kind.ENTITY, "Organization").addRule(new PostRule.CutAt(List.of(" as "))).build(),
            Concept.builder(Kind.ENTITY, "Location").build(),
            Concept.builder(Kind.ENTITY, "GeographicLocation").parent("Location").build(),
            Concept.builder(Kind.RELATION, "WorkFor").headTypes(List.of("Person")).tailTypes(List.of("Organization")).build(),
            Concept.builder(Kind.EVENT, "Marry").roles(List.of(new Role("person", List.of("Person")), new Role("place", List.of("Location")))).build()));
    private static final TypeSet TYPES = new TypeSet(LIBRARY, Map.of(Kind.ENTITY, List.of("Person", "Organization", "Location"),
            Kind.RELATION, List.of("WorkFor"), Kind.EVENT, List.of("Marry")));

    /** Each sentence on its own answers (no {@link org.knowcoder.ie.eval.NameConsistency}, which {@link #aNameFoundInOneSentenceIsFoundInTheOthers} covers). */
    private static TextResult run(ScriptedModel model, String text, int chunkTokens, Set<Task> tasks) {
        return new TextPipeline(model, TYPES, tasks, chunkTokens, true, false).extract("doc", text, null).join();
    }

    /** The entities of a text's sentences checked against each other before they are placed; relations then take the types. */
    @Test
    void aNameFoundInOneSentenceIsFoundInTheOthers() {
        String text = "Acme hired Ann Lee. Lee joined Acme in May. Acme rose.";
        ScriptedModel model = new ScriptedModel(Map.of("NER|Acme hired Ann Lee .", "results = [Organization(\"Acme\"), Person(\"Ann Lee\")]",
                "NER|Lee joined Acme in May .", "results = [Location(\"Lee\")]",
                "RE|Lee joined Acme in May .", "results = [WorkFor(Entity(\"Lee\"), Entity(\"Acme\"))]"));
        TextPipeline pipeline = new TextPipeline(model, TYPES, Set.of(Task.NER, Task.RE), 100, true, true);
        TextResult r = pipeline.extract("doc", text, null).join();
        int s2 = text.indexOf("Lee joined"), s3 = text.indexOf("Acme rose");
        Mention lee = new Mention("Person", "Lee", s2, s2 + 3), acme = new Mention("Organization", "Acme", s2 + 11, s2 + 15);
        assertAll(() -> assertEquals(List.of(new Mention("Organization", "Acme", 0, 4), new Mention("Person", "Ann Lee", 11, 18), lee, acme,
                        new Mention("Organization", "Acme", s3, s3 + 4)), r.entities()),
                () -> assertEquals(List.of(new Relation("WorkFor", lee, acme)), r.relations()));
        TextResult alone = new TextPipeline(model, TYPES, Set.of(Task.NER), 100, true, false).extract("doc", text, null).join();
        assertEquals(List.of(new Mention("Organization", "Acme", 0, 4), new Mention("Person", "Ann Lee", 11, 18),
                new Mention("Location", "Lee", s2, s2 + 3)), alone.entities(), "--no-consistency: each sentence's own answer");
    }

    /** A long list's entities asked clause by clause (Clauses), its relations of the whole; the clauses' entities placed in the text. */
    @Test
    void aLongSentencesEntitiesAreAskedClauseByClause() {
        String text = "Ann Lee of Acme beat Bob Ray of Initech in the first round at Paris, Cid Day of Hooli beat Dan Fox of Acme in the second round, "
                + "and Eve Kim won";
        String c1 = "Ann Lee of Acme beat Bob Ray of Initech in the first round at Paris ,", c2 = "Cid Day of Hooli beat Dan Fox of Acme in the second round ,";
        String c3 = "and Eve Kim won", whole = c1 + " " + c2 + " " + c3;
        ScriptedModel model = new ScriptedModel(Map.of("NER|" + c1, "results = [Person(\"Ann Lee\"), Organization(\"Acme\")]",
                "NER|" + c2, "results = [Person(\"Cid Day\"), Organization(\"Hooli\"), Organization(\"Acme\")]", "NER|" + c3, "results = [Person(\"Eve Kim\")]",
                "RE|" + whole, "results = [WorkFor(Entity(\"Cid Day\"), Entity(\"Hooli\"))]"));
        TextResult r = run(model, text, 100, Set.of(Task.NER, Task.RE));
        int cid = text.indexOf("Cid"), hooli = text.indexOf("Hooli"), eve = text.indexOf("Eve");
        assertAll(() -> assertEquals(4, model.prompts.size(), "three clauses for NER, the sentence for RE"),
                () -> assertEquals(List.of(new Mention("Person", "Ann Lee", 0, 7), new Mention("Organization", "Acme", 11, 15),
                        new Mention("Person", "Cid Day", cid, cid + 7), new Mention("Organization", "Hooli", hooli, hooli + 5),
                        new Mention("Person", "Eve Kim", eve, eve + 7)), r.entities()),
                () -> assertEquals(List.of(new Relation("WorkFor", new Mention("Person", "Cid Day", cid, cid + 7),
                        new Mention("Organization", "Hooli", hooli, hooli + 5))), r.relations()));
        ScriptedModel whole1 = new ScriptedModel(Map.of());
        new TextPipeline(whole1, TYPES, Set.of(Task.NER), 100, false, false).extract("doc", text, null).join();
        assertEquals(1, whole1.prompts.size(), "--no-clauses: the sentence whole");
    }

    @Test
    void aDocumentIsChunkedPlacedAndMerged() {
        String s1 = "Ann works for Acme in Paris.", s2 = "She married Bob in Paris.", s3 = "Ann and Bob and Cid and Dan went home.";
        String text = s1 + " " + s2 + "\n\n" + s3;
        // the prompts write the sentences with their punctuation apart (PromptText)
        String p1 = "Ann works for Acme in Paris .", p2 = "She married Bob in Paris .";
        ScriptedModel model = new ScriptedModel(Map.of(
                "NER|" + p1, "results = [\n\tPerson(\"Ann\"),\n\tOrganization(\"Acme as employer\"),\n\tGeographicLocation(\"Paris\"),"
                        + "\n\tPerson(\"Ann\"),\n\tPerson(\"Zed\")\n]",
                "RE|" + p1, "results = [WorkFor(Entity(\"Ann\"), Entity(\"Acme\")), WorkFor(Entity(\"Ann\"), Entity(\"Acme\")), WorkFor(Entity(\"Ann\"), Entity(\"Ann\"))]",
                "NER|" + p2, "results = [Person(\"She\"), Person(\"Bob\")]",
                "ED|" + p2, "results = [Marry(\"married\")]",
                "EAE|" + p2, "results = [Marry(trigger=\"married\", person=[Entity(\"She\"), Entity(\"Bob\"), Entity(\"Bob\")], place=[Entity(\"Paris\")])]",
                "NER|Ann and Bob and Cid and", "results = [Person(\"Ann\"), Person(\"Cid\")]",
                "NER|Dan went home .", "results = [Person(\"Da"));
        TextResult r = run(model, text, 6, Set.of());
        int o2 = s1.length() + 1, o3 = o2 + s2.length() + 2;
        assertAll(
                () -> assertEquals(List.of(new Mention("Person", "Ann", 0, 3), new Mention("Organization", "Acme", 14, 18),
                        new Mention("Location", "Paris", 22, 27), new Mention("Person", "Bob", o2 + 12, o2 + 15),
                        new Mention("Person", "Ann", o3, o3 + 3), new Mention("Person", "Cid", o3 + 16, o3 + 19)), r.entities()),
                () -> assertEquals(List.of(new Relation("WorkFor", new Mention("Person", "Ann", 0, 3), new Mention("Organization", "Acme", 14, 18))),
                        r.relations()),
                () -> assertEquals(List.of(new Event("Marry", new Mention(null, "married", o2 + 4, o2 + 11), List.of(
                        new Argument("person", new Mention(null, "She", o2, o2 + 3)), new Argument("person", new Mention(null, "Bob", o2 + 12, o2 + 15)),
                        new Argument("place", new Mention(null, "Paris", o2 + 19, o2 + 24))))), r.events()),
                () -> assertEquals(3, r.sentences()),
                () -> assertTrue(r.truncated()),
                () -> assertTrue(model.prompts.stream().anyMatch(p -> p.contains("\"married\" is the trigger of event type \"Marry\"")),
                        "EAE is asked with ED's triggers"),
                () -> assertEquals(4 * 3 + 1, r.generated().size(), "NER, RE, ED on each of the 4 chunks, EAE where ED found a trigger"));
        for (Mention m : r.entities()) assertEquals(m.text(), text.substring(m.start(), m.end()));
    }

    @Test
    void spansTakeFreeOccurrencesAndArgumentsTheNearest() {
        String text = "Paris saw Ann, and later Ann married Bob in Paris and joined Acme.", prompt = "Paris saw Ann , and later Ann married Bob in Paris and joined Acme .";
        ScriptedModel model = new ScriptedModel(Map.of(
                "NER|" + prompt, "results = [Person(\"Ann\"), Person(\"Ann\"), Person(\"Ann\")]",
                "RE|" + prompt, "results = [WorkFor(head_entity=Entity(\"Ann\"), tail_entity=Entity(\"Acme\"))]",
                "ED|" + prompt, "results = [Marry(\"married\")]",
                "EAE|" + prompt, "results = [Marry(trigger=\"married\", place=[Entity(\"Paris\")])]"));
        TextResult r = run(model, text, 100, Set.of());
        int secondAnn = text.indexOf("Ann", 11), lastParis = text.lastIndexOf("Paris");
        assertAll(
                () -> assertEquals(List.of(10, secondAnn), r.entities().stream().map(Mention::start).toList(), "the two occurrences, then a duplicate"),
                () -> assertEquals(secondAnn, r.relations().getFirst().head().start(), "the Ann nearest Acme"),
                () -> assertEquals(lastParis, r.events().getFirst().arguments().getFirst().span().start(), "the Paris nearest the trigger"));
    }

    /** A name written with the sentence's period set apart ("Paris .") is the name alone, and one mention with "Paris". */
    @Test
    void aSpanEndingInTheSentencesPeriodIsTheNameBeforeIt() {
        String text = "Ann lives in Paris.";
        ScriptedModel model = new ScriptedModel(Map.of("NER|Ann lives in Paris .", "results = [Location(\"Paris .\"), Location(\"Paris\")]"));
        TextResult r = run(model, text, 100, Set.of(Task.NER));
        assertEquals(List.of(new Mention("Location", "Paris", 13, 18)), r.entities());
    }

    @Test
    void eachSentenceIsAskedOnItsOwn() {
        String text = "Ann met Bob. Sue saw Tom.";
        ScriptedModel model = new ScriptedModel(Map.of("NER|Ann met Bob .", "results = [Person(\"Bob\")]", "NER|Sue saw Tom .", "results = [Person(\"Tom\")]"));
        TextResult r = run(model, text, 100, Set.of(Task.NER));
        assertAll(() -> assertEquals(List.of(new Mention("Person", "Bob", 8, 11), new Mention("Person", "Tom", 21, 24)), r.entities()),
                () -> assertEquals(2, r.sentences()), () -> assertEquals(2, model.prompts.size()));
    }

    @Test
    void eaeAloneRunsEdForItsTriggersAndEmptyTextAsksNothing() {
        String text = "Ann married Bob.";
        ScriptedModel model = new ScriptedModel(Map.of("ED|Ann married Bob .", "results = [Marry(\"married\")]",
                "EAE|Ann married Bob .", "results = [Marry(trigger=\"married\", person=[Entity(\"Bob\")])]"));
        TextResult r = run(model, text, 100, Set.of(Task.EAE));
        assertAll(() -> assertEquals(List.of("ED", "EAE"), model.prompts.stream().map(ScriptedModel::task).toList()),
                () -> assertEquals("Bob", r.events().getFirst().arguments().getFirst().span().text()),
                () -> assertEquals(List.of(), r.entities()));
        TextResult empty = run(model, "", 100, Set.of());
        assertAll(() -> assertEquals(2, model.prompts.size()), () -> assertEquals(0, empty.sentences()));
    }

    /** A megabyte document: every chunk answered (its first word a Person), every offset slicing back, every sentence counted. */
    @Test
    void aMegabyteDocument() {
        String[] sentences = {"Ann met Bob in Paris.", "The committee, which met on Tuesday, approved the plan.", "Dr. Smith said so.",
                "Prices rose 3.5 percent in May."};
        StringBuilder sb = new StringBuilder();
        int count = 0;
        while (sb.length() < 1_000_000) {
            sb.append(sentences[count % sentences.length]).append(count % 7 == 6 ? "\n\n" : " ");
            count++;
        }
        String text = sb.toString();
        int total = count;
        ScriptedModel model = new ScriptedModel(key -> key.startsWith("NER|") ? "results = [Person(\"" + key.substring(4).split(" ")[0] + "\")]" : "results = []");
        TextResult r = run(model, text, 40, Set.of(Task.NER));
        assertAll(() -> assertEquals(total, r.sentences()),
                () -> assertEquals(model.prompts.size(), r.entities().size(), "one entity per chunk"),
                () -> assertTrue(r.entities().stream().allMatch(m -> text.substring(m.start(), m.end()).equals(m.text()))),
                () -> assertTrue(!r.truncated()));
    }

    /** A model may answer a chunk's prompts in any order (the decoder drains one query at a time): no callback waits for another answer. */
    @Test
    void answersMayComeInAnyOrder() {
        List<CompletableFuture<String>> pending = new ArrayList<>();
        TextModel model = new TextModel() {
            @Override
            public CompletableFuture<String> answer(Object group, String prompt, ResultsGrammar grammar, Consumer<String> stream) {
                CompletableFuture<String> f = new CompletableFuture<>();
                pending.add(f);
                return f;
            }

            @Override
            public int tokens(String text) {
                return 1;
            }

            @Override
            public int promptRoom() {
                return 100_000;
            }
        };
        CompletableFuture<TextResult> r = new TextPipeline(model, TYPES, Set.of(Task.NER, Task.RE), 100, true, false).extract("1", "Ann works for Acme.", null);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = pending.size() - 1; i >= 0; i--) pending.get(i).complete("results = []");
        });
        assertAll(() -> assertEquals(2, pending.size()), () -> assertTrue(r.isDone()));
    }
}
