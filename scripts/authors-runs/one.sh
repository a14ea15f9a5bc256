#!/usr/bin/env bash
# One run of the authors' own code on MNIST-5k-5, one thread: METHOD (naive, stationary, distill,
# adi, arm) with run id ID (default: the method's first id in commands.txt); their results go to
# OUT/ID (config.txt / config.pickle, as their code writes them). For timing against
# `./arm.sh train --method ARM --gradient-samples 0 --no-figures`: `one.sh arm 6579`.
# Needs Debian's python3-torch (1.13) at /usr/bin/python3 and the authors' repository at $ARMCODE.
# Usage: one.sh METHOD [ID] [OUT]
set -euo pipefail
source "$(dirname "$0")/args.sh"
m=${1:?usage: one.sh METHOD [ID] [OUT]}
[[ -n ${ARGS[$m]:-} ]] || { echo "one.sh: unknown method '$m' (naive, stationary, distill, adi, arm)" >&2; exit 2; }
read -r first script rest <<< "${ARGS[$m]}"
id=${2:-$first} out=${3:-/tmp/authors-one}
rm -rf "${out:?}/$id"; mkdir -p "$out"
cd "$ARMCODE"
exec /usr/bin/python3 -m code.scripts.$script --model_ind_start "$id" --num_runs 1 $COMMON $rest --out_root "$out"
