#!/bin/sh
# check_package.sh BUILD_DIR VERSION LIBDIR: makes the Debian packages of the build with
# `cpack -G DEB` into a scratch folder and checks them: exactly synthminer, libsynth0 and
# libsynth-dev of VERSION, their dependencies (computed, and on each other), what each holds,
# the conffile, shlibs and trigger; then installs them into a scratch root with dpkg (never
# onto this system, root or not), runs the installed command with the installed config,
# installs them again over an edited config, and purges them. LIBDIR is the build's CMAKE_INSTALL_LIBDIR (lib, or lib/<triplet> for a
# build configured for /usr). Exit 77 (skipped) without the Debian tools.
set -eu
build=$(cd "$1" && pwd)
version=$2
libdir=/usr/$3
fail() { echo "check_package: $*" >&2; exit 1; }
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps file; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "check_package: SKIPPED: $tool not found (Debian: ./install-deps.sh)"
    exit 77
  fi
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The soname's version: major.minor before 1.0, the major after (CMakeLists.txt).
major=${version%%.*}
soversion=$major
[ "$major" = 0 ] && soversion=$(echo "$version" | cut -d. -f1-2)
arch=$(dpkg --print-architecture)

out=$scratch/out
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$scratch/cpack.log" 2>&1 ||
  fail "cpack failed: $(cat "$scratch/cpack.log")"
debs=$(for deb in "$out"/*.deb; do basename "$deb"; done | sort | tr '\n' ' ')
want=""
for name in libsynth-dev libsynth0 synthminer; do want="$want${name}_${version}_$arch.deb "; done
[ "$debs" = "$want" ] || fail "packages made: '$debs', wanted '$want'"
app=$out/synthminer_${version}_$arch.deb
lib=$out/libsynth0_${version}_$arch.deb
dev=$out/libsynth-dev_${version}_$arch.deb

# Dependencies: dpkg-shlibdeps' (libc6 at least) and the packages' own on libsynth0.
depends=$(dpkg-deb -f "$app" Depends)
case "$depends" in *"libsynth0 (= $version)"*) ;; *) fail "synthminer Depends: $depends" ;; esac
case "$depends" in *libc6*) ;; *) fail "synthminer Depends lacks libc6: $depends" ;; esac
depends=$(dpkg-deb -f "$dev" Depends)
case "$depends" in *"libsynth0 (= $version)"*) ;; *) fail "libsynth-dev Depends: $depends" ;; esac
case "$(dpkg-deb -f "$lib" Depends)" in
*libc6*) ;;
*) fail "libsynth0 has no computed Depends" ;;
esac

# What each package holds, and what it must not.
has() { # has DEB PATH...
  deb=$1
  shift
  dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\.##' >"$scratch/list"
  for path in "$@"; do
    grep -qxF "$path" "$scratch/list" || fail "$(basename "$deb") lacks $path"
  done
}
has "$app" /usr/bin/synthminer /etc/synthminer/config.json \
  /usr/lib/systemd/system/synthminer.service /usr/lib/sysusers.d/synthminer.conf \
  /usr/share/man/man1/synthminer.1.gz
has "$lib" "$libdir/libsynth.so.$soversion" "$libdir/libsynth.so.$version" \
  "$libdir/libsynth-pool.so.$soversion"
grep -qE '\.(a|h|pc)$|\.so$' "$scratch/list" && fail "libsynth0 holds development files"
has "$dev" /usr/include/synth/synth.h /usr/include/synth/pool.h \
  /usr/include/synth/kernels/sha256_k.h "$libdir/libsynth.so" "$libdir/libsynth.a" \
  "$libdir/libsynth-pool.so" "$libdir/pkgconfig/synth.pc" "$libdir/pkgconfig/synth-pool.pc" \
  "$libdir/cmake/synth/synthConfig.cmake" "$libdir/cmake/synth/synthEmbed.cmake" \
  /usr/share/man/man3/libsynth.3.gz
for deb in "$app" "$lib" "$dev"; do
  dpkg-deb -c "$deb" | grep -q ' \./usr/local/' &&
    fail "$(basename "$deb") installs under /usr/local"
done

# Control files: the config is a conffile; libsynth0 has shlibs for both sonames and leaves
# ldconfig to its trigger.
[ "$(dpkg-deb -I "$app" conffiles)" = /etc/synthminer/config.json ] ||
  fail "synthminer's conffiles: $(dpkg-deb -I "$app" conffiles 2>&1)"
shlibs=$(dpkg-deb -I "$lib" shlibs)
for name in libsynth libsynth-pool; do
  echo "$shlibs" | grep -qx "$name $soversion libsynth0 (>= $version)" ||
    fail "libsynth0's shlibs lacks $name: $shlibs"
done
dpkg-deb -I "$lib" triggers | grep -qx 'activate-noawait ldconfig' ||
  fail "libsynth0: no ldconfig trigger"

# Install into a fresh dpkg root: an empty status database, and the maintainer scripts run
# here with DPKG_ROOT set (chrootless). The host's users and dpkg log stay as they were.
root=$scratch/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" \
  "$root/var/log"
: >"$root/var/lib/dpkg/status"
: >"$root/var/lib/dpkg/available"
users_before=$(cat /etc/passwd /etc/group | cksum)
dpkg_in_root() {
  dpkg --root="$root" --log="$scratch/dpkg.log" --force-script-chrootless --force-not-root "$@" \
    >>"$scratch/dpkg.out" 2>&1 || fail "dpkg $*: $(cat "$scratch/dpkg.out")"
}
dpkg_in_root --force-depends -i "$app" "$lib" "$dev"
[ "$(cat /etc/passwd /etc/group | cksum)" = "$users_before" ] ||
  fail "installing into a scratch root changed this system's users or groups"
for path in /usr/bin/synthminer /etc/synthminer/config.json \
  /usr/lib/systemd/system/synthminer.service /usr/share/man/man1/synthminer.1.gz \
  "$libdir/libsynth.so.$soversion" /usr/include/synth/synth.h; do
  [ -e "$root$path" ] || fail "$path did not land in the root"
done
# The service's user, made in the root (systemd-sysusers --root), not on this system.
if command -v systemd-sysusers >/dev/null 2>&1; then
  grep -q '^synthminer:' "$root/etc/passwd" ||
    fail "the postinst made no synthminer user in the root"
fi
# Installed, never enabled: the owner enables it once it is configured.
[ -e "$root/etc/systemd/system/multi-user.target.wants/synthminer.service" ] &&
  fail "installing enabled the service"
# Man pages compressed with gzip -9n: no file name, no time stamp in the header (flags and
# mtime zero), the best compression (extra flags 2).
for page in man1/synthminer.1.gz man3/libsynth.3.gz; do
  gzip -t "$root/usr/share/man/$page" || fail "$page is not gzip"
  [ "$(od -An -tu1 -j3 -N6 "$root/usr/share/man/$page" | tr -s ' ')" = " 0 0 0 0 0 2" ] ||
    fail "$page is not gzip -9n: it has a name or time stamp, or another level"
  # groff's every warning on (-ww), output thrown away (-z): a page that formats cleanly.
  if command -v groff >/dev/null 2>&1; then
    warnings=$(gzip -dc "$root/usr/share/man/$page" | groff -man -ww -z 2>&1)
    [ -z "$warnings" ] || fail "$page: groff warns: $warnings"
  fi
done

# The installed command, on the installed libraries, with the installed config.
export LD_LIBRARY_PATH="$root$libdir"
LD_LIBRARY_PATH="$root$libdir" ldd "$root/usr/bin/synthminer" | grep 'libsynth' |
  grep -v "=> $root$libdir/" &&
  fail "the installed synthminer loads a libsynth from outside the root"
[ "$("$root/usr/bin/synthminer" --version)" = "synthminer $version" ] ||
  fail "installed synthminer --version: $("$root/usr/bin/synthminer" --version 2>&1)"
"$root/usr/bin/synthminer" run --config "$root/etc/synthminer/config.json" --devices cpu \
  --threads 1 --duration 1 --no-api --no-cache >"$scratch/run.log" 2>&1 ||
  fail "the default config does not run: $(cat "$scratch/run.log")"
unset LD_LIBRARY_PATH

# Installed again over itself (the upgrade path of the scripts): the edited conffile stays.
printf '{"pools": [], "user": "edited"}\n' >"$root/etc/synthminer/config.json"
dpkg_in_root --force-depends --force-confold -i "$app" "$lib" "$dev"
grep -q edited "$root/etc/synthminer/config.json" || fail "reinstalling replaced the edited config"

# Purged, nothing of them is left.
dpkg_in_root --purge synthminer libsynth-dev libsynth0
for path in /usr/bin/synthminer /etc/synthminer /usr/lib/systemd/system/synthminer.service \
  "$libdir/libsynth.so.$soversion" /usr/include/synth \
  /var/lib/systemd/deb-systemd-helper-enabled/synthminer.service.dsh-also; do
  [ -e "$root$path" ] && fail "$path is left after purge"
done
dpkg --root="$root" -l 2>/dev/null | grep -E '^[a-z][a-z] +(synthminer|libsynth)' &&
  fail "packages still known after purge"
echo "check_package: $debs: dependencies, contents, conffile, shlibs, trigger;" \
  "installed into a scratch root, ran the default config, reinstalled (conffile kept), purged: ok"
