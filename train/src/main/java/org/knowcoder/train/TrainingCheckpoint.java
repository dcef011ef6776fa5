package org.knowcoder.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.format.SafetensorsFile;
import org.knowcoder.model.format.SafetensorsWriter;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Training state in a directory {@code step-NNNNNNNN}: {@code params.safetensors} (F32 master
 * weights under their checkpoint names), {@code optimizer.safetensors} (AdamW moments as
 * {@code m.NAME} and {@code v.NAME}) and {@code state.json} (step, the CRC32C of each tensor file,
 * whatever the caller adds). Every file is written atomically and state.json last, so a directory
 * with a state.json is complete; a crash mid-save leaves the previous checkpoint the latest.
 *
 * <p>A flipped byte in the tensors would still parse and train on to a NaN model, so loading checks
 * the checksums first; CRC32C rather than a cryptographic hash because it catches corruption, not
 * tampering, at memory speed (a 7B checkpoint is some 80 GB).
 */
public final class TrainingCheckpoint {
    private TrainingCheckpoint() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String STATE = "state.json";
    private static final String CHECKSUMS = "crc32c";
    private static final String PARAMS = "params.safetensors", OPTIMIZER = "optimizer.safetensors";

    /** Saves {@code trainer}'s state under {@code root}/step-N; {@code state} is the caller's JSON, "step" is added. */
    public static Path save(Path root, Trainer trainer, ObjectNode state) throws IOException {
        Path dir = root.resolve(dirName(trainer.step()));
        List<SafetensorsWriter.Entry> params = new ArrayList<>(), moments = new ArrayList<>();
        Map<String, float[]> m = trainer.optimizer().firstMoments(), v = trainer.optimizer().secondMoments();
        for (Parameter p : trainer.params()) {
            long[] shape = {p.var().rows(), p.var().cols()};
            params.add(new SafetensorsWriter.Entry(p.name(), shape, p.var().value()));
            if (m.containsKey(p.name())) {
                moments.add(new SafetensorsWriter.Entry("m." + p.name(), shape, m.get(p.name())));
                moments.add(new SafetensorsWriter.Entry("v." + p.name(), shape, v.get(p.name())));
            }
        }
        SafetensorsWriter.writeF32(dir.resolve(PARAMS), params);
        SafetensorsWriter.writeF32(dir.resolve(OPTIMIZER), moments);
        ObjectNode s = state.deepCopy();
        s.put("step", trainer.step());
        // of the files read back as written: the bytes a later load will see
        s.putObject(CHECKSUMS).put(PARAMS, crc32c(dir.resolve(PARAMS))).put(OPTIMIZER, crc32c(dir.resolve(OPTIMIZER)));
        AtomicWrite.write(dir.resolve(STATE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(s));
        return dir;
    }

    /** The complete checkpoint with the highest step under {@code root}, or null when there is none. */
    public static Path latest(Path root) throws IOException {
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> d.getFileName().toString().matches("step-\\d+") && Files.exists(d.resolve(STATE)))
                    .max(Path::compareTo).orElse(null);
        }
    }

    /**
     * The state.json of the checkpoint in {@code dir}, checked: its "step" must be the directory's
     * (a state.json copied or edited into another directory would resume at the wrong step, or at
     * none), which also keeps it at 0 or above, and it must hold checksums ({@link #load} compares
     * them). Any fault is a BadInputException naming the file.
     */
    public static JsonNode state(Path dir) throws IOException {
        Path stateFile = dir.resolve(STATE);
        JsonNode state;
        try {
            state = JSON.readTree(stateFile.toFile());
        } catch (JsonProcessingException e) {
            throw new BadInputException(stateFile + ": not valid JSON (" + e.getOriginalMessage() + "); expected a checkpoint's state");
        }
        if (state == null || !state.path("step").canConvertToInt()) {
            throw new BadInputException(stateFile + ": expected a checkpoint's state, a JSON object with an integer \"step\"");
        }
        int step = state.path("step").asInt();
        if (step < 0 || !dirName(step).equals(String.valueOf(dir.getFileName()))) {
            throw new BadInputException(stateFile + ": \"step\" is " + step + ", not the step of its directory "
                    + dir.getFileName() + "; the checkpoint is corrupt");
        }
        if (!state.path(CHECKSUMS).isObject()) {
            throw new BadInputException(stateFile + ": no \"" + CHECKSUMS + "\" checksums (a checkpoint written before they were "
                    + "recorded, or a damaged one); it cannot be verified");
        }
        return state;
    }

    /**
     * Loads a checkpoint into {@code trainer} (parameters, moments, step) and returns its
     * {@linkplain #state state.json}. A tensor file whose checksum differs from the one state.json
     * records, or a tensor missing or of another shape than the model's, is an
     * BadInputException naming it, raised before anything is changed.
     */
    public static JsonNode load(Path dir, Trainer trainer) throws IOException {
        JsonNode state = state(dir);
        for (String file : List.of(PARAMS, OPTIMIZER)) verify(dir, state, file);
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> params = SafetensorsFile.read(dir.resolve(PARAMS), arena);
            Map<String, Tensor> moments = SafetensorsFile.read(dir.resolve(OPTIMIZER), arena);
            for (Parameter p : trainer.params()) {
                check(dir, params, p.name(), p);
                if (moments.containsKey("m." + p.name())) {
                    check(dir, moments, "m." + p.name(), p);
                    check(dir, moments, "v." + p.name(), p);
                }
            }
            if (params.size() != trainer.params().size()) {
                throw new BadInputException("checkpoint " + dir + " holds " + params.size() + " tensors, the model has "
                        + trainer.params().size());
            }
            for (Parameter p : trainer.params()) {
                copy(params.get(p.name()), p.var().value());
                Tensor m = moments.get("m." + p.name());
                if (m != null) {
                    trainer.optimizer().firstMoments().put(p.name(), copy(m, new float[p.var().size()]));
                    trainer.optimizer().secondMoments().put(p.name(), copy(moments.get("v." + p.name()), new float[p.var().size()]));
                }
            }
        }
        trainer.resumeAt(state.path("step").asInt());
        return state;
    }

    private static String dirName(int step) {
        return String.format("step-%08d", step);
    }

    private static void verify(Path dir, JsonNode state, String file) throws IOException {
        String recorded = state.path(CHECKSUMS).path(file).asText();
        String actual = crc32c(dir.resolve(file));
        if (!actual.equals(recorded)) {
            throw new BadInputException(dir.resolve(file) + ": CRC32C " + actual + ", but " + STATE + " records "
                    + (recorded.isEmpty() ? "none" : recorded)
                    + "; the checkpoint is corrupt (remove " + dir.getFileName() + " to resume from the one before)");
        }
    }

    private static String crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buffer) >= 0) {
                crc.update(buffer.flip());
                buffer.clear();
            }
        }
        return String.format("%08x", crc.getValue());
    }

    private static void check(Path dir, Map<String, Tensor> tensors, String name, Parameter p) {
        Tensor t = tensors.get(name);
        long[] want = {p.var().rows(), p.var().cols()};
        if (t == null) throw new BadInputException("checkpoint " + dir + " has no tensor " + name + " (a different model?)");
        long[] shape = t.shape();
        boolean same = t.numel() == p.var().size() && (Arrays.equals(shape, want)
                || (shape.length == 1 && want[0] == 1 && shape[0] == want[1]));
        if (!same) {
            throw new BadInputException("checkpoint " + dir + ": tensor " + name + " has shape " + Arrays.toString(shape)
                    + ", the model's is " + Arrays.toString(want) + " (a checkpoint of a different model shape)");
        }
    }

    private static float[] copy(Tensor t, float[] dst) {
        MemorySegment.copy(t.data(), Tensor.F32_LE, 0, dst, 0, dst.length);
        return dst;
    }
}
