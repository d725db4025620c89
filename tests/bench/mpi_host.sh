#!/bin/sh
# mpi_host.sh: libsynth-mpi's figures for docs/benchmarks.md on one machine: the hashcash range
# of about SECONDS in one process on every device, then over RANKS MPI ranks (each on its own
# CORES cores, the GPU in the first one), with each rank's rate measured alone first, so the
# makespan can be set against the ideal (the range over the sum of the rates).
#
#   tests/bench/mpi_host.sh BUILD_DIR OUT_DIR [RANKS] [CORES] [GPU] [SECONDS]
#                                              4       4       vulkan:0  20
# GPU "" for none. Where the machine has no mpirun, Open MPI is unpacked from the .deb files in
# .gpu/ (openmpi-bin, openmpi-common, libopenmpi3, libpmix2, libevent-*, libmunge2) and run
# from there (OPAL_PREFIX).
set -u
build=$1
out=$2
ranks=${3:-4}
cores=${4:-4}
gpu=${5-vulkan:0}
seconds=${6:-20}
hashcash=$build/examples/hashcash/hashcash
mkdir -p "$out"
here=$(cd "$(dirname "$0")/../.." && pwd)
mpirun=mpirun
if ! command -v mpirun >/dev/null 2>&1; then
  root=/tmp/ompi-root
  mkdir -p "$root"
  for f in "$here"/.gpu/openmpi-bin_*.deb "$here"/.gpu/openmpi-common_*.deb \
    "$here"/.gpu/libopenmpi3_*.deb "$here"/.gpu/libpmix2_*.deb "$here"/.gpu/libevent-*.deb \
    "$here"/.gpu/libmunge2_*.deb; do
    dpkg -x "$f" "$root"
  done
  export OPAL_PREFIX=$root/usr PMIX_INSTALL_PREFIX=$root/usr/lib/x86_64-linux-gnu/pmix2
  export PATH=$root/usr/bin:$PATH
  lib=$root/usr/lib/x86_64-linux-gnu
  export LD_LIBRARY_PATH=$lib:$lib/openmpi/lib:$lib/pmix2/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  mpirun=mpirun.openmpi
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
export OMPI_MCA_pml=ob1 OMPI_MCA_mca_base_component_show_load_errors=0
data="synthminer mpi makespan"
devices_all="cpu${gpu:+,$gpu}"
# The rate of everything in one process sizes the range to SECONDS: ranges 8 times longer
# until one takes 2 s.
probe=16777216
while :; do
  "$hashcash" --devices "$devices_all" --start 0 --count "$probe" --bits 40 --quiet "$data" \
    >"$out/probe.txt" 2>&1
  took=$(sed -n 's/^hashed [0-9]* indexes in \([0-9.]*\) s.*/\1/p' "$out/probe.txt")
  rate=$(sed -n 's/^hashed .*: \([0-9.]*\) MH\/s$/\1/p' "$out/probe.txt")
  [ -n "$took" ] || break
  awk -v t="$took" 'BEGIN { exit !(t < 2) }' || break
  probe=$((probe * 8))
done
count=$(awk -v r="$rate" -v s="$seconds" 'BEGIN { printf "%.0f", r * 1e6 * s }')
echo "probe: $rate MH/s in one process; range: $count indexes (~$seconds s)" >"$out/mpi.txt"
"$hashcash" --devices "$devices_all" --start 0 --count "$count" --bits 36 --quiet "$data" \
  >"$out/single.txt" 2>&1
sed -n 's/^hashed .*/one process: &/p' "$out/single.txt" >>"$out/mpi.txt"
# One rank per CORES cores, pinned there; the GPU in the first.
set --
for r in $(seq 0 $((ranks - 1))); do
  first=$((r * cores))
  dev=cpu
  [ "$r" -eq 0 ] && dev=$devices_all
  [ "$r" -gt 0 ] && set -- "$@" :
  set -- "$@" -np 1 "$hashcash" --mpi --devices "$dev" \
    --options "cpu.affinity=$first-$((first + cores - 1))" --calibrate 3 --start 0 \
    --count "$count" --bits 36 --quiet "$data"
done
$mpirun --oversubscribe --enable-recovery --bind-to none "$@" >"$out/mpi_run.txt" 2>&1
echo "mpirun rc=$?" >>"$out/mpi_run.txt"
grep -E '^(calibration|mpi|makespan):|alone:' "$out/mpi_run.txt" >>"$out/mpi.txt"
cat "$out/mpi.txt"
