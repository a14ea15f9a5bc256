#!/usr/bin/env bash
# Whole MNIST ARM runs of several builds or settings, alternating, with wall and CPU time:
#
#   benchmarks/ab-runs.sh [--pairs N] VARIANT...
#   VARIANT = LABEL:DIR[:ARM_JAVA_OPTS]   a checkout with its own arm.sh, and JVM options for it
#
#   benchmarks/ab-runs.sh --pairs 5 "main:/tmp/base:" "1-thread:.:-Darm.threads=1" "all-cores:.:"
#
# Each round runs every variant once, in order: `./arm.sh train --method ARM --rng authors`
# (run id 6579, one MNIST run) under /usr/bin/time, after one untimed run per variant that builds
# its jar and records its JVM class cache. Logged per run: the load average before it, wall
# seconds, CPU seconds (user + system of the process tree) and the run's own time from
# train-log.csv (at its end, and when t = 100 and t = 200 start: the JIT's warm-up phases).
# AB_COMMAND replaces the arm.sh arguments (e.g. AB_COMMAND="reproduce mnist --no-figures";
# --out is added). Prints min / median / max per variant and the per-round CPU
# ratios to the first variant. CPU time is the figure to compare on a busy machine; wall time only at a load average
# well below the core count. AB_WARMUP=0 skips the untimed runs (jars built, no class cache to
# record: the ResNet commands). Output: benchmarks/target/ab-runs-<time>/ (runs.tsv, summary.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=3
if [[ "${1:-}" == --pairs ]]; then PAIRS=$2; shift 2; fi
(( $# >= 1 )) || { sed -n 2,17p "$0"; exit 2; }
OUT=benchmarks/target/ab-runs-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
echo -e "round\tvariant\tload\twall_s\tcpu_s\trun_s\tt100_s\tt200_s" > "$OUT/runs.tsv"

one() { # label dir opts tag
  local label=$1 dir=$2 opts=$3 tag=$4 load t
  load=$(cut -d' ' -f1 /proc/loadavg)
  rm -rf "$OUT/run-$label-$tag"
  (cd "$dir" && ARM_JAVA_OPTS="$opts" /usr/bin/time -f '%e %U %S' -o "$OUT/time-$label-$tag" \
    ./arm.sh ${AB_COMMAND:-train --method ARM --rng authors --gradient-samples 0 --no-figures} \
    --out "$OUT/run-$label-$tag" > "$OUT/log-$label-$tag" 2>&1) \
    || { echo "$label failed: $OUT/log-$label-$tag"; tail -n 5 "$OUT/log-$label-$tag"; exit 1; }
  read -r wall user sys < "$OUT/time-$label-$tag"
  t=$(find "$OUT/run-$label-$tag" -name train-log.csv | head -n 1)
  local run_s="NA\tNA\tNA"
  # the run's own seconds at its end and when t = 100 and t = 200 start (task 0 ends, the first recall
  # iterations end): warm-up against steady state
  [[ -n "$t" ]] && run_s=$(python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); s=lambda i: r[i]['seconds'] if len(r) > i else 'NA'; print(r[-1].get('seconds','NA'), s(100), s(200), sep='\t')" "$t")
  echo -e "$tag\t$label\t$load\t$wall\t$(python3 -c "print(round($user+$sys,2))")\t$run_s" >> "$OUT/runs.tsv"
}

{
  echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; commit $(git rev-parse --short HEAD)"
  for v in "$@"; do
    IFS=: read -r label dir opts <<< "$v"
    echo "# $label: $dir ($(cd "$dir" && git rev-parse --short HEAD)) ARM_JAVA_OPTS='$opts'"
  done
} | tee "$OUT/summary.txt"
if [[ "${AB_WARMUP:-1}" != 0 ]]; then
  for v in "$@"; do IFS=: read -r label dir opts <<< "$v"; one "$label" "$dir" "$opts" warmup; done
fi
for r in $(seq 1 "$PAIRS"); do
  for v in "$@"; do IFS=: read -r label dir opts <<< "$v"; one "$label" "$dir" "$opts" "$r"; done
done
python3 - "$OUT/runs.tsv" <<'EOF' | tee -a "$OUT/summary.txt"
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t") if r["round"] != "warmup"]
labels = list(dict.fromkeys(r["variant"] for r in rows))
loads = [float(r["load"]) for r in rows]
print(f"load average before each run: {min(loads):.1f}-{max(loads):.1f}")
print(f"{'variant':14} {'wall min/med/max':>22} {'cpu min/med/max':>22} {'run s med':>9} {'t100':>6} {'t200':>6}  cpu/first per round")
first = {r["round"]: float(r["cpu_s"]) for r in rows if r["variant"] == labels[0]}
for l in labels:
    mine = [r for r in rows if r["variant"] == l]
    w = sorted(float(r["wall_s"]) for r in mine); c = sorted(float(r["cpu_s"]) for r in mine)
    s = [float(r["run_s"]) for r in mine if r["run_s"] != "NA"]
    med = lambda k: statistics.median([float(r[k]) for r in mine if r[k] != "NA"] or [float("nan")])
    ratio = " ".join(f"{float(r['cpu_s']) / first[r['round']]:.2f}" for r in mine)
    print(f"{l:14} {w[0]:6.1f} {statistics.median(w):6.1f} {w[-1]:6.1f}   {c[0]:6.1f} {statistics.median(c):6.1f} {c[-1]:6.1f} "
          f"{statistics.median(s) if s else float('nan'):9.2f} {med('t100_s'):6.2f} {med('t200_s'):6.2f}  {ratio}")
EOF
echo "# written to $OUT"
