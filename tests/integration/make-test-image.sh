#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-test-image.sh OUT.tar: a tiny root filesystem for the session tests, built from the
# machine's static busybox (Debian package busybox-static). It is a test fixture, not the product
# image (that is `rcc-setup image build`): /bin/sh and the usual tools as busybox applets, and a
# stand-in /usr/local/bin/claude that says it runs inside this image, so a test can tell the shim
# reached the container.
set -eu

out="$1"
busybox=${BUSYBOX:-/bin/busybox}
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || {
        echo "make-test-image.sh: $busybox is not a static busybox (install busybox-static)" >&2
        exit 1
}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/usr/local/bin" "$root/workspace" "$root/tmp" "$root/root"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
# An image's own hosts file: rcc-shell runs podman with --no-hosts.
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
printf 'rcc-test-image\n' >"$root/etc/rcc-test-image"
cat >"$root/usr/local/bin/claude" <<'CLAUDE'
#!/bin/sh
# Stand-in for Claude Code in the session tests' image. --rcc-test-sh CMD runs CMD instead: the
# only thing a sudo session may run is this shim, and some tests must look around from there.
if [ "${1-}" = --rcc-test-sh ]; then
        exec /bin/sh -c "$2"
fi
echo "claude-stand-in in rcc-test-image: args=<$*> cwd=$(pwd) uid=$(id -u) home=$HOME leak=${RCC_TEST_LEAK-none}"
CLAUDE
chmod 0755 "$root/usr/local/bin/claude"
tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out" .
