# python3 test_evaluate.py FILE.json: splits a several-run dump of gen_main.py (run-gen.sh NAME KIND 5)
# into one file per run-process, as RUN0 processes write them, and checks that evaluate.py merges
# them back into the same series: the same summary and the same CSV lines, whatever the files' order.
import contextlib, io, json, os, subprocess, sys, tempfile
import evaluate

def piece(d, first, count, run0_key):
    # runs first … first+count-1 of d, held under keys 0 … count-1 as a RUN0=first process holds them
    p = {'acc': {str(i): d['acc'][str(first + i)] for i in range(count)},
         'pc': d['pc'][first:first + count],
         'cpu_s': d['cpu_s'][first:first + count], 'wall_s': d['wall_s'][first:first + count]}
    if run0_key: p['run0'] = first
    return p

def out(f, *args):
    with contextlib.redirect_stdout(io.StringIO()) as s: f(*args)
    return s.getvalue()

def main(fn):
    d = json.load(open(fn))
    n = len(d['acc'])
    assert n >= 3, f'{fn} holds {n} runs; need 3 or more'
    tmp = tempfile.mkdtemp(prefix='evaluate-test-')
    # run 0 in a file named without a run number (run0 0), runs 1..n-2 by their 'run0' key in one
    # file, run n-1 by its file name only (a dump written before the key existed)
    files = {os.path.join(tmp, 'first.json'): piece(d, 0, 1, False),
             os.path.join(tmp, 'middle.json'): piece(d, 1, n - 2, True),
             os.path.join(tmp, f'x-run{n - 1}.json'): piece(d, n - 1, 1, False)}
    for f, p in files.items(): json.dump(p, open(f, 'w'))
    merged = list(reversed(list(files)))  # the order of the files must not matter
    assert out(evaluate.summary, [fn]) == out(evaluate.summary, merged)
    assert out(evaluate.csv, 'X', [fn]) == out(evaluate.csv, 'X', merged)
    assert [g for g, *_ in evaluate.load_runs(merged)] == list(range(n))
    # a run present twice is an error naming both files
    r = subprocess.run([sys.executable, evaluate.__file__, fn, merged[0]], capture_output=True, text=True)
    assert r.returncode != 0 and 'is in both' in r.stderr, r.stderr
    print(out(evaluate.summary, merged), end='')
    print(f'ok: {n} runs merged from {len(files)} files equal {fn}')

if __name__ == '__main__':
    main(sys.argv[1])
