#!/usr/bin/env bash
# Compiles every kernels/src/main/cuda/*.cu into a fatbin (sm_90 SASS + compute_90 PTX) under
# kernels/src/main/resources/arm/kernels/cuda/, where the CUDA backend loads it with cuModuleLoadData.
# The fatbins are committed, so Maven builds without nvcc; CudaKernelsBuildTest rebuilds them when nvcc
# is present and fails if a committed fatbin is stale.
# Use nvcc 13.0: its PTX is ISA 9.0, which driver 580 (CUDA 13.0) can JIT; newer nvcc emits PTX it rejects.
# Usage: build.sh [output-dir]   (default: the resources folder)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../resources/arm/kernels/cuda}
NVCC=${NVCC:-nvcc}
mkdir -p "$out"
for cu in "$here"/*.cu; do
  name=$(basename "$cu" .cu)
  "$NVCC" -fatbin -O3 -std=c++17 \
    -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90 \
    -o "$out/$name.fatbin" "$cu"
done
ls "$out"
