#!/bin/bash
# usage (in the extracted MIR code folder): [RUN0=R] run-gen.sh NAME gen|gen-mir RUNS
# One process, RUNS runs with their own seeding (run r seeds torch and numpy with r), one thread.
# RUN0=R (default 0; gen_main-dump.patch reads it) makes the process's runs R, R+1, …: its run i
# seeds torch and numpy with R + i, and NAME.json records run0 = R. The data split is seeded with 0
# before the runs, so `RUN0=3 run-gen.sh NAME-run3 gen-mir 1` is run 3 of a 5-run process, and
# evaluate.py merges such files into one series in run order.
# Writes $MIROUT (default /tmp/mirout)/NAME.log, NAME.json (accuracy matrices, per-class counts, CPU and wall
# seconds per run) and NAME.time (user+sys of the whole process). SAMPLES_PER_TASK (default 1000, the
# published 500 per class) shortens the stream.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=stubs RUN0=${RUN0:-0}
n=$1; kind=$2; runs=$3; out=${MIROUT:-/tmp/mirout}
common=(--dataset split_mnist --n_runs "$runs" --samples_per_task "${SAMPLES_PER_TASK:-1000}" --z_size 50
  --gen_hiddens 128 --cls_hiddens 400 --batch_size 10 --gen_iters 15 --cls_iters 15 --max_beta 1
  --warmup 1000 --lr 0.01 --mem_coeff 3 --reuse_samples 1 --mir_init_prior 1
  --gen_rec_coeff 0 --gen_shell_coeff 0 --cls_shell_coeff 0 --result_dir temp)
case $kind in
  gen) extra=(--method rand_gen --gen_method rand_gen --dropout 0 --n_mem 4 --gen_depth 2
    --mir_iters 0 --gen_kl_coeff 0 --gen_ent_coeff 0 --gen_div_coeff 0
    --cls_xent_coeff 0 --cls_ent_coeff 0 --cls_div_coeff 0) ;;
  gen-mir) extra=(--method mir_gen --gen_method mir_gen --dropout 0.4 --n_mem 10 --gen_depth 1
    --mir_iters 10 --gen_kl_coeff 0.1 --gen_ent_coeff 1 --gen_div_coeff 1
    --cls_xent_coeff 0.1 --cls_ent_coeff 1 --cls_div_coeff 1) ;;
  *) echo "kind must be gen or gen-mir" >&2; exit 2 ;;
esac
mkdir -p $out Results/temp
DUMP=$out/$n.json /usr/bin/time -f '%U %S %e' -o $out/$n.time \
  /usr/bin/python3 gen_main.py "${common[@]}" "${extra[@]}" > $out/$n.log 2>&1
