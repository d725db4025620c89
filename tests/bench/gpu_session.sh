#!/bin/sh
# gpu_session.sh: every figure still owed to a GPU machine, in one call (fits one 600 s command),
# into OUT_DIR's eight files at most:
#   nvsmi.txt      the GPU and CPU, before and after
#   mpi.txt        issue 21: one process against 4 MPI ranks of 4 cores (the GPU in rank 0)
#   two.txt        issue 22's stand-in: two miners sharing the GPU against one alone
#   sensors.txt, power_curve.txt, power_step.csv, run_all.json, run_all.log
#                  issue 19: sensors seen, the duty-cycle power curve, the stepped trace for
#                  docs/power_step.svg (tests/bench/power_step_svg.py), the whole miner's energy
#
#   tests/bench/gpu_session.sh BUILD_DIR OUT_DIR       (after `. .gpu/prepare.sh`)
# The device's own settings (power limit, clocks, modes) are never changed.
set -u
build=$1
out=$2
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
for f in .gpu/libzmq5_*.deb .gpu/libsodium23_*.deb .gpu/libpgm-5.3-0_*.deb .gpu/libnorm1_*.deb; do
  [ -f "$f" ] && dpkg -x "$f" /tmp/synth-deps
done
export LD_LIBRARY_PATH=$build/runtime:$build/runtime/mpi:$build/pool:/tmp/synth-deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
query=name,power.draw,power.limit,clocks.sm,temperature.gpu,pci.bus_id
{
  nvidia-smi --query-gpu=$query --format=csv
  lscpu | head -24
} >"$out/nvsmi.txt" 2>&1
timeout 200 sh "$here/mpi_host.sh" "$build" /tmp/mpi 4 4 vulkan:0 20 >/dev/null 2>&1
{
  cat /tmp/mpi/mpi.txt
  echo ---
  tail -30 /tmp/mpi/mpi_run.txt
  echo ---
  tail -22 /tmp/mpi/single.txt
} >"$out/mpi.txt" 2>&1
timeout 60 sh "$here/two_on_one_gpu.sh" "$build" "$out/two.txt" vulkan:0 12 >/dev/null 2>&1
sh "$here/power_limit_host.sh" "$build" "$out" vulkan:0
nvidia-smi --query-gpu=$query --format=csv >>"$out/nvsmi.txt" 2>&1
