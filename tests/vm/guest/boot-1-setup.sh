# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rcc VM scenarios of the first boot (setup):
# their functions and the values they share, sourced by scenarios.sh, which runs them.

# ----------------------------------------------------------------------------- first boot: setup

# The humans of the scenarios: alice (granted a project in rcc.yaml, her key added to the
# shared account `rcc`) and bob (the owner of a lab-mode account of his own, with an
# authorized_keys file that account add takes his key from). Markers are new on every run.
make_humans() {
        local u
        for u in alice bob; do
                id "$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --user-group "$u" || return 1
                chmod 0750 "/home/$u"
                install -d -m 0700 -o "$u" -g "$u" "/home/$u/.ssh" || return 1
                [ -e "/home/$u/.ssh/id_ed25519" ] ||
                        as "$u" ssh-keygen -q -t ed25519 -N '' -C "$u@rcc-vm" -f "/home/$u/.ssh/id_ed25519" </dev/null ||
                        return 1
        done
        mkdir -p "$ALICE_PROJ/.git/hooks" "$BOB_PROJ"
        echo "alice-marker-$(cat /proc/sys/kernel/random/uuid)" >"$ALICE_PROJ/MARKER"
        echo "bob-marker-$(cat /proc/sys/kernel/random/uuid)" >"$BOB_PROJ/MARKER"
        cp "/home/bob/.ssh/id_ed25519.pub" /home/bob/.ssh/authorized_keys
        chown -R alice: /home/alice
        chown -R bob: /home/bob
        chmod 0600 /home/bob/.ssh/authorized_keys
}

sc_humans() {
        make_humans && MSG="alice ($ALICE_PROJ) and bob ($BOB_PROJ) with ssh keys" && return 0
        MSG="cannot create the test humans"
        return 1
}

# step ARGS...: run an admin command; its last lines become the notes when it fails.
step() {
        local out rc
        out=$(timeout "$CMD_TIMEOUT" "$@" 2>&1)
        rc=$?
        printf '%s\n' "--- $*: rc=$rc" "$out"
        if [ "$rc" != 0 ]; then
                MSG="'$*' exited $rc"
                note "$(tail -n 12 <<<"$out")"
                return 1
        fi
        STEP_OUT="$out"
        return 0
}

# The machine is what the scenarios assume, the system rcc's users have: systemd as PID 1, a
# pure cgroup v2 hierarchy, AppArmor enabled. The line names what was found, so a result read
# later says on what system it was obtained.
sc_machine() {
        local init cg lsm aa profiles
        if [ "$RCC_VM_LSM" = selinux ]; then
                sc_machine_selinux
                return
        fi
        init=$(cat /proc/1/comm)
        cg=$(stat -fc %T /sys/fs/cgroup)
        lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)
        aa=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)
        profiles=$(grep -c . /sys/kernel/security/apparmor/profiles 2>/dev/null)
        # securityfs reports a size of 0 for files that are not empty: a reader that trusts
        # st_size reads nothing (the log keeps the evidence).
        echo "/sys/kernel/security/lsm: st_size=$(stat -c %s /sys/kernel/security/lsm), content '$lsm'"
        MSG="$(uname -r), PID 1 $init, $cg, LSMs ${lsm:-none}, AppArmor enabled=${aa:-?}, ${profiles:-0} profiles loaded"
        [ "$init" = systemd ] && [ "$cg" = cgroup2fs ] && [ "$aa" = Y ] && [[ $lsm == *apparmor* ]]
}

# The same on the SELinux target: SELinux enforcing, AppArmor not running (the first boot runs
# install enforcing too).
sc_machine_selinux() {
        local init cg lsm mode
        init=$(cat /proc/1/comm)
        cg=$(stat -fc %T /sys/fs/cgroup)
        lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)
        mode=$(getenforce 2>&1)
        MSG="$(uname -r), PID 1 $init, $cg, LSMs ${lsm:-none}, SELinux $mode, the scenarios run as $(id -Z 2>&1)"
        [ "$init" = systemd ] && [ "$cg" = cgroup2fs ] && [ "$mode" = Enforcing ] && [[ $lsm == *selinux* ]]
}

# What `rcc-setup uninstall` must put back byte for byte (the fourth boot compares): taken just
# before install, after the humans were added.
ETC_FILES=(/etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid /etc/shells
        /etc/pam.d/sshd /etc/pam.d/sudo /etc/pam.d/sudo-i)
ETC_BEFORE="$STATE/etc-before-install"

sc_install() {
        local f
        rm -rf "$ETC_BEFORE"
        mkdir -p "$ETC_BEFORE"
        for f in "${ETC_FILES[@]}"; do [ -e "$f" ] && cp -p "$f" "$ETC_BEFORE/${f//\//_}"; done
        step "$SETUP" install || return 1
        # The SELinux boot quotes install's lines (boot-2-selinux.sh).
        printf '%s\n' "$STEP_OUT" >"$STATE/install.out"
        MSG="$(grep -c . <<<"$STEP_OUT") lines of output"
}

sc_image_import() {
        step "$SETUP" image import "$TEST_IMAGE"
}

sc_key_add() {
        step "$SETUP" key add rcc /home/alice/.ssh/id_ed25519.pub --user alice
}

# rcc's nftables encoding against this system's: tests/integration/test-nft-batch, built in the
# target's build root, on this kernel with this nft (in a network namespace of its own). It
# compares the table rcc's netlink batch builds with the one `nft -f` builds from the same rules,
# expression by expression, and applies, refreshes and verifies for real: the check that would
# have caught Debian 13's kernel refusing rcc's old encoding (issue 13).
sc_nft_encoding() {
        local out rc summary
        out=$(timeout "$CMD_TIMEOUT" "$RCC_VM_BUILD/tests/integration/test-nft-batch" 2>&1)
        rc=$?
        printf '%s\n' "--- test-nft-batch: rc=$rc" "$out"
        summary=$(grep -E '^[0-9]+ checks, [0-9]+ failed$' <<<"$out" | tail -1)
        MSG="${summary:-no summary} (exit $rc); $(nft --version 2>&1), libnftnl $(dpkg-query -W -f '${Version}' libnftnl11 2>/dev/null), kernel $(uname -r)"
        if [ "$rc" != 0 ]; then
                note "$(grep -vE '^(ok|PASS)' <<<"$out" | tail -n 12)"
                return 1
        fi
}
