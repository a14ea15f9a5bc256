# Golden values of the authors' random streams, for TorchStreamsTest: PyTorch's CPU generator
# (nn.Linear's default init, randperm, the int64 seeds a DataLoader draws) and the whole MNIST-5k-5
# stream that the authors' own data code (code/data/mnist.py via get_model_and_data) builds for a
# run id, numpy's legacy draws that ARM and ADI make from seed 0, and the first np.random.choice
# results of the authors' own ARM.py and ADI.py training loops (recall iterations t = 100, 101, 102).
# Needs Debian's python3-torch (1.13) at /usr/bin/python3 and the authors' repository at $ARMCODE.
# Usage: ARMCODE=<authors' repo> MNIST=<IDX dir> golden.py OUT.json
import sys, os, io, json, contextlib, numpy as np, torch
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('ARMCODE', '/tmp/armcode'))
sys.path.insert(0, HERE + '/../distill-seeds')
from authdump import authors_run  # their run start, shared with the Distill seed study

OUT = sys.argv[1]  # recall_draws() rewrites sys.argv for the authors' argument parser

def floats(t):
  return [float(v) for v in t.detach().reshape(-1).tolist()]

def generator():
  out = {}
  torch.manual_seed(6102)
  lin = torch.nn.Linear(7, 5)
  out['linear7to5'] = {'seed': 6102, 'weight': floats(lin.weight), 'bias': floats(lin.bias)}
  torch.manual_seed(1)
  out['randperm'] = {'seed': 1, 'n': [13, 1, 2, 1000],
                     'perms': [torch.randperm(n).tolist() for n in (13, 1, 2, 1000)]}
  torch.manual_seed(7)
  out['int64'] = {'seed': 7, 'values': [int(torch.empty((), dtype=torch.int64).random_().item()) for _ in range(3)]}
  return out

def pixel_sums(xs):
  return [int(round(float(v) * 255)) for v in xs.sum(1).tolist()]

def run(model_ind, stationary):
  model, batches, test, val = authors_run(model_ind, stationary)
  xs, ys = zip(*batches)
  x, y = torch.cat(xs), torch.cat(ys)
  vx = torch.stack([val.dataset[i][0] for i in range(len(val.dataset))])
  params = {}
  for n, p in model.named_parameters():
    v = p.detach().reshape(-1).double()
    params[n] = {'sum': float(v.sum()), 'abs': float(v.abs().sum()), 'first': floats(p.reshape(-1)[:4]),
                 'last': float(p.reshape(-1)[-1])}
  return {'runId': model_ind, 'stationary': stationary, 'labels': ''.join(str(int(v)) for v in y),
          'pixelSums': pixel_sums(x), 'valPixelSums': sorted(pixel_sums(vx)), 'params': params,
          'numpyNext': int(np.random.randint(0, 2**31 - 1))}

def numpy_draws():
  np.random.seed(0)
  np.random.permutation(3003); np.random.permutation(10000)
  perms = [np.random.choice(10, 10, replace=False).tolist() for _ in range(3)]
  classes = np.random.choice(4, 10, replace=True).tolist()
  rows = np.random.choice(10, 10, replace=False).tolist()
  return {'afterValTest': perms, 'adiClasses4': classes, 'adiRows': rows}

class Enough(Exception):
  pass

def recall_draws(script, model_ind, calls, extra):
  """The first `calls` results of np.random.choice inside the authors' script's main()."""
  mnist = os.environ.get('MNIST', 'data/mnist')
  sys.argv = [script, '--model_ind_start', str(model_ind), '--num_runs', '1', '--data', 'mnist5k', '--lr', '0.05',
              '--task_model_type', 'mlp', '--classes_per_task', '2', '--num_iterations', '1', '--max_t', '500',
              '--store_model_freq', '500', '--store_results_freq', '100', '--eval_freq', '100',
              '--out_root', '/tmp/golden-draws', '--data_path', mnist, '--recall_from_t', '100', '--long_window',
              '--use_fixed_window', '--fixed_window', '100', '--M', '10', '--refine_sample_steps', '10',
              '--refine_sample_lr', '25.0', '--L2', '--L2_weight', '1.0', '--TV', '--TV_weight', '1.0'] + extra
  import importlib, copy
  mod = importlib.import_module('code.scripts.' + script)
  got, real = [], np.random.choice
  def spy(*a, **k):
    r = real(*a, **k)
    got.append([int(v) for v in np.atleast_1d(r)])
    if len(got) == calls: raise Enough()
    return r
  np.random.choice = spy
  c = copy.deepcopy(mod.orig_config)
  c.model_ind = model_ind
  try:
    with contextlib.redirect_stdout(io.StringIO()):
      mod.main(c)
  except Enough:
    pass
  finally:
    np.random.choice = real
  return {'runId': model_ind, 'choices': got}

out = {'generator': generator(), 'numpy': numpy_draws(),
       'runs': [run(6579, False), run(4947, True)],
       'adi': recall_draws('ADI', 6232, 6, ['--refine_theta_steps', '1', '--classes_loss_weight', '1.0',
         '--choose_past_classes', '--adaptive', '--adaptive_weight', '1.0', '--aux_distill_weight', '0.5']),
       'arm': recall_draws('ARM', 6579, 3, ['--divergence_loss_weight', '1.0', '--sharpen_class',
         '--sharpen_class_weight', '0.1', '--notlocal_weight', '1.0', '--notlocal_new_weight', '0.1',
         '--diversity_weight', '16.0', '--aux_distill', '--aux_distill_weight', '1.0']), 'torch': torch.__version__, 'numpyVersion': np.__version__}
with open(OUT, 'w') as f:
  json.dump(out, f, separators=(',', ':'))
