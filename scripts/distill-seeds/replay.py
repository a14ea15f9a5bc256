# The authors' distill.py training loop (code/scripts/distill.py main, MNIST settings of commands.txt
# run 6102), fed with a stream and initial weights dumped from our Java run, evaluated with the
# authors' evaluate_basic. Usage: replay.py DUMPDIR
import sys, os, types, numpy as np, torch, torch.nn.functional as F, torch.optim as optim
from copy import deepcopy
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('ARMCODE', '/tmp/armcode')); sys.path.insert(0, HERE + '/shim')
from code.models.mlp import mlp
from code.util.eval import evaluate_basic
from torchvision.datasets import MNIST
torch.set_num_threads(1)
d = sys.argv[1]
x = torch.from_numpy(np.load(d + '/x.npy')); y = torch.from_numpy(np.load(d + '/y.npy')).long()
c = types.SimpleNamespace(task_in_dims=(784,), task_out_dims=(10,), cuda=False, stationary=False,
  classes_per_task=2, eval_freq=100, lr=0.05, aux_distill_weight=1.0, max_t=500, recall_from_t=100,
  fixed_window=100, class_dict_tasks={k: k // 2 for k in range(10)})
model = mlp(c)
names = {'hidden.0': 'fc1', 'hidden.2': 'fc2', 'linear': 'fc3'}
with torch.no_grad():
  for n, p in model.named_parameters():
    mod, kind = n.rsplit('.', 1)
    p.copy_(torch.from_numpy(np.load('%s/w_%s.%s.npy' % (d, names[mod], kind))))
te = MNIST(os.environ.get('MNIST', 'data/mnist'), train=False)
tx = te.data.view(-1, 784).float() / 255.
test = [(tx[i:i + 1000], te.targets[i:i + 1000]) for i in range(0, 10000, 1000)]
opt = optim.SGD(model.parameters(), lr=c.lr, momentum=0, dampening=0, weight_decay=0, nesterov=False)
seen = last = None; nxt = 0; old = None
for t in range(501):
  xs, ys = (x[(t % 500) * 10:(t % 500) * 10 + 10], y[(t % 500) * 10:(t % 500) * 10 + 10])
  present = ys.unique()
  if t % 100 == 0:
    evaluate_basic(c, model, test, t, is_val=False, last_classes=last, seen_classes=seen)
  if t == 500: break
  model.train(); opt.zero_grad()
  if t == nxt:
    old = deepcopy(model); nxt = t + c.fixed_window
  loss = F.cross_entropy(model(xs), ys, reduction='mean'); loss.backward(); opt.step()
  if t >= c.recall_from_t:
    opt.zero_grad()
    with torch.no_grad(): tg = old(xs)
    l2 = F.kl_div(F.log_softmax(model(xs), dim=1), F.softmax(tg, dim=1), reduction='batchmean')
    (c.aux_distill_weight * l2).backward(); opt.step()
  seen = present if seen is None else torch.cat((seen, present)).unique(); last = present
print('acc %.2f forg %.2f' % (100 * c.test_accs[500], 100 * c.test_forgetting[500]))
for t, pt in c.test_per_task_accs.items():
  print('  t=%d' % t, ' '.join('%d:%.3f' % (k, v) for k, v in sorted(pt.items())))
