#!/usr/bin/env python3
"""The two parts of a plain CIFAR10 run in PyTorch (CPU), the twin of arm.bench.PlainTiming:

  iteration   Naive's step: ResNet18 nf = 20 in train mode, CE on N = 10 random CIFAR-shaped images,
              backward, SGD step (lr 0.1); --distill adds Distill's second step (f_old forward under
              no_grad, soft CE of f_cur, backward, SGD step)
  evaluation  eval-mode forwards under no_grad over --eval-images images, in batches of --eval-batch
              (the authors' evaluate_basic uses 10)

Prints seconds per iteration and per 1,000 evaluated images, wall and process CPU.
Usage: python3 benchmarks/pytorch_plain_step.py [--threads 1] [--distill] [--warmup 30] [--reps 100]
       [--eval-images 2500] [--eval-batch 10]
"""
import argparse
import copy
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_arm_iter import ResNet18  # noqa: E402


def clocks():
    return time.perf_counter(), time.process_time()


def report(name, c0, per, unit):
    w, p = clocks()
    print("%-24s wall %8.4f s  process CPU %8.4f s  (per %s)" % (name, (w - c0[0]) / per, (p - c0[1]) / per, unit))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--distill", action="store_true")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--eval-images", type=int, default=2500)
    ap.add_argument("--eval-batch", type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = ResNet18()
    old = copy.deepcopy(net)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    x = torch.rand(10, 3, 32, 32)
    y = torch.arange(10) % 2

    def step():
        net.train()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
        if a.distill:
            opt.zero_grad()
            with torch.no_grad():
                target = F.softmax(old(x), dim=1)
            (-(target * F.log_softmax(net(x), dim=1)).sum(1).mean()).backward()
            opt.step()

    for _ in range(a.warmup):
        step()
    c = clocks()
    for _ in range(a.reps):
        step()
    report(("Distill" if a.distill else "Naive") + " iteration", c, a.reps, "iteration")
    images = torch.rand(a.eval_images, 3, 32, 32)
    net.eval()
    for _ in range(2):
        c = clocks()
        with torch.no_grad():
            for s in range(0, a.eval_images, a.eval_batch):
                net(images[s:s + a.eval_batch]).argmax(1)
        report("evaluation, batch %d" % a.eval_batch, c, a.eval_images / 1000, "1000 images")
    print("torch %s, %d thread(s)" % (torch.__version__, torch.get_num_threads()))


if __name__ == "__main__":
    main()
