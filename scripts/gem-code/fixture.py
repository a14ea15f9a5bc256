"""Runs the GEM authors' model/gem.py and model/icarl.py on a small synthetic stream and writes
what arm's GemCodeParityTest compares against (arm/src/test/resources/arm/method/gem-code.json).

    GEM_CODE=/tmp/gemcode PYTHONPATH=stubs /usr/bin/python3 fixture.py OUT.json

GEM: their Net on its shared-head path (an MLP, not CIFAR), 3 tasks of 2 classes, 5 batches of 10
per task, 15 memories per task, lr 0.1, margin 0.5; the same initial weights and data go into the
fixture, and the weights after every task end come out.
iCaRL: their Net with the MLP in place of its ResNet18 (the class is hard-wired to CIFAR-100 and
CUDA); the features their herding ranks, the exemplars it picks, and their nearest-mean
predictions, at the end of tasks 0 and 1; and a whole run over tasks 0 and 1 with their task
offsets patched to the whole output layer (a shared head), the weights after each task.
"""
import json
import os
import random
import sys
import types

import numpy as np
import torch

sys.path.insert(0, os.environ["GEM_CODE"])
torch.set_num_threads(1)
torch.Tensor.cuda = lambda self, *a, **k: self  # icarl.py calls .cuda() even without a GPU

import model.common as common  # noqa: E402
import model.gem as gem  # noqa: E402
import model.icarl as icarl  # noqa: E402

D, H, K, TASKS, N, BATCHES = 12, 16, 6, 3, 10, 5
rs = np.random.RandomState(0)
pixels, labels = [], []
for t in range(TASKS):
    for _ in range(N * BATCHES):
        c = 2 * t + rs.randint(2)
        proto = (np.arange(D) * (c + 3) * 37) % 256
        pixels.append(((proto + rs.randint(0, 60, D)) % 256).tolist())
        labels.append(c)
x_all = torch.tensor(pixels, dtype=torch.float32) / 255
y_all = torch.tensor(labels, dtype=torch.long)


def init_params(net):
    """Weights from a formula both sides can load: 0.3·sin(1 + 0.37·i) over the flat index."""
    i = 0
    with torch.no_grad():
        for p in net.parameters():
            n = p.numel()
            p.copy_(0.3 * torch.sin(1 + 0.37 * torch.arange(i, i + n, dtype=torch.float64)).view_as(p).float())
            i += n


def flat(net):
    return torch.cat([p.detach().reshape(-1) for p in net.parameters()]).tolist()


def args(**kw):
    a = dict(n_layers=2, n_hiddens=H, cuda=False, lr=0.1, samples_per_task=N * BATCHES)
    a.update(kw)
    return types.SimpleNamespace(**a)


out = {"pixels": pixels, "labels": labels, "inputs": D, "hidden": H, "classes": K,
       "tasks": TASKS, "batch": N, "batchesPerTask": BATCHES}

# ---- GEM (counting the projections, so the fixture is known to exercise the QP)
projections = [0]
_project = gem.project2cone2


def counted(*a, **k):
    projections[0] += 1
    return _project(*a, **k)


gem.project2cone2 = counted
g = gem.Net(D, K, TASKS, args(memory_strength=0.5, n_memories=15, data_file="mnist_permutations.pt"))
init_params(g.net)
out["init"] = flat(g.net)
out["gem"] = {"memPerTask": 15, "margin": 0.5, "lr": 0.1, "afterTask": []}
for b in range(TASKS * BATCHES):
    s = slice(b * N, (b + 1) * N)
    g.train()
    g.observe(x_all[s], b // BATCHES, y_all[s])
    if (b + 1) % BATCHES == 0:
        out["gem"]["afterTask"].append(flat(g.net))
out["gem"]["projections"] = projections[0]

# ---- iCaRL: their class with an MLP instead of ResNet18
icarl.ResNet18 = lambda n_outputs: common.MLP([D, H, H, n_outputs])
random.seed(0)
m = icarl.Net(D, K, TASKS, args(memory_strength=1.0, n_memories=12, data_file="cifar100.pt"))
init_params(m.net)
events = []
for b in range(2 * BATCHES):
    t = b // BATCHES
    s = slice(b * N, (b + 1) * N)
    if (b + 1) % BATCHES == 0:  # the task ends inside this observe: keep what herding sees
        xs = torch.cat([m.memx, x_all[s]])
        ys = torch.cat([m.memy, y_all[s]])
    m.observe(x_all[s], t, y_all[s])
    if (b + 1) % BATCHES == 0:
        o1, o2 = m.compute_offsets(t)
        ev = {"task": t, "m": m.num_exemplars, "classes": []}
        with torch.no_grad():
            for c in range(o1, o2):
                cdata = xs[ys == c]
                feats = m.net(cdata)[:, o1:o2]
                picked = [int((cdata == e).all(1).nonzero()[0]) for e in m.mem_class_x[c]]
                ev["classes"].append({"label": c, "features": feats.tolist(), "picked": picked})
            m.eval()
            q = x_all[o1 * 0:(t + 1) * N * BATCHES:7]  # some inputs of the tasks so far
            ev["queries"] = m.net(q).tolist()
            ev["exemplarFeatures"] = {str(c): m.net(m.mem_class_x[c]).tolist() for c in range(o1, o2)}
            ev["predicted"] = m(q, t).argmax(1).tolist()
            m.train()
        events.append(ev)
out["icarl"] = events

# ---- iCaRL, whole run over tasks 0 and 1 on one shared head: compute_offsets patched to the
# whole output layer, one exemplar per class (mem 2, so their random pick has one choice), and
# memory_strength 3 = λ·K/classes-per-task (their KLDivLoss means over K columns, ours over rows)
random.seed(0)
# One edit to a copy of their icarl.py: herding's feature width is the offsets' span, not the
# classes per task (the two are equal on their task slices).
src = open(os.path.join(os.environ["GEM_CODE"], "model", "icarl.py")).read()
assert src.count("nd = self.nc_per_task\n") == 1
shared = types.ModuleType("model.icarl_shared")
shared.__package__ = "model"
exec(compile(src.replace("nd = self.nc_per_task\n", "nd = offset2 - offset1\n"), "icarl.py", "exec"),
     shared.__dict__)
shared.ResNet18 = icarl.ResNet18
r = shared.Net(D, K, TASKS, args(memory_strength=3.0, n_memories=2, data_file="cifar100.pt"))
r.compute_offsets = lambda task: (0, K)
init_params(r.net)
after = []
for b in range(2 * BATCHES):
    s = slice(b * N, (b + 1) * N)
    r.observe(x_all[s], b // BATCHES, y_all[s])
    if (b + 1) % BATCHES == 0:
        after.append(flat(r.net))
out["icarlRun"] = {"mem": 2, "lambda": 1.0, "lr": 0.1, "afterTask": after}
with open(sys.argv[1], "w") as f:
    json.dump(out, f)
print("wrote", sys.argv[1])
