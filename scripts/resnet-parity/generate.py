# Golden fixtures for ResNetParityTest: the authors' own ARM.py, ADI.py, distill.py and naive.py
# (their main(), their models, losses and loop, unchanged) trained for K iterations on a small
# CIFAR-shaped or MiniImageNet-shaped stream, every loss term of every refinement step recorded.
#
# What is replaced around their loop (module globals of their script, nothing inside main()):
#   get_model_and_data  their model class (code.models, built right after their reproc_settings
#                       seeded torch with the run id, as their get_model_and_data does) and a
#                       synthetic stream of K batches (below) instead of their dataset classes;
#                       numpy's global generator is then exactly as reproc_settings left it
#                       (seed 0), so their recall draws are np.random.choice from seed 0
#   evaluate_basic, render_graphs, store
#                       no-ops: evaluation (eval mode, no grad) changes no weight or statistic;
#                       they need the val/test loaders and plotting we do not build
# What is observed (wrappers that call the original and record its value):
#   their loss functions (neg_symmetric_KL, notlocal, diversity, sharpen_class, TV, L2,
#   deep_inversion_classes_loss), resnet18_batch_stats.forward's batch-statistics loss,
#   torch.autograd.grad's loss (the total R of each refinement step), F.kl_div's target entropy
#   at step B, record_and_check (loss_orig, final_loss_aux per t), np.random.choice, and a
#   forward pre-hook that keeps the recalled batch when f_old computes the targets.
#
# The stream: K batches of N = 10, tasks of T = recall_from_t batches (classes 2k, 2k+1 on CIFAR;
# 5k … 5k+4 on MiniImageNet), labels drawn per batch from the task's classes, images uint8
# (class-dependent smooth colour patterns plus noise), all from numpy RandomState(DATA_SEED).
#
# Output: one safetensors file per run (float32 and int64 tensors, written by hand: 8-byte
# little-endian header length, JSON header, raw bytes), gzipped. See README.md.
# Needs Debian's python3-torch (1.13) at /usr/bin/python3 and the authors' repository at $ARMCODE.
# Usage: [DTYPE=float64] generate.py DATASET METHOD K RECALL_FROM_T M OUT.safetensors.gz [S]
#   (T = recall_from_t, as in their commands; S overrides their refine_sample_steps)
import sys, os, io, json, gzip, math, contextlib, tempfile
import numpy as np, torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('ARMCODE', '/tmp/armcode'))
sys.path.insert(0, HERE + '/../distill-seeds/shim')  # matplotlib / torchvision stand-ins

DATASET, METHOD, K, RFT, M, OUT = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
  int(sys.argv[5]), sys.argv[6]
S_ARG = sys.argv[7:8]
DATA_SEED = 2024
# DTYPE=float64 runs their code in double precision (model and data converted after the float32
# init): the reference for how far float32 rounding alone moves a run (README.md).
DTYPE = {'float32': torch.float32, 'float64': torch.float64}[os.environ.get('DTYPE', 'float32')]
torch.set_num_threads(1)

# The options of their published commands (commands.txt) for each method and dataset; max_t,
# recall_from_t, fixed_window, M and the storage frequencies are set from the arguments.
COMMANDS = {
  ('cifar10', 'arm'): '3717 ARM --lr 0.01 --task_model_type resnet18 --classes_per_task 2 --num_iterations 1 --refine_sample_steps 10 --refine_sample_lr 10.0 --divergence_loss_weight 1.0 --L2 --L2_weight 1.0 --TV --TV_weight 1.0 --long_window --use_fixed_window --sharpen_class --sharpen_class_weight 0.1 --notlocal_weight 1.0 --notlocal_new_weight 0.1 --diversity_weight 16.0 --aux_distill --aux_distill_weight 1.0',
  ('cifar10', 'adi'): '2262 ADI --lr 0.01 --task_model_type resnet18_batch_stats --classes_per_task 2 --num_iterations 1 --refine_theta_steps 1 --refine_sample_steps 10 --refine_sample_lr 10.0 --L2 --L2_weight 1.0 --TV --TV_weight 1.0 --long_window --use_fixed_window --classes_loss_weight 1.0 --opt_batch_stats --opt_batch_stats_weight 0.1 --choose_past_classes --adaptive --adaptive_weight 1.0',
  ('cifar10', 'distill'): '4082 distill --lr 0.01 --task_model_type resnet18 --classes_per_task 2 --num_iterations 1 --long_window --use_fixed_window --aux_distill_weight 1.0',
  ('cifar10', 'naive'): '2522 naive --lr 0.1 --task_model_type resnet18 --classes_per_task 2 --num_iterations 1',
  ('miniimagenet', 'arm'): '4821 ARM --lr 0.01 --task_model_type resnet18 --classes_per_task 5 --num_iterations 3 --refine_sample_steps 10 --refine_sample_lr 10.0 --divergence_loss_weight 1.0 --L2 --L2_weight 1.0 --TV --TV_weight 1.0 --long_window --use_fixed_window --sharpen_class --sharpen_class_weight 1.0 --notlocal_weight 1.0 --notlocal_new_weight 0.1 --diversity_weight 1.0 --aux_distill --aux_distill_weight 2.0',
}
# Every run of one dataset starts from the same initial model: the one their code builds for the
# ARM run id (torch.manual_seed(run id) in reproc_settings, then the model's constructor).
INIT_RUN = {'cifar10': 3717, 'miniimagenet': 4821}
SHAPE = {'cifar10': (3, 32, 32), 'miniimagenet': (3, 84, 84)}
CLASSES = {'cifar10': (10, 2), 'miniimagenet': (100, 5)}

spec = COMMANDS[(DATASET, METHOD)].split()
script, opts = spec[1], spec[2:]
has_recall = script != 'naive'
argv = [script, '--model_ind_start', str(INIT_RUN[DATASET]), '--num_runs', '1', '--data', DATASET,
        '--data_path', '/nonexistent', '--out_root', tempfile.mkdtemp(prefix='resnet-parity-'),
        '--max_t', str(K), '--store_model_freq', str(K), '--store_results_freq', str(K),
        '--eval_freq', str(K)] + opts
if has_recall: argv += ['--recall_from_t', str(RFT)]
if '--use_fixed_window' in opts: argv += ['--fixed_window', str(RFT)]
if script in ('ARM', 'ADI'): argv += ['--M', str(M)] + (['--refine_sample_steps'] + S_ARG if S_ARG else [])
sys.argv = argv
import importlib
mod = importlib.import_module('code.scripts.' + script)
import code.models as models
import code.util.losses as losses

# ------------------------------------------------------------------------------ the stream
def stream():
  rs = np.random.RandomState(DATA_SEED)
  c, h, w = SHAPE[DATASET]
  ncls, cpt = CLASSES[DATASET]
  yy, xx = np.mgrid[0:h, 0:w] / float(h)
  freq = rs.uniform(0.5, 3.0, size=(ncls, 3, 2))
  phase = rs.uniform(0, 2 * math.pi, size=(ncls, 3))
  xs, ys = [], []
  for t in range(K):
    task = t // RFT  # tasks of RFT batches (T = recall_from_t, as in their commands)
    y = rs.randint(0, cpt, size=10) + task * cpt
    for lab in y:
      base = np.stack([0.5 + 0.3 * np.sin(2 * math.pi * (freq[lab, ch, 0] * xx + freq[lab, ch, 1] * yy)
                                          + phase[lab, ch]) for ch in range(c)])
      img = np.clip(base + 0.12 * rs.randn(c, h, w), 0, 1)
      xs.append(np.round(img * 255).astype(np.uint8))
    ys.append(y)
  return np.stack(xs), np.concatenate(ys).astype(np.int64)

PIXELS, LABELS = stream()

def batches():
  x = torch.from_numpy(PIXELS).float().div(255).to(DTYPE)  # ToTensor: uint8 / 255 in float32
  y = torch.from_numpy(LABELS)
  return [(x[i:i + 10], y[i:i + 10]) for i in range(0, len(y), 10)]

INIT = {}

def get_model_and_data(config):
  config.task_in_dims = {"miniimagenet": (3, 84, 84), "cifar10": (3, 32, 32)}[config.data]
  config.task_out_dims = {"miniimagenet": (100,), "cifar10": (10,)}[config.data]
  model = getattr(models, config.task_model_type)(config)
  INIT.update({k: v.detach().clone() for k, v in model.state_dict().items()})
  model.to(DTYPE)
  config.batches_per_epoch = K
  model.register_forward_pre_hook(keep_targets_input)  # deepcopy carries it to f_old
  MODEL['cur'] = model
  return model, batches(), [], []

mod.get_model_and_data = get_model_and_data
mod.evaluate_basic = lambda *a, **k: None
mod.render_graphs = lambda *a, **k: None
mod.store = lambda *a, **k: None

# ------------------------------------------------------------------------------ observation
REC = {'terms': [], 'recalled': [], 'choices': [], 'entropy': [], 'metric': []}
inside = [0]

def spy(name, fn):
  def wrapped(*a, **k):
    inside[0] += 1
    try:
      v = fn(*a, **k)
    finally:
      inside[0] -= 1
    if inside[0] == 0: REC['terms'].append((name, float(v.item())))
    return v
  return wrapped

for name, fn in [('D', losses.neg_symmetric_KL), ('NL', losses.notlocal), ('div', losses.diversity),
                 ('sharp', losses.sharpen_class), ('TV', losses.TV), ('L2', losses.L2),
                 ('classes', losses.deep_inversion_classes_loss)]:
  if hasattr(mod, fn.__name__): setattr(mod, fn.__name__, spy(name, fn))

real_grad = torch.autograd.grad
def grad(outputs, *a, **k):
  REC['terms'].append(('total', float(outputs.item())))
  return real_grad(outputs, *a, **k)
torch.autograd.grad = grad

real_bs_forward = models.resnet18_batch_stats.forward
def bs_forward(self, x):
  out = real_bs_forward(self, x)
  if isinstance(out, tuple) and torch.is_grad_enabled(): REC['terms'].append(('bs', float(out[1].item())))
  return out
models.resnet18_batch_stats.forward = bs_forward

real_kl = F.kl_div
def kl_div(inp, target, *a, **k):
  v = real_kl(inp, target, *a, **k)
  if inside[0] == 0:  # step B (ADI, Distill): KL = softCE − H(target); keep H
    h = -(target * torch.log(target)).sum(1).mean()
    REC['entropy'].append(float(h.item()))
  return v
F.kl_div = kl_div

real_choice = np.random.choice
def choice(*a, **k):
  r = real_choice(*a, **k)
  REC['choices'].append([int(v) for v in np.atleast_1d(r)])
  return r
np.random.choice = choice

real_record = mod.record_and_check
def record_and_check(config, name, val, t):
  REC['metric'].append((name, t, float(val)))
  return real_record(config, name, val, t)
mod.record_and_check = record_and_check

MODEL = {}
def keep_targets_input(module, inp):
  # f_old (a deepcopy, hook included) on the M refined images under no-grad: the recalled batch
  if not torch.is_grad_enabled() and module is not MODEL.get('cur') and inp[0].shape[0] == M:
    REC['recalled'].append(inp[0].detach().clone())

# ------------------------------------------------------------------------------ run
real_deepcopy = mod.deepcopy
def deepcopy(x):  # in main() only old_tasks_model = deepcopy(tasks_model): keep f_old
  out = real_deepcopy(x)
  if isinstance(x, torch.nn.Module): MODEL['old'] = out
  return out
mod.deepcopy = deepcopy
c = mod.orig_config
c.model_ind = INIT_RUN[DATASET]
with contextlib.redirect_stdout(io.StringIO()):
  mod.main(c)
model = MODEL['cur']

# ------------------------------------------------------------------------------ our names
def ours(name):
  p = name.split('.')
  if p[0] == 'conv1': return ('conv1.' if p[1] == '0' else 'bn1.') + p[-1]
  if p[0] == 'fc1': return 'linear.' + p[-1]
  if p[0].startswith('conv') and p[0].endswith('_x'):
    layer = 'layer%d.%s.' % (int(p[0][4]) - 1, p[1])
    if p[2] == 'residual_function':
      return layer + {'0': 'conv1', '1': 'bn1', '3': 'conv2', '4': 'bn2'}[p[3]] + '.' + p[4]
    return layer + 'shortcut.' + p[3] + '.' + p[4]
  raise ValueError(name)

def sample_index(n):
  """The entries kept of a final tensor: all up to 1,024, else 256 evenly strided."""
  return np.arange(n) if n <= 1024 else np.arange(256) * (n // 256)

T = {}  # name -> numpy array (float32 or int64)
def f32(a): return np.asarray(a, dtype=np.float32)

metric = {}
for name, t, v in REC['metric']: metric.setdefault(name, {})[t] = v
T['loss.step_a'] = f32([metric['loss_orig'][t] for t in range(K)])
recall_ts = [t for t in range(K) if has_recall and t >= RFT]
if has_recall:
  T['loss.step_b'] = f32([metric['final_loss_aux'][t] for t in recall_ts])
S = c.refine_sample_steps if script in ('ARM', 'ADI') else 0
if S:
  per_step = {'ARM': ['D', 'NL', 'NL', 'div', 'sharp', 'TV', 'L2', 'total'],
              'ADI': ['bs', 'classes', 'D', 'TV', 'L2', 'total']}[script]
  names = {'ARM': ['D', 'NL_old', 'NL_new', 'div', 'sharp', 'TV', 'L2', 'total'],
           'ADI': ['bs', 'classes', 'D', 'TV', 'L2', 'total']}[script]
  terms = REC['terms']
  assert len(terms) == len(recall_ts) * S * len(per_step), (len(terms), [n for n, _ in terms[:20]])
  assert [n for n, _ in terms] == per_step * (len(recall_ts) * S), [n for n, _ in terms[:20]]
  vals = f32([v for _, v in terms]).reshape(len(recall_ts), S, len(per_step))
  for j, n in enumerate(names): T['loss.refine.' + n] = vals[:, :, j].copy()
  rec = torch.stack(REC['recalled'])  # [recall iterations, M, c, h, w]
  assert rec.shape[0] == len(recall_ts)
  T['recall.first10'] = rec[:, :10].numpy().astype(np.float32)
  T['recall.sum'] = rec.double().sum(dim=(1, 2, 3, 4)).float().numpy()
  T['recall.sumsq'] = (rec.double() ** 2).sum(dim=(1, 2, 3, 4)).float().numpy()
  ch = REC['choices']
  if script == 'ADI':
    T['draws.classes'] = np.asarray(ch[0::2], dtype=np.int64)
    T['draws.rows'] = np.asarray(ch[1::2], dtype=np.int64)
  else:
    T['draws.rows'] = np.asarray(ch, dtype=np.int64)
  assert T['draws.rows'].shape == (len(recall_ts), M)
if script in ('ADI', 'distill'):  # KL at step B: ours is softCE = KL + H(targets)
  ent = f32(REC['entropy']).reshape(len(recall_ts), -1)
  wts = [c.aux_weight, c.aux_distill_weight] if script == 'ADI' else [c.aux_distill_weight]
  T['loss.step_b_entropy'] = (ent * f32(wts)).sum(1).astype(np.float32)
final = model.state_dict()
for n, v in final.items():
  o = ours(n)
  v = v.detach().numpy().reshape(-1)
  if n.endswith('num_batches_tracked'):
    T['final.' + o] = v.astype(np.int64)
    continue
  v0 = INIT[n].double().numpy().reshape(-1)
  T['final.' + o] = v[sample_index(v.size)].astype(np.float32)
  T['final_norm.' + o] = f32([np.linalg.norm(v.astype(np.float64)), np.linalg.norm((v - v0).astype(np.float64))])
if 'old' in MODEL:
  for n, v in MODEL['old'].state_dict().items():
    if 'running' in n: T['final_old.' + ours(n)] = v.numpy().reshape(-1).astype(np.float32)

meta = {'dataset': DATASET, 'method': METHOD, 'script': script, 'K': str(K),
        'recall_from_t': str(RFT), 'M': str(M), 'S': str(S), 'run_id': str(INIT_RUN[DATASET]),
        'data_seed': str(DATA_SEED), 'torch': torch.__version__, 'numpy': np.__version__,
        'dtype': str(DTYPE).replace('torch.', ''),
        'command': ' '.join(a if not a.startswith(tempfile.gettempdir()) else 'OUT' for a in argv)}

# ------------------------------------------------------------------------------ initial file
def write(path, tensors, meta):
  header, chunks, off = {}, [], 0
  for n, a in tensors.items():
    a = np.ascontiguousarray(a)
    dt = {np.dtype(np.float32): 'F32', np.dtype(np.int64): 'I64'}[a.dtype]
    b = a.astype(a.dtype.newbyteorder('<')).tobytes()
    header[n] = {'dtype': dt, 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
    chunks.append(b); off += len(b)
  header['__metadata__'] = meta
  h = json.dumps(header, separators=(',', ':')).encode()
  h += b' ' * ((8 - len(h) % 8) % 8)
  with gzip.GzipFile(path, 'wb', mtime=0) as f:
    f.write(len(h).to_bytes(8, 'little')); f.write(h)
    for b in chunks: f.write(b)

write(OUT, T, meta)
if DTYPE != torch.float32: sys.exit(0)
init_out = os.path.join(os.path.dirname(OUT), DATASET + '-init.safetensors.gz')
I = {'pixels': PIXELS.reshape(len(LABELS), -1).astype(np.float32), 'labels': LABELS}
for n, v in INIT.items():
  I['init.' + ours(n)] = v.numpy().astype(np.int64 if n.endswith('num_batches_tracked') else np.float32).reshape(v.shape if v.dim() else (1,))
write(init_out, I, {'dataset': DATASET, 'run_id': str(INIT_RUN[DATASET]), 'data_seed': str(DATA_SEED),
                    'K': str(K), 'torch': torch.__version__})
print('%s %s: %d tensors, step A %s' % (DATASET, METHOD, len(T), T['loss.step_a'][:3]))
