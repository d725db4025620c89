#!/bin/sh
# run-all.sh: the test command. Installs what it needs, then builds and runs the suite three
# times: plain, under AddressSanitizer + UndefinedBehaviorSanitizer, and the scheduler suites
# and threaded clients under ThreadSanitizer; then fuzzes the Stratum message parser for a short while (libFuzzer,
# clang). Build folders: build-test, build-asan, build-tsan, build-fuzz.
#
# Every stage runs even when an earlier one failed, so one failure hides no other verdict; the
# end prints one line per stage (passed / failed / skipped, seconds) and the exit status is
# non-zero when any stage failed.
set -u
cd "$(dirname "$0")/.."
./install-deps.sh || exit 1

jobs=$(nproc)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
summary="$logs/summary"
: >"$summary"
any_failed=0

now() { date +%s; }

# record STAGE START PASSED FAILED SKIPPED [NOTE]
record() {
  secs=$(($(now) - $2))
  line=$(printf '%-8s %3s passed, %s failed, %s skipped, %4s s%s' "$1" "$3" "$4" "$5" "$secs" \
    "${6:+  ($6)}")
  echo "$line" >>"$summary"
  if [ "$4" != 0 ]; then
    any_failed=1
  fi
}

configure_and_build() {
  dir=$1
  shift
  echo "== $dir: configure and build"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNTH_BUILD_TESTS=ON \
    -DSYNTH_BUILD_EXAMPLES=ON "$@" >/dev/null && cmake --build "$dir" -j "$jobs"
}

# ctest_stage STAGE DIR [ctest args...]: counts come from ctest's own per-test lines.
ctest_stage() {
  stage=$1
  dir=$2
  shift 2
  log="$logs/$stage.log"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@" 2>&1 | tee "$log"
  passed=$(grep -c 'Test *#[0-9]*:.* Passed' "$log")
  failed=$(grep -Ec 'Test *#[0-9]*:.*(\*\*\*Failed|\*\*\*Exception|\*\*\*Timeout|Not Run)' "$log")
  skipped=$(grep -c 'Test *#[0-9]*:.*\*\*\*Skipped' "$log")
  total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n 1)
  # A run that ended before its summary (or ran nothing) is a failure, not a pass.
  if [ -z "$total" ] || [ "$total" -eq 0 ] || [ $((passed + failed + skipped)) -ne "$total" ]; then
    failed=$((failed + 1))
    note="ctest did not report every test"
  else
    note=""
  fi
  if [ "$skipped" -gt 0 ]; then
    echo "== $stage: SKIPPED (hardware or tool missing):"
    grep 'Test *#[0-9]*:.*\*\*\*Skipped' "$log" | sed 's/^/   /'
    note="${note:+$note; }skipped: $(grep 'Test *#[0-9]*:.*\*\*\*Skipped' "$log" |
      sed 's/.*: \([^ ]*\) .*/\1/' | tr '\n' ' ' | sed 's/ $//')"
  fi
  record "$stage" "$start" "$passed" "$failed" "$skipped" "$note"
}

# build_and_test STAGE DIR "ctest args" [cmake args...]
build_and_test() {
  stage=$1
  dir=$2
  ctest_args=$3
  shift 3
  start=$(now)
  if configure_and_build "$dir" "$@"; then
    echo "== $stage: tests"
    # shellcheck disable=SC2086 # word splitting of the ctest arguments is intended
    ctest_stage "$stage" "$dir" $ctest_args
  else
    echo "== $stage: the build failed"
    record "$stage" "$start" 0 1 0 "build failed"
  fi
}

build_and_test plain build-test ""
build_and_test asan build-asan "" -DSYNTH_SANITIZE=ON
build_and_test tsan build-tsan "-L scheduler|threads" -DSYNTH_TSAN=ON

fuzz_seconds=${SYNTH_FUZZ_SECONDS:-30}
echo "== libFuzzer: the Stratum message parser, $fuzz_seconds s"
start=$(now)
if cmake -S tests/fuzz -B build-fuzz -DCMAKE_C_COMPILER=clang >/dev/null &&
  cmake --build build-fuzz -j "$jobs"; then
  # New inputs go to a scratch folder; the seeds in the repo stay as they are.
  mkdir "$logs/new"
  if build-fuzz/fuzz_stratum_msg -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
    -print_final_stats=1 "$logs/new" tests/fuzz/corpus/stratum >"$logs/fuzz.log" 2>&1; then
    tail -n 12 "$logs/fuzz.log"
    record fuzz "$start" 1 0 0 "$(sed -n 's/^Done \([0-9]*\) runs.*/\1 runs/p' "$logs/fuzz.log")"
  else
    tail -n 60 "$logs/fuzz.log"
    echo "== the fuzzer found an input that crashes the parser (above)"
    record fuzz "$start" 0 1 0 "crashing input above"
  fi
else
  record fuzz "$start" 0 1 0 "build failed"
fi

echo "== summary"
cat "$summary"
if [ "$any_failed" -ne 0 ]; then
  echo "== FAILED: at least one stage above has failures"
  exit 1
fi
echo "== all test runs passed"
