#!/usr/bin/env bash
# Regenerates the golden fixtures of ResNetParityTest (arm/src/test/resources/arm/parity/): each
# run of the authors' code once in float32 (the golden values) and once in float64 (how far float32
# rounding alone moves the same run). Needs Debian's python3-torch (1.13) at /usr/bin/python3 and the
# authors' repository (github xu-ji/ARM) extracted at $ARMCODE. Usage: scripts/resnet-parity/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../../arm/src/test/resources/arm/parity}
export ARMCODE=${ARMCODE:-/tmp/armcode} OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$OUT"
#       dataset      method  K RECALL_FROM_T M [S]
RUNS=("cifar10      arm     4 2 20"
      "cifar10      adi     4 2 20"
      "cifar10      distill 6 2 0"
      "cifar10      naive   6 2 0"
      "miniimagenet arm     3 2 12 2")
for r in "${RUNS[@]}"; do
  read -r d m k rft mm s <<< "$r"
  /usr/bin/python3 "$HERE/generate.py" "$d" "$m" "$k" "$rft" "$mm" "$OUT/$d-$m.safetensors.gz" $s
  DTYPE=float64 /usr/bin/python3 "$HERE/generate.py" "$d" "$m" "$k" "$rft" "$mm" "$OUT/$d-$m-f64.safetensors.gz" $s
done
