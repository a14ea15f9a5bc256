#!/usr/bin/env bash
# gpu/dedup-check.sh — ARM's dedup option on CUDA (the counted batch norm runs Backend's default
# composition there): one CIFAR iteration (ResNet18 nf=20, M=100, N=10) with dedup on against the
# replicated batch, at S=1 and S=10, judged against the CPU's own sensitivity (IterationParity.dedup),
# then the time per iteration with dedup off and on. Prepare here with gpu/build-carry.sh; run there
# with carry [".carry"]: bash gpu/dedup-check.sh. Output also in $OUT/dedup-check.log.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 2
RES=${OUT:-/tmp/dedup-check-out}; mkdir -p "$RES"
exec > >(tee "$RES/dedup-check.log") 2>&1
WORK=$(mktemp -d /tmp/dedup.XXXXXX)
mkdir -p "$WORK/jre" "$WORK/jtmp"
tar -C "$WORK/jre" -xJf .carry/jre.tar.xz
JAVA=$(find "$WORK/jre" -path '*/bin/java' -type f | head -1)
PY=$(command -v python3)
ROOTS=()
while IFS= read -r d; do [ -d "$d/nvidia" ] && ROOTS+=("$d/nvidia"); done < <("$PY" -c 'import site,sys; print("\n".join(site.getsitepackages()+sys.path))' 2>/dev/null | sort -u)
LDP=""
for n in libcublas.so.13 libcublasLt.so.13 libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9 libcudnn_adv.so.9 libcudnn_heuristic.so.9 libcudnn_engines_precompiled.so.9 libcudnn_engines_runtime_compiled.so.9 libnvrtc.so.13 libnvJitLink.so.13; do
  p=$(find "${ROOTS[@]}" -maxdepth 4 -name "$n" \( -type f -o -type l \) 2>/dev/null | head -1)
  [ -n "$p" ] && LDP="$LDP:$(dirname "$p")"
done
LIBCUDA=$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 .*x86-64/{print $NF; exit}')
[ -n "$LIBCUDA" ] && LDP="$LDP:$(dirname "$LIBCUDA")"
export LD_LIBRARY_PATH=$(echo "$LDP" | tr ':' '\n' | awk 'NF && !s[$0]++' | paste -sd:)
export NVIDIA_TF32_OVERRIDE=0
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
J=("$JAVA" -Xmx16g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC
   -Djava.io.tmpdir="$WORK/jtmp" -Darm.cuda.cache="$WORK/cache" -cp ".carry/app/*")
echo "== parity: dedup on vs off on cuda (CPU sensitivity as the yardstick)"
timeout -s KILL 300 "${J[@]}" arm.run.IterationParity dedup cuda 2>&1 | grep -v '^WARNING'
echo "== time per ARM iteration on cuda (median of 10 after 3 warm-up)"
for d in off on; do
  timeout -s KILL 120 "${J[@]}" arm.bench.ArmIterationTiming cuda cifar10 3 10 dedup=$d 2>&1 | grep -v '^WARNING'
done
