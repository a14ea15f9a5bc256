#!/usr/bin/env bash
# Line count of the engine core (STYLE principle 15): tensor + autograd + CPU kernels, main sources
# only (tests, nn, arm, CUDA and benchmarks excluded). Prints one line per part and the total.
#
#   scripts/core-lines.sh            # report
#   scripts/core-lines.sh 6000       # report, and exit 1 when the total exceeds 6000 lines (CI budget)
#
# Lines are counted with wc -l (blank and comment lines included: Javadoc formulas are part of the
# core's cost to read).
set -euo pipefail
cd "$(dirname "$0")/.."

parts=(
  "tensor:tensor/src/main/java"
  "autograd:autograd/src/main/java"
  "kernels-cpu:kernels/src/main/java/arm/kernels/cpu"
)

count() { # total lines of the .java files under $1 (0 when there are none)
  find "$1" -name '*.java' -type f -print0 2>/dev/null | xargs -0 -r cat | wc -l
}

total=0
for p in "${parts[@]}"; do
  name=${p%%:*} dir=${p#*:}
  [[ -d $dir ]] || { echo "core-lines: missing $dir" >&2; exit 2; }
  n=$(count "$dir")
  files=$(find "$dir" -name '*.java' -type f | wc -l)
  printf '%-12s %6d lines in %3d files  (%s)\n' "$name" "$n" "$files" "$dir"
  total=$((total + n))
done
printf '%-12s %6d lines\n' "core" "$total"

if [[ $# -ge 1 ]]; then
  budget=$1
  if (( total > budget )); then
    echo "core-lines: core is $total lines, over the budget of $budget" >&2
    exit 1
  fi
  echo "core-lines: within the budget of $budget"
fi
