#!/usr/bin/env bash
# The authors' own code on MNIST-5k-5, every run id of the paper's Table 6 (commands.txt: Naive
# 4967+, Stationary 4947+, Distill 6102+, ADI 6232+, ARM 6579+; --cuda dropped), one thread per
# run, two runs at a time, then their print_results.py per method. Compare with
# `./arm.sh reproduce mnist` (rng authors: the same run ids and random streams).
# Needs Debian's python3-torch (1.13) at /usr/bin/python3 and the authors' repository at $ARMCODE
# (github xu-ji/ARM). Usage: scripts/authors-runs/run.sh [OUT]   (about 20 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD OUT=${1:-/tmp/authors-runs} ARMCODE=${ARMCODE:-/tmp/armcode}
export PYTHONPATH=$ROOT/scripts/distill-seeds/shim OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
mkdir -p "$OUT"
COMMON="--data mnist5k --lr 0.05 --task_model_type mlp --classes_per_task 2 --num_iterations 1 --max_t 500"
COMMON+=" --store_model_freq 500 --store_results_freq 100 --eval_freq 100 --data_path $ROOT/data/mnist"
WINDOW="--recall_from_t 100 --long_window --use_fixed_window --fixed_window 100"
RECALL="--M 10 --refine_sample_steps 10 --refine_sample_lr 25.0 --L2 --L2_weight 1.0 --TV --TV_weight 1.0"
declare -A ARGS=(
  [naive]="4967 naive"
  [stationary]="4947 naive --stationary"
  [distill]="6102 distill $WINDOW --aux_distill_weight 1.0"
  [adi]="6232 ADI $WINDOW $RECALL --refine_theta_steps 1 --classes_loss_weight 1.0 --choose_past_classes --adaptive --adaptive_weight 1.0 --aux_distill_weight 0.5"
  [arm]="6579 ARM $WINDOW $RECALL --divergence_loss_weight 1.0 --sharpen_class --sharpen_class_weight 0.1 --notlocal_weight 1.0 --notlocal_new_weight 0.1 --diversity_weight 16.0 --aux_distill --aux_distill_weight 1.0"
)
jobs=()
for m in arm adi distill naive stationary; do
  set -- ${ARGS[$m]}; first=$1 script=$2; shift 2
  for i in 0 1 2 3 4; do
    jobs+=("cd $ARMCODE && /usr/bin/python3 -m code.scripts.$script --model_ind_start $((first + i)) --num_runs 1 $COMMON $* --out_root $OUT/$m > $OUT/$m-$((first + i)).log 2>&1")
  done
done
printf '%s\0' "${jobs[@]}" | xargs -0 -P 2 -I{} bash -c {}
for m in naive stationary distill adi arm; do
  set -- ${ARGS[$m]}
  echo "== $m"; (cd "$ARMCODE" && /usr/bin/python3 -m code.scripts.print_results --root "$OUT/$m" --start "$1" --num_runs 5)
done
