#!/usr/bin/env bash
# The authors' own code on MNIST-5k-5, every run id of the paper's Table 6 (commands.txt: Naive
# 4967+, Stationary 4947+, Distill 6102+, ADI 6232+, ARM 6579+; --cuda dropped; args.sh), one
# thread per run, two runs at a time, then their print_results.py per method. Compare with
# `./arm.sh reproduce mnist` (rng authors: the same run ids and random streams).
# Needs Debian's python3-torch (1.13) at /usr/bin/python3 and the authors' repository at $ARMCODE
# (github xu-ji/ARM). Usage: scripts/authors-runs/run.sh [OUT]   (about 20 minutes on 2 cores)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/args.sh"
OUT=${1:-/tmp/authors-runs}
mkdir -p "$OUT"
jobs=()
for m in arm adi distill naive stationary; do
  read -r first _ <<< "${ARGS[$m]}"
  for i in 0 1 2 3 4; do jobs+=("$HERE/one.sh $m $((first + i)) $OUT/$m > $OUT/$m-$((first + i)).log 2>&1"); done
done
printf '%s\0' "${jobs[@]}" | xargs -0 -P 2 -I{} bash -c {}
for m in naive stationary distill adi arm; do
  read -r first _ <<< "${ARGS[$m]}"
  echo "== $m"; (cd "$ARMCODE" && /usr/bin/python3 -m code.scripts.print_results --root "$OUT/$m" --start "$first" --num_runs 5)
done
