#!/bin/sh
# The GPU session's checks, on the lent machine (see prepare.sh): the GPU tests, stories260K's greedy
# text through generate --device cuda, and the speed of KnowCoder-J's CUDA device next to PyTorch.
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
