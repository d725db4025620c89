#!/bin/sh
# check_install.sh BUILD_DIR: installs the build into a scratch prefix and uses it as a user
# would: a program built with pkg-config (shared and static) and with CMake's find_package
# (both targets, the shared one also with no -dev package in sight) must build and run, and
# the installed synthEmbed.cmake must embed kernels; the installed library must keep no
# writable global state and must not print, exit or install signal handlers itself.
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "check_install: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
for h in synth.h miner.h runtime.h workload.h job.h pool.h solo.h version.h error.h log.h target.h export.h; do
  [ -f "$scratch/prefix/include/synth/$h" ] || fail "include/synth/$h not installed"
done
pc=$(find "$scratch/prefix" -name synth.pc)
[ -n "$pc" ] || fail "no synth.pc installed"
libdir=$(dirname "$(dirname "$pc")")
so=$(find "$libdir" -name 'libsynth.so.*.*' | head -n 1)
[ -f "$libdir/libsynth.a" ] && [ -n "$so" ] || fail "libsynth.a or libsynth.so missing"
# The core library needs no TLS, JSON or HTTP library: those are the pool client's and the
# command's.
for lib in libssl libcrypto libjansson libmicrohttpd; do
  readelf -dW "$so" | grep -q "NEEDED.*$lib" && fail "libsynth.so needs $lib"
done
pool_so=$(find "$libdir" -name 'libsynth-pool.so.*.*' | head -n 1)
[ -n "$pool_so" ] && [ -f "$libdir/libsynth-pool.a" ] || fail "libsynth-pool missing"
[ -f "$(dirname "$pc")/synth-pool.pc" ] || fail "no synth-pool.pc installed"

# pkg-config: shared, then static exactly as docs/api.md says (the archive named, so the
# linker cannot take the .so; the libraries it calls from Requires.private, as shared ones).
export PKG_CONFIG_PATH="$(dirname "$pc")"
cc=${CC:-cc}
$cc -std=c11 -Wall -Werror -o "$scratch/pc_shared" "$here/consumer.c" \
  $(pkg-config --cflags --libs synth) -Wl,-rpath,"$libdir"
"$scratch/pc_shared"
# The pool client through its own module, which brings synth's along.
$cc -std=c11 -Wall -Werror -o "$scratch/pc_pool" "$here/pool_consumer.c" \
  $(pkg-config --cflags --libs synth-pool) -Wl,-rpath,"$libdir"
"$scratch/pc_pool"
static_flags=$(pkg-config --static --define-variable=synth_lib=-l:libsynth.a --cflags --libs synth)
# shellcheck disable=SC2086 # pkg-config's flags are meant to split into words
$cc -std=c11 -Wall -Werror -o "$scratch/pc_static" "$here/consumer.c" $static_flags
"$scratch/pc_static"
readelf -dW "$scratch/pc_static" | grep -q 'NEEDED.*libsynth' && fail "the static consumer loads libsynth.so"

# CMake's find_package: both targets, and kernels embedded by the installed helper.
cmake -S "$here" -B "$scratch/cmake" -DCMAKE_PREFIX_PATH="$scratch/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/cmake" >/dev/null
"$scratch/cmake/consumer_shared"
"$scratch/cmake/consumer_static"
"$scratch/cmake/embedded"

# With none of the dependencies' .pc files in sight (as with only their run-time packages),
# the shared target still builds; the static one is left out, and asking for it fails naming
# what is missing.
mkdir "$scratch/no-pc"
PKG_CONFIG_LIBDIR="$scratch/no-pc" PKG_CONFIG_PATH="" cmake -S "$here" -B "$scratch/shared" \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" -DSHARED_ONLY=ON >"$scratch/shared.log" 2>&1 ||
  fail "find_package(synth) without the dependencies' .pc files: $(cat "$scratch/shared.log")"
grep -q 'synth::synth_static is not defined.*missing: hwloc' "$scratch/shared.log" ||
  fail "no word on why synth::synth_static is missing: $(cat "$scratch/shared.log")"
cmake --build "$scratch/shared" >/dev/null
"$scratch/shared/consumer_shared"
PKG_CONFIG_LIBDIR="$scratch/no-pc" PKG_CONFIG_PATH="" cmake -S "$here" -B "$scratch/static" \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" -DREQUIRE_STATIC=ON >"$scratch/static.log" 2>&1 &&
  fail "find_package(synth COMPONENTS static) succeeded without the dependencies"
tr -s ' \n' '  ' <"$scratch/static.log" | grep -q 'is not defined.*missing: hwloc' ||
  fail "find_package(synth COMPONENTS static) failed without saying why: $(cat "$scratch/static.log")"

# No writable global state: every object in .data or .bss is the C runtime's own (which needs
# the symbol table: an installed library is not stripped).
readelf -SW "$so" | grep -q ' \.symtab ' || fail "$so has no symbol table to check"
sections=$(readelf -SW "$so" | sed -n 's/^ *\[ *\([0-9]*\)\] \(\.data\|\.bss\) .*/\1/p' | tr '\n' ' ')
globals=$(readelf -sW "$so" | awk -v secs=" $sections " '
  $4 == "OBJECT" && index(secs, " " $7 " ") && $8 !~ /^(completed\.|__)/ { print $8 }' | sort -u)
[ -z "$globals" ] || fail "writable globals in the library: $globals"

# No printing, exiting or signal handling of its own: a library reports through callbacks.
bad=$(nm -D --undefined-only "$so" | awk '{print $2}' | sed 's/@.*//' |
  grep -xE 'printf|vprintf|puts|putchar|perror|fprintf|vfprintf|fputs|dprintf|exit|_exit|signal|sigaction|raise' || true)
[ -z "$bad" ] || fail "the library calls $(echo $bad)"
echo "check_install: installed headers, pkg-config (shared, static), find_package (both targets;" \
  "the shared one without the dependencies' .pc files), synthEmbed.cmake, no writable globals," \
  "no printing, exiting or signal handlers: ok"
