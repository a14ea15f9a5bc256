import os, struct, numpy as np, torch
ROOT = os.environ.get('MNIST_DIR')
if not ROOT:
    raise SystemExit('set MNIST_DIR to the folder with the MNIST IDX files (the repository\'s data/mnist)')
def _idx(path):
    with open(path, 'rb') as f:
        magic, n = struct.unpack('>II', f.read(8))
        if magic == 2051:
            r, c = struct.unpack('>II', f.read(8))
            return np.frombuffer(f.read(), np.uint8).reshape(n, r, c)
        return np.frombuffer(f.read(), np.uint8)
class MNIST:
    """torchvision.datasets.MNIST's .data (uint8 [n,28,28]) and .targets (int64 [n]), file order."""
    def __init__(self, root, train=True, download=False):
        p = 'train' if train else 't10k'
        self.data = torch.from_numpy(_idx(f'{ROOT}/{p}-images-idx3-ubyte').copy())
        self.targets = torch.from_numpy(_idx(f'{ROOT}/{p}-labels-idx1-ubyte').astype(np.int64))
class CIFAR10:
    def __init__(self, *a, **k): raise RuntimeError('not available offline')
