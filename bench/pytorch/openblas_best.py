"""Import before numpy or torch: picks OpenBLAS's best kernels for this CPU, and names what was loaded.

OpenBLAS 0.3.21 (Debian 12) does not know Zen 4/5 and takes them for Haswell (AVX2), and this
machine's environment sets OPENBLAS_CORETYPE=Haswell besides; on a CPU with AVX-512 its SkylakeX
kernels run sgemm at 340-375 GFLOP/s on 2 threads of a Zen 5 guest against 185-195 with Haswell's.
KC_OPENBLAS_CORETYPE overrides the choice."""
import ctypes
import os


def _has_avx512():
    with open("/proc/cpuinfo") as info:
        return any(line.startswith("flags") and " avx512f" in line for line in info)


if os.environ.get("KC_OPENBLAS_CORETYPE"):
    os.environ["OPENBLAS_CORETYPE"] = os.environ["KC_OPENBLAS_CORETYPE"]
elif _has_avx512():
    os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"


def loaded():
    """The BLAS library mapped into this process and, for OpenBLAS, the kernel set it runs."""
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "blas" in line.split()[-1]})
    for lib in libs:
        try:
            corename = ctypes.CDLL(lib).openblas_get_corename
        except (OSError, AttributeError):
            continue
        corename.restype = ctypes.c_char_p
        return f"{lib} ({corename().decode()})"
    return ", ".join(libs) or "none"
