# Sourced by the shell benches: what a figure was measured on (the shell twin
# of machine_report.h). Call machine_start before measuring and
# machine_report at the end; a run whose 1-minute load exceeded half the
# cores at either end is flagged, since its figures are not comparable.
machine_start() {
  MACHINE_CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  MACHINE_CORES=$(nproc)
  MACHINE_LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
}

machine_report() {
  local after
  after=$(cut -d' ' -f1 /proc/loadavg)
  echo "machine: ${MACHINE_CPU:-unknown}, $MACHINE_CORES cores; load1 $MACHINE_LOAD_BEFORE before, $after after"
  if awk -v a="$MACHINE_LOAD_BEFORE" -v b="$after" -v c="$MACHINE_CORES" \
      'BEGIN { exit !(a > c / 2 || b > c / 2) }'; then
    echo "WARNING: busy machine (load1 above $(awk -v c="$MACHINE_CORES" 'BEGIN{print c/2}')): these figures are not comparable with a quiet run"
  fi
}
