#!/usr/bin/env python3
"""OpenBLAS SGEMM (through numpy) at the shapes of arm.bench.GemmBench, single-threaded.

Usage: OPENBLAS_NUM_THREADS=1 python3 openblas_gemm.py [--seconds S] SHAPE...
A SHAPE is MxKxN:ab with a, b in {n, t} saying whether A / B are stored transposed, the names
GemmBench uses (e.g. 10x784x400:nt is x·Wᵀ). Prints one line per shape: "SHAPE GFLOPS".
The run is the median of several timed rounds, each long enough for the timer.
"""
import argparse
import ctypes
import glob
import os
import statistics
import sys
import time

import numpy as np


def blas_info():
    """Which OpenBLAS and which kernel ('core') it runs, from threadpoolctl or the library."""
    try:
        import threadpoolctl
        for lib in threadpoolctl.threadpool_info():
            if lib.get("internal_api") == "openblas":
                return (f"{lib.get('version')} core {lib.get('architecture')} "
                        f"threads {lib.get('num_threads')} (threadpoolctl)")
    except ImportError:
        pass
    here = os.path.dirname(np.__file__)
    for path in glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*.so*")) + \
            glob.glob(os.path.join(here, "..", "scipy_openblas*", "lib", "*.so*")):
        lib = ctypes.CDLL(path)
        for prefix in ("scipy_openblas_", "openblas_"):
            for suffix in ("64_", ""):
                get_core = getattr(lib, prefix + "get_corename" + suffix, None)
                get_config = getattr(lib, prefix + "get_config" + suffix, None)
                if get_core and get_config:
                    get_core.restype = ctypes.c_char_p
                    get_config.restype = ctypes.c_char_p
                    return (f"{get_config().decode()} core {get_core().decode()} "
                            f"(threadpoolctl not installed; asked the library)")
    return "unknown (no threadpoolctl, no OpenBLAS symbols found)"


def parse(shape):
    dims, _, trans = shape.partition(":")
    m, k, n = (int(x) for x in dims.split("x"))
    trans = trans or "nn"
    return m, k, n, trans[0] == "t", trans[1] == "t"


def gflops(shape, seconds, rounds=5):
    m, k, n, ta, tb = parse(shape)
    rng = np.random.default_rng(42)
    # Stored layouts as in GemmBench: A is K×M when transposed, B is N×K when transposed.
    a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
    opa, opb = (a.T if ta else a), (b.T if tb else b)  # views: BLAS gets the transpose flags
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(opa, opb, out=c)
    reps = 1
    while True:  # calibrate so that one round lasts seconds / rounds
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(opa, opb, out=c)
        dt = time.perf_counter() - t0
        if dt > seconds / rounds / 4:
            break
        reps *= 4
    reps = max(1, int(reps * (seconds / rounds) / dt))
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(opa, opb, out=c)
        dt = time.perf_counter() - t0
        rates.append(2.0 * m * n * k * reps / dt / 1e9)
    return statistics.median(rates)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=5.0, help="measured time per shape")
    p.add_argument("shapes", nargs="+")
    args = p.parse_args()
    print(f"# numpy {np.__version__}, OpenBLAS {blas_info()}", flush=True)
    print(f"# OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')} "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE')}", flush=True)
    for s in args.shapes:
        print(f"{s} {gflops(s, args.seconds):.2f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
