"""OpenBLAS's sgemm through numpy on GemmBenchmark's shapes (m x k x n), the yardstick of issue 22's
acceptance 3, with OpenBLAS's best kernels for this CPU (openblas_best.py). One JSON line per shape:
GFLOP/s, median of the timed calls, and the library and kernel set that ran.
Usage: python3 sgemm.py [repeats 9]; OPENBLAS_NUM_THREADS sets the thread count (default: all cores)."""
import json
import sys
import time

import openblas_best  # before numpy
import numpy as np

SHAPES = [(2048, 288, 32000), (2048, 768, 2048), (2048, 2048, 2048)]


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    rng = np.random.default_rng(1)
    for m, k, n in SHAPES:
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((k, n), dtype=np.float32)
        c = np.zeros((m, n), dtype=np.float32)
        for _ in range(2):
            np.matmul(a, b, out=c)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            times.append(time.perf_counter() - t0)
        times.sort()
        print(json.dumps({"shape": f"{m}x{k}x{n}", "gflop_per_s": round(2 * m * k * n / times[len(times) // 2] / 1e9, 1),
                          "blas": openblas_best.loaded()}))


if __name__ == "__main__":
    main()
