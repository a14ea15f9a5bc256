#!/usr/bin/env bash
# gpu/resume-check.sh — checkpoints and resume on the GPU (issue 7; docs/ROBUSTNESS.md): a short
# ARM run on CUDA (synthetic MNIST-format data, 2 runs × 30 iterations, checkpoints every 4) is done
# once without interruption, and once SIGKILLed several times at growing delays and continued with
# --resume each time; then the final checkpoints (f_cur, f_old) and results.json are compared.
# Prepare here: gpu/build-carry.sh. Run there: bash gpu/resume-check.sh, carry [".carry"]. DEVICE=cpu
# runs the same check on the CPU (e.g. here, to try the script).
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 2
C=${CARRY_DIR:-.carry}
W=$(mktemp -d /tmp/resume.XXXXXX)
RES=${OUT:-$W/out}; mkdir -p "$RES"
exec > >(tee "$RES/resume-check.log") 2>&1
PY=$(command -v python3 || command -v python)
mkdir -p "$W/jre"; tar -C "$W/jre" -xJf "$C/jre.tar.xz"; JAVA=$(find "$W/jre" -path '*/bin/java' -type f | head -1)
ROOTS=(); while IFS= read -r d; do [ -d "$d/nvidia" ] && ROOTS+=("$d/nvidia"); done < <("$PY" -c 'import site,sys; print("\n".join(site.getsitepackages()+sys.path))' | sort -u)
LDP=""; for n in libcublas.so.13 libcublasLt.so.13 libcudart.so.13 libnvrtc.so.13 libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9; do
  p=$(find "${ROOTS[@]}" -maxdepth 4 -name "$n" 2>/dev/null | head -1); [ -n "$p" ] && LDP="$LDP:$(dirname "$p")"; done
LIBCUDA=$(ldconfig -p | awk '/libcuda\.so\.1 .*x86-64/{print $NF; exit}'); [ -n "$LIBCUDA" ] && LDP="$LDP:$(dirname "$LIBCUDA")"
export LD_LIBRARY_PATH="${LDP#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" NVIDIA_TF32_OVERRIDE=0
J=("$JAVA" -Xmx8g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Darm.cuda.cache="$W/cache" -Darm.tty=false -cp "$C/app/*" arm.cli.Main)
# synthetic MNIST: 60 train and 5 test images per class, a random prototype per class plus noise
"$PY" - "$W/mnist" <<'PY'
import os, struct, sys, random
d = sys.argv[1]; os.makedirs(d, exist_ok=True); r = random.Random(1)
proto = [bytes(r.randrange(256) for _ in range(784)) for _ in range(10)]
for name, per in (("train", 300), ("t10k", 5)):
    labels = [c for i in range(per) for c in range(10)]
    px = bytearray()
    for c in labels: px += bytes(max(0, min(255, v + r.randrange(-40, 41))) for v in proto[c])
    open(f"{d}/{name}-images-idx3-ubyte", "wb").write(struct.pack(">iiii", 2051, len(labels), 28, 28) + px)
    open(f"{d}/{name}-labels-idx1-ubyte", "wb").write(struct.pack(">ii", 2049, len(labels)) + bytes(labels))
PY
ARGS=(train --method ARM --device "${DEVICE:-cuda}" --runs 2 --threads 1 --samples-per-class 250 --checkpoint-every 10
      --data "$W/mnist" --mlp_hidden 128 --S 10 --no-figures --gradient-samples 0)
echo "== uninterrupted"; T0=$(date +%s)
timeout 200 "${J[@]}" "${ARGS[@]}" --out "$W/base" > "$W/base.log" 2>&1; echo "rc=$? in $(( $(date +%s) - T0 )) s"; tail -8 "$W/base.log"
echo "== killed and resumed"
timeout -s KILL 5 "${J[@]}" "${ARGS[@]}" --out "$W/killed" > "$W/k0.log" 2>&1; echo "first: rc=$? (137 = SIGKILL)"
for d in 4 5 6; do
  timeout -s KILL $d "${J[@]}" train --resume "$W/killed" > "$W/k$d.log" 2>&1; echo "resume killed after ${d}s: rc=$?"
  ls "$W/killed/checkpoints" 2>/dev/null | tr '\n' ' '; echo
done
timeout 200 "${J[@]}" train --resume "$W/killed" > "$W/last.log" 2>&1; echo "final resume: rc=$?"; tail -4 "$W/last.log"
echo "== compare"
"$PY" - "$W/base" "$W/killed" <<'PY'
import json, struct, sys
def load(f):
    raw = open(f, "rb").read(); n = struct.unpack("<Q", raw[:8])[0]; h = json.loads(raw[8:8+n]); h.pop("__metadata__", None)
    return {k: raw[8+n+v["data_offsets"][0]: 8+n+v["data_offsets"][1]] for k, v in h.items()}
def strip(o):
    if isinstance(o, dict): return {k: strip(v) for k, v in o.items() if k not in ("seconds", "secondsPerRun", "started", "out", "resumed", "threads", "environment")}
    if isinstance(o, list): return [strip(v) for v in o]
    return o
ok = True
for r in (0, 1):
    a, b = load(f"{sys.argv[1]}/checkpoints/ARM-run{r}.safetensors"), load(f"{sys.argv[2]}/checkpoints/ARM-run{r}.safetensors")
    same = a.keys() == b.keys() and all(a[k] == b[k] for k in a)
    diff = [k for k in a if a[k] != b.get(k)]
    print(f"run {r}: {len(a)} tensors, bit-identical: {same}", "" if same else f"differ: {diff[:6]}")
    if not same:
        import numpy as np
        for k in diff[:6]:
            x = np.frombuffer(a[k], dtype="<f4") if k.startswith("f_") else np.frombuffer(a[k], dtype="<i8")
            y = np.frombuffer(b[k], dtype=x.dtype)
            print("  ", k, "max |diff|", float(np.max(np.abs(x.astype("f8") - y.astype("f8")))))
    ok &= same
ja, jb = strip(json.load(open(sys.argv[1] + "/results.json"))), strip(json.load(open(sys.argv[2] + "/results.json")))
print("results.json equal (timings aside):", ja == jb); ok &= ja == jb
print("RESUME CHECK", "PASS" if ok else "FAIL")
PY
cp "$W"/*.log "$RES/" 2>/dev/null; true
