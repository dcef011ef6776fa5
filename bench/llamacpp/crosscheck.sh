#!/usr/bin/env bash
# llama.cpp against our engine on GGUF files our writer made: greedy ids per fixture model and dtype,
# and the two tokenizers on the same GGUF. JSON lines on stdout (see crosscheck.py); exit 1 when a
# file both could run decoded differently, or a tokenization differed.
#
#   bench/llamacpp/crosscheck.sh [--models a,b] [--dtypes f32,q8_0]      # after setup.sh and the Maven build
#   bench/llamacpp/crosscheck.sh --llama-written [--models a,b] [--llama-types f16,q4_k]
#       # the other direction: llama.cpp writes each type from our F32 GGUF (llama_driver quantize),
#       # our generate loads it and decodes against llama.cpp on the same file; no tokenizer checks
#
# KC_JAR (default cli/target/knowcoder.jar), KC_FIXTURES (default ../shared/fixtures beside the
# repository), KC_WORK (default a new temporary folder; the GGUF files are left there),
# KNOWCODER_BENCH_CACHE (setup.sh's cache). Both sides run on one thread.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${KNOWCODER_BENCH_CACHE:-$HOME/.cache/knowcoder-bench}/llamacpp"
DRIVER="$CACHE/bin/llama_driver"
JAR="${KC_JAR:-$ROOT/cli/target/knowcoder.jar}"
FIXTURES="${KC_FIXTURES:-$ROOT/../shared/fixtures}"
WORK="${KC_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/kc-crosscheck.XXXXXX")}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

[ -x "$DRIVER" ] || { echo "crosscheck.sh: $DRIVER is missing: run bench/llamacpp/setup.sh" >&2; exit 2; }
[ -f "$JAR" ] || { echo "crosscheck.sh: $JAR is missing: build with mvn -o -q -DskipTests package (or set KC_JAR)" >&2; exit 2; }
[ -d "$FIXTURES/models" ] || { echo "crosscheck.sh: no fixtures at $FIXTURES (set KC_FIXTURES)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "crosscheck.sh: python3 is missing" >&2; exit 2; }
echo "crosscheck.sh: files in $WORK" >&2

export KC_LLAMA_THREADS=1
exec python3 "$HERE/crosscheck.py" --driver "$DRIVER" --jar "$JAR" --java "$JAVA" \
    --fixtures "$(cd "$FIXTURES" && pwd)" --work "$WORK" "$@"
