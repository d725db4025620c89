#!/bin/sh
# run-all.sh: the test command. Installs what it needs, then builds and runs the suite three
# times: plain, under AddressSanitizer + UndefinedBehaviorSanitizer, and the scheduler suites
# under ThreadSanitizer; then fuzzes the Stratum message parser for a short while (libFuzzer,
# clang). Build folders: build-test, build-asan, build-tsan, build-fuzz.
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

echo "== libFuzzer: the Stratum message parser, ${SYNTH_FUZZ_SECONDS:-30} s"
cmake -S tests/fuzz -B build-fuzz -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-fuzz -j "$jobs"
# New inputs go to a scratch folder; the seeds in the repo stay as they are.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/new"
if ! build-fuzz/fuzz_stratum_msg -max_total_time="${SYNTH_FUZZ_SECONDS:-30}" -rss_limit_mb=2048 \
  -print_final_stats=1 "$scratch/new" tests/fuzz/corpus/stratum >"$scratch/log" 2>&1; then
  tail -n 60 "$scratch/log"
  echo "== the fuzzer found an input that crashes the parser (above)"
  exit 1
fi
tail -n 12 "$scratch/log"

echo "== all test runs passed"
