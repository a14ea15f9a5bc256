import os, numpy as np, torch
from .vision import VisionDataset
def _idx(path):
  with open(path, 'rb') as f: b = f.read()
  nd = b[3]; dims = [int.from_bytes(b[4+4*i:8+4*i], 'big') for i in range(nd)]
  return np.frombuffer(b, dtype=np.uint8, offset=4+4*nd).reshape(dims)
class MNIST:
  def __init__(self, root, train=True, download=False):
    p = 'train' if train else 't10k'
    self.data = torch.from_numpy(_idx(os.path.join(root, p + '-images-idx3-ubyte')).copy())
    self.targets = torch.from_numpy(_idx(os.path.join(root, p + '-labels-idx1-ubyte')).astype(np.int64))
