package org.knowcoder.model.session;

import jdk.incubator.vector.FloatVector;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaWeights;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.Locale;

/**
 * A {@link KvPrefix} kept in a file between runs, so that a run whose prompts begin as an earlier
 * run's did (the same schema's class definitions) starts without computing them again. The file
 * names what its floats depend on ({@link #key}): a file saved under another key is not used, so
 * that a restored prefix always holds the floats this run would have computed.
 *
 * <p>Format, little-endian: "KCKV", version (int), the key's UTF-8 length (int) and bytes, layers,
 * kvDim and positions (ints), the tokens (ints), then the keys and the values (floats, as in
 * {@link KvPrefix}).
 */
public final class PromptCache {
    private static final byte[] MAGIC = {'K', 'C', 'K', 'V'};
    private static final int VERSION = 1;

    private PromptCache() {}

    /**
     * What a prefix's floats depend on: the weights as computed with ({@link LlamaWeights#checksum}),
     * the kernels' vector width (it orders their sums), and the build of the code, named by its
     * jar's size and time (none when it runs from class directories).
     */
    public static String key(LlamaWeights weights) {
        return String.format(Locale.ROOT, "weights %016x (%s), %d-bit vectors, code %s", weights.checksum(), weights.dtype(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize(), build());
    }

    private static String build() {
        CodeSource source = PromptCache.class.getProtectionDomain().getCodeSource();
        try {
            Path jar = source == null ? null : Path.of(source.getLocation().toURI());
            if (jar == null || !Files.isRegularFile(jar)) return "from classes";
            return Files.size(jar) + " bytes of " + Files.getLastModifiedTime(jar);
        } catch (URISyntaxException | IOException | IllegalArgumentException e) {
            return "unknown";
        }
    }

    /**
     * The prefix saved in {@code file} under {@code key}; null when there is no such file or it was
     * saved under another key (other weights, another machine or build). A file that is not a
     * prompt cache, or a truncated one, is bad input naming it.
     */
    public static KvPrefix read(Path file, String key) throws IOException {
        ByteBuffer b;
        try (FileChannel ch = FileChannel.open(file)) {
            if (ch.size() > Integer.MAX_VALUE) throw notOne(file, "larger than any prompt cache");
            b = ByteBuffer.allocate((int) ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // fills the buffer: the size was taken from the open file
            }
        } catch (NoSuchFileException absent) {
            return null;
        }
        b.flip();
        byte[] magic = new byte[MAGIC.length];
        if (b.remaining() < MAGIC.length + 8) throw notOne(file, "shorter than a header");
        b.get(magic);
        if (!Arrays.equals(magic, MAGIC)) throw notOne(file, "it does not begin with KCKV");
        if (b.getInt() != VERSION) return null; // another version's file: as if saved under another key
        int keyLength = b.getInt();
        if (keyLength < 0 || keyLength > b.remaining()) throw notOne(file, "its key runs past the end");
        byte[] saved = new byte[keyLength];
        b.get(saved);
        if (!new String(saved, StandardCharsets.UTF_8).equals(key)) return null;
        if (b.remaining() < 12) throw notOne(file, "it ends before the prefix's shape");
        int layers = b.getInt(), kvDim = b.getInt(), n = b.getInt();
        long floats = (long) layers * n * kvDim, expected = 4L * n + 8L * floats;
        if (layers < 0 || kvDim < 0 || n < 0 || b.remaining() != expected) {
            throw notOne(file, "its prefix of " + n + " positions, " + layers + " layers of " + kvDim + " needs " + expected
                    + " bytes after the header, it has " + b.remaining());
        }
        int[] tokens = new int[n];
        float[] keys = new float[(int) floats], values = new float[(int) floats];
        b.asIntBuffer().get(tokens);
        b.position(b.position() + 4 * n);
        b.asFloatBuffer().get(keys);
        b.position(b.position() + 4 * keys.length);
        b.asFloatBuffer().get(values);
        return new KvPrefix(tokens, layers, kvDim, keys, values);
    }

    /** Saves {@code p} under {@code key}, atomically: a reader sees the old file or the whole new one. */
    public static void write(Path file, String key, KvPrefix p) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        long size = MAGIC.length + 8L + k.length + 12L + 4L * p.length() + 8L * p.keys().length;
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("a prefix of " + size + " bytes is more than a prompt cache holds");
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(k.length).put(k).putInt(p.layers()).putInt(p.kvDim()).putInt(p.length());
        b.asIntBuffer().put(p.tokens());
        b.position(b.position() + 4 * p.length());
        b.asFloatBuffer().put(p.keys());
        b.position(b.position() + 4 * p.keys().length);
        b.asFloatBuffer().put(p.values());
        b.clear();
        AtomicWrite.write(file, ch -> {
            while (b.hasRemaining()) ch.write(b);
        });
    }

    private static BadInputException notOne(Path file, String why) {
        return new BadInputException(file + " is not a KnowCoder prompt cache: " + why + " (delete it; the next run that saves one makes it anew)");
    }
}
