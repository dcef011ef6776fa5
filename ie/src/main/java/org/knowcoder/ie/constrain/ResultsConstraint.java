package org.knowcoder.ie.constrain;

import org.knowcoder.model.session.TokenConstraint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One answer's constraint: its place in the prompt's {@link ResultsGrammar} and, at each step, the
 * tokens whose bytes keep the answer a prefix of a well-formed results block; once the block is
 * closed, EOS alone.
 *
 * <p>The allowed tokens come from a depth-first walk of the {@link TokenTrie} that steps the
 * grammar one byte per trie edge and leaves a subtree at the first byte the grammar refuses. So a
 * step costs one grammar step (a table or hash lookup) per trie node whose bytes the grammar
 * accepts from here, never the vocabulary: inside a span that is the pieces that are substrings of
 * the sentence (or escapes), elsewhere the few that spell the code around it. Advancing by a
 * token costs a step per byte of it.
 *
 * <p>Items the constraint forced are left out of the answer. A small model misspells a rare name
 * it copies ("Hodtor" for the sentence's "Hoddle"), which the constraint mends, but it also writes
 * names the sentence does not hold, which the constraint bends into whatever substring it allows
 * ("Proundice" into "Practice"). The two differ in how far the tokens that wrote the spans fell
 * below the model's own choices ({@link #forced}): an item whose span tokens' gaps sum to more than
 * {@link #DOUBT} is dropped, the rest of the block kept as the model went on writing it.
 */
public final class ResultsConstraint implements TokenConstraint {
    private final ResultsGrammar grammar;
    private final TokenTrie trie;
    private ResultsGrammar.State state;
    /** Bytes taken so far; how many of them end where the block could close, and the bytes that close it there. */
    private int taken, closable;
    private byte[] closing;

    /**
     * The summed logit gap above which an item is dropped, chosen on KnowCoder-mini's dev splits
     * (bench/README.md, "Constrained decoding"; F1 barely moves between 3 and 10): the model's best
     * token is allowed at nearly every step of a well-copied span.
     */
    public static final float DOUBT = 5f;

    /** An item's first byte and end in the answer, and the gaps of the tokens that wrote its spans, summed. */
    private record Item(int start, int end, float gap) {}

    private final List<Item> items = new ArrayList<>();
    private final float doubt;
    /** Where the item being written started, its span tokens' gaps so far, and the gap of the token about to be taken (0 unless told). */
    private int itemStart;
    private float itemGap, gap;

    /** Items are dropped past the summed gap {@code doubt} ({@link #DOUBT}; infinity: none). */
    public ResultsConstraint(ResultsGrammar grammar, TokenTrie trie, float doubt) {
        this.grammar = grammar;
        this.trie = trie;
        this.doubt = doubt;
        this.state = grammar.start();
    }

    /**
     * The block without its forced items (those past the limit). An answer cut short (a small
     * model may repeat one instance until the new-token limit) keeps its complete instances, closed:
     * a well-formed block still, as every constrained answer is.
     */
    @Override
    public byte[] kept(byte[] generated) {
        byte[] block = generated;
        if (!(state == null || grammar.isEnd(state) || closing == null)) {
            block = Arrays.copyOf(generated, closable + closing.length);
            System.arraycopy(closing, 0, block, closable, closing.length);
        }
        if (items.stream().allMatch(i -> i.gap <= doubt)) return block;
        List<byte[]> trusted = new ArrayList<>();
        for (Item i : items) if (i.gap <= doubt) trusted.add(Arrays.copyOfRange(generated, i.start, i.end));
        return ResultsGrammar.block(trusted);
    }

    @Override
    public int allowed(int[] ids) {
        if (state == null) return 0;
        if (grammar.isEnd(state)) {
            if (trie.eos() < 0) return 0;
            ids[0] = trie.eos();
            return 1;
        }
        return walk(0, state, ids, 0);
    }

    /** Adds the tokens below trie node {@code node}, whose bytes have brought the grammar to {@code s}. */
    private int walk(int node, ResultsGrammar.State s, int[] ids, int n) {
        for (int child = trie.firstChild(node); child >= 0; child = trie.nextSibling(child)) {
            ResultsGrammar.State next = grammar.step(s, trie.label(child));
            if (next == null) continue;
            n = trie.tokensAt(child, ids, n);
            n = walk(child, next, ids, n);
        }
        return n;
    }

    @Override
    public void forced(float gap) {
        this.gap = gap;
    }

    /**
     * A token's gap counts toward the item whose span it writes a byte of (a quoted character or the
     * closing quote). Class and argument names do not count: the grammar offers only the prompt's,
     * and a model asked for classes it was not trained on is refused its own at every name.
     */
    @Override
    public void advance(int token) {
        if (token == trie.eos()) {
            state = null;
            return;
        }
        boolean counted = false;
        for (byte b : trie.bytes(token)) {
            if (!counted && grammar.inSpan(state)) {
                itemGap += gap;
                counted = true;
            }
            state = grammar.step(state, b & 0xFF);
            if (state == null) throw new IllegalStateException("token " + token + " was not among the allowed ones");
            taken++;
            if (grammar.startsItem(state)) {
                itemStart = taken;
                itemGap = 0;
                counted = false;
            } else if (grammar.endsItem(state)) {
                items.add(new Item(itemStart, taken, itemGap));
            }
            byte[] close = grammar.closing(state);
            if (close != null) {
                closable = taken;
                closing = close;
            }
        }
        gap = 0; // told for this token only
    }
}
