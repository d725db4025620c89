#!/bin/sh
# check_install.sh BUILD_DIR: installs the build into a scratch prefix and uses it as a user
# would: a program built with pkg-config (shared and static) and with CMake's find_package
# (both targets) must build and run; the installed library must keep no writable global
# state and must not print, exit or install signal handlers itself.
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "check_install: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
for h in synth.h runtime.h workload.h job.h pool.h version.h error.h log.h target.h export.h; do
  [ -f "$scratch/prefix/include/synth/$h" ] || fail "include/synth/$h not installed"
done
pc=$(find "$scratch/prefix" -name synth.pc)
[ -n "$pc" ] || fail "no synth.pc installed"
libdir=$(dirname "$(dirname "$pc")")
so=$(find "$libdir" -name 'libsynth.so.*.*' | head -n 1)
[ -f "$libdir/libsynth.a" ] && [ -n "$so" ] || fail "libsynth.a or libsynth.so missing"

# pkg-config: shared, then the static archive (named, so the linker cannot pick the .so) with
# the libraries it needs, linked as shared ones.
export PKG_CONFIG_PATH="$(dirname "$pc")"
cc=${CC:-cc}
$cc -std=c11 -Wall -Werror -o "$scratch/pc_shared" "$here/consumer.c" \
  $(pkg-config --cflags --libs synth) -Wl,-rpath,"$libdir"
"$scratch/pc_shared"
$cc -std=c11 -Wall -Werror -o "$scratch/pc_static" "$here/consumer.c" \
  $(pkg-config --cflags synth) "$libdir/libsynth.a" \
  $(pkg-config --libs $(pkg-config --print-requires-private synth | cut -d' ' -f1)) -lpthread -lm
"$scratch/pc_static"
ldd "$scratch/pc_static" | grep -q libsynth && fail "the static consumer loads libsynth.so"

# CMake's find_package, both targets.
cmake -S "$here" -B "$scratch/cmake" -DCMAKE_PREFIX_PATH="$scratch/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/cmake" >/dev/null
"$scratch/cmake/consumer_shared"
"$scratch/cmake/consumer_static"

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
echo "check_install: installed headers, pkg-config (shared, static), find_package (both targets)," \
  "no writable globals, no printing, exiting or signal handlers: ok"
