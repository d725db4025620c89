#!/bin/sh
# check_mpi.sh HASHCASH [CASE]: libsynth-mpi through the hashcash example under mpirun, three
# ranks on one machine (--oversubscribe): the exact hit set of a range against the reference, a
# range smaller than the ranks, a cancel at the first hit reaching every rank, and a rank killed
# mid-run whose chunks the others finish. CASE: exact, small, cancel, killed (default: all).
# Without mpirun: SKIPPED, exit 77.
set -u
hashcash=$1
only=${2:-all}
command -v mpirun >/dev/null 2>&1 || {
  echo "SKIPPED: mpirun not found (Open MPI: openmpi-bin)"
  exit 77
}
# Open MPI refuses root unless told twice, as it documents (the test machine runs as root).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Shared memory and TCP on loopback only: no network interface is looked for.
export OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0
fail() {
  echo "FAILED: $*"
  failed=1
}
# --enable-recovery: a rank that dies does not take the others with it; and the survivors may
# leave without MPI_Finalize after a loss (it would wait for the dead one) without ending the
# others (orte_allowed_exit_without_sync). Each case has a
# generous deadline (timeout) so that a hang fails instead of holding the suite.
mpi() {
  timeout 300 mpirun --oversubscribe --enable-recovery --mca orte_allowed_exit_without_sync 1 \
    -np 3 "$hashcash" --mpi --devices cpu \
    --options cpu.threads=1 --quiet "$@"
}
# expect FILE PATTERN WHAT
expect() {
  grep -q "$2" "$1" || fail "$3: no '$2' in:
$(cat "$1")"
}

if [ "$only" = all ] || [ "$only" = exact ]; then
  mpi --start 0xfffc0000 --count 0x600000 --bits 12 --check "mpi: the exact set" \
    >"$scratch/exact.out" 2>&1
  expect "$scratch/exact.out" "^check: \([0-9]*\) hits in the range by the reference, \1 found" exact
  expect "$scratch/exact.out" "^mpi: 3 ranks, 6291456 indexes hashed" exact
  expect "$scratch/exact.out" "0 ranks lost" exact
  grep -q FAILED "$scratch/exact.out" && fail "exact: $(cat "$scratch/exact.out")"
fi

if [ "$only" = all ] || [ "$only" = small ]; then
  # Two indexes for three ranks, each a hit (0 bits): both delivered, once.
  mpi --start 7 --count 2 --bits 0 --check "mpi: fewer than the ranks" \
    >"$scratch/small.out" 2>&1
  expect "$scratch/small.out" "^check: 2 hits in the range by the reference, 2 found" small
  expect "$scratch/small.out" "^mpi: 3 ranks, 2 indexes hashed" small
  grep -q FAILED "$scratch/small.out" && fail "small: $(cat "$scratch/small.out")"
fi

if [ "$only" = all ] || [ "$only" = cancel ]; then
  # An endless-looking range: the first hit cancels the run, and every rank ends.
  mpi --start 0 --count 0x10000000000 --bits 18 --first "mpi: cancel" \
    >"$scratch/cancel.out" 2>&1
  rc=$?
  [ $rc -eq 0 ] || fail "cancel: exit $rc: $(cat "$scratch/cancel.out")"
  expect "$scratch/cancel.out" "^1 hits with 18 zero bits$\|^[1-9][0-9]* hits with 18 zero bits$" cancel
  for r in 1 2; do
    expect "$scratch/cancel.out" "rank $r: .*: job is no longer current" cancel
  done
fi

if [ "$only" = all ] || [ "$only" = killed ]; then
  # Rank 2 is killed once it has hashed for a while (it holds chunks then); the root gives it
  # up after --silence-ms and the others hash its chunks: the hit set is still exact.
  mpi --start 0 --count 0x1800000 --bits 14 --check --silence-ms 3000 "mpi: a rank killed" \
    >"$scratch/killed.out" 2>&1 &
  runner=$!
  pid=""
  deadline=$(($(date +%s) + 120))
  while [ -z "$pid" ] && [ "$(date +%s)" -lt "$deadline" ]; do
    pid=$(sed -n 's/^hashcash: rank 2 of 3: pid \([0-9]*\),.*/\1/p' "$scratch/killed.out")
    [ -n "$pid" ] || sleep 0.1
  done
  # Half a second of its CPU time: it has asked for and hashes its chunks.
  ticks=0
  while [ -n "$pid" ] && [ "$ticks" -lt 50 ] && [ "$(date +%s)" -lt "$deadline" ]; do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 1000000)
    [ "$ticks" -ge 50 ] || sleep 0.1
  done
  if [ -n "$pid" ]; then
    kill -9 "$pid"
  else
    fail "killed: rank 2 never said its pid"
  fi
  wait "$runner"
  expect "$scratch/killed.out" "^check: \([0-9]*\) hits in the range by the reference, \1 found" killed
  expect "$scratch/killed.out" "1 rank lost" killed
  expect "$scratch/killed.out" "^mpi: 3 ranks, 25165824 indexes hashed" killed
  expect "$scratch/killed.out" "rank 2 lost (silent for" killed
  expect "$scratch/killed.out" "rank 1: 1 rank lost: leaving without MPI_Finalize" killed
  grep -q "hits with 14 zero bits: FAILED" "$scratch/killed.out" &&
    fail "killed: $(cat "$scratch/killed.out")"
fi

[ "$failed" -eq 0 ] && echo "check_mpi: $only: passed"
exit "$failed"
