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
# name every warning, failure and skip (a skip on this machine, which has everything, is worth
# reading).
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
        note "$(grep -E '^(warn|FAIL|skip) ' <<<"$out")"
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

# The profiles rcc-setup installed are loaded in enforce mode, and a session runs under them:
# inside alice's container, the process's label is the stack that rcc-runtime's exec of the
# container's init sets up (rcc-container//&rcc-runtime: the kernel names a stack in sorted
# order), reached only through rcc-shell -> rcc-podman -> rcc-runtime. And the agent's own
# work is not broken by them: it writes the container's /tmp and copies a file of the image,
# both checked by overlayfs against podman's profile too (apparmor/README.md, limit 5).
AGENT_WORK='echo rcc-vm-tmp >/tmp/rcc-vm-tmp && cat /tmp/rcc-vm-tmp && cp /bin/busybox /tmp/rcc-vm-bb && echo copied'
sc_apparmor() {
        local f name mode missing=() loaded=0
        for f in /etc/apparmor.d/rcc-*; do
                name=$(basename "$f")
                mode=$(sed -n "s/^$name (\(.*\))\$/\1/p" /sys/kernel/security/apparmor/profiles)
                if [ "$mode" = enforce ]; then loaded=$((loaded + 1)); else missing+=("$name(${mode:-not loaded})"); fi
        done
        ssh_as alice rcc -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" -- "cat /proc/self/attr/current; $AGENT_WORK"
        local label=${OUT%%$'\n'*} work=${OUT#*$'\n'}
        MSG="$loaded rcc profiles in enforce mode; a process in alice's container is '$label'; /tmp and image files: ${work//$'\n'/ }"
        if [ "$loaded" = 0 ] || [ ${#missing[@]} -gt 0 ]; then
                MSG="$MSG; not enforcing: ${missing[*]:-no rcc profile in /etc/apparmor.d}"
                return 1
        fi
        if [ "$RC" != 0 ] || [[ $label != *"rcc-container"*"(enforce)"* ]] || [ "$work" != $'rcc-vm-tmp\ncopied' ]; then
                note "ssh exit $RC: $ERR"
                return 1
        fi
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

# The memory bomb: memhog (guest/memhog.c, in the test image) asks for 1 GiB in 16 MiB blocks,
# touching each, 200 ms apart, so that it takes a few seconds to reach the policy's 256m and the
# host can be watched meanwhile. In the container after it: its exit status and the container's
# memory.events (as the image's claude does for --rcc-vm-memhog on the sudo path).
MEMHOG_ARGS=(16 1024 200 0)
# shellcheck disable=SC2016
MEMHOG_SH='/usr/local/bin/memhog '"${MEMHOG_ARGS[*]}"'; echo "memhog-exit=$?"; sed "s/^/memory.events: /" /sys/fs/cgroup/memory.events'
# The longest a host round trip (`sh -c true`) may take while the bomb runs, in milliseconds.
RESPONSIVE_MS=2000

# memory_bomb ssh|sudo: alice's session on that path runs the bomb. Contained when memhog is
# OOM-killed (exit 137) at or below the policy's memory, the container's memory.events (and
# the account's user slice's, which counts its containers' kills) show the kill, and the host
# kept answering meanwhile: `sh -c true` timed 20 times before and over and over while the bomb
# runs.
memory_bomb() {
        local kind="$1" d limit limit_mib uid slice_events oom_before oom_after pid rc
        limit=$(bytes "$(policy_value memory)")
        limit_mib=$((limit / 1048576))
        uid=$(id -u rcc)
        slice_events="/sys/fs/cgroup/user.slice/user-$uid.slice/memory.events"
        oom_before=$(oom_kills "$slice_events")
        probe_host_n 20
        local base_total=$PROBE_TOTAL base_max=$PROBE_MAX
        d=$(mktemp -d)
        case "$kind" in
        ssh)
                as alice ssh -i /home/alice/.ssh/id_ed25519 -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" \
                        "${SSH_OPTS[@]}" rcc@localhost "$MEMHOG_SH" >"$d/out" 2>"$d/err" </dev/null &
                ;;
        sudo)
                (cd "$ALICE_PROJ" && as alice sudo -n -u rcc claude --rcc-vm-memhog "${MEMHOG_ARGS[@]}") \
                        >"$d/out" 2>"$d/err" </dev/null &
                ;;
        esac
        pid=$!
        local n=0 total=0 max=0 total20=""
        if wait_output "$d/out" 'memhog: reached' "$pid" 120; then
                # The bomb is growing: the host's round trips, 0.1 s apart, until the session ends.
                while alive "$pid"; do
                        probe_host
                        n=$((n + 1))
                        total=$((total + PROBE_MS))
                        [ "$PROBE_MS" -gt "$max" ] && max=$PROBE_MS
                        [ "$n" = 20 ] && total20=$total
                        sleep 0.1
                done
        fi
        wait "$pid"
        rc=$?
        oom_after=$(oom_kills "$slice_events")
        local out err
        out=$(cat "$d/out")
        err=$(cat "$d/err")
        rm -rf "$d"
        printf '%s\n' "--- memory bomb through $kind: rc=$rc" "stdout: $out" "stderr: $err"
        echo "kernel: $(journalctl -k -b --no-pager -o cat | grep -E 'Memory cgroup out of memory|oom-kill:' | tail -n 2)"

        local reached exit_line held events_oom fails=()
        reached=$(grep -o 'memhog: reached [0-9]*' <<<"$out" | tail -1 | grep -o '[0-9]*$')
        exit_line=$(sed -n 's/^memhog-exit=//p' <<<"$out")
        held=$(grep -c 'memhog: holding' <<<"$out")
        events_oom=$(sed -n 's/^memory.events: oom_kill //p' <<<"$out")
        if [ -z "$reached" ]; then
                fails+=("memhog never reported (session exit $rc)")
        elif [ "$held" != 0 ]; then
                fails+=("memhog got all ${MEMHOG_ARGS[1]} MiB: no limit held")
        elif [ "$reached" -gt "$limit_mib" ]; then
                fails+=("memhog reached $reached MiB, over the limit of $limit_mib MiB")
        fi
        local killed
        if [ "$exit_line" = 137 ]; then
                killed="memhog killed (exit 137)"
        elif [ -z "$exit_line" ] && [ "$rc" = 137 ]; then
                killed="the container killed (session exit 137)"
        else
                fails+=("memhog was not killed (memhog exit '${exit_line:-?}', session exit $rc)")
        fi
        local oom_msg="container memory.events oom_kill=${events_oom:-unreadable}"
        if [ -n "$events_oom" ] && [ "$events_oom" -lt 1 ]; then
                fails+=("the container's memory.events says oom_kill $events_oom")
        fi
        if [ -n "$oom_before" ] && [ -n "$oom_after" ]; then
                oom_msg+=", user-$uid.slice +$((oom_after - oom_before))"
                [ "$oom_after" -gt "$oom_before" ] || fails+=("user-$uid.slice's memory.events counted no OOM kill")
        fi
        local host_msg="host: sh -c true 20x in $base_total ms before (max $base_max); during the bomb $n runs"
        [ -n "$total20" ] && host_msg+=", the first 20 in $total20 ms"
        host_msg+=", max $max ms"
        if [ "$n" = 0 ]; then
                fails+=("the host was not measured during the bomb (it ended first)")
        elif [ "$max" -gt "$RESPONSIVE_MS" ]; then
                fails+=("a host round trip took $max ms during the bomb (allowed: $RESPONSIVE_MS)")
        fi
        if [ ${#fails[@]} -gt 0 ]; then
                MSG="$(IFS=';' && echo "${fails[*]}"); $oom_msg; $host_msg"
                note "$(tail -n 4 <<<"$out")"
                note "$err"
                return 1
        fi
        MSG="$killed at ${reached} MiB (limit $limit_mib MiB, asked for ${MEMHOG_ARGS[1]}); $oom_msg; $host_msg"
        [ -n "$err" ] && note "stderr: $err"
        return 0
}

sc_memory_bomb_ssh() { memory_bomb ssh; }
sc_memory_bomb_sudo() { memory_bomb sudo; }

# After the agent frees 1 GiB the host's memory returns. bob's lab account rcc-bob (from the
# lab scenario) gets `container: {memory: 1400m}` in its accounts.d file, as an admin would
# give it; his session allocates and touches 1 GiB, holds it 3 s, frees it and exits. The
# host's MemAvailable is read before, while it is held, and 5 s after the session ended.
RETURN_ACCOUNT_FILE=/etc/rcc/accounts.d/rcc-bob.yaml
sc_memory_returns() {
        if [ ! -f "$RETURN_ACCOUNT_FILE" ]; then
                MSG="no $RETURN_ACCOUNT_FILE (the lab scenario makes it)"
                return 1
        fi
        grep -q '^container:' "$RETURN_ACCOUNT_FILE" || printf 'container:\n  memory: 1400m\n' >>"$RETURN_ACCOUNT_FILE"
        cat "$RETURN_ACCOUNT_FILE"
        # The memory limit is not part of the firewall's ruleset: the table stays current. Should
        # it not, an admin applies it (the notes say so).
        local st
        st=$(/usr/sbin/rcc-firewall status 2>&1) || {
                note "rcc-firewall status failed after the edit; applied: $(/usr/sbin/rcc-firewall apply 2>&1 | tail -n 2)"
                echo "$st"
        }
        local d pid rc before during="" after
        d=$(mktemp -d)
        before=$(mem_available)
        as bob ssh -i /home/bob/.ssh/id_ed25519 "${SSH_OPTS[@]}" rcc-bob@localhost \
                'cat /sys/fs/cgroup/memory.max; /usr/local/bin/memhog 16 1024 0 3; echo "memhog-exit=$?"' \
                >"$d/out" 2>"$d/err" </dev/null &
        pid=$!
        wait_output "$d/out" 'memhog: holding' "$pid" 180 && during=$(mem_available)
        wait "$pid"
        rc=$?
        sleep 5
        after=$(mem_available)
        local out err
        out=$(cat "$d/out")
        err=$(cat "$d/err")
        rm -rf "$d"
        printf '%s\n' "--- memory-returns: rc=$rc" "stdout: $out" "stderr: $err"
        local mem_max exit_line
        mem_max=$(head -n 1 <<<"$out")
        exit_line=$(sed -n 's/^memhog-exit=//p' <<<"$out")
        MSG="MemAvailable $before MiB before, ${during:-?} MiB holding 1 GiB, $after MiB 5 s after (rcc-bob memory.max=$mem_max)"
        local fails=()
        if [ "$rc" != 0 ] || [ "$exit_line" != 0 ] || [ -z "$during" ]; then
                fails+=("the session did not hold and free 1 GiB (session exit $rc, memhog exit '${exit_line:-?}')")
                note "$(tail -n 3 <<<"$out")"
                note "$err"
        else
                [ $((before - during)) -ge 800 ] || fails+=("the drop was $((before - during)) MiB, expected >= 800")
                local diff=$((after - before))
                [ "${diff#-}" -le 100 ] || fails+=("after is $diff MiB from the baseline, allowed 100")
        fi
        if [ ${#fails[@]} -gt 0 ]; then
                MSG="$(IFS=';' && echo "${fails[*]}"); $MSG"
                return 1
        fi
        MSG="$MSG: dropped $((before - during)) MiB while held, after is $((after - before)) MiB from the baseline"
}

# ----------------------------------------------------------------------------- third boot: firewall fails

# The second boot ends by making rcc-firewall.service fail at the next boot: its ExecStart
# replaced by /bin/false (the disk is thrown away afterwards; the third boot removes it anyway).
FAIL_DROPIN_DIR=/etc/systemd/system/rcc-firewall.service.d
prepare_firewall_failure() {
        mkdir -p "$FAIL_DROPIN_DIR" &&
                printf '%s\n' '# tests/vm: rcc-firewall.service fails at the next boot' '[Service]' 'ExecStart=' \
                        'ExecStart=/bin/false' >"$FAIL_DROPIN_DIR/fail.conf"
}

# With rcc-firewall.service failed at boot there is no table inet rcc: pam_rcc refuses alice's
# sandbox sessions on both paths with its line, nothing runs as rcc, and the logins of everyone
# else still work: bob's ssh into his own ordinary account, root's and bob's sudo to alice.
BOB_SUDOERS=/etc/sudoers.d/rcc-vm-test
sc_firewall_fails_at_boot() {
        local fails=() state want since
        want="rcc: session of 'rcc' refused: the firewall table inet rcc is not loaded"
        state=$(systemctl is-failed rcc-firewall.service)
        [ "$state" = failed ] || fails+=("rcc-firewall.service is '$state', not failed")
        if nft list table inet rcc >/dev/null 2>&1; then
                fails+=("the table inet rcc is loaded")
        fi
        since=$(date '+%Y-%m-%d %H:%M:%S')
        sleep 1

        # The banner with pam_rcc's line shows at ssh's log level INFO.
        ssh_as alice rcc -o LogLevel=INFO -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" -- 'cat /workspace/MARKER'
        local ssh_rc=$RC
        if [ "$RC" != 255 ] || [[ $ERR != *"$want"* ]] || [ -n "$OUT" ]; then
                fails+=("alice's ssh to rcc: exit $RC, stdout '$OUT', without pam_rcc's line")
                note "ssh stderr: $ERR"
        fi
        sudo_as alice "$ALICE_PROJ" -u rcc claude --version
        local sudo_rc=$RC
        if [ "$RC" = 0 ] || [[ $ERR != *"$want"* ]] || [ -n "$OUT" ]; then
                fails+=("alice's sudo -u rcc: exit $RC, stdout '$OUT', without pam_rcc's line")
                note "sudo stderr: $ERR"
        fi
        # Nothing ran as rcc: no PAM session was opened for it (pam_unix logs each one).
        local opened
        opened=$(journalctl --since "$since" --no-pager -o cat | grep -E 'session opened for user rcc\(')
        if [ -n "$opened" ]; then
                fails+=("a session was opened for rcc")
                note "$opened"
        fi

        ssh_as bob bob -- 'id -un'
        local bob_ssh="bob's ssh to bob: exit $RC"
        if [ "$RC" != 0 ] || [ "$OUT" != bob ]; then
                fails+=("$bob_ssh, printed '$OUT'")
                note "bob ssh stderr: $ERR"
        fi
        local root_out root_rc
        root_out=$(timeout 60 sudo -n -u alice id -un 2>&1)
        root_rc=$?
        echo "--- root: sudo -u alice id -un: rc=$root_rc: $root_out"
        if [ "$root_rc" != 0 ] || [ "$root_out" != alice ]; then
                fails+=("root's sudo -u alice: exit $root_rc, printed '$root_out'")
        fi
        echo 'bob ALL=(alice) NOPASSWD: /usr/bin/id' >"$BOB_SUDOERS"
        chmod 0440 "$BOB_SUDOERS"
        sudo_as bob /home/bob -u alice /usr/bin/id -un
        if [ "$RC" != 0 ] || [ "$OUT" != alice ]; then
                fails+=("bob's sudo -u alice: exit $RC, printed '$OUT'")
                note "bob sudo stderr: $ERR"
        fi
        rm -f "$BOB_SUDOERS"

        if [ ${#fails[@]} -gt 0 ]; then
                MSG=$(IFS=';' && echo "${fails[*]}")
                return 1
        fi
        MSG="rcc-firewall.service failed, no table inet rcc; alice refused by pam_rcc ('the firewall table inet rcc is not loaded') on ssh (exit $ssh_rc) and sudo (exit $sudo_rc), no session opened for rcc; bob's ssh to bob, root's and bob's sudo -u alice work"
}

# Leave the system sane: the drop-in goes, the unit runs again and loads the table.
restore_firewall() {
        rm -rf "$FAIL_DROPIN_DIR"
        systemctl daemon-reload
        systemctl restart rcc-firewall.service
        echo "after removing the drop-in: rcc-firewall.service $(systemctl is-active rcc-firewall.service);" \
                "table inet rcc: $(nft list table inet rcc >/dev/null 2>&1 && echo loaded || echo missing)"
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

# ----------------------------------------------------------------------------- fourth boot: escape suite

# The admin takes rcc off again: `rcc-setup uninstall` (the account's user manager, kept by
# lingering, is running: uninstall must stop it), then the files `meson install` put there. The
# files install edited must be as they were before it; and nothing of rcc may be left for the
# escape suite's own install to trip over.
sc_uninstall() {
        local f diffs=()
        step "$SETUP" --yes uninstall || return 1
        for f in "${ETC_FILES[@]}"; do
                if [ -e "$ETC_BEFORE/${f//\//_}" ]; then
                        cmp -s "$ETC_BEFORE/${f//\//_}" "$f" || diffs+=("$f")
                elif [ -e "$f" ]; then
                        diffs+=("$f (new)")
                fi
        done
        for f in "${diffs[@]}"; do note "$(diff -u "$ETC_BEFORE/${f//\//_}" "${f% (new)}" | tail -n +3 | head -n 6)"; done
        # As an admin removes a meson install: what it installed, by its own list.
        meson introspect --installed "$RCC_VM_BUILD" |
                python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin).values()))' |
                while IFS= read -r f; do rm -f -- "$f"; done
        rm -rf /etc/rcc /var/lib/rcc
        local left
        left=$(id rcc 2>&1 | grep -v 'no such user'; id rcc-bob 2>&1 | grep -v 'no such user'
                ls -d /usr/bin/rcc-shell /usr/sbin/rcc-setup /etc/ssh/sshd_config.d/rcc.conf /etc/sudoers.d/rcc* \
                        /etc/apparmor.d/rcc-* 2>/dev/null)
        MSG="uninstall exit 0; ${#ETC_FILES[@]} files compared with before install"
        if [ ${#diffs[@]} -gt 0 ] || [ -n "$left" ]; then
                MSG="$MSG: differ: ${diffs[*]:-none}; left behind: ${left//$'\n'/ }"
                return 1
        fi
}

# The escape suite (tests/escape/run-escapes.sh), run here as CI runs it on a build machine: it
# installs the build itself (meson install, rcc-setup install for an account of its own, which
# loads the AppArmor profiles here), and every attack must be contained. Meanwhile a sampler
# records the AppArmor labels of every process of the machine (attr/current: AppArmor is the
# only LSM here that has one), to show which profiles the sessions actually ran under.
sc_escape_suite() {
        local out rc labels="$STATE/labels" summary
        : >"$labels"
        sample_labels "$labels" &
        local sampler=$!
        out=$(timeout 1500 bash "$RCC_VM_SOURCE/tests/escape/run-escapes.sh" "$RCC_VM_BUILD" 2>&1)
        rc=$?
        kill "$sampler" 2>/dev/null
        wait "$sampler" 2>/dev/null
        printf '%s\n' "--- run-escapes.sh: rc=$rc" "$out"
        summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -1)
        local seen
        seen=$(sort -u "$labels" | grep '^rcc-' | tr '\n' ' ')
        MSG="${summary:-no summary (exit $rc)}; AppArmor labels seen: ${seen:-none}"
        note "$(grep -E '^not ok ' <<<"$out")"
        [ -z "$summary" ] && note "$(tail -n 12 <<<"$out")"
        [ "$rc" = 0 ] && [[ $summary == *" 0 failed" ]] && [[ $seen == *rcc-shell* ]] && [[ $seen == *rcc-container* ]]
}

# sample_labels FILE: every half second, the AppArmor label of every process (mode stripped),
# appended to FILE when new.
sample_labels() {
        local f l
        declare -A seen=()
        while :; do
                for f in /proc/[0-9]*/attr/current; do
                        l=""
                        read -r l 2>/dev/null <"$f" # (false at a missing newline, with l set)
                        l=${l% (*)}
                        [ -n "$l" ] || continue
                        [ -n "${seen[$l]-}" ] && continue
                        seen[$l]=1
                        echo "$l" >>"$1"
                done
                sleep 0.5
        done
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
        run_scenario apparmor sc_apparmor
        run_scenario sudo-session sc_sudo_session
        run_scenario limits-ssh sc_limits_ssh
        run_scenario limits-sudo sc_limits_sudo
        run_scenario memory-bomb-ssh sc_memory_bomb_ssh
        run_scenario memory-bomb-sudo sc_memory_bomb_sudo
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
        # shellcheck source=/dev/null
        . /usr/local/lib/rcc-vm-test/paths
        run_scenario uninstall sc_uninstall
        run_scenario escape-suite sc_escape_suite
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
