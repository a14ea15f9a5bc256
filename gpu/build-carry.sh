#!/usr/bin/env bash
# build-carry.sh — builds the bundle that travels to the GPU machine (which has no Java and no network):
#   .carry/jre.tar.xz   a jlinked Java runtime (Temurin 25 if installed, else the default JDK)
#   .carry/app/*.jar    our module jars + runtime dependencies (JCuda jars with their linux-x86_64 natives;
#                       the natives jar is slimmed to the four libraries we load)
#   .carry/MANIFEST     what is inside, with sizes
# The fatbins of our kernels are resources inside app/kernels-*.jar. .carry/ is git-ignored; pass it to the
# device run as carry [".carry"] and run gpu/device-check.sh there.
# Usage: gpu/build-carry.sh        (from the repository root or anywhere inside it)
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$root"
C=.carry
JDK=${JDK:-}
if [ -z "$JDK" ]; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/jlink ]; then JDK=/usr/lib/jvm/temurin-25-jdk-amd64
  else JDK=$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")"); fi
fi
rm -rf "$C"; mkdir -p "$C/app"

echo "== building jars (tests skipped; run them separately)"
# the device check (arm.bench.DeviceCheckMain, arm.bench.GpuAcceptance) lives in benchmarks, which
# depends on every other module: its runtime dependencies are the whole stack
mvn -q -DskipTests -pl benchmarks -am package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$root/$C/app"
cp arm/target/arm-*.jar benchmarks/target/benchmarks-*.jar "$C/app/"
rm -f "$C"/app/*-tests.jar "$C"/app/*-sources.jar
ls "$C/app"

echo "== slimming the JCuda natives jar to the libraries we load"
python3 - "$C/app" <<'PY'
import sys, zipfile, os, glob
keep = ("libJCudaDriver-", "libJCudaRuntime-")
for j in glob.glob(os.path.join(sys.argv[1], "jcuda-natives-*.jar")):
    tmp = j + ".tmp"
    with zipfile.ZipFile(j) as zi, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zo:
        for it in zi.infolist():
            name = os.path.basename(it.filename)
            if it.filename.startswith("lib/") and name and not name.startswith(keep):
                continue
            zo.writestr(it, zi.read(it.filename))
    os.replace(tmp, j)
    print("  ", os.path.basename(j), os.path.getsize(j) // 1024, "KiB")
PY

echo "== jlink from $JDK"
# the rest from jdeps over the jars as modules (java.sql, which Jackson can use, pulls java.xml: +7 MiB, left out)
mods=java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector,jdk.jfr
extra=$("$JDK/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps \
          --module-path "$C/app" --add-modules ALL-MODULE-PATH 2>/dev/null | tail -1 || true)
if [[ "$extra" =~ ^[a-z0-9.,]+$ ]]; then mods="$mods,$extra"; else echo "   (jdeps said: $extra; using the fixed list)"; fi
# java.desktop (~14 MiB more compressed) serves the plots (JFreeChart) and the JPEG decoding of MiniImageNet,
# neither of which the device check uses; the working tree that travels is limited to 64 MiB in all
mods=$(echo "$mods" | tr ',' '\n' | grep -vx 'java.desktop' | awk 'NF && !s[$0]++' | paste -sd,)
echo "   modules: $mods"
ver=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
compress=--compress=2; [ "${ver%%.*}" -ge 21 ] && compress=--compress=zip-9
rm -rf /tmp/arm-carry-jre
"$JDK/bin/jlink" --add-modules "$mods" --strip-debug --no-header-files --no-man-pages $compress --output /tmp/arm-carry-jre
/tmp/arm-carry-jre/bin/java -version 2>&1 | head -1
tar -C /tmp -cf - arm-carry-jre | xz -9e -T2 > "$C/jre.tar.xz"

echo "== contents"
{ echo "built $(date -u +%FT%TZ) from $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty') with $JDK"; ls -l "$C" "$C/app"; } > "$C/MANIFEST"
du -sh "$C" "$C/jre.tar.xz" "$C/app"
total=$(du -sb "$C" | cut -f1)
tree=$(git ls-files -z | du -cb --files0-from=- | tail -1 | cut -f1)
echo "total $((total / 1048576)) MiB, with the tracked files $(((total + tree) / 1048576)) MiB (limit 64)"
[ $((total + tree)) -lt $((62 * 1048576)) ] || { echo "carry too large for the 64 MiB the device run takes"; exit 1; }

echo "== smoke test: the carried runtime runs the info stage here"
/tmp/arm-carry-jre/bin/java --add-modules jdk.incubator.vector -cp "$C/app/*" arm.bench.DeviceCheckMain info
