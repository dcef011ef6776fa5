package org.knowcoder.tensor.kernels;

import org.knowcoder.io.BadInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keys and values of every position seen so far, per layer. Keys are stored transposed in
 * tiles of one vector of positions, [position / FL][kvHead][headDim][position % FL], so that
 * attention scores for a vector of positions are plain vector multiply-adds (no per-position
 * horizontal sums) and a head's tile is one contiguous stretch of headDim vectors; tiles follow one
 * another, so the cache grows by appending. (Transposed whole rows, [kvHead][headDim][position],
 * put a head's 64 components 4 KB apart: 64 interleaved streams to read, and a decoded position's
 * 768 key writes on 768 cache lines.) Values stay position-major, [position][kvHead * headDim],
 * which is what the weighted sum reads.
 *
 * <p>The arrays hold the positions written so far, rounded up: they start at {@link #FIRST_TILES}
 * tiles (or what the first write needs) and double as positions come, up to the context. A
 * 7B-shaped model's context of 4,096 positions is 4.3 GB of F32 keys and values; a prompt of a
 * few hundred tokens takes a fraction of it.
 *
 * <p>A cache filled by {@link #copyPrefix} remembers where from: its first {@link #sharedLength}
 * positions hold what its {@link #source} holds, until either of them writes below that. Attention
 * over many sequences at once reads that shared stretch once, from the source, for all of them.
 */
public final class KvCache {
    /** Tiles of positions a cache's arrays start with: 256 positions. */
    static final int FIRST_TILES = 256 / Simd.FL;

    private final int nKvHeads;
    private final int headDim;
    private final int kvDim;
    /** Floats of one tile of keys: every KV head's headDim vectors of FL positions. */
    private final int tileFloats;
    /** Tiles of the whole context, the most the arrays grow to. */
    private final int maxTiles;
    /** Tiles the arrays hold now (0 before the first write). */
    private int tiles;
    /**
     * Per layer, allocated at the layer's first write: a session holds a cache for every sentence it
     * may have in flight, each able to hold the whole context, and most stay unused when few sentences
     * come; allocated up front, they were copied by young collections before a first extraction.
     */
    private final float[][] keys;
    private final float[][] values;
    /** The cache whose first {@code sharedLength} positions this one holds too, or null. */
    private KvCache source;
    private int sharedLength;
    /** The caches that name this one as their source. */
    private final List<KvCache> readers = new ArrayList<>();

    /**
     * Throws BadInputException, before allocating anything, when the cache could not grow to the whole
     * context: a layer's keys or values would not fit one Java array, or the whole cache not the heap
     * (a header with a wrong seq_len, or a heap too small for a real one).
     */
    public KvCache(int layers, int nKvHeads, int headDim, int maxPositions) {
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.kvDim = nKvHeads * headDim;
        long padded = ((long) maxPositions + Simd.FL - 1) / Simd.FL * Simd.FL;
        long perLayer = kvDim * padded; // keys, padded; values are no larger
        double bytes = 8.0 * layers * perLayer;
        long heap = Runtime.getRuntime().maxMemory();
        if (perLayer > Integer.MAX_VALUE - 8 || bytes > heap) {
            throw new BadInputException(String.format("a context of %d positions needs a %.0f MiB KV cache, more than"
                    + " the %d MiB heap or one Java array per layer holds (check seq_len or max_position_embeddings, or raise -Xmx)",
                    maxPositions, bytes / (1 << 20), heap >> 20));
        }
        this.tileFloats = kvDim * Simd.FL;
        this.maxTiles = (int) (padded / Simd.FL);
        this.keys = new float[layers][];
        this.values = new float[layers][];
    }

    /** Stores the key k[ko ..] and value v[vo ..] (nKvHeads * headDim each) of position {@code pos}. */
    public void store(int layer, int pos, float[] k, int ko, float[] v, int vo) {
        storeRun(layer, pos, 1, k, ko, v, vo);
    }

    /**
     * Stores the keys and values of the n consecutive positions [start, start + n): rows k[ko + t * kvDim ..]
     * and v[vo + t * kvDim ..].
     */
    public void storeRun(int layer, int start, int n, float[] k, int ko, float[] v, int vo) {
        written(start);
        reserve(start + n);
        allocate(layer);
        float[] kt = keys[layer];
        for (int t = 0; t < n; t++) {
            int pos = start + t, at = keyOffset(pos), src = ko + t * kvDim;
            for (int h = 0; h < nKvHeads; h++, at += headKeys(1, headDim)) {
                for (int i = 0; i < headDim; i++) kt[at + i * Simd.FL] = k[src++];
            }
        }
        System.arraycopy(v, vo, values[layer], start * kvDim, n * kvDim);
    }

    /**
     * Reads back the keys and values of positions [start, start + n), as {@link #storeRun} took
     * them: rows k[ko + t * kvDim ..] and v[vo + t * kvDim ..]. The layer must have been written.
     */
    public void readRun(int layer, int start, int n, float[] k, int ko, float[] v, int vo) {
        if (keys[layer] == null) throw new IllegalStateException("layer " + layer + " holds no positions");
        float[] kt = keys[layer];
        for (int t = 0; t < n; t++) {
            int pos = start + t, at = keyOffset(pos), dst = ko + t * kvDim;
            for (int h = 0; h < nKvHeads; h++, at += headKeys(1, headDim)) {
                for (int i = 0; i < headDim; i++) k[dst++] = kt[at + i * Simd.FL];
            }
        }
        System.arraycopy(values[layer], start * kvDim, v, vo, n * kvDim);
    }

    private void allocate(int layer) {
        if (keys[layer] != null) return;
        keys[layer] = new float[tiles * tileFloats];
        values[layer] = new float[tiles * Simd.FL * kvDim];
    }

    /**
     * Makes the arrays hold {@code positions} positions: twice the tiles they hold (at least
     * {@link #FIRST_TILES}, at most the context's), every written layer copied over. Doubling keeps
     * the copies to about one pass over what the cache holds in all.
     */
    private void reserve(int positions) {
        int needed = (positions + Simd.FL - 1) / Simd.FL;
        if (needed <= tiles) return;
        if (needed > maxTiles) throw new IllegalArgumentException("position " + (positions - 1) + " is past the context of " + maxTiles * Simd.FL);
        tiles = Math.min(maxTiles, Math.max(needed, Math.max(FIRST_TILES, 2 * tiles)));
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] == null) continue;
            keys[l] = Arrays.copyOf(keys[l], tiles * tileFloats);
            values[l] = Arrays.copyOf(values[l], tiles * Simd.FL * kvDim);
        }
    }

    /** Where KV head {@code kvHead}'s keys start in each tile (of any cache of this head size): the heads' vectors follow one another. */
    static int headKeys(int kvHead, int headDim) {
        return kvHead * headDim * Simd.FL;
    }

    /** Where component 0 of position {@code pos}'s key sits for KV head 0 (head h's: plus {@link #headKeys}). */
    private int keyOffset(int pos) {
        return pos / Simd.FL * tileFloats + pos % Simd.FL;
    }

    /**
     * Copies positions [0, length) of every layer from {@code from}, a cache of the same shape (a
     * shared prompt prefix), and takes as source the cache {@code from} itself copied them from when
     * it shares a tile of positions or more with it (so that the copies of copies of one prompt
     * prefix all name the cache that holds it), or else {@code from}.
     */
    public void copyPrefix(KvCache from, int length) {
        if (from.tileFloats != tileFloats || from.keys.length != keys.length || from.nKvHeads != nKvHeads || from.headDim != headDim) {
            throw new IllegalArgumentException("KV caches of different shapes");
        }
        if (from == this) return;
        written(0);
        reserve(length);
        int whole = (length + Simd.FL - 1) / Simd.FL * tileFloats; // whole tiles: later positions in the last one are never read
        for (int l = 0; l < keys.length; l++) {
            if (from.keys[l] == null) continue; // never written: no positions to copy
            allocate(l);
            System.arraycopy(from.keys[l], 0, keys[l], 0, whole);
            System.arraycopy(from.values[l], 0, values[l], 0, length * kvDim);
        }
        boolean upstream = from.source != null && from.sharedLength >= Simd.FL;
        KvCache root = upstream ? from.source : from;
        int shared = upstream ? Math.min(length, from.sharedLength) : length;
        if (shared > 0) {
            source = root;
            sharedLength = shared;
            root.readers.add(this);
        }
    }

    /** The cache whose first {@link #sharedLength} positions this one holds too (the same floats), or null. */
    public KvCache source() {
        return source;
    }

    /** How many leading positions this cache holds the same as its {@link #source}. */
    public int sharedLength() {
        return sharedLength;
    }

    /**
     * Positions from {@code pos} on are being rewritten: this cache shares no more than the positions
     * before with its source, and its readers that share more take the one of them that shares most
     * as their source instead (each holds its own copy, so they hold the same floats as it), rather
     * than losing what they share when a prompt's cache is given to another prompt.
     */
    private void written(int pos) {
        if (source != null && sharedLength > pos) {
            if (pos == 0) detach();
            else sharedLength = pos;
        }
        KvCache heir = null;
        for (KvCache r : readers) if (r.sharedLength > pos && (heir == null || r.sharedLength > heir.sharedLength)) heir = r;
        if (heir == null) return;
        for (int i = readers.size() - 1; i >= 0; i--) {
            KvCache r = readers.get(i);
            if (r.sharedLength <= pos) continue;
            readers.remove(i);
            if (r == heir) {
                r.source = null;
                r.sharedLength = 0;
            } else {
                r.source = heir; // r shares no more than heir does: all of it holds the same floats as heir
                heir.readers.add(r);
            }
        }
    }

    private void detach() {
        source.readers.remove(this);
        source = null;
        sharedLength = 0;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }
}
