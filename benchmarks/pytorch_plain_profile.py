#!/usr/bin/env python3
"""Where PyTorch's plain CIFAR10 step and evaluation batch spend their CPU time, by op family: the twin of
`arm.bench.OpProfile method=Naive` (and `evaluate=true`) for the table in docs/BENCHMARKS.md.

  step        Naive's step as benchmarks/pytorch_plain_step.py runs it: ResNet18 nf = 20, train mode, CE on
              N = 10 random CIFAR-shaped images, backward, SGD step (lr 0.1)
  evaluation  one eval-mode batch of --eval-batch images under no_grad

Two readings per family:
  profiler    torch.autograd.profiler over --reps steps (self CPU time of each aten op, summed by family; wall
              clock inside each op, so read it on a quiet machine or as shares of the step's thread CPU);
              PyTorch's convolution backward computes the input and the weight gradient in one call, so the
              profiler gives their sum
  split       the convolution backward of every layer of the step timed on its own, once with only the
              input gradient (output_mask [T, F, F]) and once with only the weight gradient ([F, T, F]),
              median of --reps calls each; the sum over the network, per step

Usage: OMP_NUM_THREADS=1 python3 benchmarks/pytorch_plain_profile.py [--threads 1] [--warmup 20] [--reps 50]
       [--eval-batch 100]
"""
import argparse
import collections
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_arm_iter import ResNet18  # noqa: E402

# aten op name -> family; ops not listed go to "other" (printed by name so the table can be checked)
FAMILIES = [
    ("conv fwd", ("aten::mkldnn_convolution", "aten::thnn_conv2d", "aten::_slow_conv2d_forward",
                  "aten::_convolution", "aten::convolution", "aten::conv2d")),
    ("conv bwd (data + weight)", ("aten::convolution_backward", "aten::mkldnn_convolution_backward",
                                  "aten::_slow_conv2d_backward", "ConvolutionBackward0")),
    ("BN fwd", ("aten::native_batch_norm", "aten::batch_norm", "aten::_batch_norm_impl_index")),
    ("BN bwd", ("aten::native_batch_norm_backward", "NativeBatchNormBackward0")),
    ("ReLU fwd", ("aten::relu", "aten::relu_", "aten::clamp_min", "aten::clamp_min_")),
    ("ReLU bwd", ("aten::threshold_backward", "ReluBackward0")),
    ("add (residual) fwd/bwd", ("aten::add", "aten::add_", "AddBackward0")),
    ("pooling fwd/bwd", ("aten::adaptive_avg_pool2d", "aten::_adaptive_avg_pool2d", "aten::avg_pool2d",
                         "aten::mean", "aten::_adaptive_avg_pool2d_backward", "aten::avg_pool2d_backward",
                         "MeanBackward1", "AdaptiveAvgPool2DBackward0", "AvgPool2DBackward0")),
    ("linear fwd/bwd", ("aten::linear", "aten::addmm", "aten::mm", "aten::t", "AddmmBackward0", "TBackward0")),
    ("softmax / CE", ("aten::cross_entropy_loss", "aten::log_softmax", "aten::_log_softmax", "aten::nll_loss",
                      "aten::nll_loss_nd", "aten::nll_loss_forward", "aten::nll_loss_backward",
                      "aten::_log_softmax_backward_data", "NllLossBackward0", "LogSoftmaxBackward0",
                      "aten::argmax", "aten::softmax", "aten::_softmax")),
    ("SGD + zero_grad", ("aten::add_", "aten::zero_", "aten::fill_", "Optimizer.step#SGD.step",
                         "Optimizer.zero_grad#SGD.zero_grad", "aten::_foreach_add_")),
    ("copies / layout / alloc", ("aten::empty", "aten::empty_like", "aten::copy_", "aten::contiguous",
                                 "aten::to", "aten::_to_copy", "aten::view", "aten::reshape", "aten::as_strided",
                                 "aten::clone", "aten::zeros", "aten::resize_", "aten::expand", "aten::slice",
                                 "aten::select", "aten::detach", "detach", "aten::ones_like", "aten::empty_strided",
                                 "aten::transpose", "aten::permute", "aten::squeeze", "aten::unsqueeze",
                                 "aten::flatten", "aten::_reshape_alias", "aten::set_", "aten::result_type",
                                 "aten::new_empty_strided", "aten::lift_fresh")),
]


def family(name):
    for fam, names in FAMILIES:
        if name in names:
            return fam
    if name.startswith("autograd::engine::evaluate_function: "):
        return None  # wrappers around the backward nodes: their self time is bookkeeping, counted below
    return "other"


def profile(fn, reps):
    with torch.autograd.profiler.profile():  # the first profiled calls carry the profiler's own start-up
        for _ in range(3):
            fn()
    with torch.autograd.profiler.profile() as prof:
        for _ in range(reps):
            fn()
    by = collections.defaultdict(float)
    names = collections.defaultdict(float)
    total = 0.0
    for e in prof.key_averages():
        us = e.self_cpu_time_total
        total += us
        fam = family(e.key)
        if fam is None:
            fam = "autograd bookkeeping"
        by[fam] += us
        if fam == "other":
            names[e.key] += us
    return {k: v / reps / 1000 for k, v in by.items()}, total / reps / 1000, \
        {k: v / reps / 1000 for k, v in names.items()}


def conv_split(net, x, reps):
    shapes = []

    def hook(mod, inp, out):
        shapes.append((mod, inp[0].detach().clone(), out.detach().clone()))

    hs = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    net.train()
    with torch.no_grad():
        net(x)
    for h in hs:
        h.remove()
    data = weight = 0.0
    rows = []
    for mod, inp, out in shapes:
        gy = torch.randn_like(out)

        def call(mask):
            return torch.ops.aten.convolution_backward(gy, inp, mod.weight.detach(), None, mod.stride, mod.padding,
                                                      mod.dilation, False, [0, 0], 1, mask)

        per = []
        for mask in ([True, False, False], [False, True, False]):
            for _ in range(5):
                call(mask)
            t = []
            for _ in range(reps):
                c0 = time.thread_time_ns()
                call(mask)
                t.append(time.thread_time_ns() - c0)
            per.append(statistics.median(t) / 1e6)
        data += per[0]
        weight += per[1]
        rows.append("%-28s %-14s dx %.3f ms  dw %.3f ms" % (
            "x%s" % list(inp.shape), "w%s s%d" % (list(mod.weight.shape), mod.stride[0]), per[0], per[1]))
    return data, weight, rows


def show(title, fams, total, other):
    print("-- %s: %.3f ms of self CPU per call (profiler)" % (title, total))
    for k, v in sorted(fams.items(), key=lambda kv: -kv[1]):
        print("%8.3f  %s" % (v, k))
    for k, v in sorted(other.items(), key=lambda kv: -kv[1])[:10]:
        print("          other: %8.3f  %s" % (v, k))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--eval-batch", type=int, default=100)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = ResNet18()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    x = torch.rand(10, 3, 32, 32)
    y = torch.arange(10) % 2

    def step():
        net.train()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()

    images = torch.rand(a.eval_batch, 3, 32, 32)

    def evaluate():
        net.eval()
        with torch.no_grad():
            net(images).argmax(1)

    for _ in range(a.warmup):
        step()
    c0 = time.thread_time()
    for _ in range(a.reps):
        step()
    print("step, thread CPU without the profiler: %.3f ms" % ((time.thread_time() - c0) / a.reps * 1000))
    show("Naive step, N = 10", *profile(step, a.reps))
    data, weight, rows = conv_split(net, x, a.reps)
    print("-- convolution backward per layer, N = 10 (thread CPU, median of %d)" % a.reps)
    for r in rows:
        print("   " + r)
    print("conv bwd data %.3f ms, conv bwd weight %.3f ms per step (sum of the layers)" % (data, weight))
    for _ in range(5):
        evaluate()
    c0 = time.thread_time()
    for _ in range(a.reps):
        evaluate()
    print("evaluation batch, thread CPU without the profiler: %.3f ms" % ((time.thread_time() - c0) / a.reps * 1000))
    show("evaluation batch of %d" % a.eval_batch, *profile(evaluate, max(5, a.reps // 5)))
    print("torch %s, %d thread(s)" % (torch.__version__, torch.get_num_threads()))


if __name__ == "__main__":
    main()
