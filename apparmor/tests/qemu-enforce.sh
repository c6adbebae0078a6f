#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-enforce.sh BUILD-DIR PROFILE...: the profiles enforced by a real kernel. Debian's stock
# kernel (one exact linux-image-6.1.0-NN-amd64 package, downloaded once into the cache) boots
# under qemu with AppArmor on, from an initramfs this script builds: busybox, the profiles
# compiled here into binary policy, and an /init that loads them through
# /sys/kernel/security/apparmor/.replace and then tries, as root (so that file modes allow all of
# it and only AppArmor can say no):
#
#   - under rcc-shell (attached by path: a copy of busybox at rcc-shell's installed path, run
#     through a symlink named after the applet): read /etc/shadow (denied), write /etc/rcc/x
#     (denied), read a file of a project outside the grants (denied), read a file of a granted
#     project (allowed);
#   - the container's side: under rcc-runtime with no_new_privs set, exec /run/podman-init
#     (stacked with rcc-container), where mount is denied; under rcc-runtime alone it is allowed.
#
# Every result is a line "RCC-AA: ..." on the serial console, which this script checks. No KVM
# (software emulation: -enable-kvm hangs on the machines this was written on); a boot to the
# first result takes about 10 s. Cache: ${RCC_APPARMOR_CACHE:-/var/cache/rcc-apparmor-test}.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: qemu-enforce.sh BUILD-DIR PROFILE...}
shift
profiles=("$@")
cache=${RCC_APPARMOR_CACHE:-/var/cache/rcc-apparmor-test}
# shellcheck source=lib.sh
. "$here/lib.sh"

skip() {
        echo "SKIP: $*"
        exit 77
}
die() {
        echo "FAIL: $*"
        exit 1
}
t0=$(date +%s.%N)
elapsed() { printf '%.1f s' "$(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo 0)"; }

# The tools. As root, install what is missing; without them there is no test.
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v apparmor_parser >/dev/null || [ -x /sbin/apparmor_parser ] || need+=(apparmor)
if [ ${#need[@]} -gt 0 ]; then
        [ "$(id -u)" = 0 ] || skip "missing ${need[*]} and not root to install them"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" \
                >/dev/null 2>&1 || true
fi
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 cannot be installed (Debian package qemu-system-x86)"
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || die "no static busybox (Debian package busybox-static)"
command -v cpio >/dev/null || die "cpio is missing"
parser=$(command -v apparmor_parser || echo /sbin/apparmor_parser)
[ -x "$parser" ] || die "apparmor_parser is missing (Debian package apparmor)"

# The kernel: the newest linux-image-6.1.0-NN-amd64 the archive offers, by its exact name. A
# cached package is reused; without the archive, the newest cached one.
mkdir -p "$cache" || skip "cannot create $cache"
pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null |
        cut -d' ' -f1 | sort -V | tail -n1)
deb=""
if [ -n "$pkg" ]; then
        deb=$(ls "$cache/${pkg}_"*_amd64.deb 2>/dev/null | head -n1)
        if [ -z "$deb" ]; then
                echo "# downloading $pkg into $cache"
                (cd "$cache" && apt-get download "$pkg" >"$cache/download.log" 2>&1)
                deb=$(ls "$cache/${pkg}_"*_amd64.deb 2>/dev/null | head -n1)
        fi
fi
[ -n "$deb" ] || deb=$(ls "$cache"/linux-image-6.1.0-*-amd64_*_amd64.deb 2>/dev/null | sort -V | tail -n1)
[ -n "$deb" ] || skip "no linux-image-6.1.0-NN-amd64 package: apt-cache found '${pkg:-nothing}', and apt-get download failed (see $cache/download.log)"
vmlinuz="${deb%.deb}.vmlinuz"
if [ ! -s "$vmlinuz" ]; then
        dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/vmlinuz-*' >"$vmlinuz.tmp" &&
                mv "$vmlinuz.tmp" "$vmlinuz" || die "cannot extract vmlinuz from $deb"
fi
echo "# kernel: $(basename "$deb") ($(elapsed))"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
root="$tmp/root"

# The profiles, compiled here for the guest: granted project /srv/proj, the account's home and
# uid as rcc-setup would write them.
make_base "$tmp/base" "$build" 0 /var/lib/rcc/home/rcc 1001 /srv/proj || die "cannot write the tunables"
mkdir -p "$root/policy"
for name in "${profiles[@]}"; do
        "$parser" -Q -I "$tmp/base" -I /etc/apparmor.d -o "$root/policy/$name.bin" "$build/$name" \
                >"$tmp/parser.log" 2>&1 || die "apparmor_parser cannot compile $name: $(cat "$tmp/parser.log")"
done
attach=$(sed -n 's/^profile rcc-shell \([^ ]*\) .*/\1/p' "$build/rcc-shell")
[ -n "$attach" ] || die "no attachment path in $build/rcc-shell"
echo "# compiled ${#profiles[@]} profiles; rcc-shell attaches to $attach ($(elapsed))"

# The initramfs: busybox and its applets, the files to try, /init.
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,mnt,etc/rcc,srv/proj,srv/other,run,t,t2,usr/bin} \
        "$root$(dirname "$attach")"
cp /bin/busybox "$root/bin/busybox"
for applet in sh mount cat echo mkdir ln touch poweroff setpriv sleep head wc grep cut sed dmesg tr env; do
        ln -s busybox "$root/bin/$applet"
done
cp /bin/busybox "$root$attach"
cp /bin/busybox "$root/run/podman-init"
echo "root:\$6\$secret-hash:19000:0:99999:7:::" >"$root/etc/shadow"
echo "version: 1" >"$root/etc/rcc/rcc.yaml"
echo "granted-project-content" >"$root/srv/proj/file.txt"
echo "other-project-content" >"$root/srv/other/file.txt"
ln -s "$attach" "$root/t/cat"
ln -s "$attach" "$root/t/touch"
ln -s /run/podman-init "$root/t2/cat"
ln -s /run/podman-init "$root/t2/mount"
cat >"$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security
mount -t devtmpfs devtmpfs /dev 2>/dev/null
say() { echo "RCC-AA: $*"; }
# Every audit record on the console (without auditd the kernel rate-limits them to a few).
echo 0 >/proc/sys/kernel/printk_ratelimit
echo 10000 >/proc/sys/kernel/printk_ratelimit_burst
say "booted $(cat /proc/uptime | cut -d' ' -f1 2>/dev/null) apparmor=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)"
for f in /policy/*.bin; do
        cat "$f" >/sys/kernel/security/apparmor/.replace || say "load-failed $f"
done
say "loaded: $(grep -c '^rcc-' /sys/kernel/security/apparmor/profiles) rcc profiles, $(grep -c '^rcc-.*(enforce)' /sys/kernel/security/apparmor/profiles) in enforce mode"
# Controls: unconfined root reads and writes all of it (DAC allows; only AppArmor can refuse).
cat /etc/shadow >/dev/null && touch /etc/rcc/control && cat /srv/other/file.txt >/dev/null &&
        say "control: unconfined root reads /etc/shadow, writes /etc/rcc, reads /srv/other"
say "label under rcc-shell: $(/t/cat /proc/self/attr/current 2>&1)"
try() { # try WHAT EXPECT CMD...: one result line
        what=$1 expect=$2
        shift 2
        if out=$("$@" 2>&1); then got=allowed; else got=denied; fi
        [ "$got" = "$expect" ] && v=PASS || v=FAIL
        say "$v $(echo "$got" | tr a-z A-Z): $what: $(echo "$out" | head -n1)"
}
try "rcc-shell reads /etc/shadow" denied /t/cat /etc/shadow
try "rcc-shell writes /etc/rcc/x" denied /t/touch /etc/rcc/x
try "rcc-shell reads /srv/other/file.txt (not granted)" denied /t/cat /srv/other/file.txt
try "rcc-shell reads /srv/proj/file.txt (granted)" allowed /t/cat /srv/proj/file.txt
# The container's side: the runtime with no_new_privs, then its exec of /run/podman-init.
runtime() { sh -c 'echo "exec rcc-runtime" >/proc/self/attr/exec && exec setpriv --nnp "$@"' sh "$@"; }
say "label under rcc-runtime: $(runtime cat /proc/self/attr/current 2>&1)"
say "label after rcc-runtime execs /run/podman-init under no_new_privs: $(runtime /t2/cat /proc/self/attr/current 2>&1)"
try "rcc-runtime mounts a tmpfs" allowed runtime mount -t tmpfs none /mnt
try "rcc-runtime//&rcc-container mounts a tmpfs" denied runtime /t2/mount -t tmpfs none /mnt
try "rcc-runtime//&rcc-container reads /etc/shadow" denied runtime /t2/cat /etc/shadow
dmesg | grep -o 'apparmor="[A-Z]*".*' | sed 's/ pid=[0-9]*//; s/^/RCC-AA: audit: /'
say "done $(cut -d' ' -f1 /proc/uptime)"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$tmp/initrd.cpio.gz" || die "cannot build the initramfs"
echo "# initramfs: $(du -k "$tmp/initrd.cpio.gz" | cut -f1) KiB ($(elapsed))"

boot0=$(date +%s.%N)
nice -n 10 timeout 240 qemu-system-x86_64 -m 512 -nographic -no-reboot \
        -kernel "$vmlinuz" -initrd "$tmp/initrd.cpio.gz" \
        -append "console=ttyS0 apparmor=1 security=apparmor panic=-1 quiet" \
        </dev/null >"$tmp/console.log" 2>&1
rc=$?
boot_s=$(echo "$(date +%s.%N) - $boot0" | bc)
mkdir -p "$cache/logs" && cp "$tmp/console.log" "$cache/logs/last-console.log"
tr -d '\r' <"$tmp/console.log" | grep -o 'RCC-AA:.*' | sed 's/^/  /'
printf '# qemu ran %.1f s (exit %d); console: %s\n' "$boot_s" "$rc" "$cache/logs/last-console.log"

lines=$(tr -d '\r' <"$tmp/console.log" | grep -o 'RCC-AA:.*')
grep -q 'RCC-AA: done' <<<"$lines" || die "the guest did not finish (see $cache/logs/last-console.log)"
grep -q "loaded: ${#profiles[@]} rcc profiles, ${#profiles[@]} in enforce mode" <<<"$lines" ||
        die "not every profile loaded in enforce mode"
grep -q 'label under rcc-shell: rcc-shell (enforce)' <<<"$lines" || die "rcc-shell did not attach by path"
grep -q 'control: unconfined root' <<<"$lines" || die "the unconfined control failed"
grep -qE 'rcc-(runtime//&rcc-container|container//&rcc-runtime) \(enforce\)' <<<"$lines" || die "the container's init is not stacked with rcc-container"
n_pass=$(grep -c 'RCC-AA: PASS' <<<"$lines")
n_fail=$(grep -c 'RCC-AA: FAIL' <<<"$lines")
echo "$n_pass passed, $n_fail failed ($(elapsed) in all)"
[ "$n_fail" = 0 ] && [ "$n_pass" = 7 ]
