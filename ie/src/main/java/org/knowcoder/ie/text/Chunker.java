package org.knowcoder.ie.text;

import org.knowcoder.ie.data.SentenceSplitter;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts an input into the chunks its prompts carry. Paragraphs (text between blank lines) are split
 * into sentences by {@link SentenceSplitter}, the rule the CASIE reader uses, rather than
 * {@code java.text.BreakIterator}: BreakIterator ends a sentence after "Dr." or an initial ("J.
 * Smith"), cutting names, which are what extraction looks for. Each sentence is a chunk of its
 * own, as KnowCoder learned from single sentences (sentences packed into one prompt scored lower:
 * bench/README.md, "Extraction on plain text"). A sentence longer than the budget is never
 * dropped: it is cut at word boundaries (where SentencePiece tokens begin) into pieces that fit,
 * and a word longer than the budget at the longest prefix that fits; those chunks are marked truncated.
 */
final class Chunker {
    private static final Pattern BLANK_LINE = Pattern.compile("\\n[ \\t\\r\\f]*\\n");
    /** No token spans more characters than this, which bounds the search for a cut inside a word. */
    private static final int MAX_CHARS_PER_TOKEN = 32;

    private final int budget;
    private final ToIntFunction<String> tokens;

    /** @param budget tokens a chunk may have; @param tokens the token count of a text (no BOS) */
    Chunker(int budget, ToIntFunction<String> tokens) {
        this.budget = Math.max(1, budget);
        this.tokens = tokens;
    }

    List<Chunk> chunks(String text) {
        List<Chunk> out = new ArrayList<>();
        for (int[] s : sentences(text)) {
            if (tokens.applyAsInt(text.substring(s[0], s[1])) > budget) cut(text, s[0], s[1], out);
            else out.add(new Chunk(s[0], s[1], 1, false));
        }
        return out;
    }

    /** Sentence boundaries of the whole text: paragraphs at blank lines, then sentences within each. */
    static List<int[]> sentences(String text) {
        List<int[]> out = new ArrayList<>();
        Matcher m = BLANK_LINE.matcher(text);
        int from = 0;
        while (true) {
            boolean more = m.find();
            int to = more ? m.start() : text.length();
            for (int[] s : SentenceSplitter.split(text.substring(from, to), new BitSet())) out.add(new int[] {from + s[0], from + s[1]});
            if (!more) return out;
            from = m.end();
        }
    }

    /**
     * A sentence too long for one chunk, as truncated chunks: words packed while they fit, a word too
     * long cut by characters. The first piece counts the sentence, the others none.
     */
    private void cut(String text, int start, int end, List<Chunk> out) {
        int first = out.size();
        int pieceStart = -1, pieceEnd = -1, used = 0;
        for (int i = start; i < end; ) {
            int wordEnd = i;
            while (wordEnd < end && !Character.isWhitespace(text.charAt(wordEnd))) wordEnd++;
            int cost = tokens.applyAsInt(text.substring(i, wordEnd));
            if (pieceStart >= 0 && (used + cost > budget || cost > budget)) {
                out.add(new Chunk(pieceStart, pieceEnd, 0, true));
                pieceStart = -1;
            }
            if (cost > budget) {
                cutWord(text, i, wordEnd, out);
            } else {
                if (pieceStart < 0) {
                    pieceStart = i;
                    used = 0;
                }
                pieceEnd = wordEnd;
                used += cost;
            }
            i = wordEnd;
            while (i < end && Character.isWhitespace(text.charAt(i))) i++;
        }
        if (pieceStart >= 0) out.add(new Chunk(pieceStart, pieceEnd, 0, true));
        Chunk head = out.get(first);
        out.set(first, new Chunk(head.start(), head.end(), 1, true));
    }

    /** A word longer than the budget: each piece the longest prefix of the rest that fits (binary search), never splitting a surrogate pair. */
    private void cutWord(String text, int start, int end, List<Chunk> out) {
        for (int a = start; a < end; ) {
            int lo = a + 1, hi = Math.min(end, a + budget * MAX_CHARS_PER_TOKEN);
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (tokens.applyAsInt(text.substring(a, mid)) <= budget) lo = mid;
                else hi = mid - 1;
            }
            int b = lo;
            if (b < end && Character.isLowSurrogate(text.charAt(b)) && b - 1 > a) b--;
            else if (b < end && Character.isLowSurrogate(text.charAt(b))) b++;
            out.add(new Chunk(a, b, 0, true));
            a = b;
        }
    }
}
