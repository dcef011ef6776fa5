package org.knowcoder.bench;

import org.knowcoder.model.RandomWeights;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.MatVec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The matrix-vector product of two builds in one process, alternated: each jar in a class loader
 * of its own (so each has its own compiled kernels), timed in turns of 150 ms. This machine's
 * bandwidth drifts by tens of percent within seconds, so two processes run one after the other
 * rarely agree on a 10% change; turns in one process see the same drift. Prints both medians and
 * the median and quartiles of B/A over the turns (an A/A run gives about 1.0 with quartiles
 * within about 0.06).
 *
 * <pre>java --add-modules jdk.incubator.vector -Xmn32m -XX:+UseSerialGC -cp bench/target/benchmarks.jar \
 *     org.knowcoder.bench.MatVecAB A.jar B.jar DTYPE THREADS ROWS OFFSET [MIB]</pre>
 * (the launcher's collector flags: under G1 the same pair of builds measured differently).
 * ROWS x 768 weights (2048: w1 of stories110M; 32000: its classifier) in copies of at least MIB
 * MiB (default 256; 0 keeps them in cache), OFFSET bytes past a 64-byte boundary (48 for the BF16
 * export). A jar without this class (an older build) gets it from this one's.
 */
public final class MatVecAB {
    private MatVecAB() {}

    private static final int TURNS = 20;

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: MatVecAB A.jar B.jar DTYPE THREADS ROWS OFFSET [MIB]");
            System.exit(2);
        }
        Object[] runners = new Object[2];
        Method[] measure = new Method[2];
        URL own = MatVecAB.class.getProtectionDomain().getCodeSource().getLocation();
        for (int j = 0; j < 2; j++) {
            ClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[j]).toUri().toURL(), own}, ClassLoader.getPlatformClassLoader());
            Class<?> runner = Class.forName(Runner.class.getName(), true, loader);
            runners[j] = runner.getConstructor(String[].class).newInstance((Object) args);
            measure[j] = runner.getMethod("gbPerSecond", long.class);
        }
        for (int w = 0; w < 10; w++) for (int j = 0; j < 2; j++) measure[j].invoke(runners[j], 200L); // JIT warm-up
        double[][] gb = new double[2][TURNS];
        double[] ratio = new double[TURNS];
        for (int t = 0; t < TURNS; t++) {
            for (int k = 0; k < 2; k++) {
                int j = (t + k) % 2; // alternate which goes first
                gb[j][t] = (double) measure[j].invoke(runners[j], 150L);
            }
            ratio[t] = gb[1][t] / gb[0][t];
        }
        for (double[] g : gb) Arrays.sort(g);
        Arrays.sort(ratio);
        System.out.printf("{\"a_gb_s\": %.1f, \"b_gb_s\": %.1f, \"b_over_a\": %.3f, \"quartiles\": [%.3f, %.3f]}%n",
                gb[0][TURNS / 2], gb[1][TURNS / 2], ratio[TURNS / 2], ratio[TURNS / 4], ratio[3 * TURNS / 4]);
        System.exit(0); // the pools' workers
    }

    /**
     * Moves each copy's data (but Q8_0's and the 4-bit types') to {@code offset} bytes past a 64-byte boundary, as a
     * checkpoint's tensors lie in their file (in our BF16 export: 48); 0 leaves them aligned. Here
     * rather than in {@link Shapes}: {@link Runner} may run against an older build's classes, and
     * this class comes from this build.
     */
    static void atOffset(Tensor[] copies, long offset, Arena arena) {
        for (int i = 0; i < copies.length && offset > 0; i++) {
            Tensor c = copies[i];
            if (c.dtype() == DType.Q8_0 || c.dtype().isQ4()) continue;
            MemorySegment data = arena.allocate(c.data().byteSize() + 64, 64).asSlice(offset, c.data().byteSize()).copyFrom(c.data());
            copies[i] = Tensor.of(c.name(), c.dtype(), data, c.shape());
        }
    }

    /** One build's setup, loaded once per jar: it uses only classes that older builds have, and this one. */
    public static final class Runner {
        private final Tensor[] copies;
        private final MatVec matVec;
        private final float[] x;
        private final float[] out;
        private int next;

        public Runner(String[] args) {
            DType dtype = DType.parse(args[2]);
            int threads = Integer.parseInt(args[3]), rows = Integer.parseInt(args[4]), cols = 768;
            long offset = Long.parseLong(args[5]), bytes = (args.length > 6 ? Long.parseLong(args[6]) : 256) << 20;
            Arena arena = Arena.ofAuto();
            copies = Shapes.copies(RandomWeights.matrix("w", dtype, rows, cols, 1, arena), bytes, arena);
            atOffset(copies, offset, arena);
            matVec = new MatVec(new WorkerPool(threads), cols);
            x = Shapes.randomVector(cols, 2);
            out = new float[rows];
        }

        /** Weight GB/s over about {@code millis} ms of products. */
        public double gbPerSecond(long millis) {
            long bytes = 0, t0 = System.nanoTime();
            while (System.nanoTime() - t0 < millis * 1_000_000L) {
                Tensor w = copies[next];
                next = (next + 1) % copies.length;
                matVec.apply(w, x, 0, out, 0);
                bytes += w.weightBytes();
            }
            return bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
        }
    }
}
