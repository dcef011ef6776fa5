#!/bin/sh
# Issue 22's acceptance 3: GemmBenchmark (JMH, our training GEMM) beside OpenBLAS's sgemm through
# numpy (sgemm.py, its AVX-512 kernels where the CPU has them) on the same shapes and thread count,
# in alternated rounds (the order flips every round); prints GFLOP/s per round and the ratio of
# medians per shape. Run from the repository root after `mvn -o -q -pl bench -am package -DskipTests`.
# Usage: bench/pytorch/gemm_side_by_side.sh [rounds 3] [threads 2]
set -e
ROUNDS="${1:-3}"
THREADS="${2:-2}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
OUT=$(mktemp -d)
ours() {
    $JAVA -jar bench/target/benchmarks.jar GemmBenchmark -p threads="$THREADS" -wi 2 -w 1 -i 3 -r 1 -rf json -rff "$OUT/jmh.json" >/dev/null 2>&1
    python3 - "$OUT/jmh.json" >>"$OUT/ours" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    print(r["params"]["shape"], r["secondaryMetrics"]["gflopPerSecond"]["score"])
PY
}
theirs() {
    OPENBLAS_NUM_THREADS="$THREADS" /usr/bin/python3 bench/pytorch/sgemm.py | tee -a "$OUT/blas.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(r["shape"], r["gflop_per_s"])' >>"$OUT/theirs"
}
lscpu | sed -n 's/^Model name: *//p' >&2
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then ours; theirs; else theirs; ours; fi
done
head -1 "$OUT/blas.jsonl" >&2
python3 - "$OUT" <<'PY'
import json, statistics, sys
d = sys.argv[1]
def read(name):
    rows = {}
    for line in open(f"{d}/{name}"):
        shape, v = line.split()
        rows.setdefault(shape, []).append(round(float(v), 1))
    return rows
ours, theirs = read("ours"), read("theirs")
for shape in ours:
    print(json.dumps({"shape": shape, "knowcoder_gflop_per_s": ours[shape], "openblas_gflop_per_s": theirs[shape],
                      "ratio_of_medians": round(statistics.median(ours[shape]) / statistics.median(theirs[shape]), 2)}))
PY
rm -rf "$OUT"
