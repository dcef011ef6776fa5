package org.knowcoder.tensor.kernels;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Q4;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Quantizes a tensor to Q4_0 or Q4_K in the engine's layout ({@link Q4}). Every scale is rounded
 * to F16 before the values are quantized against it, so GGUF, which stores F16 scales, holds
 * exactly the tensor made here.
 *
 * <ul>
 *   <li>Q4_0 as ggml does: per block of 32, d = x / -8 where x is the value of largest magnitude
 *       (its sign kept, so it lands on code 0, the end with one more step), q = round(v / d) + 8
 *       clamped to 0..15.</li>
 *   <li>Q4_K with a plain min/max fit (not ggml's iterative search): per block of 32, the range
 *       [min(0, lo), hi] is mapped onto codes 0..15, scale = (hi - min) / 15 and min' = -min;
 *       the super-block's d = max scale / 63 and dmin = max min' / 63, and each block's scale and
 *       min are rounded to 6-bit multiples of them; the codes are then fitted to those rounded
 *       values, q = round((v + dmin m) / (d sc)) clamped to 0..15.</li>
 * </ul>
 */
public final class Q4Quantizer {
    private Q4Quantizer() {}

    public static Tensor quantize(Tensor t, DType type, Arena arena) {
        int n = t.cols(), multiple = Q4.rowMultiple(type);
        if (!type.isQ4()) throw new IllegalArgumentException(type + " is not a 4-bit type");
        if (n % multiple != 0) {
            throw new IllegalArgumentException("cannot quantize " + t + " to " + type + ": rows of " + n
                    + " are not a multiple of " + multiple);
        }
        long rows = t.rows(), numel = t.numel();
        MemorySegment nibbles = arena.allocate(numel / 2, 64), scales = arena.allocate(Q4.scaleBytes(type, numel), 64);
        float[] row = new float[n];
        int[] codes = new int[n];
        Q4.RowWriter writer = new Q4.RowWriter(nibbles, rows, n);
        for (long r = 0; r < rows; r++) {
            WeightRows.decode(t, r, row, 0);
            if (type == DType.Q4_0) {
                for (int b = 0; b < n / Q4.BLOCK; b++) scales.set(Tensor.I16_LE, Q4.scaleIndex(rows, n, r, b) * 2, Half.floatToF16(q40Block(row, b * Q4.BLOCK, codes)));
            } else {
                for (int s = 0; s < n; s += Q4.SUPER) q4kSuperBlock(row, s, codes, scales, rows, r);
            }
            writer.put(codes);
        }
        return Tensor.q4(t.name(), type, nibbles, scales, t.shape());
    }

    /** Codes of row[b .. b + 32) into codes[b ..]; returns the block's scale d. */
    private static float q40Block(float[] row, int b, int[] codes) {
        float extreme = 0;
        for (int i = b; i < b + Q4.BLOCK; i++) if (Math.abs(row[i]) > Math.abs(extreme)) extreme = row[i];
        float d = f16(extreme / -8f);
        for (int i = b; i < b + Q4.BLOCK; i++) codes[i] = code(d == 0 ? 0 : Math.rint(row[i] / d) + 8);
        return d;
    }

    /** Codes of row r's values row[s .. s + 256) into codes[s ..], their scales where {@link Q4} keeps them. */
    private static void q4kSuperBlock(float[] row, int s, int[] codes, MemorySegment scales, long rows, long r) {
        int n = row.length, first = s / Q4.BLOCK;
        int blocks = Q4.SUPER / Q4.BLOCK;
        float[] scale = new float[blocks], min = new float[blocks];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < blocks; j++) {
            float lo = 0, hi = -Float.MAX_VALUE;
            for (int i = s + j * Q4.BLOCK; i < s + (j + 1) * Q4.BLOCK; i++) {
                lo = Math.min(lo, row[i]);
                hi = Math.max(hi, row[i]);
            }
            scale[j] = Math.max(0, hi - lo) / 15f;
            min[j] = -lo;
            maxScale = Math.max(maxScale, scale[j]);
            maxMin = Math.max(maxMin, min[j]);
        }
        float d = f16(maxScale / 63f), dmin = f16(maxMin / 63f);
        scales.set(Tensor.I16_LE, Q4.dAt(rows, n, r, first), Half.floatToF16(d));
        scales.set(Tensor.I16_LE, Q4.dminAt(rows, n, r, first), Half.floatToF16(dmin));
        for (int j = 0; j < blocks; j++) {
            int sc = d == 0 ? 0 : (int) Math.min(63, Math.rint(scale[j] / d));
            int m = dmin == 0 ? 0 : (int) Math.min(63, Math.rint(min[j] / dmin));
            Q4.setScaleAndMin(scales, rows, n, r, first + j, sc, m);
            float step = d * sc, offset = dmin * m;
            for (int i = s + j * Q4.BLOCK; i < s + (j + 1) * Q4.BLOCK; i++) codes[i] = code(step == 0 ? 0 : Math.rint((row[i] + offset) / step));
        }
    }

    private static int code(double q) {
        return (int) Math.max(0, Math.min(15, q));
    }

    private static float f16(float v) {
        return Half.f16ToFloat(Half.floatToF16(v));
    }
}
