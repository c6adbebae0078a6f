#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the rcc SELinux module with the distribution's policy development files, in a temporary
# copy of this directory, and check the package: it unpacks, declares rcc_project_t and
# rcc_conf_t, and carries rcc.fc as written. Exit 77 (skip) only when the development files are
# not installed (Debian: selinux-policy-dev; Fedora: selinux-policy-devel).
#
#   selinux/build-test.sh [SRCDIR [OUT.pp]]   SRCDIR: default the directory of this script;
#                                             OUT.pp: also copy the package there (the build)
set -eu

src=${1:-$(dirname "$0")}
out=${2:-}
devel=${SELINUX_DEVEL_MAKEFILE:-/usr/share/selinux/devel/Makefile}
if [ ! -f "$devel" ]; then
        echo "skip: $devel is missing (install selinux-policy-dev)"
        exit 77
fi
for tool in make checkmodule semodule_package semodule_unpackage; do
        command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (checkpolicy, semodule-utils)"; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$src/rcc.te" "$src/rcc.fc" "$src/rcc.if" "$tmp/"
if ! make -C "$tmp" -f "$devel" rcc.pp >"$tmp/build.log" 2>&1; then
        cat "$tmp/build.log"
        echo "FAIL: make -f $devel rcc.pp"
        exit 1
fi
[ -s "$tmp/rcc.pp" ] || { echo "FAIL: no rcc.pp"; exit 1; }

semodule_unpackage "$tmp/rcc.pp" "$tmp/out.mod" "$tmp/out.fc"
for type in rcc_project_t rcc_conf_t; do
        # The module's symbol table stores each declared type's name.
        grep -aq "$type" "$tmp/out.mod" || { echo "FAIL: rcc.pp does not declare $type"; exit 1; }
done
grep -q 'rcc_conf_t' "$tmp/out.fc" || { echo "FAIL: rcc.pp carries no file context for /etc/rcc"; exit 1; }
[ -z "$out" ] || cp "$tmp/rcc.pp" "$out"
echo "ok: rcc.pp built ($(wc -c <"$tmp/rcc.pp") bytes) with rcc_project_t, rcc_conf_t and /etc/rcc's file context"
