#!/bin/bash
# usage (in the extracted MIR code folder): run.sh NAME method lr mem_per_class runs [extra]
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
n=$1; shift
mkdir -p /tmp/mirout; DUMP=/tmp/mirout/$n.json nice /usr/bin/python3 er_main.py --method $1 --lr $2 --samples_per_task 1000 --dataset split_mnist --n_runs $4 --disc_iters 1 --mem_size $3 --result_dir /tmp/mirout/R "${@:5}" > /tmp/mirout/$n.log 2>&1
