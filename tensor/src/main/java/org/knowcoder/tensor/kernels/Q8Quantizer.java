package org.knowcoder.tensor.kernels;

import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Quantizes a tensor to Q8_0 as llama2.c's version-2 exporter does: per group of values,
 * scale = max|x| / 127 and q = round(x / scale), halves to even as torch.round does.
 */
public final class Q8Quantizer {
    private Q8Quantizer() {}

    /** The group size llama2.c's exporter picks: 64, halved until it divides every row length given. */
    public static int defaultGroupSize(int... rowLengths) {
        int g = 64;
        while (g > 1 && !dividesAll(g, rowLengths)) g /= 2;
        return g;
    }

    private static boolean dividesAll(int g, int[] rowLengths) {
        for (int n : rowLengths) if (n % g != 0) return false;
        return true;
    }

    public static Tensor quantize(Tensor t, int group, Arena arena) {
        return quantize(t, group, false, arena);
    }

    /**
     * As {@link #quantize(Tensor, int, Arena)}; with {@code f16Scales} each scale is first rounded to
     * F16 and the values quantized against the rounded scale, and the tensor holds its scales as F16
     * ({@link Tensor#halfScales}), so that a format storing F16 scales (GGUF) holds exactly this tensor.
     */
    public static Tensor quantize(Tensor t, int group, boolean f16Scales, Arena arena) {
        int cols = t.cols();
        if (cols % group != 0) {
            throw new IllegalArgumentException("cannot quantize " + t + ": rows of " + cols + " are not a multiple of group " + group);
        }
        long rows = t.rows();
        MemorySegment q = arena.allocate(rows * cols, 64);
        MemorySegment scales = arena.allocate(rows * cols / group * (f16Scales ? 2 : 4), 64);
        float[] row = new float[cols];
        for (long r = 0; r < rows; r++) {
            WeightRows.decode(t, r, row, 0);
            for (int g = 0; g < cols; g += group) {
                float max = 0;
                for (int i = g; i < g + group; i++) max = Math.max(max, Math.abs(row[i]));
                float scale = f16Scales ? Half.f16ToFloat(Half.floatToF16(max / 127f)) : max / 127f;
                long groupIndex = (r * cols + g) / group;
                if (f16Scales) scales.set(Tensor.I16_LE, groupIndex * 2, Half.floatToF16(scale));
                else scales.set(Tensor.F32_LE, groupIndex * 4, scale);
                for (int i = g; i < g + group; i++) {
                    // rint: halves to even, as torch.round in the exporter (Math.round would round them up)
                    // the clamp matters only for F16 scales, which may round below max / 127
                    byte v = scale == 0 ? 0 : (byte) Math.max(-127, Math.min(127, Math.rint(row[i] / scale)));
                    q.set(ValueLayout.JAVA_BYTE, r * cols + i, v);
                }
            }
        }
        return f16Scales ? Tensor.q8HalfScales(t.name(), q, scales, group, t.shape()) : Tensor.q8(t.name(), q, scales, group, t.shape());
    }
}
