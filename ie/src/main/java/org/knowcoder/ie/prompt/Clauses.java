package org.knowcoder.ie.prompt;

import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a sentence's entity (NER) prompts ask about: a long sentence is asked clause by clause. A
 * small model loses its place in a long list of names (sports results, tennis draws): it writes
 * an item twice, goes back to an earlier one and skips the names between, so its recall falls
 * with the entities a sentence holds. Asked about a shorter stretch at a time it keeps up
 * (bench/README.md, "Long sentences in clauses"). A sentence of {@link #MIN_WORDS} words or more
 * is cut after a comma or semicolon that ends a clause of at least {@link #MIN_CLAUSE} words and
 * leaves at least {@link #MIN_REST}; the answers are merged ({@link #answer}). Relations and
 * events are asked of the whole sentence: their parts may lie in different clauses.
 *
 * <p>Words are what spaces separate, as the prompt writes a sentence (punctuation set apart), and
 * each clause is a substring of the sentence from a word's start to a word's end, so a span found
 * in a clause is a span of the sentence.
 */
public final class Clauses {
    /** Chosen on CoNLL03's dev split; 16 to 35 and 5 to 12 scored within 0.3 F1 of each other there. */
    static final int MIN_WORDS = 25, MIN_CLAUSE = 8, MIN_REST = 4;

    private Clauses() {}

    /**
     * The stretches of {@code sentence} that {@code task}'s prompts ask about, in order: the sentence
     * itself unless NER asks a long one and {@code clauses} is on (off: every sentence whole, for comparison).
     */
    public static List<String> of(boolean clauses, Task task, String sentence) {
        return clauses && task == Task.NER ? of(sentence) : List.of(sentence);
    }

    /** The stretches of {@code sentence} its entity prompts ask about, in order: the sentence itself unless it is long. */
    static List<String> of(String sentence) {
        List<int[]> words = words(sentence);
        if (words.size() < MIN_WORDS) return List.of(sentence);
        List<String> out = new ArrayList<>();
        int first = 0;
        for (int i = 0; i < words.size(); i++) {
            int[] w = words.get(i);
            boolean stop = w[1] - w[0] == 1 && (sentence.charAt(w[0]) == ',' || sentence.charAt(w[0]) == ';');
            if (stop && i + 1 - first >= MIN_CLAUSE && words.size() - i - 1 >= MIN_REST) {
                out.add(sentence.substring(words.get(first)[0], w[1]));
                first = i + 1;
            }
        }
        out.add(sentence.substring(words.get(first)[0], words.getLast()[1]));
        return out;
    }

    /**
     * The answers to a sentence's clauses as one answer: the complete items of each, in order, each
     * item once. One clause's answer is returned as it is.
     */
    public static String answer(List<String> answers) {
        if (answers.size() == 1) return answers.getFirst();
        Set<String> items = new LinkedHashSet<>();
        for (String a : answers) items.addAll(OutputParser.elements(a));
        return PyCode.results(List.copyOf(items));
    }

    /** Start and end of each run of non-space characters. */
    private static List<int[]> words(String s) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            int start = i;
            while (i < s.length() && !Character.isWhitespace(s.charAt(i))) i++;
            if (i > start) out.add(new int[] {start, i});
        }
        return out;
    }
}
