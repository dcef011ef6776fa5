#!/bin/sh
# The GPU session's checks, on the lent machine (see prepare.sh): the GPU tests, stories260K's greedy
# text through generate --device cuda, extraction on the GPU against the CPU (EXTRACT=0 skips it), and
# the speed of KnowCoder-J's CUDA device next to PyTorch.
# Results go to $OUT (the device tool brings them back). SHAPES (default "stories110m 1b"), DTYPES
# (default "f32 bf16 q8_0") and TORCH_DTYPES (default "bf16") choose the speed runs; SHAPES="" skips them.
# Every step has a time limit, so one hung step cannot eat the session's device time.
set -u
OUT=${OUT:-/tmp/knowcoder-gpu-out}
mkdir -p "$OUT"
tar -C /tmp -xJf .gpu/jre.tar.xz
JAVA="/tmp/knowcoder-jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
{
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv 2>&1
    ldconfig -p | grep -E 'libcuda\.so|libcublas' 2>&1
    find / -name 'libcublas.so*' -not -path '/proc/*' 2>/dev/null | head -5
    lscpu | grep -E 'Model name|^CPU\(s\)'
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

echo "== GPU tests"
timeout 150 $JAVA -Dknowcoder.root=.gpu/root -jar .gpu/junit-console.jar execute --disable-banner --details=tree \
    --class-path .gpu/cuda-test-classes:.gpu/knowcoder.jar \
    --select-class org.knowcoder.cuda.CudaOpParityTest --select-class org.knowcoder.cuda.CudaModelTest \
    --select-class org.knowcoder.cuda.CudaTrainingKernelsTest > "$OUT/tests.txt" 2>&1
echo "exit $?" >> "$OUT/tests.txt"
grep -E '✘|tests (successful|failed|skipped)|exit ' "$OUT/tests.txt" | head -40

echo "== stories260K greedy text on the GPU"
F=.gpu/shared/fixtures/stories260K
timeout 60 $JAVA -cp .gpu/knowcoder.jar org.knowcoder.cli.Main generate --model $F/stories260K.bin --tokenizer $F/tok512.bin \
    --temperature 0 --steps 200 --device cuda > "$OUT/stories260k.txt" 2> "$OUT/stories260k.err"
if cmp -s "$OUT/stories260k.txt" $F/stories260K_greedy_n200_stdout.txt; then echo "identical to llama2.c"; else echo "DIFFERS from llama2.c"; fi
cat "$OUT/stories260k.err"


# extraction through the shared session contract: the same command on the GPU and on this machine's
# CPU. llama-tiny-gqa (a reference fixture) must give the same predictions on both; the 110M-shape
# random model times CoNLL03 test sentences (its answers are noise and run to the token limit).
if [ "${EXTRACT-1}" = 1 ]; then
    KC="$JAVA -Xmx24g -cp .gpu/knowcoder.jar org.knowcoder.cli.Main"
    D=.gpu/shared/datasets
    for dev in cuda cpu; do
        echo "== extract llama-tiny-gqa on $dev"
        timeout 60 $KC extract --model .gpu/shared/fixtures/models/llama-tiny-gqa/model.bin --tokenizer $F/tok512.model \
            --datasets $D --dataset conll2003 --limit 64 --max-new-tokens 12 --device $dev --out /tmp/tiny-$dev > "$OUT/extract-tiny-$dev.json" 2>&1
        tail -2 "$OUT/extract-tiny-$dev.json"
    done
    if cmp -s /tmp/tiny-cuda/predictions.jsonl /tmp/tiny-cpu/predictions.jsonl; then echo "tiny predictions identical"; else echo "tiny predictions DIFFER"; fi
    timeout 120 $JAVA -cp .gpu/knowcoder.jar:.gpu/bench-classes org.knowcoder.bench.BenchModel /tmp/bench-model > /dev/null
    M=/tmp/bench-model/stories110m-random-f32.bin
    for run in "cuda" "cuda --quantize q8_0" "cpu"; do
        name=$(echo "$run" | tr -d ' -')
        echo "== extract 110M-shape on $run"
        timeout 150 $KC extract --model $M --tokenizer .gpu/shared/fixtures/tokenizer/llama2-tokenizer.model --datasets $D \
            --dataset conll2003 --limit ${EXTRACT_LIMIT:-256} --max-new-tokens 64 --device $run --out /tmp/x-$name > "$OUT/extract-$name.json" 2> "$OUT/extract-$name.err"
        cat "$OUT/extract-$name.json"; grep -v WARNING "$OUT/extract-$name.err" | head -3
    done
    python3 - /tmp/x-cuda/predictions.jsonl /tmp/x-cpu/predictions.jsonl <<'PY'
import json, sys
a, b = ({(r.get("dataset"), r.get("task"), r.get("id")): r.get("output") for r in map(json.loads, open(p))} for p in sys.argv[1:])
same = sum(a[k] == b.get(k) for k in a)
print(f"110M predictions identical on cuda and cpu: {same} of {len(a)}")
PY
fi

for shape in ${SHAPES-stories110m 1b}; do
    for dtype in ${DTYPES-f32 bf16 q8_0}; do
        echo "== speed: knowcoder-j $shape $dtype"
        timeout 60 $JAVA -Xmx60g -cp .gpu/knowcoder.jar:.gpu/bench-classes org.knowcoder.bench.DeviceSpeed --device cuda \
            --shape "$shape" --dtype "$dtype" --prompt 1000 2>&1 | tee -a "$OUT/speed.log" | grep '^{' >> "$OUT/speed.jsonl"
    done
    for dtype in ${TORCH_DTYPES-bf16}; do
        echo "== speed: pytorch $shape $dtype"
        PYTHONUNBUFFERED=1 timeout 60 python3 bench/pytorch/gpu_llama_speed.py --device cuda --shape "$shape" --dtype "$dtype" \
            --prompt 1000 2>&1 | tee -a "$OUT/speed.log" | grep '^{' >> "$OUT/speed.jsonl"
    done
done
[ -f "$OUT/speed.jsonl" ] && cat "$OUT/speed.jsonl"
exit 0
