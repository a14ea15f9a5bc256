#!/usr/bin/env bash
# A one-machine Slurm cluster for tests: munged, slurmctld and slurmd on this host, as root, with a
# generated slurm.conf in a scratch folder (no systemd, no accounting database).
#
#   scripts/slurm-cluster.sh start    start it (idempotent) and wait until the node is idle
#   scripts/slurm-cluster.sh stop     stop the daemons this script started
#   scripts/slurm-cluster.sh status   sinfo and squeue
#   scripts/slurm-cluster.sh env      print the export line the Slurm commands need (SLURM_CONF)
#
# Needs root and Debian's slurm-wlm and munge packages (apt-get install slurm-wlm munge).
# ARM_SLURM_DIR sets the scratch folder (default /tmp/arm-slurm). Exit 3: the cluster cannot start
# here (not root, packages missing, a daemon failed); the reason is printed.
set -euo pipefail
DIR="${ARM_SLURM_DIR:-/tmp/arm-slurm}"
CONF="$DIR/slurm.conf"
export SLURM_CONF="$CONF"
HOST="$(hostname -s)"

cannot() { echo "slurm-cluster: cannot start: $*" >&2; exit 3; }

write_conf() {
  local cpus mem
  cpus="$(nproc)"
  mem="$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)"
  mkdir -p "$DIR/state" "$DIR/spool"
  cat > "$CONF" <<CONF
ClusterName=arm-test
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AuthType=auth/munge
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
KillWait=5
NodeName=$HOST CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
  mkdir -p /etc/munge /run/munge /var/log/munge /var/lib/munge
  [[ -f /etc/munge/munge.key ]] || mungekey --create >/dev/null 2>&1 || cannot "mungekey --create failed"
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key
  munged --force 2>"$DIR/munged.err" || cannot "munged failed: $(cat "$DIR/munged.err")"
  echo started > "$DIR/munged.ours"
  for _ in $(seq 1 20); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return
    sleep 0.25
  done
  cannot "munge -n | unmunge does not succeed"
}

start() {
  [[ "$(id -u)" == 0 ]] || cannot "needs root (slurmctld and slurmd run as root here)"
  for b in slurmctld slurmd sbatch munged mungekey; do
    command -v "$b" >/dev/null || cannot "$b not found (apt-get install slurm-wlm munge)"
  done
  mkdir -p "$DIR"
  start_munge
  if alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid"; then echo "slurm-cluster: running ($CONF)"; return; fi
  write_conf
  alive "$DIR/slurmctld.pid" || slurmctld -f "$CONF" || cannot "slurmctld failed: $(tail -n 3 "$DIR/slurmctld.log" 2>/dev/null)"
  alive "$DIR/slurmd.pid" || slurmd -f "$CONF" || cannot "slurmd failed: $(tail -n 3 "$DIR/slurmd.log" 2>/dev/null)"
  for _ in $(seq 1 60); do
    if [[ "$(sinfo -h -o %t 2>/dev/null | head -n 1)" == idle* ]]; then
      echo "slurm-cluster: node $HOST idle ($(nproc) CPUs); export SLURM_CONF=$CONF"
      return
    fi
    sleep 0.5
  done
  cannot "the node is not idle after 30 s: $(sinfo 2>&1 | tail -n 1); see $DIR/slurmctld.log"
}

stop_pid() {
  local f="$1" pid
  alive "$f" || return 0
  pid="$(cat "$f")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  stop_pid "$DIR/slurmd.pid"
  stop_pid "$DIR/slurmctld.pid"
  if [[ -f "$DIR/munged.ours" ]]; then
    stop_pid /run/munge/munged.pid
    rm -f "$DIR/munged.ours"
  fi
  echo "slurm-cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo; squeue ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
