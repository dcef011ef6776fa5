#!/bin/sh
# Acceptance 6: KnowCoder's and PyTorch's training tokens/s on the same shapes, one after the other,
# each under /usr/bin/time -v for its peak resident set. Run from the repository root after
# `mvn -o -q -pl bench -am package -DskipTests`. Arguments: threads batch seq_len warmup steps,
# passed to both; PyTorch here (Debian's, reference BLAS) takes about 35 s a step at the defaults.
set -e
ARGS="${*:-2 8 256 3 5}"
for cmd in "${JAVA_HOME:+$JAVA_HOME/bin/}java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.knowcoder.bench.TrainSpeed" \
           "/usr/bin/python3 bench/pytorch/train_speed.py"; do
    /usr/bin/time -v $cmd $ARGS 2>/tmp/side_by_side.time | grep tokens_per_s
    grep "Maximum resident" /tmp/side_by_side.time
done
