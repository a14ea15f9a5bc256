#!/usr/bin/env bash
# Our SGEMM (JMH, arm.bench.GemmBench) against OpenBLAS (numpy), one thread each, same shapes,
# one right after the other, then a table: shape | ours GFLOP/s (path) | OpenBLAS | ratio.
#
#   benchmarks/gemm-vs-openblas.sh                      # simd path, all GemmBench shapes
#   GEMM_PATHS=simd,blocked JMH_OPTS="-f 1 -wi 5 -i 10 -w 1s -r 1s" benchmarks/gemm-vs-openblas.sh
#   JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java benchmarks/gemm-vs-openblas.sh
#
# Runs on the newest Temurin 25 under /usr/lib/jvm when there is one (the Vector API is about
# 2.5x faster there than on JDK 17), else `java` on PATH; $JAVA overrides. Results and logs go
# to $OUT (default benchmarks/target/gemm-vs-openblas-<time>/).
set -euo pipefail
cd "$(dirname "$0")/.."

SHAPES=${GEMM_SHAPES:-10x784x400:nt,400x10x784:tn,10x400x784:nn,100x784x400:nt,1000x784x400:nt,20x180x102400:nn,80x720x6400:nn,160x1440x1600:nn}
GEMM_PATHS=${GEMM_PATHS:-simd}
JMH_OPTS=${JMH_OPTS:--f 1 -wi 3 -i 5 -w 1s -r 1s}
OUT=${OUT:-benchmarks/target/gemm-vs-openblas-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

if [[ -z "${JAVA:-}" ]]; then
  JAVA=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | sort -V | tail -n 1)
  JAVA=${JAVA:+$JAVA/bin/java}
  JAVA=${JAVA:-java}
fi
JAR=benchmarks/target/benchmarks.jar
if [[ ! -f $JAR ]]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests
fi

echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs," \
  "$(grep -o -m1 -w 'avx512f' /proc/cpuinfo || grep -o -m1 -w 'avx2' /proc/cpuinfo)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.txt"
echo "# JDK: $JAVA ($("$JAVA" -version 2>&1 | head -n 1))" | tee -a "$OUT/summary.txt"
echo "# JMH: GemmBench.gemm -p path=$GEMM_PATHS $JMH_OPTS" | tee -a "$OUT/summary.txt"

"$JAVA" -jar "$JAR" 'arm.bench.GemmBench.gemm$' -p path="$GEMM_PATHS" -p shape="$SHAPES" \
  $JMH_OPTS -prof arm.bench.CpuTimeProfiler -rf json -rff "$OUT/jmh.json" > "$OUT/jmh.log" 2>&1 \
  || { tail -n 30 "$OUT/jmh.log"; exit 1; }
grep -o '# gemm .*path.*' "$OUT/jmh.log" | sort -u | tee -a "$OUT/summary.txt" || true
grep -E '^(Benchmark|GemmBench)' "$OUT/jmh.log" | tee -a "$OUT/summary.txt"

# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine for old OpenBLAS builds; they
# slow a current one, so they are dropped for this measurement only.
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
  python3 benchmarks/openblas_gemm.py --json "$OUT/openblas.json" ${SHAPES//,/ } \
  | tee -a "$OUT/summary.txt"
python3 benchmarks/openblas_gemm.py --table "$OUT/jmh.json" "$OUT/openblas.json" \
  | tee -a "$OUT/summary.txt"
echo "# written to $OUT"
