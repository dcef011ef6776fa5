package org.knowcoder.ie.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The prompt writes a chunk as the benchmarks write sentences, and every span of it maps back to the input's characters. */
class PromptTextTest {
    private static String prompt(String input) {
        return PromptText.of(input, 0, input.length()).text;
    }

    @Test
    void punctuationIsSetApartFromWords() {
        assertEquals("Ann works for Acme in Paris .", prompt("Ann works for Acme in Paris."));
        assertEquals("Acme 's CEO does n't ( really ) say \" no , \" he said .", prompt("Acme's CEO doesn't (really) say \"no,\" he said."));
        assertEquals("Why ? Ask Bob ; or Sue : she knows !", prompt("Why? Ask Bob; or Sue: she knows!"));
        assertEquals("Wait ... what ?", prompt("Wait... what?"));
        assertEquals("“ Paris ” , ‘ Rome ’ and the students ’ Ann ’s", prompt("“Paris”, ‘Rome’ and the students’ Ann’s"));
        assertEquals("I 'm sure they 're here and we 'll see : it 's Ann ’s", prompt("I'm sure they're here and we'll see: it's Ann’s"));
    }

    @Test
    void wordsWithInnerPunctuationStayWhole() {
        assertEquals("The U.S. team won 1,000 $5 prizes on 1996-08-28 at 10:30 by e-mail .",
                prompt("The U.S. team won 1,000 $5 prizes on 1996-08-28 at 10:30 by e-mail."));
        assertEquals("He left for the U.S.", prompt("He left for the U.S."), "an abbreviation ends the sentence as it is");
        assertEquals("Mr. Smith met Dr. Jones .", prompt("Mr. Smith met Dr. Jones."), "only the chunk's (the sentence's) last period is set apart");
        assertEquals("\" Later , \" she said .", prompt("\"Later,\" she said."));
        assertEquals("1.", prompt("1."), "an ordinal's period stays");
    }

    @Test
    void aSentenceWrittenAsTheBenchmarksWriteThemStaysAsItIs() {
        for (String s : List.of("Acme 's CEO does n't ( really ) say \" no , \" he said .", "He left for the U.S. on Jan. 5 , 1996 ...",
                "-- 's ( $ 3.2 billion ) : Chester-le-Street ; 6-4 !", "I 'm sure they 're here and we 'll see : it 's Ann ’s")) {
            assertEquals(s, prompt(s));
        }
    }

    @Test
    void whitespaceOfAnyKindBecomesOneSpace() {
        assertEquals("Ann met Bob", prompt("  Ann\n\tmet   Bob \r\n"));
        assertEquals("", prompt(" \n "));
    }

    @Test
    void spansMapBackToTheInputsCharacters() {
        String input = "Hello. Acme's office (in Paris).";
        PromptText p = PromptText.of(input, 7, input.length()); // the second sentence
        assertEquals("Acme 's office ( in Paris ) .", p.text);
        assertArrayEquals(new int[] {7, 13}, p.inInput(p.text.indexOf("Acme 's"), "Acme 's".length()));
        assertArrayEquals(new int[] {25, 30}, p.inInput(p.text.indexOf("Paris"), 5));
        assertEquals("Paris", input.substring(25, 30));
        assertArrayEquals(new int[] {25, 30}, p.inInput(p.text.indexOf(" Paris "), 7), "spaces at a span's ends are left out");
        assertArrayEquals(new int[] {21, 31}, p.inInput(p.text.indexOf("( in Paris )"), "( in Paris )".length()));
    }

    @Test
    void aSpanDoesNotEndInTheSentencesPeriod() {
        String input = "Apple sued Samsung in California.";
        PromptText p = PromptText.of(input, 0, input.length());
        assertEquals("Apple sued Samsung in California .", p.text);
        assertArrayEquals(new int[] {22, 32}, p.inInput(p.text.indexOf("California ."), "California .".length()));
        assertArrayEquals(new int[] {22, 32}, p.inInput(p.text.indexOf("California"), "California".length()));
        String inner = "Acme Corp. hired Ann.";
        PromptText q = PromptText.of(inner, 0, inner.length());
        assertArrayEquals(new int[] {0, 10}, q.inInput(0, "Acme Corp.".length()), "a period inside the sentence stays");
        String apart = "He lives in Trenton , N.J .";
        PromptText r = PromptText.of(apart, 0, apart.length());
        assertArrayEquals(new int[] {22, 27}, r.inInput(r.text.indexOf("N.J ."), "N.J .".length()), "a period the input wrote apart stays");
    }
}
