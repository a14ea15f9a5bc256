"""Offline stand-in for the `quadprog` package, with its solve_qp interface.

    solve_qp(G, a, C, b, meq=0) -> (x, value, x_unconstrained, iterations, lagrangian, active)
    minimises 1/2 x^T G x - a^T x subject to C^T x >= b (the first meq rows as equalities)

GEM calls it with t <= tasks - 1 variables and C = I. This solver enumerates the active sets
(2^t of them), solves each equality-constrained KKT system with numpy and returns the one that is
primal and dual feasible: exact for a strictly convex program, and only meant for small t.
"""
import itertools

import numpy as np


def solve_qp(G, a, C=None, b=None, meq=0, factorized=False):
    G = np.asarray(G, dtype=float)
    a = np.asarray(a, dtype=float)
    n = a.shape[0]
    C = np.zeros((n, 0)) if C is None else np.asarray(C, dtype=float)
    b = np.zeros(C.shape[1]) if b is None else np.asarray(b, dtype=float)
    m = C.shape[1]
    x_free = np.linalg.solve(G, a)
    best = None
    for k in range(m - meq + 1):
        for rest in itertools.combinations(range(meq, m), k):
            act = list(range(meq)) + list(rest)
            Ca = C[:, act]
            kkt = np.block([[G, -Ca], [Ca.T, np.zeros((len(act), len(act)))]])
            rhs = np.concatenate([a, b[act]])
            try:
                sol = np.linalg.solve(kkt, rhs)
            except np.linalg.LinAlgError:
                continue
            x, lam = sol[:n], sol[n:]
            if np.any(C.T @ x < b - 1e-9) or np.any(lam[meq:] < -1e-12):
                continue
            value = 0.5 * x @ G @ x - a @ x
            if best is None or value < best[1] - 1e-15:
                full = np.zeros(m)
                full[act] = lam
                best = (x, value, x_free, np.array([1, 0]), full, np.array(act) + 1)
    if best is None:
        raise ValueError("constraints are inconsistent, no solution")
    return best
