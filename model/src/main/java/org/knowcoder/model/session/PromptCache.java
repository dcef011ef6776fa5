package org.knowcoder.model.session;

import jdk.incubator.vector.FloatVector;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.JarOf;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.CheckpointFormatException;
import org.knowcoder.model.format.SafetensorsFile;
import org.knowcoder.model.format.SafetensorsWriter;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.KvCache;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link KvPrefix} kept in a file between runs, so that a run whose prompts begin as an earlier
 * run's did (the same schema's class definitions) starts without computing them again. The file is
 * a safetensors file of F32 tensors: {@code tokens} [n] (the ids, exact as floats), and per layer l
 * {@code keys.l} and {@code values.l} [n, kvDim]; its metadata holds under {@value #KEY} what the
 * floats depend on ({@link #key}), and a file saved under another key is not used, so that a
 * restored prefix holds the floats this run would have computed.
 */
public final class PromptCache {
    /** The metadata entry that makes a safetensors file a prompt cache, and names what its floats depend on. */
    static final String KEY = "knowcoder.prompt_cache";

    private PromptCache() {}

    /**
     * What a prefix's floats depend on: the weights as computed with ({@link LlamaWeights#checksum}),
     * the kernels' vector width (it orders their sums), the JVM and CPU architecture (the RoPE
     * tables' sin and cos), and the build of the code that computes them, named by the size and time
     * of the jars that hold the session and the kernels (none when they run from class directories).
     */
    public static String key(LlamaWeights weights) {
        return String.format(Locale.ROOT, "weights %016x (%s), %d-bit vectors, %s %s, code %s; %s", weights.checksum(), weights.dtype(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize(), System.getProperty("java.vm.version"), System.getProperty("os.arch"),
                build(PromptCache.class), build(KvCache.class));
    }

    private static String build(Class<?> c) {
        Optional<Path> jar = JarOf.jarOf(c);
        if (jar.isEmpty()) return "from classes";
        try {
            return Files.size(jar.get()) + " bytes of " + Files.getLastModifiedTime(jar.get());
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The prefix saved in {@code file} under {@code key} (asked for only when the file is a prompt
     * cache: a key checksums the weights); null when there is no such file or it was saved under
     * another key (other weights, another machine or build). A file that is not a prompt cache
     * (another safetensors file included, which a save would overwrite) is bad input naming it.
     */
    public static KvPrefix read(Path file, Supplier<String> key) throws IOException {
        if (!Files.exists(file)) return null;
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile.Contents c = SafetensorsFile.open(file, arena);
            String saved = c.metadata().get(KEY);
            if (saved == null) throw notOne(file, "its metadata has no " + KEY);
            if (!saved.equals(key.get())) return null;
            Map<String, Tensor> t = c.tensors();
            float[] ids = floats(file, t, "tokens", -1);
            int n = ids.length, layers = 0;
            while (t.containsKey("keys." + layers)) layers++;
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) tokens[i] = (int) ids[i];
            long kvDim = layers == 0 || n == 0 ? 0 : t.get("keys.0").numel() / n;
            float[][] keys = new float[layers][], values = new float[layers][];
            for (int l = 0; l < layers; l++) {
                keys[l] = floats(file, t, "keys." + l, n * kvDim);
                values[l] = floats(file, t, "values." + l, n * kvDim);
            }
            return new KvPrefix(tokens, (int) kvDim, keys, values);
        } catch (CheckpointFormatException e) {
            throw notOne(file, e.getMessage());
        }
    }

    /** Tensor {@code name}'s floats; bad input when it is missing, not F32, or not {@code count} values (-1: any). */
    private static float[] floats(Path file, Map<String, Tensor> tensors, String name, long count) {
        Tensor t = tensors.get(name);
        if (t == null || t.dtype() != DType.F32 || (count >= 0 && t.numel() != count)) {
            throw notOne(file, "expected tensor " + name + " of " + (count >= 0 ? count + " " : "") + "F32 values, found "
                    + (t == null ? "none" : t.numel() + " " + t.dtype()));
        }
        return t.toFloats();
    }

    /** Saves {@code p} under {@code key}, atomically: a reader sees the old file or the whole new one. */
    public static void write(Path file, String key, KvPrefix p) throws IOException {
        long n = p.length(), kvDim = p.kvDim();
        float[] ids = new float[p.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = p.tokens()[i];
        List<SafetensorsWriter.Entry> entries = new ArrayList<>(List.of(new SafetensorsWriter.Entry("tokens", new long[] {n}, ids)));
        for (int l = 0; l < p.layers(); l++) {
            entries.add(new SafetensorsWriter.Entry("keys." + l, new long[] {n, kvDim}, p.keys()[l]));
            entries.add(new SafetensorsWriter.Entry("values." + l, new long[] {n, kvDim}, p.values()[l]));
        }
        SafetensorsWriter.writeF32(file, entries, Map.of(KEY, key));
    }

    private static BadInputException notOne(Path file, String why) {
        return new BadInputException(file + " is not a KnowCoder prompt cache: " + why + " (delete it, or name another file)");
    }
}
