import json, os, re, sys, numpy as np
# task t holds classes {2t, 2t+1} (plus the boundary-quirk sample of class 2t-1, which ARM's per-class view ignores)
def arm_metrics(pc, T=5):
    # per-task acc at eval after task k, class-balanced, for tasks <= k
    A = np.full((T, T), np.nan)  # A[k][j]
    for k in range(T):
        for j in range(k + 1):
            cls = [pc[k][j][c] for c in (2*j, 2*j+1)]
            A[k][j] = np.mean([a / max(1, n) for a, n in cls])
    acc = np.mean(A[T-1])
    f = np.mean([max(A[k][j] for k in range(j, T-1)) - A[T-1][j] for j in range(T-1)])
    return acc, f, A
def mir_metrics(accm, T=5):
    a = np.array(accm)  # [task_t][task]
    acc = np.round(np.mean(a[:, T-1]), 2)
    f = np.round(np.mean((a.max(1) - a[:, T-1])[:-1]), 2)
    return acc, f
def run0_of(fn, d):
    # the first run a dump holds: its 'run0' (gen_main-dump.patch records RUN0), else a file name
    # ending in -runR.json (dumps written without it), else 0
    if 'run0' in d: return int(d['run0'])
    m = re.search(r'(?:^|[-_.])run(\d+)\.json$', os.path.basename(fn))
    return int(m.group(1)) if m else 0
def load_runs(files):
    # every finished run of every file as (run, file, dump, key in the dump), in run order; a file
    # holds runs run0 + i under keys i, so one 5-run file and five RUN0=r files give one series
    runs = {}
    for fn in files:
        d = json.load(open(fn))
        r0 = run0_of(fn, d)
        for r in d['acc']:
            g = r0 + int(r)
            if g in runs: sys.exit(f'evaluate.py: run {g} is in both {runs[g][1]} and {fn}')
            runs[g] = (g, fn, d, r)
    return [runs[g] for g in sorted(runs)]
def summary(files, split='test', verbose=False):
    rows = []
    for g, fn, d, r in load_runs(files):
        m_acc, m_f = mir_metrics(d['acc'][r][split])
        a_acc, a_f, A = arm_metrics(d['pc'][int(r)][split])
        rows.append((m_acc, m_f, a_acc, a_f, np.diag(A).mean(), A[-1].mean()))
        if verbose: print(fn, 'run', g, 'diag', np.round(np.diag(A), 3), 'final', np.round(A[-1], 3))
    R = np.array(rows) * 100
    n = len(R)
    print(f'n={n} {split}: MIR acc {R[:,0].mean():.1f} ±2SE {2*R[:,0].std()/np.sqrt(n):.1f} (std {R[:,0].std():.1f})'
          f' forg {R[:,1].mean():.1f} ±2SE {2*R[:,1].std()/np.sqrt(n):.1f} (std {R[:,1].std():.1f}) | '
          f'ARM acc {R[:,2].mean():.1f} ± {R[:,2].std():.1f} forg {R[:,3].mean():.1f} ± {R[:,3].std():.1f} | just-learned acc {R[:,4].mean():.1f}')
    return R
def csv(name, files):
    # one line per run: ARM's evaluator on test and val, their own rounded numbers, CPU and wall
    # seconds of the run where the dump has them (gen_main.py's)
    print('method,run,seed,test_accuracy_pct,test_forgetting_pct,val_accuracy_pct,val_forgetting_pct,'
          'mir_test_accuracy_pct,mir_test_forgetting_pct,cpu_seconds,wall_seconds')
    for g, fn, d, r in load_runs(files):
        i = int(r)
        t_acc, t_f, _ = arm_metrics(d['pc'][i]['test'])
        v_acc, v_f, _ = arm_metrics(d['pc'][i]['valid'])
        m_acc, m_f = mir_metrics(d['acc'][r]['test'])
        cpu = d['cpu_s'][i] if i < len(d.get('cpu_s', [])) else float('nan')
        wall = d['wall_s'][i] if i < len(d.get('wall_s', [])) else float('nan')
        print(f'{name},{g},{g},{100*t_acc:.4f},{100*t_f:.4f},{100*v_acc:.4f},{100*v_f:.4f},'
              f'{100*m_acc:.1f},{100*m_f:.1f},{cpu:.1f},{wall:.1f}')
if __name__ == '__main__':
    # evaluate.py [-v] FILE.json ...   |   evaluate.py --csv NAME FILE.json ...
    # Several files are one series: run run0 + i of each file, in run order (run0_of).
    if sys.argv[1] == '--csv':
        csv(sys.argv[2], sys.argv[3:])
        sys.exit()
    v = '-v' in sys.argv
    files = [f for f in sys.argv[1:] if f != '-v']
    summary(files, 'test', v)
