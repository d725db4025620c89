#!/bin/sh
# install-deps.sh: installs every Debian package synthminer's build, tests and devices need.
# Idempotent: packages already present are skipped, so running it twice costs seconds.
# libudev-dev is for the install test's static link: hwloc.pc lists -ludev in Libs.private.
# libzmq3-dev is for the tests' fake Bitcoin Core node, which publishes hashblock over ZMQ.
# dpkg-dev (dpkg-shlibdeps) and file are what CPack's Debian packages need (package_deb test);
# systemd gives systemd-analyze (unit_verify) and systemd-sysusers; groff-base checks the man
# pages (package_deb); libsystemd-dev is sd_notify's. openmpi-bin and libopenmpi-dev build
# libsynth-mpi and run its tests under mpirun.
# prometheus ships promtool (metrics_promtool, fleet_configs: docs/fleet.md); curl fetches
# /metrics and python3-yaml reads the rules there. The package also installs a Prometheus
# service, enabled on port 9090 where systemd runs: `systemctl disable --now prometheus`.
set -eu

PACKAGES="
  build-essential cmake pkg-config
  libhwloc-dev liburcu-dev libjansson-dev libncurses-dev libssl-dev libmicrohttpd-dev
  libudev-dev libzmq3-dev libsystemd-dev
  dpkg-dev file systemd groff-base
  openmpi-bin libopenmpi-dev
  prometheus curl python3-yaml
  libcunit1-dev clang libclang-rt-14-dev
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo
  libvulkan-dev glslang-tools mesa-vulkan-drivers vulkan-tools
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root (or sudo) to install:$missing" >&2
    exit 1
  fi
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
$SUDO apt-get install -y -qq --no-install-recommends $missing
