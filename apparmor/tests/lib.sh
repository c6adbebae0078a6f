# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by compile.sh and qemu-enforce.sh: an include directory with the three files rcc-setup
# generates or copies next to the profiles (tunables/rcc, abstractions/rcc-deny,
# abstractions/rcc-userns), in the same format as setup/host/apparmor.c writes them.

# make_base DIR BUILD-DIR USERNS(0|1) HOMES UIDS PROJECTS...
make_base() {
        local dir=$1 build=$2 userns=$3 homes=$4 uids=$5
        shift 5
        mkdir -p "$dir/tunables" "$dir/abstractions" || return 1
        {
                echo "# Written by rcc-setup install from the policy; rewritten by every install."
                echo "@{RCC_HOMES}=$homes"
                echo "@{RCC_UIDS}=$uids"
                printf '@{RCC_PROJECTS}='
                printf '"%s" ' "$@"
                echo
        } >"$dir/tunables/rcc" || return 1
        cp "$build/rcc-deny" "$dir/abstractions/rcc-deny" || return 1
        if [ "$userns" = 1 ]; then
                echo "  userns," >"$dir/abstractions/rcc-userns"
        else
                echo "# This apparmor_parser has no userns rule." >"$dir/abstractions/rcc-userns"
        fi
}

# The parser's major version (3 for 3.0.8).
parser_major() {
        apparmor_parser --version 2>/dev/null | sed -n '1s/.*version \([0-9]*\).*/\1/p'
}

# The profiles that run podman, its OCI runtime and its network helper: those that include
# abstractions/rcc-userns (AppArmor 4's userns rule where the parser knows it), and no other.
USERNS_PROFILES="rcc-netns rcc-podman rcc-runtime"

# userns_holders DIR PROFILE...: the names (sorted, one line) of the profiles among PROFILE... in
# DIR whose text includes abstractions/rcc-userns.
userns_holders() {
        local dir=$1 name out=""
        shift
        for name in "$@"; do
                grep -Eq '^[[:space:]]*include <abstractions/rcc-userns>' "$dir/$name" && out+="${out:+ }$name"
        done
        tr ' ' '\n' <<<"$out" | sort | paste -sd' '
}
