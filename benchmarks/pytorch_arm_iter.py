#!/usr/bin/env python3
"""One ARM training iteration in the CIFAR10 setting, in PyTorch, to time against our engine on the same GPU.

What it runs (ALGORITHM.md §1.4, §2.3, §5.2; our own code, written from the spec):
  model   reduced ResNet18, nf = 20 (stem conv3x3 3->20 + BN + ReLU, 4 stages x 2 BasicBlocks, avg pool, Linear 160->10)
  data    random CIFAR-shaped batch, N = 10 real images, labels from 2 classes (one task)
  step A  CE on the real batch, SGD step (lr eta0)
  step B  M = 100 recalled images copied from the batch with replacement, S = 10 input-refinement steps on the
          recall loss R (divergence, not-local old/new, diversity, sharpen, L2, TV; CIFAR weights of Table 4),
          each a forward of f_old and f_cur in train-mode BN and a gradient w.r.t. the inputs only; then soft
          targets from f_old and one SGD step on the recalled + real distillation loss.
Timing: warm-up iterations, then the median of timed iterations, each closed by torch.cuda.synchronize().
Output: lines "TORCH <name> <value> <unit>" (device-check.sh puts them in its table).

Usage: python3 benchmarks/pytorch_arm_iter.py [--device cuda|cpu] [--threads T] [--warmup 3] [--reps 10] [--skip-kernels]
On the CPU only the fp32 pass runs (TF32 is a GPU setting); --threads sets torch.set_num_threads.
"""
import argparse
import copy
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# CIFAR10 ARM hyperparameters (ALGORITHM.md §2.4)
ETA0, ETA1 = 0.01, 10.0
W_D, L1_OLD, L2_NEW, L3_DIV, L4_SHARP, L5_L2, L6_TV = 1.0, 1.0, 0.1, 16.0, 0.1, 1.0, 1.0
L0_REC, L0_REAL = 1.0, 1.0
EPS_DIV = 2.220446049250313e-16


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class ResNet18(nn.Module):
    def __init__(self, nf=20, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, nf, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(nf, momentum=None)  # stem BN keeps a cumulative average (§5.2)
        blocks, cin = [], nf
        for mult, stride in ((1, 1), (2, 2), (4, 2), (8, 2)):
            for s in (stride, 1):
                blocks.append(BasicBlock(cin, nf * mult, s))
                cin = nf * mult
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(cin, classes)

    def forward(self, x):
        y = self.blocks(F.relu(self.bn1(self.conv1(x))))
        y = F.adaptive_avg_pool2d(y, 1).flatten(1)
        return self.linear(y)


def soft_ce(logits, target_probs):
    return -(target_probs * F.log_softmax(logits, dim=1)).sum(1).mean()


def recall_loss(a, b, x, present):
    """R to be minimised (ALGORITHM.md §2.3); a, b: logits of f_old, f_cur on the recalled batch x."""
    M = a.shape[0]
    la, lb = F.log_softmax(a, 1), F.log_softmax(b, 1)
    p, q = la.exp(), lb.exp()
    m = 0.5 * (p + q)
    # divergence: 1 - 0.5 [KL(m||p) + KL(m||q)], batchmean (mixture first, as the code does)
    r = W_D * (1 - 0.5 * (F.kl_div(la, m, reduction="batchmean") + F.kl_div(lb, m, reduction="batchmean")))
    C = present.numel()
    r = r + L1_OLD * la[:, present].sum() / (C * M) + L2_NEW * lb[:, present].sum() / (C * M)
    pbar = p.mean(0)
    pbar = torch.where(pbar < EPS_DIV, torch.full_like(pbar, EPS_DIV), pbar)  # clamped entries: no gradient
    r = r + L3_DIV * (pbar * pbar.log()).sum()
    r = r + L4_SHARP * F.nll_loss(la, a.argmax(1).detach())
    D = x[0].numel()
    r = r + L5_L2 * x.flatten(1).norm(dim=1).sum() / (M * D)
    c, H, W = x.shape[1:]
    tv = ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).sum() / (c * (H - 1) * W) \
        + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum() / (c * H * (W - 1))
    return r + L6_TV * 2.0 * tv / M


def arm_iteration(f_cur, f_old, opt, X, Y, M, S):
    f_cur.train()
    opt.zero_grad(set_to_none=False)
    F.cross_entropy(f_cur(X), Y).backward()  # step A
    opt.step()
    opt.zero_grad(set_to_none=False)  # step B
    present = torch.unique(Y)
    xh = X[torch.randint(0, X.shape[0], (M,), device=X.device)].clone()
    for _ in range(S):
        xh.requires_grad_(True)
        R = recall_loss(f_old(xh), f_cur(xh), xh, present)
        g, = torch.autograd.grad(R, xh)
        xh = (xh - ETA1 * g).detach()
    with torch.no_grad():
        t_rec, t_real = F.softmax(f_old(xh), 1), F.softmax(f_old(X), 1)
    (L0_REC * soft_ce(f_cur(xh), t_rec) + L0_REAL * soft_ce(f_cur(X), t_real)).backward()
    opt.step()


def timed(fn, sync, warmup, reps, cpu=None):
    """Median wall seconds per call; with a list as cpu, the median process CPU seconds is appended."""
    for _ in range(warmup):
        fn()
    sync()
    ts, cs = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        sync()
        ts.append(time.perf_counter() - t0)
        cs.append(time.process_time() - c0)
    if cpu is not None:
        cpu.append(statistics.median(cs))
    return statistics.median(ts)


def out(name, value, unit):
    print(f"TORCH {name:<52} {value:12.4f} {unit}", flush=True)


# ResNet18 (nf=20, CIFAR) convolutions: (Ci, H, Co, k, stride, pad, count), as DeviceCheckMain.RESNET_CONVS
RESNET_CONVS = [(3, 32, 20, 3, 1, 1, 1), (20, 32, 20, 3, 1, 1, 4), (20, 32, 40, 3, 2, 1, 1), (40, 16, 40, 3, 1, 1, 3),
                (20, 32, 40, 1, 2, 0, 1), (40, 16, 80, 3, 2, 1, 1), (80, 8, 80, 3, 1, 1, 3), (40, 16, 80, 1, 2, 0, 1),
                (80, 8, 160, 3, 2, 1, 1), (160, 4, 160, 3, 1, 1, 3), (80, 8, 160, 1, 2, 0, 1)]


GEMM_SIZES = (1024, 4096)


def kernels(dev, sync, tag):
    x, y = torch.randn(1000, device=dev), torch.zeros(1000, device=dev)

    def ops():
        for _ in range(1000):
            y.add_(x, alpha=0.5)
    out(f"launch overhead (axpy n=1000, per op) {tag}", timed(ops, sync, 2, 5) / 1000 * 1e6, "us")
    for n in GEMM_SIZES:
        a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
        out(f"gemm {n}^3 {tag}", 2 * n ** 3 / timed(lambda: a @ b, sync, 3, 10) / 1e9, "GFLOP/s")
    total = 0.0
    for ci, h, co, k, st, pad, count in RESNET_CONVS:
        x = torch.randn(100, ci, h, h, device=dev, requires_grad=True)
        w = torch.randn(co, ci, k, k, device=dev, requires_grad=True)
        y = F.conv2d(x, w, stride=st, padding=pad)
        gy = torch.randn_like(y)
        f = timed(lambda: F.conv2d(x, w, stride=st, padding=pad), sync, 3, 10)
        fb = timed(lambda: torch.autograd.grad(F.conv2d(x, w, stride=st, padding=pad), (x, w), gy), sync, 3, 10)
        total += count * fb
        out(f"conv N100 {ci}->{co} {h}x{h} k{k} s{st} fwd {tag}", f * 1e3, "ms")
    out(f"ResNet18 convs fwd+bwd N=100 (sum) {tag}", total * 1e3, "ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--N", type=int, default=10)
    ap.add_argument("--M", type=int, default=100)
    ap.add_argument("--S", type=int, default=10)
    ap.add_argument("--skip-kernels", action="store_true", help="only the ARM iteration")
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    print(f"torch {torch.__version__} cuda {torch.version.cuda} cudnn {torch.backends.cudnn.version()} on {name},"
          f" {torch.get_num_threads()} threads", flush=True)
    torch.manual_seed(0)
    f_cur = ResNet18().to(dev)
    assert sum(p.numel() for p in f_cur.parameters()) == 1_094_750, "ResNet18 nf=20 must have 1,094,750 parameters"
    f_old = copy.deepcopy(f_cur)  # never switched to eval mode (§1.1)
    opt = torch.optim.SGD(f_cur.parameters(), lr=ETA0)
    X = torch.rand(args.N, 3, 32, 32, device=dev)
    Y = torch.tensor([0, 1] * (args.N // 2) + [0] * (args.N % 2), device=dev)
    # FP32 first (like our default), then PyTorch's defaults (cuDNN may use TF32 on this card)
    passes = (("fp32", False), ("torch-default", True)) if dev.type == "cuda" else (("fp32", False),)
    for tag, tf32 in passes:
        torch.backends.cudnn.allow_tf32 = tf32
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.benchmark = False
        cpu = []
        sec = timed(lambda: arm_iteration(f_cur, f_old, opt, X, Y, args.M, args.S), sync, args.warmup, args.reps, cpu)
        out(f"ARM iteration CIFAR ResNet18 N{args.N} M{args.M} S{args.S} {tag}", sec * 1e3, "ms")
        out(f"process CPU per ARM iteration N{args.N} M{args.M} S{args.S} {tag}", cpu[0] * 1e3, "ms")
        if not args.skip_kernels:
            kernels(dev, sync, tag)
    for p in f_cur.parameters():
        assert torch.isfinite(p).all(), "non-finite weights after the timed iterations"
    print("TORCH done", flush=True)


if __name__ == "__main__":
    main()
