# Fast float32 numpy re-implementation of the authors' distill.py MNIST loop (same as replay.py,
# which uses torch + the authors' modules), for statistics over many seeds. Usage: npreplay.py DIR...
import sys, os, numpy as np
MNIST = os.environ.get('MNIST', 'data/mnist')
te_x = np.fromfile(MNIST + '/t10k-images-idx3-ubyte', np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / np.float32(255)
te_y = np.fromfile(MNIST + '/t10k-labels-idx1-ubyte', np.uint8, offset=8).astype(np.int64)
f32 = np.float32

def fwd(W, x):
  h1 = np.maximum(x @ W[0].T + W[1], 0); h2 = np.maximum(h1 @ W[2].T + W[3], 0)
  return h1, h2, h2 @ W[4].T + W[5]

def softmax(z):
  e = np.exp(z - z.max(1, keepdims=True)); return e / e.sum(1, keepdims=True)

def step(W, x, dz, lr):  # dz = dLoss/dlogits; plain SGD
  h1, h2, _ = fwd(W, x)
  g = [None] * 6
  g[4] = dz.T @ h2; g[5] = dz.sum(0); d2 = (dz @ W[4]) * (h2 > 0)
  g[2] = d2.T @ h1; g[3] = d2.sum(0); d1 = (d2 @ W[2]) * (h1 > 0)
  g[0] = d1.T @ x; g[1] = d1.sum(0)
  for i in range(6): W[i] -= f32(lr) * g[i].astype(f32)

def per_task(W):
  pred = fwd(W, te_x)[2].argmax(1)
  pc = np.array([(pred[te_y == c] == c).mean() for c in range(10)])
  return pc.reshape(5, 2).mean(1)

def run(d, lr=0.05, w=1.0, T=100, rft=100):
  W = [np.load('%s/w_fc%d.%s.npy' % (d, l, k)).astype(f32) for l in (1, 2, 3) for k in ('weight', 'bias')]
  x = np.load(d + '/x.npy').astype(f32); y = np.load(d + '/y.npy').astype(np.int64)
  accs = {}
  for t in range(501):
    if t % 100 == 0 and t > 0: accs[t] = per_task(W)
    if t == 500: break
    if t % T == 0: old = [a.copy() for a in W]
    xs, ys = x[t * 10:t * 10 + 10], y[t * 10:t * 10 + 10]
    p = softmax(fwd(W, xs)[2]); p[np.arange(10), ys] -= 1; step(W, xs, p / 10, lr)
    if t >= rft:
      q = softmax(fwd(old, xs)[2]); p = softmax(fwd(W, xs)[2]); step(W, xs, w * (p - q) / 10, lr)
  acc = accs[500].mean()
  forg = np.mean([max(accs[s][k] for s in (100, 200, 300, 400) if s // 100 > k) - accs[500][k] for k in range(4)])
  return 100 * acc, 100 * forg

if __name__ == '__main__':
  for d in sys.argv[1:]:
    print(d, 'acc %.2f forg %.2f' % run(d), flush=True)
