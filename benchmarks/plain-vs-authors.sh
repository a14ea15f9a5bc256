#!/usr/bin/env bash
# Plain ResNet18 training and evaluation against the authors' code: whole CIFAR10-format Naive and
# Distill runs, ours and theirs alternating on the same data, with wall and CPU time per run.
#
#   benchmarks/plain-vs-authors.sh [--data DIR] [--methods naive,distill] [--rounds N] [--short]
#
#   --data DIR     a CIFAR10 folder holding cifar-10-batches-py/ (`./arm.sh generate cifar10 --out
#                  DIR --format python`, or the real one); default data/cifar10
#   --short        a fifth of a run instead: `generate cifar10 --per-class 1000 --test-per-class
#                  200` into benchmarks/target/cifar10-short (950 iterations, 5 evaluations of
#                  2,500 images: the full run's mix of training and evaluation, 1/5 of its length)
#   --rounds N     runs per method and side (default 1)
#
# Ours: `./arm.sh train --method Naive|Distill --dataset cifar10 --gradient-samples 0
# --no-figures` with the default options (every core). Theirs: their naive.py / distill.py with
# their CIFAR10 command (commands.txt: run ids 2522 and 4082, --cuda dropped), one thread
# (OMP_NUM_THREADS=1, as they ran one run per GPU process), max_t and the evaluation interval from
# the data, output to a temporary folder. Needs Debian's python3-torch at /usr/bin/python3 and their
# repository at $ARMCODE (default /tmp/armcode). Each run is timed by /usr/bin/time (wall, user +
# system of the process tree); the load average before it is logged. Prints per run and the
# ratios theirs / ours. Output: benchmarks/target/plain-vs-authors-<time>/ (runs.tsv, summary.txt).
# Before each run, when benchmarks/target/benchmarks.jar is built, arm.bench.HostProbe times a fixed
# FMA loop on one and on two threads (probe.txt): a run whose probe is slow was slowed by the host
# (a lower clock, or both virtual CPUs on one physical core), not by its code.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA=data/cifar10 METHODS=naive,distill ROUNDS=1 SHORT=0
while (($#)); do
  case $1 in
    --data) DATA=$2; shift 2 ;;
    --methods) METHODS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --short) SHORT=1; shift ;;
    *) sed -n 2,22p "$0"; exit 2 ;;
  esac
done
ARMCODE=${ARMCODE:-/tmp/armcode}
[[ -d $ARMCODE/code/scripts ]] || { echo "no authors' code at ARMCODE=$ARMCODE" >&2; exit 2; }
OUT=$ROOT/benchmarks/target/plain-vs-authors-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
./arm.sh --version > /dev/null # builds the jar outside the timings
if ((SHORT)); then
  DATA=benchmarks/target/cifar10-short
  [[ -d $DATA/cifar-10-batches-py ]] ||
    ./arm.sh generate cifar10 --out "$DATA" --format python --per-class 1000 --test-per-class 200 > /dev/null
fi
DATA=$(cd "$DATA" && pwd)
[[ -f $DATA/cifar-10-batches-py/data_batch_1 ]] || { echo "no cifar-10-batches-py/ in $DATA" >&2; exit 2; }
# iterations and the task length T from the data: 95 % of each class trains, N = 10, 5 tasks
TRAIN=$(/usr/bin/python3 -c "
import pickle, sys
n = sum(len(pickle.load(open('$DATA/cifar-10-batches-py/data_batch_%d' % i, 'rb'), encoding='latin1')['labels']) for i in range(1, 6))
print(n)")
MAXT=$((TRAIN * 95 / 100 / 10)) T=$((TRAIN * 95 / 100 / 10 / 5))
COMMON="--num_runs 1 --data cifar10 --task_model_type resnet18 --classes_per_task 2 --num_iterations 1"
COMMON+=" --max_t $MAXT --store_model_freq $MAXT --store_results_freq $T --eval_freq $T --data_path $DATA"
declare -A THEIRS=(
  [naive]="naive --model_ind_start 2522 --lr 0.1"
  [distill]="distill --model_ind_start 4082 --lr 0.01 --recall_from_t $T --long_window --use_fixed_window --fixed_window $T --aux_distill_weight 1.0"
)
declare -A OURS=([naive]=Naive [distill]=Distill)

echo -e "round\tmethod\tside\tload\twall_s\tcpu_s" > "$OUT/runs.tsv"
timed() { # tag method side command...
  local tag=$1 m=$2 side=$3 load
  shift 3
  load=$(cut -d' ' -f1 /proc/loadavg)
  if [[ -f benchmarks/target/benchmarks.jar ]]; then
    echo "$tag $m $side $(java -cp benchmarks/target/benchmarks.jar arm.bench.HostProbe 2>&1 | tail -n 1)" >> "$OUT/probe.txt"
  fi
  /usr/bin/time -f '%e %U %S' -o "$OUT/time-$m-$side-$tag" "$@" > "$OUT/log-$m-$side-$tag" 2>&1 ||
    { echo "$side $m failed: $OUT/log-$m-$side-$tag" >&2; tail -n 5 "$OUT/log-$m-$side-$tag" >&2; exit 1; }
  read -r wall user sys < <(tail -n 1 "$OUT/time-$m-$side-$tag")
  echo -e "$tag\t$m\t$side\t$load\t$wall\t$(python3 -c "print(round($user + $sys, 1))")" | tee -a "$OUT/runs.tsv"
}
theirs() { # method round: their script and options, one thread, from their repository
  local script opts
  read -r script opts <<< "${THEIRS[$1]}"
  rm -rf "$OUT/theirs-$1-$2"
  THEIR_CMD=(env -C "$ARMCODE" PYTHONPATH="$ROOT/scripts/distill-seeds/shim" OMP_NUM_THREADS=1
    MKL_NUM_THREADS=1 /usr/bin/python3 -m "code.scripts.$script" $opts $COMMON --out_root "$OUT/theirs-$1-$2")
}
{
  echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; commit $(git rev-parse --short HEAD)"
  echo "# data $DATA ($TRAIN training images: max_t $MAXT, T $T); ours: $(./arm.sh --version 2>&1 | grep -v WARNING | head -n 1)"
  echo "# theirs: $(/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)'), one thread"
} | tee "$OUT/summary.txt"
for r in $(seq 1 "$ROUNDS"); do
  for m in ${METHODS//,/ }; do
    [[ -n ${OURS[$m]:-} ]] || { echo "unknown method $m (naive, distill)" >&2; exit 2; }
    timed "$r" "$m" ours ./arm.sh train --method "${OURS[$m]}" --dataset cifar10 --data "$DATA" \
      --gradient-samples 0 --no-figures --out "$OUT/ours-$m-$r"
    theirs "$m" "$r"
    timed "$r" "$m" theirs "${THEIR_CMD[@]}"
  done
done
python3 - "$OUT/runs.tsv" <<'EOF' | tee -a "$OUT/summary.txt"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("method   side    wall s (median)  CPU s (median)  load")
for m in dict.fromkeys(r["method"] for r in rows):
    med = {}
    for side in ("ours", "theirs"):
        rs = [r for r in rows if r["method"] == m and r["side"] == side]
        w = statistics.median(float(r["wall_s"]) for r in rs)
        c = statistics.median(float(r["cpu_s"]) for r in rs)
        med[side] = (w, c)
        print("%-8s %-7s %15.1f %15.1f  %s" % (m, side, w, c, ",".join(r["load"] for r in rs)))
    print("%-8s theirs/ours: wall %.2fx, CPU %.2fx" % (m, med["theirs"][0] / med["ours"][0], med["theirs"][1] / med["ours"][1]))
EOF
echo "output: $OUT"
