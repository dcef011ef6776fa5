package org.knowcoder.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the logic of every CUDA kernel without a GPU: src/test/emulation/kernel_checks.cpp includes
 * the .cu files unchanged after cuda_emulation.h (threads of a block as coroutines, barriers, warp
 * shuffles, shared memory, wmma emulated on the CPU), launches each kernel with the Java wrappers'
 * grid / block / shared memory, and compares with reference loops. Needs g++ on PATH and Linux (glibc's
 * ucontext and dl_iterate_phdr); skipped elsewhere. Paths are relative to the module directory.
 */
class KernelEmulationTest {
    static final Path HARNESS = Path.of("src/test/emulation");
    private static final Pattern KERNEL = Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+(\\w+)\\s*\\(");

    @Test
    void everyKernelPassesUnderEmulation(@TempDir Path build) throws IOException, InterruptedException {
        Path gxx = onPath("g++");
        Assumptions.assumeTrue(gxx != null, "g++ is not on PATH: kernel emulation skipped");
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
                "kernel emulation needs Linux (glibc ucontext)");
        Path exe = build.resolve("kernel_checks");
        // UBSan's alignment check catches misaligned vector accesses the kernels make through plain
        // pointer casts (e.g. the uint4 tile copies of gemm.cu); without libubsan, build without it
        Run compile = compile(gxx, exe, "-fsanitize=alignment", "-fno-sanitize-recover=alignment");
        if (compile.exit != 0) compile = compile(gxx, exe);
        if (compile.exit != 0) fail("compiling the kernel emulation failed:\n" + compile.output);

        Run checks = run(build, 300, exe.toAbsolutePath().toString());
        if (checks.exit != 0) fail("kernel checks failed under emulation (exit " + checks.exit + "):\n" + checks.output);
        assertTrue(checks.output.contains(" 0 failed"), "no summary line in:\n" + checks.output);
        String[] lines = checks.output.strip().split("\n");
        System.out.println("kernel emulation: " + lines[lines.length - 1]);
    }

    /** A kernel added to src/main/cuda must get a check (the harness names every kernel it launches). */
    @Test
    void everyKernelHasACheck() throws IOException {
        String harness = Files.readString(HARNESS.resolve("kernel_checks.cpp"));
        TreeSet<String> unchecked = new TreeSet<>();
        int kernels = 0;
        try (Stream<Path> s = Files.list(PtxFreshnessTest.SOURCES)) {
            for (Path cu : s.filter(p -> p.toString().endsWith(".cu")).toList()) {
                assertTrue(harness.contains("#include \"../../main/cuda/" + cu.getFileName() + "\""),
                        "kernel_checks.cpp does not include " + cu.getFileName());
                Matcher m = KERNEL.matcher(Files.readString(cu));
                while (m.find()) {
                    kernels++;
                    if (!Pattern.compile("\\b" + m.group(1) + "\\b\\s*[,?:;)]").matcher(harness).find()) unchecked.add(m.group(1));
                }
            }
        }
        assertTrue(kernels > 0, "no kernels found in " + PtxFreshnessTest.SOURCES.toAbsolutePath());
        assertEquals(new TreeSet<>(), unchecked, "kernels that kernel_checks.cpp never launches");
    }

    private record Run(int exit, String output) {}

    private static Run compile(Path gxx, Path exe, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(gxx.toString(), "-std=c++17", "-O1", "-ffp-contract=off",
                "-fno-strict-aliasing", "-pthread"));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-I", HARNESS.resolve("include").toString(), "-o", exe.toString(),
                HARNESS.resolve("kernel_checks.cpp").toString()));
        return run(exe.getParent(), 120, cmd.toArray(String[]::new));
    }

    /** Runs {@code command}, its output logged in {@code dir}. */
    private static Run run(Path dir, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "run", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " ran past " + timeoutSeconds + " s:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        List<String> dirs = new ArrayList<>(List.of(path.split(File.pathSeparator)));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }
}
