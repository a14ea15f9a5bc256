#!/usr/bin/env python3
"""OpenBLAS SGEMM through numpy at the shapes of arm.bench.GemmBench, and the comparison table.

  OPENBLAS_NUM_THREADS=1 python3 openblas_gemm.py [--rounds 5] [--seconds 1] [--json OUT] SHAPE...
      times numpy.matmul (one OpenBLAS sgemm call, no copies) per shape: one warm-up round, then
      ROUNDS rounds of about SECONDS each, like a JMH fork with -wi 1 -i ROUNDS -r SECONDS.
  python3 openblas_gemm.py --table JMH.json OPENBLAS.json
      prints shape | ours GFLOP/s (path) | OpenBLAS GFLOP/s | ratio, by wall time and by CPU time,
      and the geometric mean ratios. CPU time needs JMH's -prof arm.bench.CpuTimeProfiler; on a
      loaded machine it is the figure to trust (wall time counts waiting for a core).

A SHAPE is MxKxN:ab, a and b in {n, t} telling whether A and B are stored transposed (GemmBench's
names; 10x784x400:nt is x·Wᵀ). numpy gets the transposes as views, so BLAS sees the flags.
"""
import argparse
import ctypes
import glob
import json
import math
import os
import statistics
import sys
import time


def blas_info():
    """Which OpenBLAS numpy runs and which kernel ('core') it chose for this CPU."""
    try:
        import threadpoolctl
        for lib in threadpoolctl.threadpool_info():
            if lib.get("internal_api") == "openblas":
                return (f"OpenBLAS {lib.get('version')}, core {lib.get('architecture')}, "
                        f"{lib.get('num_threads')} thread(s) (threadpoolctl)")
    except ImportError:
        pass
    import numpy as np
    here = os.path.dirname(np.__file__)
    paths = glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*.so*")) + \
        glob.glob(os.path.join(here, "..", "scipy_openblas*", "lib", "*.so*"))
    for path in paths:
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_{}64_", "openblas_get_{}64_", "openblas_get_{}"):
            core = getattr(lib, name.format("corename"), None)
            config = getattr(lib, name.format("config"), None)
            threads = getattr(lib, name.format("num_threads"), None)
            if core and config:
                core.restype = config.restype = ctypes.c_char_p
                n = threads() if threads else "?"
                return (f"{config().decode()}, core {core().decode()}, {n} thread(s) "
                        f"(threadpoolctl not installed: asked the library)")
    return "unknown (no threadpoolctl, no OpenBLAS symbols found)"


def parse(shape):
    dims, _, trans = shape.partition(":")
    m, k, n = (int(x) for x in dims.split("x"))
    trans = trans or "nn"
    return m, k, n, trans[0] == "t", trans[1] == "t"


def measure(shape, rounds, seconds):
    """GFLOP/s of each timed round, by wall time and by process CPU time."""
    import numpy as np
    m, k, n, ta, tb = parse(shape)
    rng = np.random.default_rng(42)
    a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
    opa, opb = (a.T if ta else a), (b.T if tb else b)
    c = np.empty((m, n), dtype=np.float32)
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:  # warm-up round, also sizes the timed rounds
        np.matmul(opa, opb, out=c)
        reps += 1
    reps = max(1, int(reps * seconds / (time.perf_counter() - t0)))
    rates, cpu_rates = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(reps):
            np.matmul(opa, opb, out=c)
        rates.append(2.0 * m * n * k * reps / (time.perf_counter() - t0) / 1e9)
        cpu_rates.append(2.0 * m * n * k * reps / (time.process_time() - c0) / 1e9)
    return rates, cpu_rates


def run(args):
    import numpy as np
    info = {"numpy": np.__version__, "blas": blas_info(),
            "env": {v: os.environ.get(v) for v in
                    ("OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
            "results": {}, "cpu_results": {}}
    print(f"# numpy {info['numpy']}, {info['blas']}", flush=True)
    print(f"# {' '.join(f'{k}={v}' for k, v in info['env'].items())}", flush=True)
    for s in args.shapes:
        rates, cpu_rates = measure(s, args.rounds, args.seconds)
        info["results"][s] = rates
        info["cpu_results"][s] = cpu_rates
        print(f"{s:18s} median {statistics.median(rates):7.2f}  best {max(rates):7.2f}  "
              f"by CPU time {statistics.median(cpu_rates):7.2f} GFLOP/s", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(info, f, indent=1)


def geomean(xs):
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")


def table(jmh_file, blas_file):
    """Wall time: JMH mean vs numpy median. CPU time: CpuTimeProfiler mean vs numpy median."""
    with open(jmh_file) as f:
        jmh = json.load(f)
    with open(blas_file) as f:
        blas = json.load(f)
    rows = []
    for r in jmh:
        shape, path = r["params"]["shape"], r["params"]["path"]
        if shape not in blas["results"]:
            continue
        m, k, n, _, _ = parse(shape)
        flop = 2.0 * m * n * k  # scores are µs per call: GFLOP/s = flop / µs / 1e3
        ours = flop / r["primaryMetric"]["score"] / 1e3
        cpu = r.get("secondaryMetrics", {}).get("cpu")
        ours_cpu = flop / cpu["score"] / 1e3 if cpu else float("nan")
        ob = statistics.median(blas["results"][shape])
        ob_cpu = statistics.median(blas["cpu_results"][shape])
        rows.append((shape, path, ours, ob, ours_cpu, ob_cpu))
    print()
    print("| shape M×K×N:ab | ours GFLOP/s (path) | OpenBLAS GFLOP/s | ratio "
          "| ours, CPU time | OpenBLAS, CPU time | ratio, CPU time |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for shape, path, ours, ob, ours_cpu, ob_cpu in rows:
        print(f"| {shape} | {ours:.1f} ({path}) | {ob:.1f} | {ours / ob:.2f} "
              f"| {ours_cpu:.1f} | {ob_cpu:.1f} | {ours_cpu / ob_cpu:.2f} |")
    for path in sorted({r[1] for r in rows}):
        sel = [r for r in rows if r[1] == path]
        print(f"\ngeometric mean ratio ours ({path}) / OpenBLAS over {len(sel)} shapes: "
              f"{geomean([r[2] / r[3] for r in sel]):.2f} by wall time, "
              f"{geomean([r[4] / r[5] for r in sel]):.2f} by CPU time")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=1.0, help="length of one round")
    p.add_argument("--json", help="write the per-round rates here")
    p.add_argument("--table", nargs=2, metavar=("JMH_JSON", "OPENBLAS_JSON"))
    p.add_argument("shapes", nargs="*")
    args = p.parse_args()
    if args.table:
        table(*args.table)
    else:
        run(args)


if __name__ == "__main__":
    sys.exit(main())
