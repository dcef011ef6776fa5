package org.knowcoder.cuda.kernels;

import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUmodule;

/**
 * Every kernel of the GPU backend, grouped by source file (one wrapper per .cu file). {@link #load()}
 * JIT-loads the PTX resources into the current CUDA context; the constructor takes modules loaded
 * elsewhere. Each wrapper method computes its own grid, block and shared memory and launches
 * asynchronously on the given stream.
 */
public final class CudaKernels implements AutoCloseable {
    /** Resource folder of the PTX files, one per .cu file: {@code <module>.ptx}. */
    public static final String PTX_RESOURCES = "/org/knowcoder/cuda/ptx/";
    /** Every module (.cu file) the wrappers use. */
    public static final List<String> MODULES = List.of(ElementwiseKernels.MODULE, NormKernels.MODULE,
            RopeKernels.MODULE, AttentionKernels.MODULE, MatVecKernels.MODULE, GemmKernels.MODULE,
            ConvertKernels.MODULE);

    public final ElementwiseKernels elementwise;
    public final NormKernels norm;
    public final RopeKernels rope;
    public final AttentionKernels attention;
    public final MatVecKernels matvec;
    public final GemmKernels gemm;
    public final ConvertKernels convert;
    private final Map<String, CUmodule> owned;

    /** Wraps modules loaded by the caller (by module name, see {@link #MODULES}), who also unloads them. */
    public CudaKernels(Map<String, CUmodule> modules) {
        this(modules, Map.of());
    }

    private CudaKernels(Map<String, CUmodule> modules, Map<String, CUmodule> owned) {
        for (String name : MODULES) {
            if (!modules.containsKey(name)) throw new IllegalArgumentException("no module " + name + " among " + modules.keySet());
        }
        elementwise = new ElementwiseKernels(modules.get(ElementwiseKernels.MODULE));
        norm = new NormKernels(modules.get(NormKernels.MODULE));
        rope = new RopeKernels(modules.get(RopeKernels.MODULE));
        attention = new AttentionKernels(modules.get(AttentionKernels.MODULE));
        matvec = new MatVecKernels(modules.get(MatVecKernels.MODULE));
        gemm = new GemmKernels(modules.get(GemmKernels.MODULE));
        convert = new ConvertKernels(modules.get(ConvertKernels.MODULE));
        this.owned = new LinkedHashMap<>(owned);
    }

    /** Loads every module's PTX into the context current on this thread; {@link #close()} unloads them. */
    public static CudaKernels load() {
        Map<String, CUmodule> modules = new LinkedHashMap<>();
        try {
            for (String name : MODULES) {
                CUmodule module = new CUmodule();
                Kernel.check(cuModuleLoadData(module, ptx(name)), "cuModuleLoadData " + name + ".ptx");
                modules.put(name, module);
            }
            return new CudaKernels(modules, modules);
        } catch (RuntimeException e) {
            modules.values().forEach(m -> cuModuleUnload(m));
            throw e;
        }
    }

    /** The PTX text of one module, NUL-terminated as cuModuleLoadData expects of a byte image. */
    public static byte[] ptx(String module) {
        try (InputStream in = CudaKernels.class.getResourceAsStream(PTX_RESOURCES + module + ".ptx")) {
            if (in == null) throw new IllegalStateException("no PTX resource for module " + module);
            byte[] text = in.readAllBytes();
            return Arrays.copyOf(text, text.length + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (CUmodule m : owned.values()) cuModuleUnload(m);
        owned.clear();
    }
}
