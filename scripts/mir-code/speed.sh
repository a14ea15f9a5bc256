#!/bin/bash
# Speed of one GEN and one GEN-MIR split-MNIST run, ours against the MIR authors' code, alternating,
# one thread each. Run from the repository root; MIR=the extracted MIR code folder (README.md),
# MNIST_DIR=the MNIST IDX files for it, ARM=the arm.sh to time (default ./arm.sh; give a separate
# checkout's while editing this one, whose jar arm.sh would otherwise rebuild inside a timing).
# SAMPLES_PER_TASK shortens both streams (theirs --samples_per_task S, ours --samples-per-class S/2:
# the same number of batches); default 1000, the published length.
# METHODS (default "GEN GEN-MIR") picks the rows. Usage: speed.sh PAIRS [OUT]
# Per process: CPU time = user + sys of the process tree (GNU time), wall, and the 1-minute load
# average before and after; then the ratio theirs/ours of CPU time per pair.
set -euo pipefail
pairs=${1:-2}; out=${2:-/tmp/gen-speed}
: "${MIR:?set MIR to the extracted MIR code folder}" "${MNIST_DIR:?set MNIST_DIR}"
mkdir -p "$out"
load() { cut -d' ' -f1 /proc/loadavg; }
# prints "user sys wall loadBefore loadAfter"
timed() {
  local tag=$1; shift
  local l0; l0=$(load)
  /usr/bin/time -f '%U %S %e' -o "$out/$tag.time" bash -c '"$@"' _ "$@" > "$out/$tag.log" 2>&1 \
    || { echo "$tag failed: see $out/$tag.log" >&2; exit 1; }
  echo "$(cat "$out/$tag.time") $l0 $(load)"
}
ours() { # method
  rm -rf "$out/ours-$1"
  "$ARM" reproduce mnist --methods "$1" --stream mir --runs 1 --threads 1 --out "$out/ours-$1" \
    --samples-per-class $((SAMPLES_PER_TASK / 2))
}
theirs() { # gen|gen-mir
  cd "$MIR" && MIROUT="$out/theirs" ./run-gen.sh "speed-$1" "$1" 1
}
SAMPLES_PER_TASK=${SAMPLES_PER_TASK:-1000}
export -f ours theirs; export out SAMPLES_PER_TASK
ARM=$(readlink -f "${ARM:-./arm.sh}"); export ARM
"$ARM" --version > /dev/null # builds the jar first if needed
printf '%-8s %4s %-6s %9s %8s %8s %6s %6s\n' method pair who cpu_s user_s wall_s load0 load1
for p in $(seq 1 "$pairs"); do
  for m in ${METHODS:-GEN GEN-MIR}; do
    k=$(echo "$m" | tr 'A-Z' 'a-z')
    read -r u1 s1 w1 a1 b1 < <(timed "ours-$m-$p" ours "$m")
    read -r u2 s2 w2 a2 b2 < <(timed "theirs-$m-$p" theirs "$k")
    c1=$(echo "$u1 + $s1" | bc); c2=$(echo "$u2 + $s2" | bc)
    printf '%-8s %4s %-6s %9.1f %8.1f %8.1f %6s %6s\n' "$m" "$p" ours "$c1" "$u1" "$w1" "$a1" "$b1"
    printf '%-8s %4s %-6s %9.1f %8.1f %8.1f %6s %6s\n' "$m" "$p" theirs "$c2" "$u2" "$w2" "$a2" "$b2"
    echo "$m pair $p: CPU ratio theirs/ours $(echo "scale=2; $c2 / $c1" | bc), wall ratio $(echo "scale=2; $w2 / $w1" | bc)"
  done
done | tee "$out/speed.txt"
