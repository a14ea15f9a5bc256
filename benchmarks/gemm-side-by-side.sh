#!/usr/bin/env bash
# SGEMM of two builds and OpenBLAS side by side by CPU time, shape by shape, one thread each:
# per shape, arm.bench.GemmTiming on build A, on build B, then numpy/OpenBLAS (the same rounds of
# process CPU time), so all three see the same minutes of a shared machine. Prints B/OpenBLAS and
# B/A per shape and their geometric means.
#
#   benchmarks/gemm-side-by-side.sh /tmp/base .          # two checkouts, each built with
#                                                        # ./mvnw -q -pl benchmarks -am package -DskipTests
# Environment: JAVA (default Temurin 25 under /usr/lib/jvm), GEMM_SHAPES (comma-separated).
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1 B=$2
SHAPES=${GEMM_SHAPES:-10x784x400:nt,400x10x784:tn,10x400x784:nn,100x784x400:nt,1000x784x400:nt,20x180x102400:nn,80x720x6400:nn,160x1440x1600:nn}
if [[ -z "${JAVA:-}" ]]; then
  JAVA=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | sort -V | tail -n 1)
  JAVA=${JAVA:+$JAVA/bin/java}
  JAVA=${JAVA:-java}
fi
# GemmTiming is compiled here and run against each build's kernels (it only calls CpuGemm.sgemm).
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$JAVA" -version 2>&1 | head -n 1 | sed 's/^/# /'
javac_bin="$(dirname "$JAVA")/javac"
"$javac_bin" -d "$TMP" -cp "$B/kernels/target/classes" benchmarks/src/main/java/arm/bench/GemmTiming.java
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs;" \
  "A = $A ($(cd "$A" && git rev-parse --short HEAD)), B = $B ($(cd "$B" && git rev-parse --short HEAD))"
ours() { "$JAVA" --add-modules jdk.incubator.vector -Darm.threads=1 \
  -cp "$TMP:$1/kernels/target/classes:$1/tensor/target/classes" arm.bench.GemmTiming "$2" 2>/dev/null \
  | awk '{print $3}'; }
blas() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 python3 - "$1" <<'PY'
import sys, time, numpy as np
d, t = sys.argv[1].split(":"); m, k, n = map(int, d.split("x"))
rng = np.random.default_rng(1)
a = rng.random((k, m) if t[0] == "t" else (m, k), dtype=np.float32) - .5
b = rng.random((n, k) if t[1] == "t" else (k, n), dtype=np.float32) - .5
A = a.T if t[0] == "t" else a; B = b.T if t[1] == "t" else b
c = np.empty((m, n), dtype=np.float32)
t0 = time.time()
while time.time() - t0 < 1: np.matmul(A, B, out=c)
g = []
for _ in range(7):
    c0 = time.process_time(); it = 0
    while time.process_time() - c0 < 0.3: np.matmul(A, B, out=c); it += 1
    g.append(2 * m * n * k * it / (time.process_time() - c0) / 1e9)
print(f"{sorted(g)[3]:.1f}")
PY
}
printf "%-18s %6s %6s %9s %8s %6s %5s\n" shape A B OpenBLAS B/BLAS B/A load
for s in ${SHAPES//,/ }; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  ga=$(ours "$A" "$s"); gb=$(ours "$B" "$s"); go=$(blas "$s")
  python3 -c "print(f'{\"$s\":18} {$ga:6.1f} {$gb:6.1f} {$go:9.1f} {$gb/$go:8.2f} {$gb/$ga:6.2f} $load')"
done | tee "$TMP/rows"
python3 - "$TMP/rows" <<'PY'
import math, sys
r = [l.split() for l in open(sys.argv[1])]
g = lambda i: math.exp(sum(math.log(float(x[i])) for x in r) / len(r))
print(f"geometric mean: B/OpenBLAS {g(4):.2f}, B/A {g(5):.2f}  (GFLOP/s: median of 7 rounds of 0.3 s CPU time)")
PY
