#!/usr/bin/env bash
# Regenerates the PTX of every CUDA source under src/main/cuda whose hash differs from the one
# recorded in its PTX, into src/main/resources/org/knowcoder/cuda/ptx/<name>.ptx (kept in git, so
# machines without the CUDA toolkit build from the committed PTX).
#
# Hash rule (PtxFreshnessTest applies the same one): SHA-256 over the bytes of <name>.cu followed by
# the bytes of every local header it names in an `#include "..."` line, deduplicated and in byte
# (C locale) order of the names, resolved in src/main/cuda. Local headers must not include other
# local headers (the test checks). The PTX file's first line is `// source-sha256: <hex>`, followed
# by nvcc's output unchanged.
#
# Usage: build-ptx.sh [--force]   (run from anywhere; --force rebuilds every PTX)
set -euo pipefail

cd "$(dirname "$0")"
SRC=src/main/cuda
OUT=src/main/resources/org/knowcoder/cuda/ptx
# compute_80: PTX that the driver JIT-compiles for sm_80 and newer (A100, H100). No --use_fast_math:
# results must match the CPU engine to 1e-4 (fast math swaps expf, division and sqrt for approximations).
NVCC_FLAGS=(-ptx -arch=compute_80 -O3 -std=c++17)

if ! command -v nvcc >/dev/null 2>&1; then
    echo "build-ptx: nvcc not on PATH, PTX is taken from the repository"
    exit 0
fi

source_hash() {
    local cu=$1
    local headers
    headers=$(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]+"' "$SRC/$cu" \
        | sed -E 's/.*"([^"]+)".*/\1/' | LC_ALL=C sort -u)
    (
        cat "$SRC/$cu"
        for h in $headers; do cat "$SRC/$h"; done
    ) | sha256sum | cut -d' ' -f1
}

force=0
[[ "${1:-}" == "--force" ]] && force=1
mkdir -p "$OUT"
built=0
for path in "$SRC"/*.cu; do
    cu=$(basename "$path")
    name=${cu%.cu}
    ptx="$OUT/$name.ptx"
    hash=$(source_hash "$cu")
    if [[ $force == 0 && -f "$ptx" ]] && [[ "$(head -n 1 "$ptx")" == "// source-sha256: $hash" ]]; then
        continue
    fi
    tmp=$(mktemp)
    # compile from inside the source directory with relative names: nothing machine-specific
    # (absolute paths) can end up in the output
    (cd "$SRC" && nvcc "${NVCC_FLAGS[@]}" -o "$tmp" "$cu")
    { echo "// source-sha256: $hash"; cat "$tmp"; } > "$ptx.tmp"
    rm -f "$tmp"
    mv "$ptx.tmp" "$ptx"
    echo "build-ptx: $cu -> $ptx"
    built=$((built + 1))
done
echo "build-ptx: $built PTX file(s) rebuilt"
