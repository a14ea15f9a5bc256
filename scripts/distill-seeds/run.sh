#!/usr/bin/env bash
# Distill on MNIST-5k-5 over many seeds: our stream and initial weights (Dump.java, from the jar)
# and the authors' (authdump.py, their own data and model code, run ids 6102+i), each trained by
# the same float32 replay of distill.py's loop (npreplay.py). replay.py is the slower torch replay
# that uses the authors' modules (evaluate_basic, mlp) to check npreplay on single seeds.
# Needs: the jar (./arm.sh builds it), python3 with numpy, Debian python3-torch at /usr/bin/python3,
# the authors' repository extracted at $ARMCODE. Usage: scripts/distill-seeds/run.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-60}; OUT=${OUT:-/tmp/distill-seeds}; HERE=scripts/distill-seeds
export MNIST=${MNIST:-data/mnist} ARMCODE=${ARMCODE:-/tmp/armcode} OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
mkdir -p "$OUT/classes"
./arm.sh --version > /dev/null
javac -d "$OUT/classes" -cp arm/target/arm.jar "$HERE/Dump.java"
java --add-modules jdk.incubator.vector -cp "arm/target/arm.jar:$OUT/classes" Dump 0 $((RUNS - 1)) "$OUT/s" 2>/dev/null
/usr/bin/python3 "$HERE/authdump.py" 6102 $((6102 + RUNS - 1)) "$OUT/a"
python3 "$HERE/npreplay.py" $(for i in $(seq 0 $((RUNS - 1))); do echo "$OUT/a$((6102 + i))"; done) > "$OUT/authors.txt"
python3 "$HERE/npreplay.py" $(for i in $(seq 0 $((RUNS - 1))); do echo "$OUT/s$i"; done) > "$OUT/ours.txt"
python3 "$HERE/stats.py" "$OUT/authors.txt" "$OUT/ours.txt"
