# The authors' MNIST-5k-5 commands (commands.txt; --cuda dropped), sourced by run.sh and one.sh:
# ARGS[method] = "first-run-id script options…"; COMMON = the options every command shares.
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ARMCODE=${ARMCODE:-/tmp/armcode}
export PYTHONPATH=$ROOT/scripts/distill-seeds/shim OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
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
