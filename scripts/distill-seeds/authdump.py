# Builds the authors' MNIST-5k-5 training stream and initial MLP exactly as distill.py does for
# run ids FIRST..LAST (reproc_settings, then get_model_and_data; the authors' own modules) and
# writes them as Dump.java does: PREFIX<id>/x.npy, y.npy, w_fc{1,2,3}.{weight,bias}.npy.
# Usage: ARMCODE=<authors' repo> MNIST=<IDX dir> authdump.py FIRST LAST PREFIX
import sys, os, io, types, contextlib, numpy as np, torch
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('ARMCODE', '/tmp/armcode')); sys.path.insert(0, HERE + '/shim')
from code.util.load import get_model_and_data
from code.util.general import reproc_settings

NAMES = {'hidden.0': 'fc1', 'hidden.2': 'fc2', 'linear': 'fc3'}

def authors_run(seed, stationary=False):
  """Run id `seed` as their script starts it: reproc_settings, then get_model_and_data; the
  training batches in the loader's order. Returns (model, [(x, y)...], test, val)."""
  c = types.SimpleNamespace(model_ind=seed, specific_torch_seed=False, data='mnist5k', cuda=False,
    task_model_type='mlp', data_path=os.environ.get('MNIST', 'data/mnist'), stationary=stationary,
    classes_per_task=2, num_iterations=1, tasks_train_batch_sz=10, tasks_eval_batch_sz=10,
    store_model_freq=500)
  with contextlib.redirect_stdout(io.StringIO()):
    reproc_settings(c)
    model, train, test, val = get_model_and_data(c)
    batches = [(x, y) for x, y in train]  # iterating draws the loader's seeds, as their loop does
  return model, batches, test, val

def dump(seed, out):
  os.makedirs(out, exist_ok=True)
  model, batches, _, _ = authors_run(seed)
  xs, ys = zip(*batches)
  np.save(out + '/x.npy', torch.cat(xs).numpy().astype(np.float32))
  np.save(out + '/y.npy', torch.cat(ys).numpy().astype(np.float32))
  for n, p in model.named_parameters():
    mod, kind = n.rsplit('.', 1)
    np.save('%s/w_%s.%s.npy' % (out, NAMES[mod], kind), p.detach().numpy())

if __name__ == '__main__':
  for s in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    dump(s, sys.argv[3] + str(s))
