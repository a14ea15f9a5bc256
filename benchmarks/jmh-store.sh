#!/usr/bin/env bash
# Runs a chosen set of JMH benchmarks and stores the result with the machine it ran on, so that
# machines and commits can be compared later (benchmarks/jmh-compare.py A.json B.json).
#
#   benchmarks/jmh-store.sh 'GemmBench.gemm$' -p path=simd -p shape=10x784x400:nt -wi 3 -i 5
#   benchmarks/jmh-store.sh ResNetBench -p mode=train -p threads=1
#   NAME=gemm-small DEST=/tmp benchmarks/jmh-store.sh 'GemmBench.gemm$' ...
#
# Every argument goes to JMH (benchmarks.jar, whose forks size their heaps from this machine's
# memory, see arm.bench.BenchMain); -rf json, the result file and the CPU-time profiler
# (arm.bench.CpuTimeProfiler: ·cpu next to the wall score) are added. Writes
# $DEST/<UTC time>-<commit>-<NAME>.json (DEST default docs/benchmarks, NAME default the first
# argument's letters) holding:
#   machine   CPU model, cores, SIMD flags, memory, kernel, load average before and after
#   jdk       java.version, vendor, VM, the java binary
#   commit    git HEAD and whether the tree had uncommitted changes
#   command   the JMH arguments
#   jmh       JMH's own JSON result (a list, one entry per benchmark and parameter set)
# JDK: the newest Temurin 25 under /usr/lib/jvm when there is one (the Vector API kernels need
# 25 for full speed), else java on PATH; $JAVA overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
(($#)) || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }

if [[ -z "${JAVA:-}" ]]; then
  JAVA=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | sort -V | tail -n 1)
  JAVA=${JAVA:+$JAVA/bin/java}
  JAVA=${JAVA:-java}
fi
JAR=benchmarks/target/benchmarks.jar
[[ -f $JAR ]] || ./mvnw -q -DskipTests package -pl benchmarks -am
DEST=${DEST:-docs/benchmarks}
NAME=${NAME:-$(printf '%s' "$1" | tr -c 'A-Za-z0-9.' '-' | sed 's/-*$//')}
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
dirty=false
git diff --quiet HEAD 2>/dev/null || dirty=true
mkdir -p "$DEST"
out="$DEST/$(date -u +%Y%m%dT%H%M%SZ)-${commit:0:7}-$NAME.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo -)
"$JAVA" -jar "$JAR" "$@" -prof arm.bench.CpuTimeProfiler -rf json -rff "$tmp/jmh.json" \
  | tee "$tmp/jmh.log"
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo -)
"$JAVA" -XshowSettings:properties -version > "$tmp/jdk.txt" 2>&1 || true

python3 - "$tmp/jmh.json" "$tmp/jdk.txt" "$out" "$JAVA" "$commit" "$dirty" \
  "$load_before" "$load_after" "$@" <<'EOF'
import json, os, platform, re, sys
jmh, jdk_txt, out, java, commit, dirty, lb, la, *cmd = sys.argv[1:]
cpu = {}
try:
    info = open("/proc/cpuinfo").read()
    cpu["model"] = re.search(r"model name\s*:\s*(.*)", info).group(1).strip()
    flags = set(re.search(r"flags\s*:\s*(.*)", info).group(1).split())
    cpu["simd"] = sorted(f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512vl", "avx512bw",
                                     "avx512_bf16", "avx512_vnni", "amx_tile") if f in flags)
except (OSError, AttributeError):
    cpu["model"] = platform.processor() or "unknown"
cpu["cores"] = os.cpu_count()
mem = None
try:
    mem = int(re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read()).group(1)) // 1024
except (OSError, AttributeError):
    pass
props = dict(re.findall(r"^\s+(java\.\w[\w.]*) = (.*)$", open(jdk_txt).read(), re.M))
doc = {
    "machine": {"cpu": cpu, "memory_mb": mem, "kernel": platform.release(), "os": platform.system(),
                "load_average_before": lb, "load_average_after": la},
    "jdk": {"java": java, "version": props.get("java.version"), "vendor": props.get("java.vendor"),
            "vm": props.get("java.vm.name"), "vm_version": props.get("java.vm.version")},
    "commit": {"sha": commit, "uncommitted_changes": dirty == "true"},
    "command": cmd,
    "jmh": json.load(open(jmh)),
}
with open(out, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print(f"# stored {out}")
EOF
