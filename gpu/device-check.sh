#!/usr/bin/env bash
# gpu/device-check.sh — the one prepared run on the GPU machine: checks and times the Java GPU stack
# (carried JRE + JCuda + natives adapted at run time to cuBLAS 13 / cuDNN 9 from the machine's Python
# site-packages + our fatbin kernels), then times PyTorch on the same card. Builds nothing there.
# Then the acceptance measurements (arm.bench.GpuAcceptance): per-phase CUDA-event profile of one ARM
# iteration (launches and host waits counted), iteration time with dedup on and off, two same-seed ResNet
# runs bit for bit, PyTorch's iteration on the same card, a whole CIFAR10-shaped ARM run (4,750
# iterations; its pace is printed every 250 if it is cut short), and in the time left: dedup off and fast
# (non-deterministic cuDNN) profiles, Naive/Distill/ADI/ER against the CPU, CUDA graphs (-Darm.graphs=true:
# profile, iteration parity, determinism, iteration times; -Darm.graphs=reuse: iteration times), a JFR
# recording of the iteration, TF32.
# Budget: one device run of at most 10 minutes (DEADLINE_S 560 leaves the tool's margin).
#
# Prepare here:   gpu/build-carry.sh          (writes the git-ignored .carry/, ~34 MiB)
# Run there:      bash gpu/device-check.sh    with carry [".carry"]
# Results:        $OUT/device-check.log (everything), $OUT/stages.tgz (one .out per stage), a table at the end,
#                 last line "N passed, N failed".
# Environment overrides: CARRY_DIR (.carry), DEADLINE_S (560), MAIN_CLASS, EXTRA_LIB_ROOTS, SKIP_TORCH=1,
#                        SKIP_RUN=1 (no whole run), RUN_S (the whole run's limit in seconds), RUN_JVM (its JVM
#                        options; default -Darm.graphs=true, empty for eager steps).

set -u -o pipefail
T0=$(date +%s)
cd "$(dirname "$0")/.." || exit 2
CARRY_DIR=${CARRY_DIR:-.carry}
MAIN_CLASS=${MAIN_CLASS:-arm.bench.DeviceCheckMain}
DEADLINE_S=${DEADLINE_S:-560}
EXTRA_LIB_ROOTS=${EXTRA_LIB_ROOTS:-}
RES=${OUT:-/tmp/device-check-out}
mkdir -p "$RES"
LOG=$RES/device-check.log
exec > >(tee "$LOG") 2>&1
WORK=$(mktemp -d /tmp/devcheck.XXXXXX)
PASS=0; FAIL=0; SKIP=0; STAGES=()
el()   { echo $(( $(date +%s) - T0 )); }
left() { echo $(( DEADLINE_S - $(el) )); }
step() { echo; echo "===== [$(el)s] $*"; }
ok()   { PASS=$((PASS+1)); echo "CHECK PASS: $*"; }
ko()   { FAIL=$((FAIL+1)); echo "CHECK FAIL: $*"; }
sk()   { SKIP=$((SKIP+1)); echo "CHECK SKIP: $*"; }
tmo()  { local want=$1; shift; local l=$(( $(left) - 15 )); (( l < 5 )) && { echo "(no time left for: $*)"; return 124; }
         (( want > l )) && want=$l; timeout --kill-after=5 "$want" "$@"; }

# ---------------------------------------------------------------- 1. machine, GPU, driver, python
step "1. machine / GPU / driver"
uname -srm; (. /etc/os-release 2>/dev/null && echo "OS: $PRETTY_NAME"); ldd --version 2>/dev/null | head -1
if command -v nvidia-smi >/dev/null; then
  tmo 30 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv && ok "nvidia-smi answers" || ko "nvidia-smi failed"
else ko "nvidia-smi not on PATH"; fi
command -v nvcc >/dev/null && nvcc --version | tail -1
PY=""
for p in python3 python /usr/bin/python3 /opt/conda/bin/python /usr/local/bin/python3; do
  command -v "$p" >/dev/null 2>&1 || continue
  if "$p" -c 'import torch' 2>/dev/null; then PY=$(command -v "$p"); break; fi
  [ -z "$PY" ] && PY=$(command -v "$p")
done
echo "python: ${PY:-none}"
if [ -n "$PY" ]; then
  tmo 90 "$PY" - <<'PYEOF' || echo "(torch probe failed; not fatal)"
import importlib.metadata as md
for p in ("torch", "nvidia-cublas", "nvidia-cublas-cu13", "nvidia-cudnn-cu13", "nvidia-cuda-runtime"):
    try: print(f"  pip {p}=={md.version(p)}")
    except Exception: pass
try:
    import torch
    print("  torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(),
          "device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "NONE")
except Exception as e: print("  torch import failed:", e)
PYEOF
fi

# ---------------------------------------------------------------- 2. Java runtime
step "2. Java runtime (carried)"
JAVA=""
if [ -f "$CARRY_DIR/jre.tar.xz" ]; then
  mkdir -p "$WORK/jre"
  if tar -C "$WORK/jre" -xJf "$CARRY_DIR/jre.tar.xz" 2>/dev/null \
     || { [ -n "$PY" ] && "$PY" -c 'import sys,tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$CARRY_DIR/jre.tar.xz" "$WORK/jre"; }; then
    JAVA=$(find "$WORK/jre" -path '*/bin/java' -type f | head -1)
  fi
fi
[ -z "$JAVA" ] && command -v java >/dev/null && { echo "no carried JRE; using system java"; JAVA=$(command -v java); }
if [ -n "$JAVA" ] && "$JAVA" -version; then ok "java runs ($JAVA)"; else ko "no runnable java (carried JRE missing or broken)"; JAVA=""; fi
ls "$CARRY_DIR/app" 2>/dev/null | tr '\n' ' '; echo

# ---------------------------------------------------------------- 3. find cuBLAS 13 / cuDNN 9 / driver
step "3. locate CUDA libraries (python site-packages first)"
ROOTS=()
if [ -n "$PY" ]; then
  while IFS= read -r d; do [ -d "$d/nvidia" ] && ROOTS+=("$d/nvidia"); done < <("$PY" -c 'import site,sys; print("\n".join(site.getsitepackages()+[site.getusersitepackages()]+sys.path))' 2>/dev/null | sort -u)
fi
for d in $EXTRA_LIB_ROOTS /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && ROOTS+=("$d"); done
(( ${#ROOTS[@]} )) || ROOTS=(/nonexistent)
printf '  search root: %s\n' "${ROOTS[@]}"
declare -A LIB
for n in libcublas.so.13 libcublasLt.so.13 libcudart.so.13 libnvrtc.so.13 libnvJitLink.so.13 \
         libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9 libcudnn_adv.so.9 \
         libcudnn_heuristic.so.9 libcudnn_engines_precompiled.so.9 libcudnn_engines_runtime_compiled.so.9; do
  p=$(find "${ROOTS[@]}" -maxdepth 4 -name "$n" \( -type f -o -type l \) 2>/dev/null | head -1)
  LIB[$n]=$p; printf '  %-42s %s\n' "$n" "${p:-NOT FOUND}"
done
LIBCUDA=$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 .*x86-64/{print $NF; exit}')
[ -z "$LIBCUDA" ] && LIBCUDA=$(find $EXTRA_LIB_ROOTS /usr/local/nvidia /usr/lib/x86_64-linux-gnu /usr/lib64 -maxdepth 3 -name libcuda.so.1 2>/dev/null | head -1)
echo "  libcuda.so.1 -> ${LIBCUDA:-NOT FOUND}"
[ -n "${LIB[libcublas.so.13]}" ] && ok "libcublas.so.13 found" || ko "libcublas.so.13 not found"
[ -n "${LIB[libcudnn.so.9]}" ]   && ok "libcudnn.so.9 found"   || ko "libcudnn.so.9 not found"
[ -n "$LIBCUDA" ] && ok "libcuda.so.1 found" || ko "libcuda.so.1 not found"
LDP=""
for p in "${LIB[@]}"; do [ -n "$p" ] && LDP="$LDP:$(dirname "$p")"; done
[ -n "$LIBCUDA" ] && LDP="$LDP:$(dirname "$LIBCUDA")"
LDP=$(echo "$LDP" | tr ':' '\n' | awk 'NF && !s[$0]++' | paste -sd:)
export LD_LIBRARY_PATH="$LDP${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "  LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

# ---------------------------------------------------------------- Java stage runner (one JVM per stage)
mkdir -p "$WORK/jtmp"
JOPTS=(-Xmx16g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC
       -XX:ErrorFile="$WORK/hs_err_%p.log" -Djava.io.tmpdir="$WORK/jtmp" -Darm.cuda.cache="$WORK/cache")
EXTRA=()          # JVM options a successful retry found necessary; later stages inherit them
EXTRA_ENV=()      # environment (e.g. LD_PRELOAD) likewise
export NVIDIA_TF32_OVERRIDE=0   # FP32 checks must not silently run in TF32
export CUDNN_LOGERR_DBG=1 CUDNN_LOGDEST_DBG=stderr
ACCEPT_CLASS=arm.bench.GpuAcceptance
stage() {  # name timeout [jvm options...]; output in $WORK/<name>.out; STAGE_MAIN/STAGE_ARGS override class/args
  local name=$1 t=$2; shift 2
  local arg=${name%%-*} main=${STAGE_MAIN:-$MAIN_CLASS}
  local -a args=("$arg"); [ -n "${STAGE_ARGS:-}" ] && read -r -a args <<< "$STAGE_ARGS"
  [ -n "$JAVA" ] || { sk "stage $name: no java"; return 1; }
  local l=$(( $(left) - 15 )); (( t > l )) && t=$l
  (( t < 5 )) && { sk "stage $name: no time left"; return 1; }
  echo "--- stage $name (timeout ${t}s) ${EXTRA[*]} $* ${EXTRA_ENV[*]}"
  timeout -s KILL "$t" env "${EXTRA_ENV[@]}" "$JAVA" "${JOPTS[@]}" "${EXTRA[@]}" "$@" -cp "$CARRY_DIR/app/*" "$main" "${args[@]}" > "$WORK/$name.out" 2>&1
  local rc=$?
  cat "$WORK/$name.out"; cp "$WORK/$name.out" "$RES/" 2>/dev/null
  if   grep -q 'Could not find or load main class' "$WORK/$name.out"; then ko "stage $name: $main not in $CARRY_DIR/app"
  elif grep -q 'symbol lookup error' "$WORK/$name.out"; then ko "stage $name: JVM killed by the dynamic loader (rc=$rc): $(grep -o 'undefined symbol: [^ ,]*' "$WORK/$name.out" | head -1)"
  elif (( rc == 0 )); then ok "stage $name"
  elif (( rc == 137 || rc == 124 )); then ko "stage $name: timed out/killed after ${t}s"
  else ko "stage $name: rc=$rc ($(grep -m1 '^FAIL' "$WORK/$name.out" | cut -c1-160))"; fi
  STAGES+=("$name=$([ $rc = 0 ] && echo PASS || echo FAIL)")
  return $rc
}

# ---------------------------------------------------------------- 4. natives + ELF checks against the real libraries
step "4. adapt the JCuda natives; ELF checks against the libraries found"
stage info 60
stage natives 60
NATIVES_DIR=$(awk '/^NATIVES_DIR /{print $2}' "$WORK/natives.out" 2>/dev/null | tail -1)
echo "NATIVES_DIR=${NATIVES_DIR:-none}"
cat > "$WORK/elfsyms.py" <<'PYEOF'
import struct, sys
def parse(path):
    d = open(path, 'rb').read()
    shoff, = struct.unpack_from('<Q', d, 0x28); shentsize, shnum = struct.unpack_from('<HH', d, 0x3A)
    sh = [struct.unpack_from('<IIQQQQIIQQ', d, shoff + i*shentsize) for i in range(shnum)]
    def cstr(off): e = d.index(b'\0', off); return d[off:e].decode()
    und, dfn, verdef, verneed = set(), set(), [], []
    for (nm, typ, fl, ad, off, size, link, info, al, es) in sh:
        stro = sh[link][4]
        if typ == 11:
            for i in range(1, size // 24):
                st_name, st_info, st_other, st_shndx, st_value, st_size = struct.unpack_from('<IBBHQQ', d, off + 24*i)
                if not st_name: continue
                n = cstr(stro + st_name)
                (und if st_shndx == 0 else dfn).add(n) if (st_info >> 4) in (1, 2) else None
        elif typ == 0x6ffffffd:
            o = off
            for _ in range(info):
                vd_ver, vd_flags, vd_ndx, vd_cnt, vd_hash, vd_aux, vd_next = struct.unpack_from('<HHHHIII', d, o)
                verdef.append(cstr(stro + struct.unpack_from('<I', d, o + vd_aux)[0]))
                if not vd_next: break
                o += vd_next
        elif typ == 0x6ffffffe:
            o = off
            for _ in range(info):
                vn_ver, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from('<HHIII', d, o)
                a = o + vn_aux
                for _ in range(vn_cnt):
                    h, fl2, oth, nmo, nx = struct.unpack_from('<IHHII', d, a)
                    verneed.append(f"{cstr(stro+vn_file)}:{cstr(stro+nmo)}{'(WEAK)' if fl2 & 2 else ''}")
                    if not nx: break
                    a += nx
                if not vn_next: break
                o += vn_next
    return und, dfn, verdef, verneed
mode = sys.argv[1]
if mode == 'info':
    for p in sys.argv[2:]:
        u, f, vd, vn = parse(p)
        print(f"  {p}\n    verdef: {', '.join(vd[:6]) or '-'}\n    verneed (non-glibc): {', '.join(x for x in vn if 'GLIBC' not in x and 'CXXABI' not in x) or '-'}")
elif mode == 'missing':
    prefixes = tuple(sys.argv[2].split(','))
    need = {s for s in parse(sys.argv[3])[0] if s.startswith(prefixes)}
    have = set().union(*[parse(p)[1] for p in sys.argv[4:]]) if len(sys.argv) > 4 else set()
    miss = sorted(need - have)
    print(f"  {len(need)} needed, {len(miss)} missing: {' '.join(miss[:60]) if miss else '-'}")
    open(sys.argv[0] + '.missing', 'w').write('\n'.join(miss) + '\n')
PYEOF
# what our backend calls (CudaDevice, Blas, Dnn); a missing one would kill the JVM when called
MUST_DNN="cudnnCreate cudnnSetStream cudnnGetVersion cudnnGetErrorString cudnnCreateTensorDescriptor cudnnSetTensor4dDescriptor cudnnCreateFilterDescriptor cudnnSetFilter4dDescriptor cudnnCreateConvolutionDescriptor cudnnSetConvolution2dDescriptor cudnnSetConvolutionMathType cudnnGetConvolutionForwardAlgorithm_v7 cudnnGetConvolutionBackwardDataAlgorithm_v7 cudnnGetConvolutionBackwardFilterAlgorithm_v7 cudnnGetConvolutionForwardWorkspaceSize cudnnGetConvolutionBackwardDataWorkspaceSize cudnnGetConvolutionBackwardFilterWorkspaceSize cudnnConvolutionForward cudnnConvolutionBackwardData cudnnConvolutionBackwardFilter cudnnDeriveBNTensorDescriptor cudnnBatchNormalizationForwardTraining cudnnBatchNormalizationForwardInference cudnnBatchNormalizationBackward cudnnCreatePoolingDescriptor cudnnSetPooling2dDescriptor cudnnPoolingForward cudnnPoolingBackward"
MUST_BLAS="cublasCreate_v2 cublasSetStream_v2 cublasSetMathMode cublasGetVersion_v2 cublasSgemm_v2"
if [ -n "$PY" ] && [ -n "${NATIVES_DIR:-}" ]; then
  NAT_RT=$NATIVES_DIR/libJCudaRuntime-12.6.0-linux-x86_64.so
  NAT_DRV=$NATIVES_DIR/libJCudaDriver-12.6.0-linux-x86_64.so
  NAT_BLAS=$NATIVES_DIR/libJCublas2-12.6.0-linux-x86_64.so
  NAT_DNN=$NATIVES_DIR/libJCudnn-12.6.0-linux-x86_64.so
  ls -la "$NATIVES_DIR"
  "$PY" "$WORK/elfsyms.py" info ${LIB[libcublas.so.13]:+"${LIB[libcublas.so.13]}"} ${LIB[libcudnn.so.9]:+"${LIB[libcudnn.so.9]}"} \
        ${LIB[libcudnn_ops.so.9]:+"${LIB[libcudnn_ops.so.9]}"} $(ls "$NAT_BLAS" "$NAT_DNN" 2>/dev/null) || true
  check_missing() {  # label prefixes consumer must_list providers...
    local label=$1 pre=$2 cons=$3 must=$4; shift 4
    [ -f "$cons" ] || { ko "$label: $cons missing"; return; }
    for p in "$@"; do [ -n "$p" ] || { sk "$label: provider library not found"; return; }; done
    echo "  $label:"; tmo 60 "$PY" "$WORK/elfsyms.py" missing "$pre" "$cons" "$@"
    { echo "## $label"; cat "$WORK/elfsyms.py.missing"; } >> "$RES/missing-symbols.txt"
    local bad=""; for s in $must; do grep -qx "$s" "$WORK/elfsyms.py.missing" && bad="$bad $s"; done
    [ -z "$bad" ] && ok "$label: every function our backend calls is exported" || ko "$label: MISSING:$bad"
  }
  check_missing "JCublas2 vs libcublas.so.13" cublas "$NAT_BLAS" "$MUST_BLAS" "${LIB[libcublas.so.13]}"
  check_missing "JCudnn vs libcudnn.so.9 (shim only)" cudnn "$NAT_DNN" "$MUST_DNN" "${LIB[libcudnn.so.9]}"
  check_missing "JCudaDriver vs libcuda.so.1" cu "$NAT_DRV" "cuInit cuModuleLoadData cuModuleGetFunction cuLaunchKernel cuDevicePrimaryCtxRetain cuStreamCreate cuMemsetD32Async cuMemcpyDtoDAsync_v2 cuEventCreate cuEventRecord cuEventElapsedTime cuStreamBeginCapture_v2 cuStreamEndCapture cuGraphInstantiateWithFlags cuGraphLaunch" "$LIBCUDA"
  for f in "$NAT_RT" "$NAT_DRV" "$NAT_BLAS" "$NAT_DNN"; do   # the loader itself, lazily like the JVM (RTLD_LAZY = 1)
    [ -f "$f" ] || continue
    if tmo 60 "$PY" -c 'import ctypes,sys
libc=ctypes.CDLL(None); libc.dlopen.restype=ctypes.c_void_p; libc.dlopen.argtypes=[ctypes.c_char_p,ctypes.c_int]; libc.dlerror.restype=ctypes.c_char_p
h=libc.dlopen(sys.argv[1].encode(),1)
sys.exit(0) if h else sys.exit(print(libc.dlerror().decode()) or 1)' "$f"; then ok "dlopen(RTLD_LAZY) $(basename "$f")"
    else ko "dlopen $(basename "$f")"; fi
  done
else sk "ELF checks skipped (no python or no natives dir)"; fi

# ---------------------------------------------------------------- 5. Java stages
step "5. Java stages ($MAIN_CLASS), one JVM each"
stage runtime 60
stage driver 90
if ! stage cublas 90; then
  echo "retrying cublas with the renamed imports made unversioned (-Darm.cuda.elf.unversion=true)"
  stage cublas-unversioned 90 -Darm.cuda.elf.unversion=true -Darm.cuda.cache="$WORK/cache-unversioned" \
    && EXTRA+=(-Darm.cuda.elf.unversion=true -Darm.cuda.cache="$WORK/cache-unversioned")
fi
if ! stage cudnn 120; then
  DNN_OK=0
  if [ -n "${LIB[libcudnn_ops.so.9]}" ]; then
    PRE="${LIB[libcudnn_graph.so.9]}:${LIB[libcudnn_ops.so.9]}:${LIB[libcudnn_cnn.so.9]}"
    echo "retrying cudnn with the cuDNN sub-libraries preloaded"
    EXTRA_ENV=(LD_PRELOAD="$PRE")
    if stage cudnn-preload 120; then DNN_OK=1; else EXTRA_ENV=(); fi
  fi
  if (( DNN_OK == 0 )); then
    echo "retrying cudnn with unversioned imports"
    stage cudnn-unversioned 120 -Darm.cuda.elf.unversion=true -Darm.cuda.cache="$WORK/cache-unversioned" \
      && EXTRA+=(-Darm.cuda.elf.unversion=true -Darm.cuda.cache="$WORK/cache-unversioned")
  fi
fi
stage parity 150
stage iteration 120
stage bench 150

# ---------------------------------------------------------------- 5b. acceptance measurements
step "5b. acceptance: profile, iteration time dedup on/off, determinism ($ACCEPT_CLASS)"
astage() { STAGE_MAIN=$ACCEPT_CLASS STAGE_ARGS="$2" stage "$1" "$3" "${@:4}"; }  # name "args" timeout [jvm options]
tstage() { STAGE_MAIN=arm.bench.ArmIterationTiming STAGE_ARGS="$2" stage "$1" "$3" "${@:4}"; }  # the same for ArmIterationTiming
astage profile "profile cuda" 90
astage dedup "dedup cuda" 120
astage determinism "determinism cuda" 120

# ---------------------------------------------------------------- 6. PyTorch on the same card
step "6. PyTorch: the same ARM iteration and kernels (benchmarks/pytorch_arm_iter.py)"
if [ "${SKIP_TORCH:-0}" = 1 ] || [ -z "$PY" ]; then sk "PyTorch timing (skipped or no python)"
else
  t=$(( $(left) - 15 )); (( t > 150 )) && t=150
  if (( t < 20 )); then sk "PyTorch timing: no time left"
  elif env -u NVIDIA_TF32_OVERRIDE timeout --kill-after=5 "$t" "$PY" benchmarks/pytorch_arm_iter.py > "$WORK/torch.out" 2>&1
  then ok "PyTorch ARM iteration ran"; else ko "PyTorch script failed or timed out (rc=$?)"; fi
  cat "$WORK/torch.out"; cp "$WORK/torch.out" "$RES/"
fi

# ---------------------------------------------------------------- 6b. the whole run
# at most RUN_S seconds (default: all but 25 s of what is left); its RUN lines give the pace if it is cut short
step "6b. a whole CIFAR10-shaped ARM run"
if [ "${SKIP_RUN:-0}" != 1 ]; then
  rs=$(( $(left) - 25 )); [ -n "${RUN_S:-}" ] && (( RUN_S < rs )) && rs=$RUN_S
  astage run "run cuda 4750" "$rs" ${RUN_JVM--Darm.graphs=true}
fi

# ---------------------------------------------------------------- 6c. the rest, in the time left
step "6c. dedup off and fast mode profiles, other methods against the CPU, CUDA graphs (-Darm.graphs=true)"
astage profile-nodedup "profile cuda dedup=off" 90
astage profile-fast "profile cuda" 90 -Darm.cuda.deterministic=false
astage profile-graphs "profile cuda" 90 -Darm.graphs=true
stage iteration-graphs 120 -Darm.graphs=true
astage determinism-graphs "determinism cuda" 120 -Darm.graphs=true
astage methods "methods cuda" 150
tstage mnist-eager "cuda mnist 3 20" 60
tstage mnist-graphs "cuda mnist 3 20" 60 -Darm.graphs=true
tstage cifar-graphs "cuda cifar10 2 5" 90 -Darm.graphs=true
# graphs reused across iterations (fixed inputs; a cache of up to 4 keys, one per U; steps A and B
# captured too) beside the graph captured per refinement above
tstage cifar-graphs-reuse "cuda cifar10 2 5" 90 -Darm.graphs=reuse
# the same on the MLP, and the per-phase profile with reused graphs (step A and B replays, host waits)
tstage mnist-graphs-reuse "cuda mnist 3 20" 60 -Darm.graphs=reuse
astage profile-graphs-reuse "profile cuda" 90 -Darm.graphs=reuse
tstage cifar-graphs-nodedup "cuda cifar10 2 5 dedup=off" 90 -Darm.graphs=true
# where the host's time goes in the iteration (JFR, read here with `jfr print` / `jfr summary`)
tstage cifar-jfr "cuda cifar10 2 10" 60 -XX:StartFlightRecording=filename="$RES/cifar.jfr",settings=profile
# TF32 timings of ours, if there is time (PyTorch's default lets cuDNN use TF32)
if (( $(left) > 60 )); then
  unset NVIDIA_TF32_OVERRIDE
  stage bench-tf32 90 -Darm.cuda.tf32=true
  export NVIDIA_TF32_OVERRIDE=0
fi

# ---------------------------------------------------------------- 7. summary
step "7. summary"
for f in "$WORK"/hs_err_*.log; do [ -f "$f" ] && cat "$f" >> "$RES/hs_err_all.log"; done
if grep -q '^CHECK FAIL: stage \(cublas\|cudnn\)' "$LOG" && [ -n "${NATIVES_DIR:-}" ]; then mkdir -p "$RES/natives"; cp "$NATIVES_DIR"/*.so "$RES/natives/" 2>/dev/null; fi
echo "card: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
echo "stages: ${STAGES[*]}"
grep -h '^  \(FAIL\|PASS\) ' "$WORK/parity.out" 2>/dev/null | grep -c '^  PASS' | xargs -I{} echo "parity cases passed: {}"
grep -h '^  FAIL ' "$WORK/parity.out" 2>/dev/null | head -20
printf '%-60s %14s %s\n' "timing (median)" "value" "unit"
for f in bench bench-tf32; do
  [ -f "$WORK/$f.out" ] && grep '^BENCH ' "$WORK/$f.out" | sed "s/^BENCH /ours${f#bench} /"
done | awk '{u=$NF; v=$(NF-1); $NF=""; $(NF-1)=""; printf "%-60s %14s %s\n", $0, v, u}'
[ -f "$WORK/torch.out" ] && grep '^TORCH ' "$WORK/torch.out" | sed 's/^TORCH /torch /' \
  | awk '{u=$NF; v=$(NF-1); $NF=""; $(NF-1)=""; printf "%-60s %14s %s\n", $0, v, u}'
grep -h '^SKIP ' "$WORK"/bench*.out 2>/dev/null
val() { grep -h "$2" "$1" 2>/dev/null | head -1 | awk '{print $(NF-1)}'; }
cmp_line() {  # label ours torch (ms, lower is better)
  if [ -n "$2" ] && [ -n "$3" ]; then awk -v l="$1" -v a="$2" -v b="$3" 'BEGIN{printf "%-44s ours %10.2f ms   torch %10.2f ms   ours/torch %.2f\n", l, a, b, a/b}'
  else echo "$1: ours ${2:-n/a}, torch ${3:-n/a}"; fi
}
echo "--- same card, same call (FP32 unless marked):"
cmp_line "ARM iteration (CIFAR, N10 M100 S10)" "$(val "$WORK/bench.out" 'BENCH ARM iteration')" "$(val "$WORK/torch.out" 'TORCH ARM iteration.* fp32')"
cmp_line "ARM iteration, TF32 allowed" "$(val "$WORK/bench-tf32.out" 'BENCH ARM iteration')" "$(val "$WORK/torch.out" 'TORCH ARM iteration.*torch-default')"
cmp_line "ResNet18 convs fwd+bwd N=100" "$(val "$WORK/bench.out" 'BENCH ResNet18 convs')" "$(val "$WORK/torch.out" 'TORCH ResNet18 convs.* fp32')"
echo "--- per-phase profile of one ARM iteration (CUDA events; launches and host waits counted):"
for f in profile profile-nodedup profile-fast profile-graphs profile-graphs-reuse; do
  [ -f "$WORK/$f.out" ] && { echo "  [$f]"; grep '^PROFILE ' "$WORK/$f.out" | sed 's/^PROFILE /    /'; }
done
grep -h '^\(PASS\|FAIL\) ' "$WORK/determinism.out" "$WORK/determinism-graphs.out" "$WORK/methods.out" 2>/dev/null
echo "--- iteration times, eager and with CUDA graphs (ArmIterationTiming):"
for f in mnist-eager mnist-graphs mnist-graphs-reuse cifar-graphs cifar-graphs-reuse cifar-graphs-nodedup cifar-jfr; do
  [ -f "$WORK/$f.out" ] && grep -h ' iteration .* on cuda\|^graphs:' "$WORK/$f.out" | sed "s/^/  [$f] /"
done
ratio() {  # label torch_ms ours_ms goal: PyTorch / ours (how many times faster ours is)
  if [ -n "$2" ] && [ -n "$3" ]; then awk -v l="$1" -v t="$2" -v o="$3" -v g="$4" 'BEGIN{printf "%-52s torch %9.2f ms  ours %9.2f ms  speed-up %.2fx (goal >= %s)\n", l, t, o, t/o, g}'
  else echo "$1: torch ${2:-n/a}, ours ${3:-n/a}"; fi
}
TORCH_FP32=$(val "$WORK/torch.out" 'TORCH ARM iteration.* fp32'); TORCH_DEF=$(val "$WORK/torch.out" 'TORCH ARM iteration.*torch-default')
echo "--- acceptance ratios (PyTorch eager / ours, same card):"
ratio "ARM iteration, default options (dedup on) vs torch fp32" "$TORCH_FP32" "$(val "$WORK/dedup.out" 'dedup=on')" 4
ratio "ARM iteration, default options vs torch defaults" "$TORCH_DEF" "$(val "$WORK/dedup.out" 'dedup=on')" 4
ratio "ARM iteration, dedup off vs torch fp32" "$TORCH_FP32" "$(val "$WORK/dedup.out" 'dedup=off')" 1.5
grep -h '^RUN \|whole ARM run' "$WORK/run.out" 2>/dev/null | tail -2
echo "elapsed $(el)s (deadline ${DEADLINE_S}s); skipped checks: $SKIP"
echo "$PASS passed, $FAIL failed"
# the device tool returns at most 8 files: the stage outputs travel as one archive
(cd "$RES" && ls *.out >/dev/null 2>&1 && tar czf "$WORK/stages.tgz" *.out && rm -f *.out && mv "$WORK/stages.tgz" stages.tgz)
exit $(( FAIL > 0 ))
