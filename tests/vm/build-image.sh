#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-image.sh TARGET-DIR CACHE-DIR: the root filesystem a VM target boots, and the build root
# rcc is compiled in for it, as tarballs in CACHE-DIR, each built once and reused while its
# inputs stay the same. TARGET-DIR is one of tests/vm/targets/* (see tests/vm/README.md):
#   target          suite=… (and what tests/vm/run reads)
#   packages        installed by mmdebstrap, without their Recommends
#   apt-install     (optional) installed afterwards by `apt-get install` in the image's chroot
#                   with apt's defaults, Recommends and all, as an admin installs them
#   build-packages  the compiler and -dev packages rcc's build needs
#
# The image (rootfs-TARGET-KEY.tar) is a plain Debian system (its own kernel and initrd in /boot):
# nothing of rcc, no users, no policy. What a run adds (the build under test, the humans, the
# scenarios) goes into a copy, so one cached image serves every source tree. Its key is the
# SHA-256 of the target's package lists and of this script.
#
# The build root (buildroot-TARGET-KEY.tar) is that same image with build-packages added by
# apt-get in its chroot: the target's own toolchain and headers, the versions of the libraries
# the guest runs. The guest never boots with them. Its key adds build-packages to the image's.
#
# Prints the image's path, then the build root's, one a line, on stdout; progress goes to
# stderr, the logs to CACHE-DIR/logs/. Needs root (mmdebstrap's root mode: a real chroot that
# can run the kernel package's initramfs hook; chroot and mounts for the build root).

set -u

here=$(cd "$(dirname "$0")" && pwd)
target_dir="${1:?usage: build-image.sh TARGET-DIR CACHE-DIR}"
cache="${2:?usage: build-image.sh TARGET-DIR CACHE-DIR}"
target_dir=$(cd "$target_dir" && pwd) || exit 1
target=$(basename "$target_dir")
mirror="${RCC_VM_MIRROR:-http://deb.debian.org/debian}"
suite=$(sed -n 's/^suite=\([a-z]*\)$/\1/p' "$target_dir/target")

die() {
        echo "build-image.sh: $*" >&2
        exit 1
}
[ -n "$suite" ] || die "$target_dir/target names no suite"

# A package list without its comments and blank lines, one a line (nothing for a missing file).
list() {
        [ -f "$target_dir/$1" ] || return 0
        sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$target_dir/$1"
}

# The keys name the image and the build root; the mirror is not part of them (the same packages
# from another mirror are the same system).
image_key() {
        { echo "$suite"; list packages; echo "-- apt-install"; list apt-install
                cat "$here/build-image.sh"; } | sha256sum | cut -c1-16
}
key=$(image_key) || die "cannot compute the cache key"
build_key=$({ echo "$key"; list build-packages; } | sha256sum | cut -c1-16)
image="$cache/rootfs-$target-$key.tar"
buildroot="$cache/buildroot-$target-$build_key.tar"
mkdir -p "$cache/logs" || die "cannot create $cache"

# Older tarballs of this target are of no further use: their key no longer matches anything.
prune() {
        find "$cache" -maxdepth 1 -name "$1-$target-*.tar" ! -name "$(basename "$2")" -delete
}

# Hooks that run in the finished chroot ($1 is its root). They make a system that boots
# unattended from /dev/vda and stays quiet while the scenarios run:
# - the admin's `apt-get install` (apt-install), first, while the chroot still has the build
#   host's resolver and mmdebstrap's package lists.
# - fstab: the root file system is the virtio disk, mounted read-write.
# - resolv.conf: mmdebstrap copies the build host's; the guest gets a fixed one, so
#   `resolvers: auto` in the policy sees the same address on every machine.
# - root without a password: with --keep, a developer can boot the disk and log in on the
#   serial console. The VM has no network device, so nothing can reach it.
# - timers that would start apt or fstrim in the middle of a scenario are masked.
# The hooks are shell code for mmdebstrap to run, hence single quotes.
build_image() {
        local admin hooks=()
        admin=$(list apt-install | paste -sd' ')
        # shellcheck disable=SC2016
        [ -n "$admin" ] && hooks+=(--customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o APT::Install-Recommends=true '"$admin")
        # shellcheck disable=SC2016
        hooks+=(
                --customize-hook='echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$1/etc/fstab"'
                --customize-hook='echo rcc-vm >"$1/etc/hostname"'
                --customize-hook='printf "127.0.0.1 localhost\n127.0.1.1 rcc-vm\n::1 localhost\n" >"$1/etc/hosts"'
                --customize-hook='rm -f "$1/etc/resolv.conf"; echo "nameserver 10.0.2.3" >"$1/etc/resolv.conf"'
                --customize-hook='chroot "$1" passwd -d root'
                --customize-hook='systemctl --root="$1" mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer'
        )
        local log="$cache/logs/mmdebstrap-$target.log"
        echo "image: building $image with mmdebstrap ($suite; about 2 minutes; log: $log)" >&2
        local start=$SECONDS
        rm -f "$image.tmp"
        # Runs under nice: other builds on the machine keep their share of the CPU.
        if ! nice -n 10 mmdebstrap --variant=minbase --mode=root --format=tar \
                --include="$(list packages | paste -sd,)" "${hooks[@]}" \
                "$suite" "$image.tmp" "$mirror" >"$log" 2>&1; then
                rm -f "$image.tmp"
                tail -20 "$log" >&2
                die "mmdebstrap failed (log: $log)"
        fi
        tar -tf "$image.tmp" | grep -q '^\./boot/vmlinuz-' || die "the image has no kernel in /boot"
        tar -tf "$image.tmp" | grep -q '^\./boot/initrd.img-' || die "the image has no initrd in /boot"
        mv "$image.tmp" "$image" || die "cannot move the image into place"
        prune rootfs "$image"
        echo "image: built in $((SECONDS - start)) s" >&2
}

# The build root: the image unpacked, build-packages installed by apt-get in its chroot (in a
# mount namespace of its own, so that its /proc and /dev go away with it), packed again.
build_root() {
        local dir="$cache/buildroot-$target.tmp.d" log="$cache/logs/buildroot-$target.log" start=$SECONDS
        echo "image: building $buildroot (apt-get install in the image's chroot; log: $log)" >&2
        rm -rf "$dir" "$buildroot.tmp"
        mkdir -p "$dir" || die "cannot create $dir"
        tar --numeric-owner --xattrs --xattrs-include='*' -xpf "$image" -C "$dir" || die "cannot unpack $image"
        cp -L /etc/resolv.conf "$dir/etc/resolv.conf" || die "cannot give the build root a resolver"
        # shellcheck disable=SC2016
        if ! nice -n 10 unshare --mount --propagation private -- sh -c '
                set -e
                mount -t proc proc "$1/proc"
                mount --rbind /dev "$1/dev"
                root=$1
                shift
                chroot "$root" apt-get update -q
                chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
                chroot "$root" apt-get clean
                rm -rf "$root"/var/lib/apt/lists/*' sh "$dir" $(list build-packages) >"$log" 2>&1; then
                tail -20 "$log" >&2
                rm -rf "$dir"
                die "installing the build packages failed (log: $log)"
        fi
        tar --numeric-owner --xattrs --xattrs-include='*' -C "$dir" -cf "$buildroot.tmp" . ||
                die "cannot pack the build root"
        rm -rf "$dir"
        mv "$buildroot.tmp" "$buildroot" || die "cannot move the build root into place"
        prune buildroot "$buildroot"
        echo "image: build root built in $((SECONDS - start)) s" >&2
}

if [ -s "$image" ]; then
        echo "image: cached ($image)" >&2
else
        command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (apt-get install mmdebstrap)"
        build_image
fi
if [ -s "$buildroot" ]; then
        echo "image: build root cached ($buildroot)" >&2
else
        build_root
fi
echo "$image"
echo "$buildroot"
