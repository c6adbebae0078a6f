#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-image.sh CACHE-DIR: the Debian 12 root filesystem the VM tests boot, as a tarball in
# CACHE-DIR, built once with mmdebstrap and reused while its inputs stay the same.
#
# The cache key is the SHA-256 of the package list (tests/vm/packages) and of this script, so
# editing either rebuilds the image and nothing else does. The tarball holds a plain Debian
# system (its own kernel and initrd in /boot): nothing of rcc, no users, no policy. What a
# run adds (the build under test, the humans, the scenarios) goes into a copy, so one cached
# image serves every source tree.
#
# Prints the tarball's path on stdout; progress goes to stderr, mmdebstrap's log to
# CACHE-DIR/logs/mmdebstrap.log. Needs root (mmdebstrap's root mode: a real chroot that can
# run the kernel package's initramfs hook).

set -u

here=$(cd "$(dirname "$0")" && pwd)
cache="${1:?usage: build-image.sh CACHE-DIR}"
mirror="${RCC_VM_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm

die() {
        echo "build-image.sh: $*" >&2
        exit 1
}

# The package list without its comments and blank lines, one a line.
packages() {
        sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/packages"
}

# The key names the image; the mirror is not part of it (the same packages from another
# mirror are the same system).
cache_key() {
        { packages; cat "$here/build-image.sh"; } | sha256sum | cut -c1-16
}

key=$(cache_key) || die "cannot compute the cache key"
image="$cache/rootfs-$key.tar"
if [ -s "$image" ]; then
        echo "image: cached ($image)" >&2
        echo "$image"
        exit 0
fi

command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (apt-get install mmdebstrap)"
mkdir -p "$cache/logs" || die "cannot create $cache"

# Hooks that run in the finished chroot ($1 is its root). They make a system that boots
# unattended from /dev/vda and stays quiet while the scenarios run:
# - fstab: the root file system is the virtio disk, mounted read-write.
# - resolv.conf: mmdebstrap copies the build host's; the guest gets a fixed one, so
#   `resolvers: auto` in the policy sees the same address on every machine.
# - root without a password: with --keep, a developer can boot the disk and log in on the
#   serial console. The VM has no network device, so nothing can reach it.
# - timers that would start apt or fstrim in the middle of a scenario are masked.
# The hooks are shell code for mmdebstrap to run, hence single quotes.
# shellcheck disable=SC2016
hooks=(
        --customize-hook='echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$1/etc/fstab"'
        --customize-hook='echo rcc-vm >"$1/etc/hostname"'
        --customize-hook='printf "127.0.0.1 localhost\n127.0.1.1 rcc-vm\n::1 localhost\n" >"$1/etc/hosts"'
        --customize-hook='rm -f "$1/etc/resolv.conf"; echo "nameserver 10.0.2.3" >"$1/etc/resolv.conf"'
        --customize-hook='chroot "$1" passwd -d root'
        --customize-hook='systemctl --root="$1" mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer'
)

echo "image: building $image with mmdebstrap (about 90 s; log: $cache/logs/mmdebstrap.log)" >&2
start=$SECONDS
rm -f "$image.tmp"
# Runs under nice: other builds on the machine keep their share of the CPU.
if ! nice -n 10 mmdebstrap --variant=minbase --mode=root --format=tar \
        --include="$(packages | paste -sd,)" "${hooks[@]}" \
        "$suite" "$image.tmp" "$mirror" >"$cache/logs/mmdebstrap.log" 2>&1; then
        rm -f "$image.tmp"
        tail -20 "$cache/logs/mmdebstrap.log" >&2
        die "mmdebstrap failed (log: $cache/logs/mmdebstrap.log)"
fi
tar -tf "$image.tmp" | grep -q '^\./boot/vmlinuz-' || die "the image has no kernel in /boot"
tar -tf "$image.tmp" | grep -q '^\./boot/initrd.img-' || die "the image has no initrd in /boot"
mv "$image.tmp" "$image" || die "cannot move the image into place"
# Older images are of no further use: their key no longer matches anything.
find "$cache" -maxdepth 1 -name 'rootfs-*.tar' ! -name "rootfs-$key.tar" -delete
echo "image: built in $((SECONDS - start)) s" >&2
echo "$image"
