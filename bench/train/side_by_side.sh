#!/bin/bash
# Two builds of the trainer on the same run, in turn: bench/train/side_by_side.sh A.jar B.jar MODEL DATA [ROUNDS 3] [STEPS 80] [TRAIN OPTIONS...]
# Each round trains STEPS steps from MODEL on DATA with each jar (the order flips every round) and prints,
# as one JSON line, the median over steps 21.. of B's tokens/s over A's, paired by step (the two see the
# same batches), each build's median tokens/s, both walls and both last losses (equal when the arithmetic is).
# Default options: the recipe's fine-tuning shape (KnowCoder-mini, blocks of 16 instructions sharing their prompt).
set -euo pipefail
if [ $# -lt 4 ]; then sed -n 2,6p "$0" | cut -c3-; exit 2; fi
A=$1 B=$2 MODEL=$3 DATA=$4 ROUNDS=${5:-3} STEPS=${6:-80}
[ "$STEPS" -gt 20 ] || { echo "STEPS must be over 20: the first 20 (the JIT's warm-up) are not compared" >&2; exit 2; }
shift $(( $# < 6 ? $# : 6 ))
OPTIONS=("$@")
[ ${#OPTIONS[@]} -gt 0 ] || OPTIONS=(--batch 16 --micro-batch 16 --seq-len 1024 --lr 1e-3 --warmup-ratio 0.05 --group-by-prompt --threads 2)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
run() { # jar name -> wall seconds
    local t0 t1
    t0=$(date +%s.%N)
    java -jar "$1" train --model "$MODEL" --data "$DATA" --steps "$STEPS" --checkpoint-every 0 --out "$WORK/$2" "${OPTIONS[@]}" >/dev/null 2>"$WORK/$2.err" \
        || { echo "$1 failed:" >&2; tail -5 "$WORK/$2.err" >&2; exit 1; }
    t1=$(date +%s.%N)
    python3 -c "print($t1 - $t0)"
}
for r in $(seq "$ROUNDS"); do
    rm -rf "$WORK/a" "$WORK/b"
    if [ $((r % 2)) -eq 1 ]; then wa=$(run "$A" a); wb=$(run "$B" b); else wb=$(run "$B" b); wa=$(run "$A" a); fi
    python3 - "$WORK/a/metrics.jsonl" "$WORK/b/metrics.jsonl" "$r" "$wa" "$wb" <<'PY'
import json, statistics, sys
a, b = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
pairs = list(zip(a[20:], b[20:]))
print(json.dumps({"round": int(sys.argv[3]),
                  "b_over_a": round(statistics.median(y["tokens_per_s"] / x["tokens_per_s"] for x, y in pairs), 3),
                  "tokens_per_s": [round(statistics.median(x["tokens_per_s"] for x, _ in pairs)), round(statistics.median(y["tokens_per_s"] for _, y in pairs))],
                  "wall_s": [round(float(sys.argv[4]), 1), round(float(sys.argv[5]), 1)],
                  "last_loss": [a[-1]["loss"], b[-1]["loss"]]}))
PY
done
