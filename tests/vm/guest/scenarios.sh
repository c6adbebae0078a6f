#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rcc VM scenarios, run inside the test VM by rcc-vm-test.service (see tests/vm/run).
#
# The VM boots twice, and this script knows which boot it is from its state file:
#   setup      first boot: the humans alice and bob appear, then the admin's steps from the
#              README run on the live system: `rcc-setup install`, `image import`, `key add`.
#   scenarios  second boot: what install enabled now starts the way it will on every boot
#              (the firewall before sshd, the account's user manager through lingering), and
#              the scenarios check it as a user would meet it.
# Each boot ends in a poweroff; the host boots again or reads the results.
#
# Results go to the serial console, one line each, for the host to collect:
#   RCCVM: ok - NAME[: detail]      RCCVM: not ok - NAME: why
#   RCCVM# text                     (diagnostics for the line before)
#   RCCVM: end PHASE                (the boot's work is done)
# Everything the commands print goes to the journal and to /var/log/rcc-vm-test.log, which the
# host copies out of the disk image afterwards.

set -u

STATE=/var/lib/rcc-vm-test
LOG=/var/log/rcc-vm-test.log
CONSOLE=/dev/ttyS0
TEST_IMAGE=/usr/local/lib/rcc-vm-test/rcc-test-image.tar
SETUP=/usr/sbin/rcc-setup
POLICY=/etc/rcc/rcc.yaml
# Every command that could hang (a session, podman) runs under this many seconds' timeout, so
# one stuck scenario fails alone and the others still run.
CMD_TIMEOUT=240

ALICE_PROJ=/home/alice/src/proj
BOB_PROJ=/home/bob/proj
SSH_OPTS=(-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)

mkdir -p "$STATE"
exec >>"$LOG" 2>&1

# ----------------------------------------------------------------------------- reporting

# Serial output is shared with the kernel and systemd; one printf per line keeps each result
# line whole, and the prefix lets the host find it among their messages.
console() {
        printf 'RCCVM%s\n' "$1" >"$CONSOLE" 2>/dev/null
        printf 'RCCVM%s\n' "$1"
}
# note TEXT...: a diagnostic line under the current scenario's result.
NOTES=()
note() {
        local l
        while IFS= read -r l; do [ -n "$l" ] && NOTES+=("$l"); done <<<"$*"
}

# run_scenario NAME FUNCTION: runs FUNCTION in a subshell (so an error, an unset variable or an
# exit in it ends that scenario only) and reports it. FUNCTION returns 0 for a pass and sets
# MSG (the line's detail) and notes through the file descriptors below.
run_scenario() {
        local name="$1" fn="$2" rc msg l
        local tmp
        tmp=$(mktemp -d)
        echo "=== $name ($(date +%T))"
        (
                MSG=""
                NOTES=()
                "$fn"
                rc=$?
                printf '%s' "$MSG" >"$tmp/msg"
                [ ${#NOTES[@]} -gt 0 ] && printf '%s\n' "${NOTES[@]}" >"$tmp/notes"
                exit "$rc"
        )
        rc=$?
        msg=$(cat "$tmp/msg" 2>/dev/null)
        if [ ! -e "$tmp/msg" ]; then
                console ": not ok - $name: the scenario aborted (exit $rc) before reporting"
        elif [ "$rc" = 0 ]; then
                console ": ok - $name${msg:+: $msg}"
        else
                console ": not ok - $name: ${msg:-failed (exit $rc)}"
        fi
        if [ -s "$tmp/notes" ]; then
                while IFS= read -r l; do console "# $l"; done < <(head -n 15 "$tmp/notes")
        fi
        rm -rf "$tmp"
}

# ----------------------------------------------------------------------------- helpers

# as USER CMD...: CMD as USER with a clean login-like environment, the way a human's own
# process would run it (setpriv changes nothing else: no PAM session, no logind).
as() {
        local u="$1"
        shift
        setpriv --reuid="$u" --regid="$u" --init-groups \
                env -i HOME="/home/$u" USER="$u" LOGNAME="$u" PATH=/usr/local/bin:/usr/bin:/bin \
                timeout "$CMD_TIMEOUT" "$@"
}

# ssh_as HUMAN ACCOUNT [ssh options] -- COMMAND: OUT (stdout), ERR (stderr), RC.
ssh_as() {
        local human="$1" account="$2"
        shift 2
        local opts=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
        local e
        e=$(mktemp)
        OUT=$(as "$human" ssh -i "/home/$human/.ssh/id_ed25519" "${SSH_OPTS[@]}" "${opts[@]}" \
                "$account@localhost" "$@" 2>"$e" </dev/null)
        RC=$?
        ERR=$(cat "$e")
        rm -f "$e"
        printf '%s\n' "--- ssh $human -> $account (${opts[*]}) '$*': rc=$RC" "stdout: $OUT" "stderr: $ERR"
}

# sudo_as HUMAN DIR ARGS...: `sudo -n ARGS` as HUMAN from DIR: OUT, ERR, RC.
sudo_as() {
        local human="$1" dir="$2"
        shift 2
        local e
        e=$(mktemp)
        OUT=$(cd "$dir" && as "$human" sudo -n "$@" 2>"$e" </dev/null)
        RC=$?
        ERR=$(cat "$e")
        rm -f "$e"
        printf '%s\n' "--- sudo $human in $dir: $*: rc=$RC" "stdout: $OUT" "stderr: $ERR"
}

# A policy value from /etc/rcc/rcc.yaml's container section (the simple `  key: value` form the
# test policy uses).
policy_value() {
        sed -n '/^container:/,/^[^ ]/s/^  '"$1"':[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$POLICY" | head -1
}

# bytes SIZE: 256m -> 268435456 (the k/m/g suffixes as podman reads them: powers of 1024).
bytes() {
        local n="${1%[kKmMgG]}" unit="${1##*[0-9]}"
        case "$unit" in
        k | K) echo $((n * 1024)) ;;
        m | M) echo $((n * 1024 * 1024)) ;;
        g | G) echo $((n * 1024 * 1024 * 1024)) ;;
        *) echo "$n" ;;
        esac
}

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

sc_install() {
        step "$SETUP" install || return 1
        MSG="$(grep -c . <<<"$STEP_OUT") lines of output"
}

sc_image_import() {
        step "$SETUP" image import "$TEST_IMAGE"
}

sc_key_add() {
        step "$SETUP" key add rcc /home/alice/.ssh/id_ed25519.pub --user alice
}

# ----------------------------------------------------------------------------- second boot: scenarios

# `rcc-setup doctor` exits 0 on this real system; the line counts its verdicts, and the notes
# name every warning and failure.
sc_doctor() {
        local out rc
        out=$(timeout "$CMD_TIMEOUT" "$SETUP" doctor 2>&1)
        rc=$?
        printf '%s\n' "--- rcc-setup doctor: rc=$rc" "$out"
        local ok warn fail skip
        ok=$(grep -c '^ok ' <<<"$out")
        warn=$(grep -c '^warn ' <<<"$out")
        fail=$(grep -c '^FAIL ' <<<"$out")
        skip=$(grep -c '^skip ' <<<"$out")
        MSG="exit $rc; $ok ok, $warn warn, $fail fail, $skip skip"
        note "$(grep -E '^(warn|FAIL) ' <<<"$out")"
        [ "$rc" = 0 ]
}

# After a reboot, rcc-firewall.service loaded the table, and it did so before sshd was ready
# to accept a connection (both as systemd recorded them, in microseconds since boot).
sc_firewall_at_boot() {
        local fw ssh fw_state
        fw=$(systemctl show -p ActiveEnterTimestampMonotonic --value rcc-firewall.service)
        ssh=$(systemctl show -p ActiveEnterTimestampMonotonic --value ssh.service)
        fw_state=$(systemctl is-active rcc-firewall.service)
        MSG="rcc-firewall.service $fw_state, active at ${fw:-?} us, ssh.service at ${ssh:-?} us"
        if ! nft list table inet rcc >/dev/null 2>&1; then
                MSG="no table inet rcc after boot; $MSG"
                note "$(systemctl status --no-pager rcc-firewall.service 2>&1 | tail -n 8)"
                return 1
        fi
        if [ -z "$fw" ] || [ "$fw" = 0 ]; then
                MSG="table loaded, but rcc-firewall.service did not run at this boot; $MSG"
                return 1
        fi
        if [ -z "$ssh" ] || [ "$ssh" = 0 ] || [ "$fw" -ge "$ssh" ]; then
                MSG="table loaded, but not before sshd: $MSG"
                return 1
        fi
        MSG="table loaded; $MSG ($(((ssh - fw) / 1000)) ms before sshd)"
}

# alice reaches her project through `ssh rcc@localhost`.
sc_ssh_session() {
        local want
        want=$(cat "$ALICE_PROJ/MARKER")
        ssh_as alice rcc -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" -- 'cat /workspace/MARKER'
        if [ "$RC" = 0 ] && [ "$OUT" = "$want" ]; then
                MSG="/workspace/MARKER reads '$OUT'"
                return 0
        fi
        MSG="exit $RC, read '$OUT', wanted '$want'"
        note "$ERR"
        return 1
}

# alice runs `sudo -u rcc claude --version` from her project: the test image's stand-in answers
# from /workspace.
sc_sudo_session() {
        sudo_as alice "$ALICE_PROJ" -u rcc claude --version
        if [ "$RC" = 0 ] && [[ $OUT == "claude-stand-in in rcc-test-image: args=<--version> cwd=/workspace "* ]]; then
                MSG="$OUT"
                [ -n "$ERR" ] && note "stderr: $ERR"
                return 0
        fi
        MSG="exit $RC, printed '$OUT'"
        note "$ERR"
        return 1
}

# check_limits OUTPUT: OUTPUT has memory.max=..., pids.max=..., cpu.max=... lines as read
# inside the container; they must be the policy's container.memory and container.pids.
check_limits() {
        local out="$1" mem pids cpu want_mem want_pids
        want_mem=$(bytes "$(policy_value memory)")
        want_pids=$(policy_value pids)
        mem=$(sed -n 's/^memory.max=//p' <<<"$out")
        pids=$(sed -n 's/^pids.max=//p' <<<"$out")
        cpu=$(sed -n 's/^cpu.max=//p' <<<"$out")
        MSG="memory.max=${mem:-?} (policy $want_mem), pids.max=${pids:-?} (policy $want_pids), cpu.max=${cpu:-?}"
        [ "$mem" = "$want_mem" ] && [ "$pids" = "$want_pids" ]
}

# The container's own cgroup files, read from inside (private cgroup namespace: /sys/fs/cgroup is
# the container's cgroup). Shell code for the container's sh, hence single quotes.
# shellcheck disable=SC2016
READ_LIMITS='for f in memory.max pids.max cpu.max; do printf "%s=" $f; cat /sys/fs/cgroup/$f 2>/dev/null || echo missing; done'

sc_limits_ssh() {
        ssh_as alice rcc -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" -- "$READ_LIMITS"
        if [ "$RC" != 0 ]; then
                MSG="the session failed (exit $RC)"
                note "$ERR"
                return 1
        fi
        [ -n "$ERR" ] && note "stderr: $ERR"
        check_limits "$OUT"
}

# Through sudo the container runs only `claude`: the VM's test image has a claude that reads
# the same files when called with --rcc-vm-limits (tests/vm/run adds it).
sc_limits_sudo() {
        sudo_as alice "$ALICE_PROJ" -u rcc claude --rcc-vm-limits
        if [ "$RC" != 0 ]; then
                MSG="the session failed (exit $RC)"
                note "$ERR"
                return 1
        fi
        [ -n "$ERR" ] && note "stderr: $ERR"
        check_limits "$OUT"
}

# Lab mode: an account of bob's own. bob's key (from his authorized_keys) opens it and his
# session sees his project; alice's key does not open it.
sc_lab() {
        step "$SETUP" account add rcc-bob --owner bob --project "$BOB_PROJ" || return 1
        step "$SETUP" --account rcc-bob image import "$TEST_IMAGE" || return 1
        local want fails=()
        want=$(cat "$BOB_PROJ/MARKER")
        ssh_as bob rcc-bob -- 'cat /workspace/MARKER'
        if [ "$RC" != 0 ] || [ "$OUT" != "$want" ]; then
                fails+=("bob's session: exit $RC, read '$OUT'")
                note "bob: $ERR"
        fi
        ssh_as alice rcc-bob -o "SetEnv=RCC_PROJECT=$BOB_PROJ" -- 'cat /workspace/MARKER'
        if [ "$RC" != 255 ]; then
                fails+=("alice's key opened rcc-bob (exit $RC, read '$OUT')")
        fi
        if [ ${#fails[@]} -gt 0 ]; then
                MSG=$(IFS=';' && echo "${fails[*]}")
                return 1
        fi
        MSG="bob's session reads his marker; alice's key is refused (ssh exit 255)"
}

# Lingering starts the account's user manager at boot, but nothing orders this unit after it,
# and until it runs podman has no systemd user session: doctor then reports that limits are not
# enforced, and a session started in that window would get none. A human does not log in within
# the boot's first seconds; the scenarios wait for the manager as they would (and the log says
# how long that took, since boot).
wait_user_manager() {
        local uid i state
        uid=$(id -u rcc 2>/dev/null) || return 0
        for ((i = 0; i < 90; i++)); do
                state=$(systemctl is-active "user@$uid.service")
                [ "$state" = active ] && break
                sleep 1
        done
        echo "user@$uid.service: $state after ${i} s of waiting; active since" \
                "$(systemctl show -p ActiveEnterTimestampMonotonic --value "user@$uid.service") us after boot"
}

# ----------------------------------------------------------------------------- main

phase=$(cat "$STATE/phase" 2>/dev/null || echo setup)
console ": begin $phase"
case "$phase" in
setup)
        run_scenario machine sc_machine
        run_scenario humans sc_humans
        run_scenario install sc_install
        run_scenario image-import sc_image_import
        run_scenario key-add sc_key_add
        echo scenarios >"$STATE/phase"
        ;;
scenarios)
        wait_user_manager
        run_scenario doctor sc_doctor
        run_scenario firewall-at-boot sc_firewall_at_boot
        run_scenario ssh-session sc_ssh_session
        run_scenario sudo-session sc_sudo_session
        run_scenario limits-ssh sc_limits_ssh
        run_scenario limits-sudo sc_limits_sudo
        run_scenario lab sc_lab
        touch "$STATE/done"
        ;;
*)
        console ": not ok - phase: unknown phase '$phase'"
        touch "$STATE/done"
        ;;
esac
journalctl -b --no-pager >"/var/log/rcc-vm-journal-$phase.log" 2>&1
sync
console ": end $phase"
systemctl --no-block poweroff
