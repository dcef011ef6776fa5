package org.knowcoder.ie.constrain;

import org.knowcoder.model.session.TokenConstraint;

import java.util.Arrays;

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
 */
public final class ResultsConstraint implements TokenConstraint {
    private final ResultsGrammar grammar;
    private final TokenTrie trie;
    private ResultsGrammar.State state;
    /** Bytes taken so far; how many of them end where the block could close, and the bytes that close it there. */
    private int taken, closable;
    private byte[] closing;

    public ResultsConstraint(ResultsGrammar grammar, TokenTrie trie) {
        this.grammar = grammar;
        this.trie = trie;
        this.state = grammar.start();
    }

    /**
     * An answer cut short (a small model may repeat one instance until the new-token limit) keeps
     * its complete instances, closed: a well-formed block still, as every constrained answer is.
     */
    @Override
    public byte[] cutShort(byte[] generated) {
        if (state == null || grammar.isEnd(state) || closing == null) return generated;
        byte[] kept = Arrays.copyOf(generated, closable + closing.length);
        System.arraycopy(closing, 0, kept, closable, closing.length);
        return kept;
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
    public void advance(int token) {
        if (token == trie.eos()) {
            state = null;
            return;
        }
        for (byte b : trie.bytes(token)) {
            state = grammar.step(state, b & 0xFF);
            if (state == null) throw new IllegalStateException("token " + token + " was not among the allowed ones");
            taken++;
            byte[] close = grammar.closing(state);
            if (close != null) {
                closable = taken;
                closing = close;
            }
        }
    }
}
