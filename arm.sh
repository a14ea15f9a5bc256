#!/usr/bin/env bash
# Launcher for the ARM command line (arm/target/arm.jar, main class arm.cli.Main).
#
#   ./arm.sh reproduce mnist [--methods Naive,Stationary,Distill,ADI,ARM] [--runs 5] [--data DIR] [--out DIR]
#   ./arm.sh train --method ARM [--M 20 --lr 0.05 ...]
#   ./arm.sh plot DIR             redraw a results folder's figures and report.md (no training)
#   ./arm.sh fetch mnist          download MNIST into data/mnist and verify it
#   ./arm.sh generate cifar10|miniimagenet --out DIR   a dataset in that layout from MNIST digits
#   ./arm.sh --help
#
# It finds the newest JDK (17 or newer; the Vector API runs ~2.5x faster on JDK 25 than on 17),
# builds the jar with ./mvnw when it is missing or older than the sources, fetches MNIST when an
# MNIST command needs it (no --data given, data/mnist incomplete; never for CIFAR10 or MiniImageNet,
# also when resuming their folders; also for generate, whose default source is MNIST), and starts the JVM with --add-modules jdk.incubator.vector.
# Environment: JAVA=/path/to/java forces a JVM; ARM_JAVA_OPTS adds JVM options (e.g. -Xmx8g).
set -euo pipefail

ROOT="${BASH_SOURCE[0]}"
if [[ "$ROOT" == */* ]]; then ROOT="${ROOT%/*}"; else ROOT=.; fi
ROOT="$(cd "${ROOT:-/}" && pwd)"
JAR="$ROOT/arm/target/arm.jar"

die() { echo "arm: $*" >&2; exit 2; }

# java_major JAVA [REAL]: sets JMAJOR to the major version of a java binary (17, 25, ...), from its
# JDK's release file or from -version; REAL is the binary's resolved path when the caller has it.
# Bash built-ins only, but for that readlink (each forked tool costs ~5-10 ms on a busy machine, and
# the launcher checks five java binaries before the JVM starts).
java_major() {
  local home v="" line
  home="${2:-$(readlink -f "$1")}"
  home="${home%/*}"
  home="${home%/*}"
  if [[ -f "$home/release" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      if [[ "$line" =~ ^JAVA_VERSION=\"([0-9]*) ]]; then v="${BASH_REMATCH[1]}"; fi
    done < "$home/release"
  else
    v="$("$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
  fi
  JMAJOR="${v:-0}"
}

# The newest JDK (17 or newer) among /usr/lib/jvm/*, java on PATH and JAVA_HOME; Temurin first on
# ties. Sets JAVA_BIN, its resolved path JAVA_REAL and its major version JAVA_V (no subshell: the
# cache below reuses them, and all candidates are resolved by one readlink).
pick_java() {
  local best="" best_real="" best_v=0 c v i
  if [[ -n "${JAVA:-}" ]]; then
    [[ -x "$JAVA" ]] || die "JAVA=$JAVA is not an executable file"
    JAVA_REAL="$(readlink -f "$JAVA")"
    java_major "$JAVA" "$JAVA_REAL"
    (( JMAJOR >= 17 )) || die "no JDK 17 or newer found: JAVA=$JAVA is JDK $JMAJOR"
    JAVA_BIN="$JAVA" JAVA_V="$JMAJOR"
    return
  fi
  local candidates=(/usr/lib/jvm/temurin-*/bin/java /usr/lib/jvm/*/bin/java) found=() reals=()
  c="$(command -v java 2>/dev/null || true)"
  if [[ -n "$c" ]]; then candidates+=("$c"); fi
  if [[ -n "${JAVA_HOME:-}" ]]; then candidates+=("$JAVA_HOME/bin/java"); fi
  for c in "${candidates[@]}"; do if [[ -x "$c" ]]; then found+=("$c"); fi; done
  if (( ${#found[@]} > 0 )); then mapfile -t reals < <(readlink -f "${found[@]}"); fi
  local seen=" " real
  for i in "${!found[@]}"; do
    c="${found[$i]}"
    # one line per existing file; should that ever not hold, one readlink per candidate
    if (( ${#reals[@]} == ${#found[@]} )); then real="${reals[$i]}"; else real="$(readlink -f "$c")"; fi
    # the same JDK under several names (java-17-openjdk-amd64, java-1.17.0-openjdk-amd64, /usr/bin/java)
    [[ "$seen" != *" $real "* ]] || continue
    seen+="$real "
    java_major "$c" "$real"
    v="$JMAJOR"
    if (( v > best_v )); then best="$c"; best_real="$real"; best_v="$v"; fi
  done
  (( best_v >= 17 )) || die "no JDK 17 or newer found (looked in /usr/lib/jvm, PATH, JAVA_HOME; newest: ${best:-none}${best:+, JDK $best_v}); install one (e.g. apt-get install openjdk-17-jdk) or set JAVA=/path/to/bin/java"
  JAVA_BIN="$best" JAVA_REAL="$best_real" JAVA_V="$best_v"
}

# The commit the checkout is at ("" outside a git checkout): the jar records the commit it was
# built from (results.json's provenance), so a checkout that moved to another commit rebuilds.
head_commit() { git -C "$ROOT" rev-parse HEAD 2>/dev/null || true; }

# Builds the jar with the chosen JDK when it is missing, older than the sources, or built at
# another commit.
build_if_needed() {
  local stamp="$JAR.commit" built=""
  if [[ -f "$stamp" ]]; then { IFS= read -r built || true; } < "$stamp"; fi
  # the modules' target folders (thousands of build and benchmark outputs) are not searched
  if [[ -f "$JAR" ]] && [[ "$(head_commit)" == "$built" ]] \
      && [[ -z "$(find "$ROOT" \( -path "$ROOT/data" -o -path "$ROOT/.git" \
      -o \( -name target -path "$ROOT/*" ! -path '*/src/*' \) \) -prune -o \
      \( -path '*/src/main/*' -o -name pom.xml \) -newer "$JAR" -print -quit)" ]]; then
    return
  fi
  echo "arm: building $JAR ..." >&2
  local home="${JAVA_HOME:-}" current
  current="${home:+$home/bin/java}"
  current="${current:-$(command -v java 2>/dev/null || true)}"
  # Maven runs on JAVA_HOME or the java on PATH; when that is missing or older than 17, on ours.
  if [[ -z "$current" || ! -x "$current" ]] || { java_major "$current"; (( JMAJOR < 17 )); }; then
    home="$(dirname "$(dirname "$(readlink -f "$1")")")"
  fi
  (cd "$ROOT" && JAVA_HOME="$home" ./mvnw -q -DskipTests package -pl arm -am) \
    || { echo "arm: build failed (./mvnw -q -DskipTests package -pl arm -am)" >&2; exit 1; }
  head_commit > "$JAR.commit"
}

has_mnist() {
  local dir="$ROOT/data/mnist" f
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [[ -f "$dir/$f" || -f "$dir/$f.gz" || -f "$dir/MNIST/raw/$f" || -f "$dir/MNIST/raw/$f.gz" ]] || return 1
  done
}

# A string field of a results folder's config ("benchmark", "data"), read from DIR/results.json.
resumed_field() {
  [[ -f "$1/results.json" ]] || return 0
  sed -n 's/.*"'"$2"'" *: *"\([^"]*\)".*/\1/p' "$1/results.json" 2>/dev/null | head -n 1
}

# The methods a resumed folder's results.json names ("methods": ["Naive", "ER-50"]), comma-separated.
resumed_methods() {
  [[ -f "$1/results.json" ]] || return 0
  sed -n 's/.*"methods" *: *\[\([^]]*\)\].*/\1/p' "$1/results.json" 2>/dev/null | head -n 1 | tr -d '" '
}

# What a command works on, as four tab-separated fields BENCHMARK, DATA, FROM, METHODS: BENCHMARK is
# mnist, cifar10, miniimagenet or - (a command that reads no data: help, version, plot, or one the
# CLI will refuse); DATA is the data folder named by --data (FROM = option) or recorded in a resumed
# folder's results.json (FROM = resume), or - for the default one; METHODS the methods named by
# train's --method, reproduce's --methods or the resumed folder, comma-separated, or - (the
# default: reproduce's list, or none given).
workload() {
  local cmd="${1:-}" bench=- data=- from=- methods=- prev="" a
  # generate: MNIST is its source unless --source noise; --mnist DIR names the user's own copy
  if [[ "$cmd" == generate ]]; then
    bench=mnist
    for a in "$@"; do
      case "$prev" in --source) [[ "${a,,}" == noise ]] && bench=- ;; --mnist) data="$a"; from=mnist ;; esac
      case "$a" in
        -h|--help|-V|--version) printf -- '-\t-\t-\t-\n'; return ;;
        --source=*) [[ "${a#--source=}" == noise ]] && bench=- ;;
        --mnist=*) data="${a#--mnist=}"; from=mnist ;;
      esac
      prev="$a"
    done
    printf '%s\t%s\t%s\t-\n' "$bench" "$data" "$from"
    return
  fi
  [[ "$cmd" == reproduce || "$cmd" == train ]] || { printf -- '-\t-\t-\t-\n'; return; }
  shift
  [[ "$cmd" == train ]] && bench=mnist
  for a in "$@"; do
    case "$prev" in
      --dataset) bench="${a,,}" ;;
      --data) data="$a"; from=option ;;
      --resume) bench="$(resumed_field "$a" benchmark)"; data="$(resumed_field "$a" data)"; from=resume
        methods="$(resumed_methods "$a")" ;;
      --method|--methods) methods="$a" ;;
    esac
    case "$a" in
      -h|--help|-V|--version) printf -- '-\t-\t-\t-\n'; return ;;
      --dataset=*) bench="${a#--dataset=}"; bench="${bench,,}" ;;
      --data=*) data="${a#--data=}"; from=option ;;
      --resume=*) bench="$(resumed_field "${a#--resume=}" benchmark)"; data="$(resumed_field "${a#--resume=}" data)"; from=resume
        methods="$(resumed_methods "${a#--resume=}")" ;;
      --method=*|--methods=*) methods="${a#*=}" ;;
    esac
    # reproduce's BENCHMARK: the positional argument, wherever it stands (not a folder's name)
    if [[ "$cmd" == reproduce && "$prev" != --data && "$prev" != --out && "$prev" != --resume ]]; then
      case "${a,,}" in mnist|cifar10|miniimagenet) bench="${a,,}" ;; esac
    fi
    prev="$a"
  done
  printf '%s\t%s\t%s\t%s\n' "${bench:--}" "${data:--}" "$from" "${methods:--}"
}

# Whether every method of a comma-separated list takes plain small steps: Naive, Stationary,
# Distill and ER (a batch of 10, or 10 + 10 recalled: megabytes of temporaries per step, recycled).
# An empty list (-) is not plain: reproduce's default list holds ARM and ADI.
plain_methods() {
  local m
  [[ -n "$1" && "$1" != - ]] || return 1
  for m in ${1//,/ }; do
    case "${m,,}" in naive|stationary|distill|er|er-[0-9]*) ;; *) return 1 ;; esac
  done
}

# ./arm.sh fetch mnist
if [[ "${1:-}" == fetch ]]; then
  [[ "${2:-}" == mnist && $# -eq 2 ]] || die "usage: ./arm.sh fetch mnist"
  exec "$ROOT/scripts/fetch-mnist.sh"
fi

IFS=$'\t' read -r BENCH DATA FROM METHODS <<< "$(workload "$@")"
# A --data folder that is not there: say so before anything is built or fetched.
if [[ "$FROM" == option && ! -d "$DATA" ]]; then
  if [[ -e "$DATA" ]]; then die "data folder $DATA is not a folder"; fi
  die "data folder $DATA does not exist"
fi
pick_java
# MNIST in the default data folder: fetch it first if it is not there (never for CIFAR10 or
# MiniImageNet, whose archives are downloaded by hand, nor into a folder of the user's).
if [[ "$BENCH" == mnist && ( "$DATA" == - || "$DATA" == "$ROOT/data/mnist" ) ]] && ! has_mnist; then
  echo "arm: MNIST not found in $ROOT/data/mnist; fetching it" >&2
  "$ROOT/scripts/fetch-mnist.sh"
fi
build_if_needed "$JAVA_BIN"

# Heap: half the machine's memory, between 1 and 16 GiB, unless ARM_JAVA_OPTS sets one.
XMX=()
if [[ "${ARM_JAVA_OPTS:-}" != *-Xmx* ]]; then
  mem_mb=""
  if [[ -r /proc/meminfo ]]; then
    while read -r key kb _; do
      if [[ "$key" == MemTotal: && "$kb" =~ ^[0-9]+$ ]]; then mem_mb=$(( kb / 1024 )); break; fi
    done < /proc/meminfo
  fi
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
# with NewRatio=1). But ResNets trained by plain methods only (Naive, Stationary, Distill, ER: batches
# of 10 or 20 images in recycled arrays, evaluation batches of 100): 1 GB when the heap has room.
# Half the heap would only be touched page by page: a full-length CIFAR10 Naive run spent 27 s of
# system time in first-touch faults and peaked at 7.8 GB resident, against 10.6 s and 2.7 GB with
# 1 GB, the same results (docs/BENCHMARKS.md, plain ResNet training). A resumed command's benchmark
# and methods are read from its results.json.
# `reproduce mnist` (many runs, two at a time, in one JVM): 1 GB when the heap has room. The young
# generation's pages are faulted in once per JVM, but each collection copies what is live then (a
# run's weight-sized gradients, the evaluation's 1000-image batches: a few MB per run, 2 runs) to a
# survivor space or the old generation, whose pages are new every time (it only grows: no full
# collection in a 12 GB heap). With 256 MB the 35 runs of the MNIST table took ~670 collections,
# 11 s of pauses and 1M page faults (3.5 GB promoted); with 1 GB 150, 3.3 s and 600k.
if [[ "${ARM_JAVA_OPTS:-}" != *-Xmn* && "${ARM_JAVA_OPTS:-}" != *NewRatio* && "${ARM_JAVA_OPTS:-}" != *NewSize* ]]; then
  if [[ "$BENCH" == cifar10 || "$BENCH" == miniimagenet ]] && plain_methods "$METHODS" \
      && [[ -n "${heap:-}" ]] && (( heap >= 4096 )); then XMX+=("-Xmn1g")
  elif [[ "$BENCH" == cifar10 || "$BENCH" == miniimagenet ]]; then XMX+=("-XX:NewRatio=1")
  elif [[ "$BENCH" == mnist && "${1:-}" == reproduce && -n "${heap:-}" ]] && (( heap >= 4096 )); then XMX+=("-Xmn1g")
  else XMX+=("-Xmn256m"); fi
fi
# JIT options (compile thresholds of the SIMD kernels, and why): arm/jit.args, one list for every
# command that wants them (java @arm/jit.args), and arm/jit-mnist.args for MNIST workloads only.
JIT=("@$ROOT/arm/jit.args")
if [[ "$BENCH" == mnist ]]; then JIT+=("@$ROOT/arm/jit-mnist.args"); fi
# JVM class cache, one per jar build and JDK, next to the jar (arm/target/arm.jar.jdk<N>-<id>.aot or
# .jsa): JDK 25 and newer keep an ahead-of-time cache (JEP 514/515: the classes loaded and linked,
# and method profiles, so the JIT compiles the kernels sooner); JDK 17 to 24 a dynamic class-data
# sharing archive (the classes). It is recorded once, before the first MNIST command that finds
# none, by a short training run in its own JVM (its output in arm/target/jvm-cache.log), and
# removed when the jar is rebuilt. The results never depend on it. ARM_JVM_CACHE=off runs without.
# The collector: ParallelGC (throughput; no write barriers on the tensors' arrays), unless
# ARM_JAVA_OPTS names one (two collectors are refused by the JVM).
GC=(-XX:+UseParallelGC)
if [[ "${ARM_JAVA_OPTS:-}" =~ -XX:\+Use[A-Za-z0-9]*GC( |$) ]]; then GC=(); fi
# Transparent huge pages, where the kernel offers them (THP "always" or "madvise"; with "never" the
# JVM would print a warning): the heap's pages come 2 MB at a time. For one MNIST run (train) the
# first touches of the young generation and of the 47 MB training images fault ~3x less often
# (150k -> 50k minor faults per run); the first iteration starts ~0.25 s sooner. For CIFAR10 and
# MiniImageNet (train and reproduce) the kernels' activations, weights and packs span fewer TLB
# entries: a steady CIFAR10 Naive step takes ~7 % less time and whole full-length Naive runs 3-14 %
# less (median 8 %), in four alternating pairs (docs/BENCHMARKS.md, "Plain ResNet training and
# evaluation against the authors' code"); MiniImageNet and ARM's ResNet runs use the same kernels
# and were not timed apart. The same results either way. For `reproduce mnist` (many runs in one
# JVM) the difference was not separable, so they are not used there.
THP=()
if [[ ( ( "$BENCH" == mnist && "${1:-}" == train ) || "$BENCH" == cifar10 || "$BENCH" == miniimagenet ) \
    && "${ARM_JAVA_OPTS:-}" != *TransparentHugePages* ]]; then
  thp_mode=""
  if [[ -r /sys/kernel/mm/transparent_hugepage/enabled ]]; then
    { read -r thp_mode || true; } < /sys/kernel/mm/transparent_hugepage/enabled
  fi
  if [[ "$thp_mode" == *"[always]"* || "$thp_mode" == *"[madvise]"* ]]; then THP=(-XX:+UseTransparentHugePages); fi
fi
CACHE_OPTS=()
jvm_cache() {
  [[ "${ARM_JVM_CACHE:-on}" != off ]] || return 0
  [[ "${ARM_JAVA_OPTS:-}" != *AOTCache* && "${ARM_JAVA_OPTS:-}" != *SharedArchiveFile* \
    && "${ARM_JAVA_OPTS:-}" != *Xshare* && "${ARM_JAVA_OPTS:-}" != *ArchiveClassesAtExit* ]] || return 0
  local major id cache tmp use rec quiet
  major="$JAVA_V"
  # the JDK's binary and its release file (an update in place gets a cache of its own)
  local real home
  real="$JAVA_REAL"
  home="${real%/*}"
  home="${home%/*}"
  id="$( { printf '%s\n' "$real"; cat "$home/release" 2>/dev/null || true; } | cksum)"
  id="${id%% *}"
  if (( major >= 25 )); then
    cache="$JAR.jdk$major-$id.aot"; use=-XX:AOTCache; rec=-XX:AOTCacheOutput; quiet=("-Xlog:aot*=off" "-Xlog:cds*=off")
  else
    cache="$JAR.jdk$major-$id.jsa"; use=-XX:SharedArchiveFile; rec=-XX:ArchiveClassesAtExit; quiet=("-Xlog:cds*=off")
  fi
  local f
  for f in "$JAR".jdk*.aot "$JAR".jdk*.jsa; do # any JDK's cache of an older build
    if [[ -f "$f" && "$f" -ot "$JAR" ]]; then rm -f "$f"; fi
  done
  if [[ ! -f "$cache" && "$BENCH" == mnist ]] && has_mnist; then
    echo "arm: recording the JVM's class cache for this build and JDK $major (once, ~15 s; ARM_JVM_CACHE=off skips it)" >&2
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/arm-jvm-cache.XXXXXX")"
    # A short MNIST run (ARM, 150 images per class: 150 iterations, 120 of them recalling) on the same
    # options as the command, but ARM_JAVA_OPTS, which may change what the cache must match.
    if "$JAVA_BIN" --add-modules jdk.incubator.vector "${XMX[@]}" ${GC[@]+"${GC[@]}"} "${JIT[@]}" "${quiet[@]}" \
        "$rec=$tmp/cache" -Darm.home="$ROOT" -Darm.tty=false -jar "$JAR" train --method ARM \
        --samples-per-class 150 --gradient-samples 0 --no-figures --data "$ROOT/data/mnist" \
        --out "$tmp/run" > "$ROOT/arm/target/jvm-cache.log" 2>&1 && [[ -s "$tmp/cache" ]]; then
      mv -f "$tmp/cache" "$cache"
    else
      echo "arm: no class cache (see $ROOT/arm/target/jvm-cache.log); running without it" >&2
    fi
    rm -rf "$tmp"
  fi
  if [[ -f "$cache" ]]; then CACHE_OPTS=("$use=$cache" "${quiet[@]}"); fi
}
jvm_cache

TTY=false
if [[ -t 2 ]]; then TTY=true; fi

# shellcheck disable=SC2086 # ARM_JAVA_OPTS is a list of options
exec "$JAVA_BIN" --add-modules jdk.incubator.vector "${XMX[@]}" ${GC[@]+"${GC[@]}"} ${THP[@]+"${THP[@]}"} "${JIT[@]}" ${CACHE_OPTS[@]+"${CACHE_OPTS[@]}"} \
  -Darm.home="$ROOT" -Darm.tty="$TTY" ${ARM_JAVA_OPTS:-} -jar "$JAR" "$@"
