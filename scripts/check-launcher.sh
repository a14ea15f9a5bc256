#!/usr/bin/env bash
# Checks arm.sh's choice of young generation per workload (resnet_workload) without starting a JVM:
# MNIST commands get the small young generation, CIFAR10 / MiniImageNet ones (also when resuming a
# folder whose results.json names them) half the heap. Run by .ci/run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC1090
source <(sed -n '/^resnet_workload() {/,/^}/p' "$ROOT/arm.sh")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/cifar" "$tmp/mnist"
echo '{"config": {"benchmark": "cifar10"}}' > "$tmp/cifar/results.json"
echo '{"config": {"benchmark": "mnist"}}' > "$tmp/mnist/results.json"
fail=0
expect() { # expect resnet|mnist ARGS...
  local want="$1" got=mnist
  shift
  if resnet_workload "$@"; then got=resnet; fi
  if [[ "$got" != "$want" ]]; then echo "check-launcher: '$*' -> $got, expected $want" >&2; fail=1; fi
}
expect mnist reproduce mnist
expect mnist train --method ARM --M 20
expect resnet reproduce cifar10
expect resnet reproduce miniimagenet --runs 1
expect resnet train --method ARM --dataset cifar10
expect resnet train --method ARM --dataset=miniimagenet
expect resnet reproduce --resume "$tmp/cifar"
expect resnet reproduce --resume="$tmp/cifar"
expect mnist reproduce --resume "$tmp/mnist"
expect mnist reproduce mnist --out /tmp/cifar10-like-name
(( fail == 0 )) && echo "check-launcher: young generation choice OK (10 cases)"
exit "$fail"
