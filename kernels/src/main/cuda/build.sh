#!/usr/bin/env bash
# Compiles every kernels/src/main/cuda/*.cu into a fatbin under kernels/src/main/resources/arm/kernels/cuda/,
# where the CUDA backend loads it with cuModuleLoadData, and writes fatbins.sha256 beside them.
# Targets: SASS for sm_80 (A100), sm_86 (RTX 30xx, A10/A40), sm_89 (RTX 40xx, L4/L40), sm_90 (H100/H200),
# plus compute_80 PTX, which the driver JITs for any later card (Blackwell included).
# The fatbins are committed, so Maven builds without nvcc. FatbinManifestTest checks, everywhere, that the
# sources and fatbins still have the hashes recorded in fatbins.sha256; CudaKernelsBuildTest rebuilds them
# where nvcc is installed and compares bytes.
# Use nvcc 13.0: its PTX is ISA 9.0, which driver 580 (CUDA 13.0) can JIT; newer nvcc emits PTX it rejects.
# Usage: build.sh [output-dir]   (default: the resources folder)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../resources/arm/kernels/cuda}
NVCC=${NVCC:-nvcc}
SASS="80 86 89 90"
PTX=80
mkdir -p "$out"
gencode=()
for a in $SASS; do gencode+=(-gencode "arch=compute_$a,code=sm_$a"); done
gencode+=(-gencode "arch=compute_$PTX,code=compute_$PTX")
manifest="$out/fatbins.sha256"
{
  echo "# $("$NVCC" --version | tail -1 | sed 's/^Build //'); SASS sm_${SASS// /, sm_}; PTX compute_$PTX"
  echo "# module  sha256(module.cu + common.cuh)  sha256(module.fatbin)"
} > "$manifest"
for cu in "$here"/*.cu; do
  name=$(basename "$cu" .cu)
  "$NVCC" -fatbin -O3 -std=c++17 "${gencode[@]}" -o "$out/$name.fatbin" "$cu"
  src=$(cat "$cu" "$here/common.cuh" | sha256sum | cut -d' ' -f1)
  bin=$(sha256sum "$out/$name.fatbin" | cut -d' ' -f1)
  echo "$name $src $bin" >> "$manifest"
done
ls "$out"
