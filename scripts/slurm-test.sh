#!/usr/bin/env bash
# The Slurm integration test (arm/src/test/java/arm/cli/SlurmSweepTest.java): installs Slurm and
# munge if missing (Debian packages; needs root), starts the one-machine cluster of
# scripts/slurm-cluster.sh, runs the test against it and stops the cluster again. When the cluster
# cannot start here, it says why and exits 0, so that the rest of CI still runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "slurm-test: installing slurm-wlm and munge ..."
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1; }) ||
      echo "slurm-test: apt-get could not install slurm-wlm and munge"
  fi
fi

if ! scripts/slurm-cluster.sh start; then
  echo "slurm-test: SKIPPED: no Slurm cluster on this machine (reason above)"
  exit 0
fi
trap 'scripts/slurm-cluster.sh stop >/dev/null 2>&1 || true' EXIT
eval "$(scripts/slurm-cluster.sh env)"
./mvnw -q test -pl arm -am -Dtest=SlurmSweepTest -Darm.test.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false
echo "slurm-test: passed"
