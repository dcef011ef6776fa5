package org.knowcoder.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX must be what build-ptx.sh would produce from the committed sources: machines
 * without nvcc build from it. The hash rule is build-ptx.sh's: SHA-256 over the bytes of the .cu
 * file followed by those of each local header it names in an {@code #include "..."} line,
 * deduplicated, in byte order of the names. Paths are relative to the module directory, surefire's
 * working directory.
 */
class PtxFreshnessTest {
    static final Path SOURCES = Path.of("src/main/cuda");
    static final Path PTX = Path.of("src/main/resources/org/knowcoder/cuda/ptx");
    private static final Pattern LOCAL_INCLUDE = Pattern.compile("^\\s*#\\s*include\\s*\"([^\"]+)\"", Pattern.MULTILINE);
    private static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\w+)\\(", Pattern.MULTILINE);
    private static final String HEADER = "// source-sha256: ";

    @Test
    void runsFromTheModuleDirectory() {
        assertTrue(Files.isDirectory(SOURCES), "tests must run in the cuda-kernels directory, not " + Path.of("").toAbsolutePath());
        assertTrue(Files.isDirectory(PTX), "no PTX folder " + PTX.toAbsolutePath());
    }

    @Test
    void everySourceHasFreshPtx() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> sources = files(SOURCES, ".cu");
        assertFalse(sources.isEmpty(), "no .cu files in " + SOURCES.toAbsolutePath());
        for (Path cu : sources) {
            Path ptx = PTX.resolve(stem(cu) + ".ptx");
            if (!Files.exists(ptx)) {
                problems.add(cu.getFileName() + " has no PTX: expected " + ptx);
                continue;
            }
            String first = firstLine(ptx);
            String expected = HEADER + sourceHash(cu);
            if (!first.equals(expected)) {
                problems.add(ptx + " is stale for " + cu.getFileName() + ": its first line is '" + first
                        + "', the sources hash to '" + expected + "' (run cuda-kernels/build-ptx.sh)");
            }
        }
        if (!problems.isEmpty()) fail(String.join("\n", problems));
    }

    @Test
    void everyPtxHasASource() throws IOException {
        for (Path ptx : files(PTX, ".ptx")) {
            assertTrue(Files.exists(SOURCES.resolve(stem(ptx) + ".cu")), ptx + " has no source " + stem(ptx) + ".cu");
        }
    }

    /** The hash covers direct local includes only, so a header including another would escape it. */
    @Test
    void localHeadersIncludeNoLocalHeaders() throws IOException {
        for (Path h : files(SOURCES, ".cuh")) {
            assertFalse(LOCAL_INCLUDE.matcher(Files.readString(h)).find(), h + " includes a local header");
        }
    }

    /** Every wrapper's kernel list is exactly the set of kernels its PTX defines (catches typos without a GPU). */
    @Test
    void wrappersNameTheKernelsThePtxDefines() throws IOException {
        Map<String, List<String>> wrappers = Map.of(
                ElementwiseKernels.MODULE, ElementwiseKernels.FUNCTIONS, NormKernels.MODULE, NormKernels.FUNCTIONS,
                RopeKernels.MODULE, RopeKernels.FUNCTIONS, AttentionKernels.MODULE, AttentionKernels.FUNCTIONS,
                MatVecKernels.MODULE, MatVecKernels.FUNCTIONS, GemmKernels.MODULE, GemmKernels.FUNCTIONS,
                ConvertKernels.MODULE, ConvertKernels.FUNCTIONS);
        assertEquals(new TreeSet<>(CudaKernels.MODULES), new TreeSet<>(wrappers.keySet()));
        TreeSet<String> onDisk = new TreeSet<>();
        for (Path ptx : files(PTX, ".ptx")) onDisk.add(stem(ptx));
        assertEquals(onDisk, new TreeSet<>(CudaKernels.MODULES), "PTX files vs CudaKernels.MODULES");
        for (var e : wrappers.entrySet()) {
            // read through the class path, as CudaKernels.load() does
            String text = new String(CudaKernels.ptx(e.getKey()), StandardCharsets.UTF_8);
            TreeSet<String> entries = new TreeSet<>();
            Matcher m = ENTRY.matcher(text);
            while (m.find()) entries.add(m.group(1));
            assertEquals(entries, new TreeSet<>(e.getValue()), "kernels of " + e.getKey() + ".ptx");
        }
    }

    /** ptxas (when installed) must accept every PTX for the H100 (sm_90), the driver JIT's job there. */
    @Test
    void ptxAssemblesForSm90(@TempDir Path tmp) throws Exception {
        Path ptxas = onPath("ptxas");
        Assumptions.assumeTrue(ptxas != null, "ptxas is not on PATH");
        Path cubin = tmp.resolve("ptxas.cubin"), log = tmp.resolve("ptxas.log");
        for (Path ptx : files(PTX, ".ptx")) {
            Process p = new ProcessBuilder(ptxas.toString(), "-arch=sm_90", "-o", cubin.toString(), ptx.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "ptxas timed out on " + ptx);
            assertEquals(0, p.exitValue(), "ptxas -arch=sm_90 rejects " + ptx + ":\n" + Files.readString(log));
        }
    }

    static String sourceHash(Path cu) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        byte[] source = Files.readAllBytes(cu);
        sha.update(source);
        TreeSet<String> headers = new TreeSet<>(); // String order = byte order for the ASCII names used
        Matcher m = LOCAL_INCLUDE.matcher(new String(source, StandardCharsets.ISO_8859_1));
        while (m.find()) headers.add(m.group(1));
        for (String h : headers) sha.update(Files.readAllBytes(cu.resolveSibling(h)));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String firstLine(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            return lines.findFirst().orElse("");
        }
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    private static Path onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) return candidate;
        }
        return null;
    }
}
