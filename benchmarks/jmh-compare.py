#!/usr/bin/env python3
"""Compares JMH results stored by benchmarks/jmh-store.sh: one row per benchmark and parameter set
found in both files, with each side's score (and the ·cpu CPU time where the CPU-time profiler ran) and B / A.

Usage: python3 benchmarks/jmh-compare.py A.json B.json
"""
import json
import sys


def load(path):
    doc = json.load(open(path))
    rows = {}
    for r in doc["jmh"]:
        key = r["benchmark"].rsplit(".", 2)[-2:]
        key = ".".join(key) + " " + " ".join(f"{k}={v}" for k, v in sorted(r.get("params", {}).items()))
        pm = r["primaryMetric"]
        cpu = r.get("secondaryMetrics", {}).get("cpu", {}).get("score")
        rows[key] = (pm["score"], pm["scoreUnit"], cpu)
    return doc, rows


def describe(doc):
    m, j, c = doc["machine"], doc["jdk"], doc["commit"]
    return (f"{m['cpu'].get('model')} ({m['cpu'].get('cores')} cores, {','.join(m['cpu'].get('simd', []))}),"
            f" JDK {j.get('version')}, commit {c['sha'][:7]}{' (dirty)' if c['uncommitted_changes'] else ''},"
            f" load {m.get('load_average_before')}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    (da, a), (db, b) = load(sys.argv[1]), load(sys.argv[2])
    print(f"A: {describe(da)}\nB: {describe(db)}")
    print(f"{'benchmark':<60} {'A':>12} {'B':>12} {'B/A':>7} {'cpu B/A':>8}  unit")
    for key in a:
        if key not in b:
            continue
        (sa, unit, ca), (sb, _, cb) = a[key], b[key]
        cpu = f"{cb / ca:8.3f}" if ca and cb else f"{'-':>8}"
        print(f"{key:<60} {sa:12.4g} {sb:12.4g} {sb / sa:7.3f} {cpu}  {unit}")


if __name__ == "__main__":
    main()
