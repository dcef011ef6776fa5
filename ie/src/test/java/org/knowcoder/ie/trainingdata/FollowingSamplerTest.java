package org.knowcoder.ie.trainingdata;

import org.junit.jupiter.api.Test;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.DatasetLabels;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.ie.prompt.Query;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.PythonImporter;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acceptance 2: each sampling rule, the ratios measured over 10,000 samples. */
class FollowingSamplerTest {
    private static final SchemaLibrary LIBRARY = TestLibrary.synthetic(2000);
    private static final ClassResolver CLASSES = new ClassResolver(LIBRARY);

    /** A sentence with {@code n} entities of distinct types E0..En-1. */
    private static Sample withEntities(int n) {
        StringBuilder text = new StringBuilder();
        List<Mention> entities = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int start = text.length();
            text.append("m").append(i).append(' ');
            entities.add(Mention.of("E" + i, text.toString(), start, start + 1 + String.valueOf(i).length()));
        }
        return new Sample("s", "Synth", text.toString(), entities, List.of(), List.of());
    }

    private static List<String> classes(String prompt) {
        String code = prompt.substring(0, prompt.indexOf("\n\n\"\"\"\nThis is"));
        return PythonImporter.parse(code, "prompt").stream().map(Concept::name).toList();
    }

    private static FollowingSampler sampler(double ratio, double fullyNegative, long seed) {
        return new FollowingSampler(CLASSES, new FollowingOptions(List.of(Task.NER), ratio, fullyNegative, 5, false, 0, seed));
    }

    @Test
    void negativesAreTwentyPercentRoundedUp() {
        FollowingSampler s = sampler(0.2, 0, 1);
        for (int[] goldAndNegatives : new int[][] {{1, 1}, {5, 1}, {6, 2}, {10, 2}, {11, 3}}) {
            FollowingSample in = s.build(withEntities(goldAndNegatives[0]), 7).getFirst();
            List<String> shown = classes(in.prompt());
            assertEquals(goldAndNegatives[0] + goldAndNegatives[1], shown.size(), in.prompt());
            assertTrue(shown.containsAll(in.gold().classes()));
        }
    }

    @Test
    void ratiosOverTenThousandSamples() {
        FollowingSampler s = sampler(0.2, 0.05, 42);
        int fullyNegative = 0;
        long gold = 0, negatives = 0;
        int goldFirst = 0;
        for (int i = 0; i < 10_000; i++) {
            Sample sample = withEntities(1 + i % 10);
            FollowingSample in = s.build(sample, i).getFirst();
            List<String> shown = classes(in.prompt());
            if (in.gold().classes().isEmpty()) {
                fullyNegative++;
                assertEquals("results = []", in.output());
                assertEquals(5, shown.size());
                assertTrue(shown.stream().noneMatch(c -> sample.entities().stream().anyMatch(m -> m.type().equals(c))), shown::toString);
                continue;
            }
            gold += in.gold().classes().size();
            negatives += shown.size() - in.gold().classes().size();
            if (shown.getFirst().equals(in.gold().classes().getFirst())) goldFirst++;
        }
        double share = fullyNegative / 10_000.0, ratio = (double) negatives / gold;
        System.out.printf("fully negative share %.4f, negatives per gold class %.4f%n", share, ratio);
        assertTrue(Math.abs(share - 0.05) < 0.01, "fully negative share " + share);
        // ceil(0.2 n) over n = 1..10 averages 1.5 negatives for 5.5 gold classes: 0.2727
        assertTrue(Math.abs(ratio - 15.0 / 55) < 0.01, "negatives per gold class " + ratio);
        assertTrue(goldFirst < 9_000, "class order is shuffled: the first gold class came first " + goldFirst + " times");
    }

    @Test
    void eaeStatesTriggersAndDrawsNoNegatives() {
        String text = "Ann married Bob.";
        Sample sample = new Sample("s", "ACE05", text, List.of(), List.of(), List.of(new Event("V3", Mention.of(null, text, 4, 11),
                List.of(new Argument("agent", Mention.of(null, text, 0, 3)), new Argument("agent", Mention.of(null, text, 12, 15))))));
        FollowingSampler s = new FollowingSampler(CLASSES, new FollowingOptions(List.of(Task.EAE), 0.2, 1.0, 5, true, 0, 3));
        FollowingSample in = s.build(sample, 0).getFirst();
        assertEquals(List.of("V3"), classes(in.prompt()));
        assertTrue(in.prompt().contains("Event Objects in the following sentence from ACE05. It is important to note that the triggers of "
                + "the events are confirmed as follows: \"married\" is the trigger of event type \"V3\".\n"), in.prompt());
        assertEquals("results = [\n\tV3(trigger = \"married\", agent = [Entity(\"Ann\"), Entity(\"Bob\")])\n]", in.output());
    }

    @Test
    void sentencesWithoutGoldGiveOnlyFullyNegativeSamples() {
        FollowingSampler s = sampler(0.2, 0.05, 5);
        int built = 0;
        for (int i = 0; i < 1000; i++) built += s.build(withEntities(0), i).size();
        assertTrue(built > 20 && built < 90, "about 5% of 1000: " + built);
    }

    @Test
    void refinementWritesEvaluationsQueryWithAllOfTheDatasetsClasses() {
        SchemaLibrary library = TestLibrary.small();
        FollowingSampler s = new FollowingSampler(new ClassResolver(library), new FollowingOptions(List.of(Task.NER), 0.2, 0.05, 5, false, 0.5, 1));
        Query eval = new Query(DatasetSchema.of(Task.NER, DatasetLabels.load("conll2003").get(Task.NER), library), null, List.of());
        String text = "Ann lives in Paris.";
        Sample sample = new Sample("s", "conll2003", text, List.of(Mention.of("person", text, 0, 3)), List.of(), List.of());
        int refined = 0, empty = 0;
        for (int i = 0; i < 1000; i++) {
            FollowingSample in = s.build(sample, i).getFirst();
            if (!in.prompt().equals(eval.query(text, List.of()))) continue;
            refined++;
            assertEquals("results = [\n\tHuman(\"Ann\")\n]", in.output());
            // a sentence without annotations is kept in this form, with no results, as evaluation sees it
            List<FollowingSample> none = s.build(new Sample("t", "conll2003", "Nothing here.", List.of(), List.of(), List.of()), i);
            if (!none.isEmpty() && none.getFirst().prompt().equals(eval.query("Nothing here.", List.of()))) empty++;
        }
        assertTrue(refined > 430 && refined < 570, "about half of 1000: " + refined);
        assertTrue(empty > 200, "about half of the empty sentences in evaluation's form: " + empty);
    }
}
