#!/bin/sh
# run-all.sh: the test command. Installs what it needs, then builds and runs the suite three
# times: plain, under AddressSanitizer + UndefinedBehaviorSanitizer, and the scheduler suites
# under ThreadSanitizer. Build folders: build-test, build-asan, build-tsan.
set -eu
cd "$(dirname "$0")/.."
./install-deps.sh

jobs=$(nproc)
configure_and_build() {
  dir=$1
  shift
  echo "== $dir: configure and build"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNTH_BUILD_TESTS=ON \
    -DSYNTH_BUILD_EXAMPLES=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

configure_and_build build-test
echo "== plain build: every test"
ctest --test-dir build-test --output-on-failure -j "$jobs"

configure_and_build build-asan -DSYNTH_SANITIZE=ON
echo "== ASan + UBSan: every test"
ctest --test-dir build-asan --output-on-failure -j "$jobs"

configure_and_build build-tsan -DSYNTH_TSAN=ON
echo "== TSan: scheduler suites"
ctest --test-dir build-tsan -L scheduler --output-on-failure -j "$jobs"

echo "== all test runs passed"
