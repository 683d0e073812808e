# Sourced by the shell benches: what a figure was measured on (the shell twin
# of machine_report.h). Call machine_start before measuring and
# machine_report at the end; a run that started with the 1-minute load above
# half the cores is flagged, since its figures are not comparable. (The load
# after is shown, not judged: it includes the bench's own work.)
machine_start() {
  MACHINE_CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  MACHINE_CORES=$(nproc)
  MACHINE_LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
}

machine_report() {
  local after
  after=$(cut -d' ' -f1 /proc/loadavg)
  echo "machine: ${MACHINE_CPU:-unknown}, $MACHINE_CORES cores; load1 $MACHINE_LOAD_BEFORE before, $after after"
  if awk -v a="$MACHINE_LOAD_BEFORE" -v c="$MACHINE_CORES" 'BEGIN { exit !(a > c / 2) }'; then
    echo "WARNING: busy machine (load1 above $(awk -v c="$MACHINE_CORES" 'BEGIN{print c/2}') at the start): these figures are not comparable with a quiet run"
  fi
}
