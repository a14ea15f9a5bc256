# Mean ± population std of npreplay.py output files, overall and per block of 5 consecutive runs.
import sys, numpy as np
for f in sys.argv[1:]:
  r = np.array([[float(l.split()[2]), float(l.split()[4])] for l in open(f)])
  print('%s: %d runs, accuracy %.1f ± %.1f, forgetting %.1f ± %.1f' % (f, len(r), r[:, 0].mean(), r[:, 0].std(), r[:, 1].mean(), r[:, 1].std()))
  b = r[:len(r) // 5 * 5].reshape(-1, 5, 2).mean(1)
  inside = [(28.3 <= a <= 38.3) and (54.6 <= g <= 61.4) for a, g in b]
  print('  blocks of 5:', ' '.join('%.1f/%.1f' % tuple(x) for x in b), '-> inside the paper band: %d of %d' % (sum(inside), len(b)))
