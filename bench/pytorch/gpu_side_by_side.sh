#!/bin/sh
# Issue 8, acceptance 3: decode tok/s, 2,000-token prefill tok/s and GEMM TFLOP/s of KnowCoder-J's CUDA
# device and of PyTorch (eager, same GPU, same dtype), one after the other, for the stories110M- and
# LLaMA-2-7B-shaped random models. Run from the repository root on the GPU machine after
# `mvn -o -q -DskipTests package`. Arguments: dtype (default bf16), then shapes (default both).
set -e
DTYPE="${1:-bf16}"
shift 2>/dev/null || true
SHAPES="${*:-stories110m llama7b}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
for shape in $SHAPES; do
    $JAVA --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx100g \
        -cp bench/target/benchmarks.jar org.knowcoder.bench.DeviceSpeed --device cuda --shape "$shape" --dtype "$DTYPE"
    python3 bench/pytorch/gpu_llama_speed.py --device cuda --shape "$shape" --dtype "$DTYPE"
done
