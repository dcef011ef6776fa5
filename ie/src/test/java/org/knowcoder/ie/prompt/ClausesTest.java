package org.knowcoder.ie.prompt;

import org.junit.jupiter.api.Test;
import org.knowcoder.schema.Task;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClausesTest {
    /** 34 words: results of a tennis tournament, as CoNLL03 writes them. */
    private static final String LIST = "Results of the tournament on Tuesday : Pete Sampras beat Goran Ivanisevic 6-3 6-4 , "
            + "Boris Becker beat Thomas Muster 7-5 , Jim Courier beat Andre Agassi 6-2 ; Michael Chang won the final";

    @Test
    void aShortSentenceIsAskedWhole() {
        String s = "Ann works for Acme , Bob for Initech , Cid for Hooli in Paris .";
        assertEquals(List.of(s), Clauses.of(true, Task.NER, s));
    }

    @Test
    void aLongSentenceIsCutAfterTheCommasAndSemicolonsThatEndAClauseOfEightWords() {
        assertEquals(34, LIST.split(" ").length);
        assertEquals(List.of("Results of the tournament on Tuesday : Pete Sampras beat Goran Ivanisevic 6-3 6-4 ,",
                "Boris Becker beat Thomas Muster 7-5 , Jim Courier beat Andre Agassi 6-2 ;", "Michael Chang won the final"), Clauses.of(true, Task.NER, LIST));
    }

    @Test
    void theLastClauseKeepsAtLeastFourWords() {
        List<String> clauses = Clauses.of(LIST.replace(" won the final", " won"));
        assertEquals(List.of("Results of the tournament on Tuesday : Pete Sampras beat Goran Ivanisevic 6-3 6-4 ,",
                "Boris Becker beat Thomas Muster 7-5 , Jim Courier beat Andre Agassi 6-2 ; Michael Chang won"), clauses);
    }

    @Test
    void everyClauseIsAStretchOfTheSentenceFromWordToWord() {
        String s = "  " + LIST.replace(" , ", " ,\t") + " ";
        int from = 0;
        for (String c : Clauses.of(s)) {
            int at = s.indexOf(c, from);
            assertTrue(at >= from && !Character.isWhitespace(c.charAt(0)) && !Character.isWhitespace(c.charAt(c.length() - 1)), c);
            from = at + c.length();
        }
    }

    @Test
    void relationsAndEventsAndEverythingWithClausesOffAreAskedOfTheWholeSentence() {
        for (Task t : List.of(Task.RE, Task.ED, Task.EAE)) assertEquals(List.of(LIST), Clauses.of(true, t, LIST), t.name());
        assertEquals(List.of(LIST), Clauses.of(false, Task.NER, LIST), "off");
    }

    @Test
    void theAnswersMergeInOrderEachItemOnceAndACutItemIsLeftOut() {
        String merged = Clauses.answer(List.of("results = [\n\tPerson(\"Pete Sampras\"),\n\tPerson(\"Goran Ivanisevic\")\n]",
                "results = []", "results = [Person(\"Boris Becker\"), Person( 'Pete Sampras' ), Person(\"Pete Sampras\"), Person(\"Jim"));
        assertEquals("results = [\n\tPerson(\"Pete Sampras\"),\n\tPerson(\"Goran Ivanisevic\"),\n\tPerson(\"Boris Becker\"),"
                + "\n\tPerson( 'Pete Sampras' )\n]", merged);
    }

    @Test
    void oneAnswerIsKeptAsItWasWritten() {
        String raw = "results = [Person(\"Ann\"), Person(\"Bo";
        assertEquals(raw, Clauses.answer(List.of(raw)));
    }
}
