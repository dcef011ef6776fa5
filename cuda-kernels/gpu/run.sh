#!/bin/sh
# The GPU session's checks, on the lent machine (see prepare.sh): the GPU tests, stories260K's greedy
# text through generate --device cuda, and the speed of KnowCoder-J's CUDA device next to PyTorch.
# Results go to $OUT (the device tool brings them back). SHAPES (default "stories110m llama7b") and
# DTYPE (default bf16) choose the speed runs; SHAPES="" skips them.
set -u
OUT=${OUT:-/tmp/knowcoder-gpu-out}
mkdir -p "$OUT"
tar -C /tmp -xJf .gpu/jre.tar.xz
JAVA="/tmp/knowcoder-jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1
    ldconfig -p | grep -E 'libcuda\.so|libcublas\.so' 2>&1
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

echo "== GPU tests"
$JAVA -Dknowcoder.root=.gpu/root -jar .gpu/junit-console.jar execute --disable-banner --details=summary \
    --class-path .gpu/cuda-test-classes:.gpu/knowcoder.jar \
    --select-class org.knowcoder.cuda.CudaOpParityTest --select-class org.knowcoder.cuda.CudaModelTest \
    --select-class org.knowcoder.cuda.CudaTrainingKernelsTest > "$OUT/tests.txt" 2>&1
echo "exit $?" >> "$OUT/tests.txt"
tail -25 "$OUT/tests.txt"

echo "== stories260K greedy text on the GPU"
F=.gpu/shared/fixtures/stories260K
$JAVA -cp .gpu/knowcoder.jar org.knowcoder.cli.Main generate --model $F/stories260K.bin --tokenizer $F/tok512.bin \
    --temperature 0 --steps 200 --device cuda > "$OUT/stories260k.txt" 2> "$OUT/stories260k.err"
if cmp -s "$OUT/stories260k.txt" $F/stories260K_greedy_n200_stdout.txt; then echo "identical to llama2.c"; else echo "DIFFERS from llama2.c"; fi
cat "$OUT/stories260k.err"

for shape in ${SHAPES-stories110m llama7b}; do
    echo "== speed: $shape ${DTYPE:-bf16}"
    $JAVA -Xmx60g -cp .gpu/knowcoder.jar:.gpu/bench-classes org.knowcoder.bench.DeviceSpeed --device cuda \
        --shape "$shape" --dtype "${DTYPE:-bf16}" 2>&1 | tee -a "$OUT/speed.jsonl.log" | grep '^{' >> "$OUT/speed.jsonl"
    PYTHONUNBUFFERED=1 python3 bench/pytorch/gpu_llama_speed.py --device cuda --shape "$shape" --dtype "${DTYPE:-bf16}" \
        2>&1 | tee -a "$OUT/speed.jsonl.log" | grep '^{' >> "$OUT/speed.jsonl"
done
[ -f "$OUT/speed.jsonl" ] && cat "$OUT/speed.jsonl"
exit 0
