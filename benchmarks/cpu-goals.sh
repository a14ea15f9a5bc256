#!/usr/bin/env bash
# The CPU speed goals, ours next to the reference code, alternating on the same machine:
#
#   G1  one ARM iteration, CIFAR10 setting (ResNet18 nf=20, N=10, M=100, S=10), dedup=on   ≤ 0.4 s
#   G2  the same iteration replicated (dedup=off, every copy computed)                    ≤ 2.7 s
#   G4  one ARM run on MNIST-5k-5 (./arm.sh train --method ARM --rng authors, run id 6579) ≤ 3 s wall
#   G5  ./arm.sh reproduce mnist's 9 rows × 5 runs (Naive, Stationary, Distill, ADI, ARM, ER and
#       ER-MIR at 50 and 25), with --reproduce                                      ≤ 0.6 × the authors' run
#
# next to PyTorch's iteration (benchmarks/pytorch_arm_iter.py --device cpu, same thread count) and
# the authors' own MNIST command (scripts/authors-runs/one.sh arm 6579, one thread). Each pair runs
# ours then theirs, PAIRS times, so both see the same phases of a shared machine; every measurement
# is logged with the load average before it and its CPU time (an iteration: the process's CPU
# seconds per iteration; a run: user + system of the whole process tree), which a busy machine
# inflates far less than wall time. Prints one line per measurement and a table of medians and
# per-pair ratios, by wall time and by CPU time.
#
# G1 and G2 time iterations 2-4 of a fresh JVM, which still include the JIT's warm-up. Beside
# them, labelled "steady", the dedup=on iteration and PyTorch's timed at iterations 6-10 (median
# of 5 after 5 untimed, each in its own process); --skip-steady leaves those two out.
#
#   benchmarks/cpu-goals.sh                       # 3 pairs, threads = cores, with the authors' run
#   benchmarks/cpu-goals.sh --skip-authors        # without the ~100 s authors' run per pair
#   benchmarks/cpu-goals.sh --pairs 5 --threads 1 --skip-torch
#   benchmarks/cpu-goals.sh --pairs 1 --skip-cifar --reproduce   # G4 and G5 (~4 min on 2 cores)
#   benchmarks/cpu-goals.sh --pairs 2 --skip-authors --skip-steady
#
# --reproduce adds G5 to every pair (long: ~1.5 min on 2 free cores): the command as a user types
# it, with its default balance of parallel runs and kernel threads, for the 9 rows of the goal
# (REPRODUCE_METHODS; the default method list adds GEN and GEN-MIR, whose runs take minutes each);
# its goal is relative, 0.6 × the authors' MNIST run of the same pair. --skip-cifar leaves out
# G1/G2 and PyTorch's iteration.
#
# Needs: Temurin/OpenJDK 25 under /usr/lib/jvm (or $JAVA); for PyTorch and the authors' run
# Debian's python3-torch (1.13) at /usr/bin/python3 ($TORCH_PYTHON overrides) and the authors'
# repository (github.com/xu-ji/ARM) at $ARMCODE (default /tmp/armcode). Missing pieces are
# skipped with a note. Output: $OUT (default benchmarks/target/cpu-goals-<time>/): summary.txt,
# measurements.tsv (one row per measurement) and every log.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PAIRS=3 SKIP_AUTHORS=false SKIP_TORCH=false SKIP_CIFAR=false SKIP_STEADY=false REPRODUCE=false
THREADS=$(nproc)
OUT=${OUT:-benchmarks/target/cpu-goals-$(date +%Y%m%d-%H%M%S)}
while (($#)); do
  case "$1" in
    --pairs) PAIRS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --skip-authors) SKIP_AUTHORS=true ;;
    --skip-torch) SKIP_TORCH=true ;;
    --skip-cifar) SKIP_CIFAR=true ;;
    --skip-steady) SKIP_STEADY=true ;;
    --reproduce) REPRODUCE=true ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "cpu-goals.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [[ -z "${JAVA:-}" ]]; then
  JAVA=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | sort -V | tail -n 1)
  JAVA=${JAVA:+$JAVA/bin/java}
  JAVA=${JAVA:-java}
fi
export JAVA
PY=${TORCH_PYTHON:-/usr/bin/python3}
ARMCODE=${ARMCODE:-/tmp/armcode}
export ARMCODE
REPRODUCE_METHODS=${REPRODUCE_METHODS:-Naive,Stationary,Distill,ADI,ARM,ER,ER-MIR}

# the timing harnesses run from benchmarks.jar, which nothing else rebuilds: build it when missing or
# older than any source or pom of the modules it bundles
jar=benchmarks/target/benchmarks.jar
if [[ ! -f $jar || ! -f arm/target/arm.jar ]] \
  || [[ -n $(find pom.xml tensor autograd nn arm kernels benchmarks -path '*/target' -prune -o \
         \( -name '*.java' -o -name pom.xml -o -name '*.fatbin' \) -newer "$jar" -print -quit) ]]; then
  ./mvnw -q -o -DskipTests package -pl arm,benchmarks -am || ./mvnw -q -DskipTests package -pl arm,benchmarks -am
  git rev-parse HEAD > arm/target/arm.jar.commit 2>/dev/null || true
fi
# arm.sh rebuilds its jar when the sources are newer and records its JVM class cache on the first
# MNIST command: let it do both before anything is timed (a tiny MNIST run)
./arm.sh train --method ARM --samples-per-class 20 --gradient-samples 0 --no-figures \
  --out "$OUT/untimed-first-run" > "$OUT/untimed-first-run.log" 2>&1
if ! $SKIP_TORCH && ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "# no torch for $PY: PyTorch's iteration skipped" | tee -a "$OUT/summary.txt"; SKIP_TORCH=true
fi
if ! $SKIP_AUTHORS && [[ ! -d "$ARMCODE/code/scripts" ]]; then
  echo "# no authors' repository at ARMCODE=$ARMCODE (git clone https://github.com/xu-ji/ARM):" \
    "their run skipped" | tee -a "$OUT/summary.txt"; SKIP_AUTHORS=true
fi

# Heap of the iteration timing: a quarter of the memory, 2-8 GiB (HEAP_MB overrides); its young
# half holds an iteration's temporaries. On a machine shared with other jobs a larger one invites
# the kernel's out-of-memory killer.
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
heap=${HEAP_MB:-$((mem_mb / 4))}; ((heap > 8192)) && heap=8192; ((heap < 2048)) && heap=2048
{
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs," \
    "$(grep -o -m1 -w 'avx512f' /proc/cpuinfo || grep -o -m1 -w 'avx2' /proc/cpuinfo || echo no-avx)," \
    "${mem_mb} MB"
  echo "# JDK: $("$JAVA" -version 2>&1 | head -n 1); torch: $($SKIP_TORCH && echo - || "$PY" -c 'import torch; print(torch.__version__)')"
  echo "# commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo ' (uncommitted changes)'); $(date -u '+%F %T UTC')"
  echo "# pairs $PAIRS, threads $THREADS; JVM class cache: $(ls arm/target/arm.jar.jdk*.aot arm/target/arm.jar.jdk*.jsa 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ' || true)"
  echo "# other processes at start (top CPU):"
  ps -eo pcpu,comm --sort=-pcpu | sed -n '2,6p' | sed 's/^/#   /'
} | tee -a "$OUT/summary.txt"
printf 'pair\twhat\twall_s\tcpu_s\tload1\n' > "$OUT/measurements.tsv"

load1() { cut -d' ' -f1 /proc/loadavg; }
# record PAIR WHAT WALL CPU
record() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$LOAD" >> "$OUT/measurements.tsv"
  printf '  pair %s  %-28s wall %9s s  cpu %9s s  (load %s)\n' "$1" "$2" "$3" "$4" "$LOAD"
}
# timed LOG CMD...: runs CMD with stdout+stderr to LOG; sets WALL USER SYS (the whole process tree)
timed() {
  local log=$1 t
  shift
  LOAD=$(load1)
  t=$( { TIMEFORMAT='%R %U %S'; time "$@" > "$log" 2>&1; } 2>&1 ) \
    || { echo "cpu-goals.sh: failed: $* (log $log)" >&2; tail -n 5 "$log" >&2; exit 1; }
  read -r WALL USER SYS <<< "$t"
}

ours_cifar() {  # both dedup variants in one JVM, alternating iterations (ArmIterationTiming)
  local p=$1 log="$OUT/ours-cifar-$1.log"
  timed "$log" "$JAVA" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx${heap}m \
    -XX:NewRatio=1 -Darm.threads="$THREADS" -cp benchmarks/target/benchmarks.jar \
    arm.bench.ArmIterationTiming cpu cifar10 1 3 dedup=both
  local v
  for v in off on; do
    record "$p" "G$([[ $v == on ]] && echo 1 || echo 2) ours cifar dedup=$v" \
      "$(sed -n "s/.*dedup=$v: wall \([0-9.]*\) s.*/\1/p" "$log")" \
      "$(sed -n "s/.*dedup=$v: .*process CPU \([0-9.]*\) s.*/\1/p" "$log")"
  done
}
torch_cifar() {
  local p=$1 log="$OUT/torch-cifar-$1.log"
  timed "$log" "$PY" benchmarks/pytorch_arm_iter.py --device cpu --skip-kernels --warmup 1 \
    --reps 3 --threads "$THREADS"
  record "$p" "G1/G2 torch cifar" \
    "$(awk '/TORCH ARM iteration/ {printf "%.3f", $(NF-1) / 1000}' "$log")" \
    "$(awk '/TORCH process CPU per ARM iteration/ {printf "%.3f", $(NF-1) / 1000}' "$log")"
}
ours_cifar_steady() {  # dedup=on alone, iterations 6-10 (after the JIT's warm-up)
  local p=$1 log="$OUT/ours-cifar-steady-$1.log"
  timed "$log" "$JAVA" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx${heap}m \
    -XX:NewRatio=1 -Darm.threads="$THREADS" -cp benchmarks/target/benchmarks.jar \
    arm.bench.ArmIterationTiming cpu cifar10 5 5 dedup=on
  record "$p" "G1 ours cifar steady" \
    "$(sed -n 's/.*{dedup=on}: wall \([0-9.]*\) s.*/\1/p' "$log")" \
    "$(sed -n 's/.*{dedup=on}: .*process CPU \([0-9.]*\) s.*/\1/p' "$log")"
}
torch_cifar_steady() {
  local p=$1 log="$OUT/torch-cifar-steady-$1.log"
  timed "$log" "$PY" benchmarks/pytorch_arm_iter.py --device cpu --skip-kernels --warmup 5 \
    --reps 5 --threads "$THREADS"
  record "$p" "G1 torch cifar steady" \
    "$(awk '/TORCH ARM iteration/ {printf "%.3f", $(NF-1) / 1000}' "$log")" \
    "$(awk '/TORCH process CPU per ARM iteration/ {printf "%.3f", $(NF-1) / 1000}' "$log")"
}
ours_mnist() {
  local p=$1 dir="$OUT/ours-mnist-$1"
  rm -rf "$dir"
  timed "$dir.log" ./arm.sh train --method ARM --rng authors --gradient-samples 0 --no-figures \
    --out "$dir"
  record "$p" "G4 ours mnist run" "$WALL" "$(echo "$USER $SYS" | awk '{print $1 + $2}')"
}
ours_reproduce() {
  local p=$1 dir="$OUT/ours-reproduce-$1"
  rm -rf "$dir"
  timed "$dir.log" ./arm.sh reproduce mnist --methods "$REPRODUCE_METHODS" --out "$dir"
  record "$p" "G5 ours reproduce mnist" "$WALL" "$(echo "$USER $SYS" | awk '{print $1 + $2}')"
}
authors_mnist() {
  local p=$1
  timed "$OUT/authors-mnist-$p.log" scripts/authors-runs/one.sh arm 6579 "$OUT/authors-$p"
  record "$p" "G4 authors mnist run" "$WALL" "$(echo "$USER $SYS" | awk '{print $1 + $2}')"
}

for ((p = 1; p <= PAIRS; p++)); do
  if ! $SKIP_CIFAR; then
    ours_cifar "$p"
    $SKIP_TORCH || torch_cifar "$p"
    if ! $SKIP_STEADY; then
      ours_cifar_steady "$p"
      $SKIP_TORCH || torch_cifar_steady "$p"
    fi
  fi
  ours_mnist "$p"
  ! $REPRODUCE || ours_reproduce "$p"
  $SKIP_AUTHORS || authors_mnist "$p"
done

python3 - "$OUT/measurements.tsv" <<'EOF' | tee -a "$OUT/summary.txt"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {}
for r in rows:
    by.setdefault(r["what"], {})[int(r["pair"])] = (float(r["wall_s"]), float(r["cpu_s"]))
goal = {"G1 ours cifar dedup=on": 0.4, "G2 ours cifar dedup=off": 2.7, "G4 ours mnist run": 3.0,
        "G1 ours cifar steady": 0.4}
theirs = {"G1 ours cifar dedup=on": "G1/G2 torch cifar", "G2 ours cifar dedup=off": "G1/G2 torch cifar",
          "G1 ours cifar steady": "G1 torch cifar steady",
          "G4 ours mnist run": "G4 authors mnist run", "G5 ours reproduce mnist": "G4 authors mnist run"}
med = statistics.median
# G5's goal is relative: 0.6 x the authors' run (its ratio column is against that run)
a = by.get("G4 authors mnist run")
if a:
    goal["G5 ours reproduce mnist"] = 0.6 * med([x[0] for x in a.values()])
print(f"\n{'measurement':<26} {'wall min':>8} {'median':>7} {'max':>7} {'cpu med':>8}  goal  wall/goal"
      "  ours/theirs per pair, wall (median) | cpu (median)")
for what, v in by.items():
    w, c = sorted(x[0] for x in v.values()), [x[1] for x in v.values()]
    line = f"{what:<26} {w[0]:8.3f} {med(w):7.3f} {w[-1]:7.3f} {med(c):8.3f}"
    if what in goal:
        line += f"  {goal[what]:4.1f}  {med(w) / goal[what]:8.2f}"
        t = by.get(theirs[what])
        if t:
            rw = [v[p][0] / t[p][0] for p in v if p in t]
            rc = [v[p][1] / t[p][1] for p in v if p in t]
            line += ("  " + " ".join(f"{x:.3f}" for x in rw) + f" ({med(rw):.3f}) | "
                     + " ".join(f"{x:.3f}" for x in rc) + f" ({med(rc):.3f})")
    print(line)
EOF
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); written to $OUT" | tee -a "$OUT/summary.txt"
