#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/package/test-deb.sh: rcc's Debian package, as a Debian admin gets it (issue 18).
#
#  1. build: `dpkg-buildpackage -us -uc -b` in a copy of this tree (a throwaway git repository, so
#     that "the build leaves nothing in the tree but what .gitignore names, and `debian/rules clean`
#     not even that" can be checked); DEB_BUILD_OPTIONS=nocheck, as tools/test runs the unit tests
#     itself. Checks that the package's version is meson.build's.
#  2. lintian on the .changes: fails on any error; prints the summary.
#  3. install into an isolated root, never onto this host (whose /usr/local may hold the test
#     install of rcc): a Debian 12 root from mmdebstrap with the package's Depends and Recommends,
#     cached in $RCC_DEB_CACHE by that list, unpacked into a temporary directory. In a chroot there
#     (its own mount namespace, /proc mounted in it), `apt-get install ./rcc_*.deb`, then:
#     `rcc-setup --help`, `dpkg -L rcc` holds pam_rcc.so, the paths compiled into rcc are where
#     the files are, rcc-firewall.service is installed and not enabled, and /etc (PAM, sshd,
#     sudoers, passwd, the units) is exactly as before; removal is refused while rcc-setup's
#     manifest lists changes; then `rcc-setup uninstall` and `apt-get purge rcc` (with the
#     directories rcc makes at run time present), after which `dpkg -S` knows none of the
#     package's paths and the root's file list and /etc's checksums are the ones from before.
#
# Root (chroot, mmdebstrap). Exit 0 pass, 1 fail, 77 skip: only when the machine cannot do it
# (not root, a tool missing, or no cached root and the mirror unreachable), saying which.
# A few minutes: about 2 to build, 1 for lintian, 2 the first time for the root (then cached).
#
#   RCC_DEB_CACHE   where the root tarball is kept (default /var/cache/rcc-deb)
#   RCC_DEB_MIRROR  the Debian mirror (default http://deb.debian.org/debian)
#   RCC_DEB_KEEP=1  keep the work directory (printed) for a look afterwards
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${RCC_DEB_CACHE:-/var/cache/rcc-deb}
mirror=${RCC_DEB_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
start=$(date +%s)

say() { printf '%s\n' "test-deb: $*"; }
fail() {
        say "FAIL: $*" >&2
        exit 1
}
skip() {
        say "skip: $*"
        exit 77
}
elapsed() { echo "$(($(date +%s) - start)) s"; }

[ "$(id -u)" = 0 ] || skip "needs root (chroot into the install root, mmdebstrap)"
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian mmdebstrap:mmdebstrap \
        unshare:util-linux git:git; do
        command -v "${tool%%:*}" >/dev/null 2>&1 ||
                skip "needs '${tool%%:*}' (Debian package: ${tool#*:}; tools/deps installs it)"
done

work=$(mktemp -d /tmp/rcc-test-deb.XXXXXX)
chmod 0755 "$work"
root=$work/root
cleanup() {
        # The chroot's mounts live in namespaces that are gone by now; never follow a mount that
        # would still be there into the host.
        if grep -q " $work" /proc/self/mountinfo; then
                say "mounts remain below $work; left in place" >&2
        elif [ "${RCC_DEB_KEEP:-0}" = 1 ]; then
                say "kept $work"
        else
                rm -rf --one-file-system "$work"
        fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# --- 1. build --------------------------------------------------------------------------------
say "building the package (dpkg-buildpackage -us -uc -b, nocheck) in a copy of $src"
mkdir "$work/build"
copy=$work/build/rcc
mkdir "$copy"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
        # The tracked files and the untracked ones not ignored, as they are in the working tree.
        (cd "$src" && git ls-files -z -co --exclude-standard) | (cd "$src" && xargs -0 cp --parents -t "$copy")
else
        cp -a "$src/." "$copy/"
        rm -rf "$copy"/build* "$copy"/obj-*
fi
git -C "$copy" init -q
git -C "$copy" add -A
git -C "$copy" -c user.name=test-deb -c user.email=test-deb@localhost commit -q -m tree
meson_version=$(sed -n "s/^[[:space:]]*version:[[:space:]]*'\([^']*\)'.*/\1/p" "$copy/meson.build" | head -n 1)
deb_version=$(cd "$copy" && dpkg-parsechangelog -S Version)
[ "$meson_version" = "$deb_version" ] ||
        fail "debian/changelog has $deb_version, meson.build has $meson_version"
t0=$(date +%s)
if ! (cd "$copy" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" nice -n 10 \
        dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
        tail -40 "$work/build.log" >&2
        fail "dpkg-buildpackage failed (the log's end above)"
fi
deb=$work/build/rcc_${deb_version}_amd64.deb
[ -f "$deb" ] || fail "no $(basename "$deb") (built: $(ls "$work/build"))"
stray=$(git -C "$copy" status --porcelain)
[ -z "$stray" ] || fail "the build left files that .gitignore does not name: $stray"
(cd "$copy" && debian/rules clean) >>"$work/build.log" 2>&1 || fail "debian/rules clean failed"
stray=$(git -C "$copy" status --porcelain --ignored)
[ -z "$stray" ] || fail "debian/rules clean left: $stray"
say "built $(basename "$deb") in $(($(date +%s) - t0)) s: $(stat -c %s "$deb") bytes," \
        "$(dpkg-deb -c "$deb" | grep -vc '/$') files; the tree is clean after it"

# --- 2. lintian ------------------------------------------------------------------------------
t0=$(date +%s)
changes=$work/build/rcc_${deb_version}_amd64.changes
# Not as root (lintian warns that it should not be); it only reads.
chmod -R a+rX "$work/build"
lintian_as=""
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
        lintian_as="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups env HOME=$work/build"
fi
$lintian_as lintian --display-info --display-experimental --pedantic --show-overrides "$changes" \
        >"$work/lintian.txt" 2>&1 || true
count() { grep -c "^$1: " "$work/lintian.txt" || true; }
grep -v '^N:' "$work/lintian.txt" | sed 's/^/  /' || true
say "lintian $(lintian --version | sed 's/^Lintian v//'): $(count E) errors, $(count W) warnings," \
        "$(count I) info, $(count P) pedantic, $(count X) experimental, $(count O) overridden" \
        "($(($(date +%s) - t0)) s)"
[ "$(count E)" = 0 ] || fail "lintian reports errors (above)"

# --- 3. the install root ---------------------------------------------------------------------
# The package's Depends and Recommends (the first of each set of alternatives, without versions,
# the libraries dpkg-shlibdeps found among them): what `apt-get install ./rcc.deb` would bring.
# They are in the root beforehand, so that the install needs no mirror and the purge can be
# compared with the root as it was.
relations=$(dpkg-deb -f "$deb" Depends Recommends | sed 's/^[A-Za-z-]*: //' | tr ',' '\n' |
        sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' -e '/^$/d' | sort -u | paste -sd, -)
key=$({ echo "$suite $relations"; echo 2; } | sha256sum | cut -c1-16)
tarball=$cache/root-$suite-$key.tar
if [ ! -s "$tarball" ]; then
        mkdir -p "$cache"
        say "building the install root $tarball (mmdebstrap $suite with: $relations)"
        t0=$(date +%s)
        if ! nice -n 10 mmdebstrap --variant=minbase --mode=root --format=tar --include="$relations" \
                "$suite" "$tarball.tmp" "$mirror" >"$work/mmdebstrap.log" 2>&1; then
                rm -f "$tarball.tmp"
                tail -20 "$work/mmdebstrap.log"
                if grep -qi 'could not resolve\|failed to fetch\|unable to connect\|temporary failure' \
                        "$work/mmdebstrap.log"; then
                        skip "no cached install root and the mirror $mirror cannot be reached (above)"
                fi
                fail "mmdebstrap failed (above)"
        fi
        mv "$tarball.tmp" "$tarball"
        find "$cache" -maxdepth 1 -name "root-$suite-*.tar" ! -name "$(basename "$tarball")" -delete
        say "install root built in $(($(date +%s) - t0)) s"
fi
mkdir "$root"
tar --numeric-owner -xpf "$tarball" -C "$root" || fail "cannot unpack $tarball"
cp "$deb" "$root/tmp/"

# Runs "$@" in the root: a chroot in a mount namespace of its own with /proc, which goes away with
# it, and a policy-rc.d that stops any maintainer script from starting a service there.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
in_root() {
        # shellcheck disable=SC2016 # expanded by the inner sh
        unshare --mount --propagation private -- sh -c 'mount -t proc proc "$0/proc" && mount -t devpts -o newinstance,ptmxmode=0666 devpts "$0/dev/pts" && exec chroot "$0" "$@"' \
                "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
}
# The root's file list (type, mode, owner, path; size and checksum of /etc's files), without what
# apt and dpkg keep about themselves, logs and caches.
snapshot() {
        (cd "$root" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./var/lib/dpkg -o -path ./var/lib/apt \
                -o -path ./var/cache -o -path ./var/log -o -path ./usr/sbin/policy-rc.d \) -prune -o \
                -printf '%y %m %u:%g %p\n' | LC_ALL=C sort
         cd "$root" && find ./etc -xdev -type f -exec sha256sum {} + | LC_ALL=C sort -k2) >"$1"
}
etc_sums() { (cd "$root" && find ./etc -xdev \( -type f -o -type l \) -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort -k2) >"$1"; }
same() {
        if ! diff -u "$1" "$2" >"$work/diff.txt"; then
                head -40 "$work/diff.txt" >&2
                fail "$3"
        fi
}

snapshot "$work/before.txt"
etc_sums "$work/etc-before.txt"

t0=$(date +%s)
in_root apt-get install -y -q "/tmp/$(basename "$deb")" >"$work/install.log" 2>&1 || {
        cat "$work/install.log" >&2
        fail "apt-get install ./$(basename "$deb") failed in the $suite root"
}
grep -q '^0 upgraded, 1 newly installed' "$work/install.log" ||
        { cat "$work/install.log" >&2; fail "apt-get installed more than rcc (its Depends and Recommends are in the root)"; }
say "installed into a $suite root with apt-get ($(($(date +%s) - t0)) s)"

in_root rcc-setup --help >"$work/help.txt" 2>&1 || { cat "$work/help.txt" >&2; fail "rcc-setup --help failed"; }
grep -q 'install' "$work/help.txt" || fail "rcc-setup --help does not mention install"
version=$(in_root rcc-setup --version)
[ "$version" = "rcc-setup $deb_version" ] || fail "rcc-setup --version says '$version', the package is $deb_version"
say "ok: rcc-setup --help, --version ($version)"

in_root dpkg -L rcc >"$work/files.txt"
pam_module=$(grep '/security/pam_rcc\.so$' "$work/files.txt") || fail "dpkg -L rcc holds no pam_rcc.so"
say "ok: dpkg -L rcc holds $pam_module"

# The paths compiled into rcc-setup (config.h) name the files the package put there.
for path in "$pam_module" /usr/bin/rcc-shell /usr/sbin/rcc-firewall /usr/sbin/rcc-firewalld \
        /usr/lib/rcc/rcc-landlock /usr/lib/rcc/rcc-stage; do
        grep -aq "$path" "$root/usr/sbin/rcc-setup" "$root/usr/bin/rcc-shell" ||
                fail "no binary of rcc names $path"
        [ -f "$root$path" ] || fail "$path is compiled into rcc but not in the package"
done
# The sudo shim directory, compiled in as such (the sudoers drop-in names it), holds the shim.
grep -aq /usr/lib/rcc/bin "$root/usr/sbin/rcc-setup" || fail "rcc-setup does not name the shim directory /usr/lib/rcc/bin"
[ -x "$root/usr/lib/rcc/bin/claude" ] || fail "no shim /usr/lib/rcc/bin/claude"
grep -aq '/etc/rcc' "$root/usr/sbin/rcc-setup" || fail "rcc-setup does not look for its policy in /etc/rcc"
grep -aq '/usr/share/rcc/apparmor' "$root/usr/sbin/rcc-setup" || fail "rcc-setup looks for its AppArmor profiles elsewhere"
[ -f "$root/usr/share/rcc/apparmor/rcc-shell" ] || fail "no AppArmor profiles in /usr/share/rcc/apparmor"
say "ok: the paths compiled into rcc are where the package put the files"

unit=$(grep '/systemd/system/rcc-firewall\.service$' "$work/files.txt") || fail "no rcc-firewall.service in the package"
enabled=$(in_root systemctl is-enabled rcc-firewall.service 2>&1) || true
[ "$enabled" = disabled ] || fail "rcc-firewall.service is '$enabled' after the install, not disabled"
say "ok: $unit installed and $enabled (deb-systemd-invoke starts no disabled unit)"

etc_sums "$work/etc-installed.txt"
same "$work/etc-before.txt" "$work/etc-installed.txt" "the install changed /etc (above)"
for f in pam.d/sshd pam.d/sudo ssh/sshd_config sudoers passwd shells; do
        grep -q " \./etc/$f\$" "$work/etc-before.txt" || fail "the root has no /etc/$f to compare"
done
say "ok: /etc untouched by the install ($(wc -l <"$work/etc-before.txt") files compared:" \
        "pam.d, ssh, sudoers, passwd, shells, systemd units, ...)"

# While rcc-setup's manifest lists changes, removing the package would lock everyone out.
mkdir -p "$root/var/lib/rcc"
echo "file /etc/ssh/sshd_config.d/rcc.conf" >"$root/var/lib/rcc/installed"
if in_root apt-get remove -y -q rcc >"$work/remove.log" 2>&1; then
        fail "apt-get remove rcc succeeded while /var/lib/rcc/installed lists changes"
fi
grep -q "Run 'rcc-setup uninstall' first" "$work/remove.log" ||
        { cat "$work/remove.log" >&2; fail "the refusal does not name rcc-setup uninstall"; }
# shellcheck disable=SC2016 # dpkg-query's format
in_root dpkg-query -W -f='${Status}\n' rcc | grep -q 'install ok installed' ||
        fail "rcc is not installed after the refused removal"
rm -rf "$root/var/lib/rcc"
say "ok: removal refused while the manifest lists changes ('Run rcc-setup uninstall first')"

in_root rcc-setup uninstall >"$work/uninstall.log" 2>&1 || { cat "$work/uninstall.log" >&2; fail "rcc-setup uninstall failed"; }
# What rcc makes at run time and an uninstall leaves: pam_rcc's records in /run/rcc (the unit
# keeps it), an emptied state directory, and the empty directories of /etc/rcc.
mkdir -p "$root/run/rcc/sessions" "$root/var/lib/rcc/home" "$root/etc/rcc/accounts.d" "$root/etc/rcc/podman/hooks.d"
touch "$root/run/rcc/sessions/1234" "$root/run/rcc/firewalld.state"
t0=$(date +%s)
in_root apt-get purge -y -q rcc >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "apt-get purge rcc failed"; }
say "purged ($(($(date +%s) - t0)) s)"

# Every path of the package (directories too: dpkg -S knows which it shares); the files and
# links must be gone, the directories only where no other package has them (the snapshot below).
dpkg-deb -c "$deb" | awk '{print substr($6, 2)}' | sed 's|/$||' | grep -v '^$' >"$work/paths.txt"
known=""
while read -r path; do
        if in_root dpkg -S "$path" 2>/dev/null | grep -q '^rcc\(:amd64\)\?: '; then
                known="$known $path"
        fi
done <"$work/paths.txt"
[ -z "$known" ] || fail "dpkg -S still knows of rcc:$known"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print substr($6, 2)}' >"$work/files-only.txt"
while read -r path; do
        if [ -e "$root$path" ] || [ -L "$root$path" ]; then
                fail "$path is still there after the purge"
        fi
done <"$work/files-only.txt"
snapshot "$work/after.txt"
same "$work/before.txt" "$work/after.txt" "the root after the purge is not as it was before the install (above)"
etc_sums "$work/etc-after.txt"
same "$work/etc-before.txt" "$work/etc-after.txt" "/etc after the purge is not as it was (above)"
say "ok: after the purge dpkg -S knows none of the package's $(wc -l <"$work/paths.txt") paths," \
        "and the root's $(wc -l <"$work/before.txt") entries are as before the install" \
        "(/run/rcc, /var/lib/rcc, /etc/rcc gone)"

say "passed in $(elapsed)"
