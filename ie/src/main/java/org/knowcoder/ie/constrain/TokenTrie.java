package org.knowcoder.ie.constrain;

import org.knowcoder.tokenizer.Tokenizer;

import java.util.Arrays;

/**
 * The bytes every token adds to generated text, in a trie: built once per tokenizer (a model's
 * extractor holds one), walked at each step by {@link ResultsConstraint} so that a byte prefix the
 * grammar refuses prunes every token below it at once. Bytes are what streaming decode writes
 * after a token that is not BOS (SentencePiece's U+2581 already a space, a byte-fallback piece its
 * byte); BOS, EOS and pieces that write nothing are left out, EOS being the grammar's own business.
 */
public final class TokenTrie {
    /** Node 0 is the root; children are a sibling list in increasing byte order. */
    private final byte[] label;
    private final int[] firstChild, nextSibling, tokensFrom, tokensTo;
    /** Token ids sorted by their bytes: node n's tokens are ids[tokensFrom[n], tokensTo[n]). */
    private final int[] ids;
    private final byte[][] bytes;
    private final int eos;

    public TokenTrie(Tokenizer tokenizer) {
        int vocab = tokenizer.vocabSize();
        eos = tokenizer.eosId();
        // decoding is contextual only after BOS (the dummy-prefix space): any other id stands for the text before
        int notBos = tokenizer.bosId() == 0 ? 1 : 0;
        bytes = new byte[vocab][];
        Integer[] order = new Integer[vocab];
        int n = 0;
        for (int id = 0; id < vocab; id++) {
            bytes[id] = tokenizer.decode(notBos, id);
            if (id != tokenizer.bosId() && id != eos && bytes[id].length > 0) order[n++] = id;
        }
        Arrays.sort(order, 0, n, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
        int maxNodes = 1;
        for (int i = 0; i < n; i++) maxNodes += bytes[order[i]].length;
        label = new byte[maxNodes];
        firstChild = new int[maxNodes];
        nextSibling = new int[maxNodes];
        tokensFrom = new int[maxNodes];
        tokensTo = new int[maxNodes];
        Arrays.fill(firstChild, -1);
        Arrays.fill(nextSibling, -1);
        ids = new int[n];
        int nodes = 1;
        int[] path = new int[maxNodes + 1], lastChild = new int[maxNodes];
        Arrays.fill(lastChild, -1);
        byte[] previous = new byte[0];
        for (int i = 0; i < n; i++) {
            byte[] b = bytes[order[i]];
            int common = 0;
            while (common < Math.min(b.length, previous.length) && b[common] == previous[common]) common++;
            // sorted order: the path shared with the previous token is reused, the rest is new nodes
            for (int d = common; d < b.length; d++) {
                int parent = path[d], node = nodes++;
                label[node] = b[d];
                if (lastChild[parent] < 0) firstChild[parent] = node;
                else nextSibling[lastChild[parent]] = node;
                lastChild[parent] = node;
                path[d + 1] = node;
            }
            int end = path[b.length];
            if (tokensTo[end] == 0) tokensFrom[end] = i;
            tokensTo[end] = i + 1;
            ids[i] = order[i];
            previous = b;
        }
    }

    /** The bytes token {@code id} adds to the text. */
    byte[] bytes(int id) {
        return bytes[id];
    }

    /** The tokenizer's EOS id, or -1. */
    int eos() {
        return eos;
    }

    int firstChild(int node) {
        return firstChild[node];
    }

    int nextSibling(int node) {
        return nextSibling[node];
    }

    int label(int node) {
        return label[node] & 0xFF;
    }

    /** Appends the tokens whose bytes end at {@code node} to out[n..]; returns the new count. */
    int tokensAt(int node, int[] out, int n) {
        for (int i = tokensFrom[node]; i < tokensTo[node]; i++) out[n++] = ids[i];
        return n;
    }
}
