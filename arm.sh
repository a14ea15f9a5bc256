#!/usr/bin/env bash
# Launcher for the ARM command line (arm/target/arm.jar, main class arm.cli.Main).
#
#   ./arm.sh reproduce mnist [--methods Naive,Stationary,Distill,ADI,ARM] [--runs 5] [--data DIR] [--out DIR]
#   ./arm.sh train --method ARM [--M 20 --lr 0.05 ...]
#   ./arm.sh plot DIR             redraw a results folder's figures and report.md (no training)
#   ./arm.sh fetch mnist          download MNIST into data/mnist and verify it
#   ./arm.sh --help
#
# It builds the jar with ./mvnw when it is missing or older than the sources, fetches MNIST when a
# run needs it and no --data was given, and starts the newest JDK it finds (the Vector API runs
# ~2.5x faster on JDK 25 than on 17) with --add-modules jdk.incubator.vector.
# Environment: JAVA=/path/to/java forces a JVM; ARM_JAVA_OPTS adds JVM options (e.g. -Xmx8g).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$ROOT/arm/target/arm.jar"

die() { echo "arm: $*" >&2; exit 2; }

# Major version of a java binary (17, 25, ...), from its JDK's release file or from -version.
java_major() {
  local home v
  home="$(dirname "$(dirname "$(readlink -f "$1")")")"
  if [[ -f "$home/release" ]]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")"
  else
    v="$("$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
  fi
  echo "${v:-0}"
}

# The newest JDK (17 or newer) among /usr/lib/jvm/*, java on PATH and JAVA_HOME; Temurin first on ties.
pick_java() {
  if [[ -n "${JAVA:-}" ]]; then echo "$JAVA"; return; fi
  local best="" best_v=0 c v
  local candidates=(/usr/lib/jvm/temurin-*/bin/java /usr/lib/jvm/*/bin/java)
  if command -v java >/dev/null 2>&1; then candidates+=("$(command -v java)"); fi
  if [[ -n "${JAVA_HOME:-}" ]]; then candidates+=("$JAVA_HOME/bin/java"); fi
  for c in "${candidates[@]}"; do
    [[ -x "$c" ]] || continue
    v="$(java_major "$c")"
    if (( v > best_v )); then best="$c"; best_v="$v"; fi
  done
  (( best_v >= 17 )) || die "no JDK 17 or newer found (looked in /usr/lib/jvm, PATH, JAVA_HOME)"
  echo "$best"
}

build_if_needed() {
  if [[ -f "$JAR" ]] && [[ -z "$(find "$ROOT" \( -path "$ROOT/data" -o -path "$ROOT/.git" \) -prune -o \
      \( -path '*/src/main/*' -o -name pom.xml \) -newer "$JAR" -print -quit)" ]]; then
    return
  fi
  echo "arm: building $JAR ..." >&2
  (cd "$ROOT" && ./mvnw -q -DskipTests package -pl arm -am) || { echo "arm: build failed" >&2; exit 1; }
}

has_mnist() {
  local dir="$ROOT/data/mnist" f
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [[ -f "$dir/$f" || -f "$dir/$f.gz" || -f "$dir/MNIST/raw/$f" || -f "$dir/MNIST/raw/$f.gz" ]] || return 1
  done
}

# ./arm.sh fetch mnist
if [[ "${1:-}" == fetch ]]; then
  [[ "${2:-}" == mnist && $# -eq 2 ]] || die "usage: ./arm.sh fetch mnist"
  exec "$ROOT/scripts/fetch-mnist.sh"
fi

# A run on the default data folder: fetch MNIST first if it is not there.
if [[ "${1:-}" == reproduce || "${1:-}" == train ]]; then
  own_data=0
  for a in "$@"; do
    case "$a" in
      --data|--data=*|-h|--help|-V|--version) own_data=1 ;;
    esac
  done
  if (( !own_data )) && ! has_mnist; then
    echo "arm: MNIST not found in $ROOT/data/mnist; fetching it" >&2
    "$ROOT/scripts/fetch-mnist.sh"
  fi
fi

build_if_needed
JAVA_BIN="$(pick_java)"

# Heap: half the machine's memory, between 1 and 16 GiB, unless ARM_JAVA_OPTS sets one.
XMX=()
if [[ "${ARM_JAVA_OPTS:-}" != *-Xmx* ]]; then
  mem_mb="$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo 2>/dev/null || true)"
  heap=$(( ${mem_mb:-4096} / 2 ))
  (( heap < 1024 )) && heap=1024
  (( heap > 16384 )) && heap=16384
  XMX=("-Xmx${heap}m")
fi
# Young generation, by workload (unless ARM_JAVA_OPTS sizes it). MNIST: a fixed 256 MB. Every page
# of the young generation is zeroed by the kernel the first time it is touched; with a young
# generation of gigabytes an ARM MNIST run (~10 GB of short-lived tensors) spends ~2.3 s of system
# time in page faults (640k faults), with 256 MB ~0.7 s, and young collections stay rare (~1 ms
# each, one per ~10 iterations). ResNets (CIFAR10, MiniImageNet): half the heap, since an
# iteration allocates ~100 MB of temporaries per layer; with the default third they get promoted
# and collected as old objects (CIFAR ARM iteration, one thread, quiet: 17.3 s default, 14.6 s
# with NewRatio=1). A resumed command's benchmark is read from its results.json.
resnet_workload() {
  local a prev=""
  for a in "$@"; do
    case "$a" in # reproduce BENCHMARK, train --dataset NAME / --dataset=NAME
      cifar10|miniimagenet|--dataset=cifar10|--dataset=miniimagenet) return 0 ;;
    esac
    if [[ "$prev" == --resume ]] && grep -qsE '"(cifar10|miniimagenet)"' "$a/results.json"; then return 0; fi
    case "$a" in
      --resume=*) grep -qsE '"(cifar10|miniimagenet)"' "${a#--resume=}/results.json" && return 0 ;;
    esac
    prev="$a"
  done
  return 1
}
if [[ "${ARM_JAVA_OPTS:-}" != *-Xmn* && "${ARM_JAVA_OPTS:-}" != *NewRatio* && "${ARM_JAVA_OPTS:-}" != *NewSize* ]]; then
  if resnet_workload "$@"; then XMX+=("-XX:NewRatio=1"); else XMX+=("-Xmn256m"); fi
fi
TTY=false
if [[ -t 2 ]]; then TTY=true; fi

# shellcheck disable=SC2086 # ARM_JAVA_OPTS is a list of options
exec "$JAVA_BIN" --add-modules jdk.incubator.vector "${XMX[@]}" -XX:+UseParallelGC \
  -Darm.home="$ROOT" -Darm.tty="$TTY" ${ARM_JAVA_OPTS:-} -jar "$JAR" "$@"
