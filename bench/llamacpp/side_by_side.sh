#!/bin/bash
# llama.cpp's own loop (llama_driver speed) against ours (SpeedRun) on the same GGUF files of the
# random stories110M-shaped model, in alternated rounds; one line per run: ROUND ENGINE DTYPE DECODE_TOK_S PREFILL_TOK_S.
#   bench/llamacpp/side_by_side.sh [ROUNDS] [DTYPES] [THREADS]      (defaults: 3 "f32 f16 bf16 q8_0" 2)
# Needs setup.sh's driver, the Maven build, and bench-out/stories110m-random-f32.bin (EndToEnd --no-speed --out bench-out).
set -euo pipefail
ROUNDS=${1:-3}; DTYPES=${2:-f32 f16 bf16 q8_0}; THREADS=${3:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=${KC_LLAMA_DRIVER:-${KNOWCODER_BENCH_CACHE:-$HOME/.cache/knowcoder-bench}/llamacpp/bin/llama_driver}
TOK=${KC_TOKENIZER:-$ROOT/../shared/fixtures/tokenizer/llama2-tokenizer.model}
OUT=$ROOT/bench-out
J="${JAVA_HOME:+$JAVA_HOME/bin/}java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"  # JDK 25: JAVA_HOME, as the other bench scripts
[ -x "$D" ] || { echo "side_by_side: no driver at $D (run bench/llamacpp/setup.sh)" >&2; exit 2; }
[ -f "$OUT/stories110m-random-f32.bin" ] || { echo "side_by_side: no $OUT/stories110m-random-f32.bin (run EndToEnd --no-speed --out bench-out)" >&2; exit 2; }
for d in $DTYPES; do
  f=$OUT/stories110m-random-$d.gguf
  [ -f "$f" ] && continue
  case $d in q8_0|q4_0|q4_k) opt="--quantize $d";; *) opt="--dtype $d";; esac
  $J -jar "$ROOT/cli/target/knowcoder.jar" convert --model "$OUT/stories110m-random-f32.bin" --tokenizer "$TOK" --to gguf $opt --out "$f" >&2
done
for r in $(seq 1 "$ROUNDS"); do
  for d in $DTYPES; do
    # the engine that goes first alternates by round, so the machine's drift hits both alike
    if [ $((r % 2)) = 1 ]; then order="llama.cpp ours"; else order="ours llama.cpp"; fi
    for e in $order; do
      f=$OUT/stories110m-random-$d.gguf
      if [ $e = llama.cpp ]; then out=$("$D" speed "$f" "$THREADS" 256 1000 2>/dev/null)
      else out=$($J -cp "$ROOT/bench/target/benchmarks.jar" org.knowcoder.bench.SpeedRun "$f" "$THREADS" 256 1000 2>/dev/null | cut -d' ' -f1,2); fi
      echo "$r $e $d $out"
    done
  done
done
