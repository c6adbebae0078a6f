# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rcc VM scenarios of the second boot (the scenarios):
# their functions and the values they share, sourced by scenarios.sh, which runs them.

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

# The rootless network: rcc-setup install recorded the one this target must use (RCC_VM_NETWORK:
# pasta on Debian 13, slirp4netns on Debian 12), doctor names it, and alice's session runs it:
# while her session runs, the account has a process of that helper, started with rcc's options
# that close its routes to the host (lib/podman-network.c).
NET_CONF=/etc/rcc/podman/network.conf
sc_network_backend() {
        local recorded doctor d pid i line="" comm args
        recorded=$(sed -n 's/^network=//p' "$NET_CONF" 2>/dev/null)
        doctor=$(timeout "$CMD_TIMEOUT" "$SETUP" doctor 2>&1 | grep -E '^(ok|warn|FAIL) +network: ' | head -n 1)
        d=$(mktemp -d)
        as alice ssh -i /home/alice/.ssh/id_ed25519 -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" "${SSH_OPTS[@]}" \
                rcc@localhost 'echo started; sleep 6; echo done' >"$d/out" 2>"$d/err" </dev/null &
        pid=$!
        for ((i = 0; i < 240; i++)); do
                line=$(pgrep -u rcc -a '^(pasta|pasta\.avx2|slirp4netns)$' | head -n 1)
                [ -n "$line" ] && break
                alive "$pid" || break
                sleep 0.25
        done
        wait "$pid"
        local rc=$? out err
        out=$(cat "$d/out")
        err=$(cat "$d/err")
        rm -rf "$d"
        printf '%s\n' "--- network-backend: rc=$rc" "stdout: $out" "stderr: $err" "helper: $line" "doctor: $doctor"
        args=${line#* }
        comm=$(ps -o comm= -p "${line%% *}" 2>/dev/null)
        [ -n "$comm" ] || comm=$(basename "${args%% *}")
        MSG="recorded '$recorded' in $NET_CONF (wanted $RCC_VM_NETWORK); doctor: '${doctor:-no network line}'; alice's session ran '${args:-no helper seen}'"
        local fails=()
        [ "$recorded" = "$RCC_VM_NETWORK" ] || fails+=("rcc-setup install chose '$recorded'")
        [[ $doctor == "ok "* ]] || fails+=("doctor does not say ok")
        [ "$rc" = 0 ] && [[ $out == *done ]] || fails+=("the session failed (exit $rc)")
        case $RCC_VM_NETWORK in
        pasta)
                [[ $args == *pasta* ]] || fails+=("no pasta process of rcc during the session")
                [[ $args == *"--map-host-loopback none"* && $args == *"--map-guest-addr none"* && $args == *"-T none"* ]] ||
                        fails+=("pasta without rcc's options")
                [[ $args == *169.254.1.2* ]] && fails+=("pasta maps 169.254.1.2 to the host")
                ;;
        slirp4netns)
                [[ $args == *slirp4netns* ]] || fails+=("no slirp4netns process of rcc during the session")
                [[ $args == *--disable-host-loopback* ]] || fails+=("slirp4netns reaches the host's loopback")
                ;;
        esac
        if [ ${#fails[@]} -gt 0 ]; then
                MSG="$(IFS=';' && echo "${fails[*]}"): $MSG"
                note "$err"
                return 1
        fi
}

# AppArmor 4 mediates the creation of user namespaces: a confined program needs a userns rule to
# make one (Ubuntu additionally refuses them to unconfined programs,
# kernel.apparmor_restrict_unprivileged_userns; Debian's kernel has no such switch). The profiles
# that run podman, its OCI runtime and its network helper (rcc-podman, rcc-runtime, rcc-netns)
# carry it through abstractions/rcc-userns, and no other rcc profile does, the container's above
# all. Shown on the installed profiles as the parser reads them (apparmor_parser -p expands the
# includes), with the kernel's mediation, and no userns denial of theirs in this boot's journal
# (the sessions above ran under them). With AppArmor 3 (Debian 12) the rule cannot be written:
# then no profile may have it, and the line says user namespaces are not mediated.
USERNS_PROFILES="rcc-netns rcc-podman rcc-runtime"
sc_apparmor_userns() {
        local major ns=/sys/kernel/security/apparmor/features/namespaces f name with="" denials
        major=$(apparmor_parser --version 2>/dev/null | sed -n '1s/.*version \([0-9]*\).*/\1/p')
        for f in /etc/apparmor.d/rcc-*; do
                name=$(basename "$f")
                apparmor_parser -p "$f" 2>/dev/null | grep -Eq '^[[:space:]]*userns,' && with+="${with:+ }$name"
        done
        denials=$(journalctl -k -b --no-pager -o cat | grep 'apparmor="DENIED"' | grep userns |
                grep -E 'profile="rcc-(podman|runtime|netns)"' | head -n 3)
        # The kernel says it mediates userns creation in its namespaces features: upstream as "mask"
        # naming userns_create, Ubuntu's kernels with a userns_create file.
        local kernel=no
        if grep -qw userns_create "$ns/mask" 2>/dev/null || [ -e "$ns/userns_create" ]; then kernel=yes; fi
        kernel+=" (features/namespaces: $(cd "$ns" 2>/dev/null && for f in *; do printf '%s=%s ' "$f" "$(head -c 40 "$f" 2>/dev/null | tr -d '\n')"; done))"
        MSG="apparmor_parser $major; the kernel mediates userns creation: $kernel; profiles with userns: ${with:-none}"
        if [ "${major:-0}" -ge 4 ]; then
                if [ "$with" != "$USERNS_PROFILES" ]; then
                        MSG="wanted userns in exactly $USERNS_PROFILES: $MSG"
                        return 1
                fi
                if [ -n "$denials" ]; then
                        MSG="userns denied to rcc's profiles: $MSG"
                        note "$denials"
                        return 1
                fi
                [[ $kernel == yes* ]] || { MSG="the kernel does not mediate userns: $MSG"; return 1; }
                MSG="$MSG; no userns denial of theirs this boot"
                return 0
        fi
        if [ -n "$with" ]; then
                MSG="AppArmor $major cannot have a userns rule: $MSG"
                return 1
        fi
        MSG="$MSG (AppArmor $major has no userns rule: creation is not mediated for these profiles)"
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

# session_limits: after ssh_as or sudo_as, the limits the session printed, checked.
session_limits() {
        if [ "$RC" != 0 ]; then
                MSG="the session failed (exit $RC)"
                note "$ERR"
                return 1
        fi
        [ -n "$ERR" ] && note "stderr: $ERR"
        check_limits "$OUT"
}

sc_limits_ssh() {
        ssh_as alice rcc -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" -- "$READ_LIMITS"
        session_limits
}

# Through sudo the container runs only `claude`: the VM's test image has a claude that reads
# the same files when called with --rcc-vm-limits (tests/vm/run adds it).
sc_limits_sudo() {
        sudo_as alice "$ALICE_PROJ" -u rcc claude --rcc-vm-limits
        session_limits
}

# The image a session runs is the one `rcc-setup image import` sealed (issue 12): a file of one of
# its layers changed in the account's storage is refused at the next session, saying so, and an
# import puts it right.
sc_image_seal() {
        local uid graph f n=0
        uid=$(id -u rcc)
        graph="/var/lib/rcc/storage/$uid/graph"
        for f in "$graph"/overlay/*/diff/usr/local/bin/claude; do
                [ -f "$f" ] && printf '#!/bin/sh\necho planted\n' >"$f" && n=$((n + 1))
        done
        [ "$n" -gt 0 ] || { MSG="no layer holds /usr/local/bin/claude under $graph"; return 1; }
        sudo_as alice "$ALICE_PROJ" -u rcc claude --version
        local refused="exit $RC: $(tail -1 <<<"$ERR")"
        if [ "$RC" = 0 ] || [[ $ERR != *"was changed since rcc-setup sealed it"* ]]; then
                MSG="a changed layer was not refused ($refused; out: $OUT)"
                return 1
        fi
        step "$SETUP" image import "$TEST_IMAGE" >/dev/null || { MSG="image import failed"; return 1; }
        sudo_as alice "$ALICE_PROJ" -u rcc claude --version
        MSG="changed layer refused ($refused); after the import: exit $RC, '$OUT'"
        [ "$RC" = 0 ] && [[ $OUT == claude-stand-in* ]]
}

# What a session writes on the host is bounded by container.disk (1g here): its home fills at the
# bound with ENOSPC, the storage file takes no more of the host's disk, /tmp is a tmpfs of half the
# memory limit and the image read-only (issue 12).
sc_disk_bound() {
        local img="/var/lib/rcc/storage/$(id -u rcc).img" used
        ssh_as alice rcc -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" -- \
                'dd if=/dev/zero of="$HOME/big" bs=1M count=1200 2>&1 | head -1; rm -f "$HOME/big"; dd if=/dev/zero of=/tmp/big bs=1M count=300 2>&1 | head -1; touch /rcc-root 2>&1'
        used=$(($(stat -c %b "$img") * 512 / 1048576))
        MSG="the storage file holds $used MiB of the host's disk (bound 1024 MiB); the session: $(tr '\n' ' ' <<<"$OUT")"
        [ "$used" -le 1024 ] && [ "$(grep -c 'No space left on device' <<<"$OUT")" = 2 ] &&
                [[ $OUT == *"Read-only file system"* ]]
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
