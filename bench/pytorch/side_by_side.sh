#!/bin/sh
# Issue 22's acceptance 4: KnowCoder's and PyTorch's training tokens/s and peak resident set on the
# same shapes, in alternated rounds (the order flips every round), each under /usr/bin/time -v.
# Run from the repository root after `mvn -o -q -pl bench -am package -DskipTests`.
# Usage: bench/pytorch/side_by_side.sh [rounds 5] [threads batch seq_len warmup steps: 2 8 256 2 5]
#
# PyTorch at its best here (Debian's python3-torch 1.13 with libopenblas-dev, measured on a Zen 5
# guest): OpenBLAS's AVX-512 kernels (train_speed.py imports openblas_best.py: 395 -> 495 tokens/s),
# and glibc's malloc kept from returning every block over 32 MB to the kernel at free, which made
# each step's activations page-fault in again (a third of PyTorch's time was in the kernel): raised
# mmap and trim thresholds took it from 495 to 1,084 tokens/s, peak RSS 1.9 -> 2.45 GB. jemalloc
# was slower (316). Set MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ outside to override.
set -e
ROUNDS="${1:-5}"
[ $# -gt 0 ] && shift
ARGS="${*:-2 8 256 2 5}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-4294967296}" MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-68719476736}"
OURS="${JAVA_HOME:+$JAVA_HOME/bin/}java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.knowcoder.bench.TrainSpeed"
THEIRS="/usr/bin/python3 bench/pytorch/train_speed.py"
OUT=$(mktemp -d)
run() { # name command: appends "tokens/s rss_kb" to $OUT/name
    /usr/bin/time -v $2 $ARGS >"$OUT/last.json" 2>"$OUT/time.txt"
    cat "$OUT/last.json" >&2
    tps=$(sed -n 's/.*"tokens_per_s": \([0-9.]*\).*/\1/p' "$OUT/last.json")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time.txt")
    echo "$tps $rss" >>"$OUT/$1"
}
lscpu | sed -n 's/^Model name: *//p' >&2
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then run knowcoder "$OURS"; run pytorch "$THEIRS"; else run pytorch "$THEIRS"; run knowcoder "$OURS"; fi
done
python3 - "$OUT" <<'PY'
import json, statistics, sys
d = sys.argv[1]
rows = {n: [tuple(map(float, l.split())) for l in open(f"{d}/{n}")] for n in ("knowcoder", "pytorch")}
ours, theirs = rows["knowcoder"], rows["pytorch"]
print(json.dumps({
    "knowcoder_tokens_per_s": [t for t, _ in ours], "pytorch_tokens_per_s": [t for t, _ in theirs],
    "ratio_of_medians": round(statistics.median(t for t, _ in ours) / statistics.median(t for t, _ in theirs), 2),
    "knowcoder_peak_rss_mb": round(max(r for _, r in ours) / 1024), "pytorch_peak_rss_mb": round(max(r for _, r in theirs) / 1024)}))
PY
rm -rf "$OUT"
