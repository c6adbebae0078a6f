#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# compile.sh BUILD-DIR PROFILE...: every profile compiles with apparmor_parser -Q -K (parse and
# compile only: nothing is loaded, no kernel or cache is needed) against a tunables file like the
# one rcc-setup writes (projects with a glob, a space and a bracket, two accounts), once without
# the userns rule and, where the parser knows it (AppArmor 4), once with it. And the userns rule
# is in exactly the profiles that run podman, its runtime and its network helper.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: compile.sh BUILD-DIR PROFILE...}
shift
# shellcheck source=lib.sh
. "$here/lib.sh"

parser=$(command -v apparmor_parser || ls /sbin/apparmor_parser /usr/sbin/apparmor_parser 2>/dev/null | head -n1)
if [ -z "$parser" ]; then
        echo "SKIP: apparmor_parser is not installed (Debian package apparmor)"
        exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

variants=0
[ "$(parser_major)" -ge 4 ] 2>/dev/null && variants="0 1"
failed=0
for userns in $variants; do
        base="$tmp/base-$userns"
        make_base "$base" "$build" "$userns" "/var/lib/rcc/home/rcc /var/lib/rcc/home/rcc-alice" \
                "{1001,1002}" "/home/alice/src/*" "/srv/rcc demo" "/srv/p[0-9]" || exit 1
        for name in "$@"; do
                if out=$("$parser" -Q -K -I "$base" -I /etc/apparmor.d "$build/$name" 2>&1); then
                        echo "ok - $name compiles (userns rule: $userns)"
                else
                        echo "not ok - $name (userns rule: $userns): $out"
                        failed=$((failed + 1))
                fi
        done
done
# userns: the profiles that run podman, its runtime and its network helper include the rule, no
# other does (the container's above all); with an AppArmor 4 parser, the rule is really in them as
# the parser reads them (-p: the includes expanded), and in no other.
holders=$(userns_holders "$build" "$@")
if [ "$holders" = "$USERNS_PROFILES" ]; then
        echo "ok - abstractions/rcc-userns is included by $holders, and by no other profile"
else
        echo "not ok - abstractions/rcc-userns is included by '${holders:-none}', wanted '$USERNS_PROFILES'"
        failed=$((failed + 1))
fi
for userns in $variants; do
        [ "$userns" = 1 ] || continue
        with=""
        for name in "$@"; do
                "$parser" -p -I "$tmp/base-1" -I /etc/apparmor.d "$build/$name" 2>/dev/null |
                        grep -Eq '^[[:space:]]*userns,' && with+="${with:+ }$name"
        done
        with=$(tr ' ' '\n' <<<"$with" | sort | paste -sd' ')
        if [ "$with" = "$USERNS_PROFILES" ]; then
                echo "ok - AppArmor 4: the userns rule is in $with as the parser reads them, in no other"
        else
                echo "not ok - AppArmor 4: the userns rule is in '${with:-none}' as the parser reads them, wanted '$USERNS_PROFILES'"
                failed=$((failed + 1))
        fi
done
echo "$($parser --version | head -n1); $failed failed"
[ "$failed" = 0 ]
