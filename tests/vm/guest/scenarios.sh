#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rcc VM scenarios, run inside the test VM by rcc-vm-test.service (see tests/vm/run).
#
# The VM boots four times, and this script knows which boot it is from its state file:
#   setup      first boot: the humans alice and bob appear, then the admin's steps from the
#              README run on the live system: `rcc-setup install`, `image import`, `key add`.
#   scenarios  second boot: what install enabled now starts the way it will on every boot
#              (the firewall before sshd, the account's user manager through lingering), and
#              the scenarios check it as a user would meet it. It ends by making
#              rcc-firewall.service fail at the next boot (a drop-in).
#   firewall-fails  third boot: the firewall unit failed; sandbox logins must be refused and
#              everyone else's must work. The drop-in is removed again before the poweroff.
#   escape     fourth boot: `rcc-setup uninstall` must leave /etc as before install; then the
#              escape suite (tests/escape) runs here, with its own install, under AppArmor.
# The debian12-selinux target (RCC_VM_LSM=selinux) boots twice instead: setup, then
#   selinux    the SELinux scenarios (boot-2-selinux.sh), enforcing.
# Each boot ends in a poweroff; the host boots again or reads the results. The scenarios of
# each boot are in boot-N-PHASE.sh next to this script; this one runs them in order.
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
        # The caller's options first: for ssh the first value given wins (LogLevel=INFO, say).
        OUT=$(as "$human" ssh -i "/home/$human/.ssh/id_ed25519" "${opts[@]}" "${SSH_OPTS[@]}" \
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

# alive PID: PID is a running process (not gone, not a zombie). No fork: the loops that use it
# measure the host's responsiveness.
alive() {
        local state
        read -r _ _ state _ 2>/dev/null <"/proc/$1/stat" && [ "$state" != Z ]
}

# wait_output FILE PATTERN PID SECONDS: until FILE has a line matching PATTERN (0), PID ended or
# SECONDS passed (1).
wait_output() {
        local i
        for ((i = 0; i < $4 * 5; i++)); do
                grep -q "$2" "$1" 2>/dev/null && return 0
                alive "$3" || break
                sleep 0.2
        done
        grep -q "$2" "$1" 2>/dev/null
}

# probe_host: one round trip of `sh -c true` (a fork and an exec on the host, outside any
# container), timed with bash's clock; PROBE_MS is how long it took in milliseconds.
probe_host() {
        local t0 t1
        t0=${EPOCHREALTIME//[.,]/}
        sh -c true
        t1=${EPOCHREALTIME//[.,]/}
        PROBE_MS=$(((t1 - t0) / 1000))
}

# probe_host_n N: N round trips; PROBE_TOTAL and PROBE_MAX in milliseconds.
probe_host_n() {
        local i
        PROBE_TOTAL=0
        PROBE_MAX=0
        for ((i = 0; i < $1; i++)); do
                probe_host
                PROBE_TOTAL=$((PROBE_TOTAL + PROBE_MS))
                [ "$PROBE_MS" -gt "$PROBE_MAX" ] && PROBE_MAX=$PROBE_MS
        done
}

# MemAvailable of the host (this VM) in MiB.
mem_available() {
        echo $(($(sed -n 's/^MemAvailable:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024))
}

# oom_kills FILE: the oom_kill count in a memory.events file, empty when it cannot be read.
oom_kills() {
        sed -n 's/^oom_kill \([0-9]*\)$/\1/p' "$1" 2>/dev/null
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

# Where the source and the build are, the target and what rcc-setup must choose on it
# (RCC_VM_SOURCE, RCC_VM_BUILD, RCC_VM_TARGET, RCC_VM_NETWORK, RCC_VM_RUNTIME; tests/vm/run).
# shellcheck source=/dev/null
. /usr/local/lib/rcc-vm-test/paths

# The scenarios of each boot (boot-N-PHASE.sh, installed next to this script).
for f in "$(dirname "$0")"/boot-[0-9]-*.sh; do
        # shellcheck source=/dev/null
        . "$f"
done

# ----------------------------------------------------------------------------- main

phase=$(cat "$STATE/phase" 2>/dev/null || echo setup)
console ": begin $phase"
case "$phase" in
setup)
        run_scenario machine sc_machine
        run_scenario nft-encoding sc_nft_encoding
        run_scenario humans sc_humans
        run_scenario install sc_install
        run_scenario image-import sc_image_import
        run_scenario key-add sc_key_add
        if [ "$RCC_VM_LSM" = selinux ]; then echo selinux; else echo scenarios; fi >"$STATE/phase"
        ;;
scenarios)
        wait_user_manager
        run_scenario doctor sc_doctor
        run_scenario firewall-at-boot sc_firewall_at_boot
        run_scenario ssh-session sc_ssh_session
        run_scenario firewall-service sc_firewall_service
        run_scenario network-backend sc_network_backend
        run_scenario apparmor sc_apparmor
        run_scenario apparmor-userns sc_apparmor_userns
        run_scenario sudo-session sc_sudo_session
        run_scenario limits-ssh sc_limits_ssh
        run_scenario limits-sudo sc_limits_sudo
        run_scenario memory-bomb-ssh sc_memory_bomb_ssh
        run_scenario memory-bomb-sudo sc_memory_bomb_sudo
        run_scenario image-seal sc_image_seal
        run_scenario disk-bound sc_disk_bound
        run_scenario lab sc_lab
        run_scenario memory-returns sc_memory_returns
        # The third boot runs either way; without the drop-in its scenario finds the unit
        # active and fails, with this line in guest.log.
        prepare_firewall_failure || echo "cannot write $FAIL_DROPIN_DIR/fail.conf"
        echo firewall-fails >"$STATE/phase"
        ;;
firewall-fails)
        run_scenario firewall-fails-at-boot sc_firewall_fails_at_boot
        restore_firewall
        echo escape >"$STATE/phase"
        ;;
escape)
        run_scenario uninstall sc_uninstall
        run_scenario escape-suite sc_escape_suite
        run_scenario project-race sc_project_race
        run_scenario homes sc_homes
        touch "$STATE/done"
        ;;
selinux)
        wait_user_manager
        run_scenario selinux-machine sc_selinux_machine
        run_scenario selinux-install sc_selinux_install
        run_scenario doctor sc_doctor
        run_scenario ssh-session sc_ssh_session
        run_scenario selinux-ssh-context sc_selinux_ssh_context
        run_scenario selinux-sudo sc_selinux_sudo
        run_scenario selinux-deny-conf sc_selinux_deny_conf
        run_scenario selinux-other-home sc_selinux_other_home
        run_scenario selinux-audit sc_selinux_audit
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
