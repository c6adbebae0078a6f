# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rcc VM scenarios of the debian12-selinux target's second boot (SELinux enforcing, issue 13
# item 4): their functions, sourced by scenarios.sh, which runs them. The first boot (setup) is
# the other targets' own; doctor, ssh-session and sudo-session are boot-2-scenarios.sh's.
#
# What they show is what selinux/README.md claims, at run time: the account's sessions run in
# user_u:user_r:user_t, rootless podman works there, and user_t is denied what the module
# denies it (the kernel's AVC records in the audit log, read with ausearch).

# The session's domain, as selinux/README.md names it (the level is Debian's default, s0).
SESSION_CONTEXT=user_u:user_r:user_t:s0
# The probes: an inode of /etc/rcc, one of a project and one of bob's home, each linked into
# alice's project so that her session (whose container sees nothing but the project) meets them
# by their labels, with DAC allowing what SELinux is asked about (see sc_selinux_deny_conf).
CONF_PROBE=/etc/rcc/selinux-probe
HOME_PROBE=/home/bob/selinux-probe

# context PATH: the SELinux type of PATH (ls -Z's third field).
se_type() {
        local c
        c=$(stat -c %C "$1" 2>/dev/null) || return 1
        c=${c#*:*:}
        echo "${c%%:*}"
}

# The machine: SELinux is the kernel's major LSM and enforcing from the kernel's command line,
# with Debian's policy loaded and the disk labelled (sshd's binary has its own type only if
# setfiles labelled the disk before the first boot); AppArmor is not running.
sc_selinux_machine() {
        local mode lsm cmdline st sshd harness
        # The policy's dontaudit rules off (semodule -DB) for this boot: a denial they hide (a
        # Permission denied with no AVC) is what the sessions meet, and selinux-audit lists it.
        semodule -DB >/dev/null 2>&1 || note "semodule -DB failed: dontaudit rules stay on"
        mode=$(getenforce 2>&1)
        lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)
        cmdline=$(cat /proc/cmdline)
        st=$(sestatus 2>&1)
        printf '%s\n' "--- sestatus" "$st"
        sshd=$(se_type /usr/sbin/sshd)
        harness=$(id -Z 2>&1)
        MSG="$(uname -r), getenforce $mode, LSMs ${lsm:-none}, policy '$(sed -n 's/^Loaded policy name: *//p' <<<"$st")'"
        MSG+=" (mode from config: $(sed -n 's/^Mode from config file: *//p' <<<"$st"), kernel policy version"
        MSG+=" $(sed -n 's/^Max kernel policy version: *//p' <<<"$st")), /usr/sbin/sshd is ${sshd:-unlabelled}, the scenarios run as $harness"
        [ "$mode" = Enforcing ] && [[ $lsm == *selinux* ]] && [[ $lsm != *apparmor* ]] &&
                [[ $cmdline == *enforcing=1* ]] && [ "$sshd" = sshd_exec_t ]
}

# What rcc-setup install did on the first boot, enforcing: its SELinux lines (saved by
# sc_install), and the state they describe: the module loaded, the account mapped to user_u, and
# /etc/rcc, the project and the account's home labelled as rcc.fc and the project rule say.
sc_selinux_install() {
        local lines module login conf proj home fails=()
        lines=$(grep -i selinux "$STATE/install.out" 2>/dev/null)
        module=$(semodule -l 2>/dev/null | grep -w '^rcc')
        login=$(semanage login -l 2>/dev/null | awk '$1 == "rcc" { print $2 }')
        conf=$(se_type /etc/rcc/rcc.yaml)
        proj=$(se_type "$ALICE_PROJ/MARKER")
        home=$(se_type /var/lib/rcc/home/rcc)
        MSG="install said '${lines//$'\n'/ | }'; semodule -l: '${module:-no rcc}', rcc logs in as ${login:-?},"
        MSG+=" rcc.yaml $conf, the project's files $proj, the account's home $home"
        [ -n "$lines" ] || fails+=("no SELinux line in install's output")
        [ -n "$module" ] || fails+=("module rcc not loaded")
        [ "$login" = user_u ] || fails+=("rcc not mapped to user_u")
        [ "$conf" = rcc_conf_t ] || fails+=("/etc/rcc not rcc_conf_t")
        [ "$proj" = rcc_project_t ] || fails+=("the project not rcc_project_t")
        [ "$home" = user_home_dir_t ] || fails+=("the home not user_home_dir_t")
        if [ ${#fails[@]} -gt 0 ]; then
                MSG="$(IFS=';' && echo "${fails[*]}"): $MSG"
                return 1
        fi
}

# session_contexts: while alice's ssh session runs (it prints its own context from inside the
# container, then sleeps), the context and name of every process of the account, as ps -Z shows
# them: sshd's child, rcc-shell, podman, conmon, slirp4netns, the runtime and the container.
# SEEN: "context comm" lines, sorted, unique; OUT, RC, ERR: the session's.
session_contexts() {
        local d pid i
        d=$(mktemp -d)
        as alice ssh -i /home/alice/.ssh/id_ed25519 -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" "${SSH_OPTS[@]}" \
                rcc@localhost 'cat /proc/self/attr/current; echo; sleep 8; echo done' >"$d/out" 2>"$d/err" </dev/null &
        pid=$!
        : >"$d/ps"
        for ((i = 0; i < 240; i++)); do
                ps -u rcc -o label=,comm= >>"$d/ps" 2>/dev/null
                grep -q ' sleep$' "$d/ps" && [ "$i" -ge 4 ] && break
                alive "$pid" || break
                sleep 0.25
        done
        wait "$pid"
        RC=$?
        OUT=$(tr -d '\0' <"$d/out")
        ERR=$(cat "$d/err")
        SEEN=$(sort -u "$d/ps")
        rm -rf "$d"
        printf '%s\n' "--- session contexts: rc=$RC" "stdout: $OUT" "stderr: $ERR" "processes of rcc:" "$SEEN"
}

# alice's ssh session runs in user_u:user_r:user_t (pam_selinux, from rcc-setup's login
# mapping), and so does everything it starts: podman and its helpers run as the account, and
# the container's processes too (Debian's policy has no container module to move them into a
# domain of their own). The account's user manager (lingering) is not the session; its
# processes are listed apart.
sc_selinux_ssh_context() {
        session_contexts
        local inside=${OUT%%$'\n'*} session others
        session=$(grep -v -E ' (systemd|\(sd-pam\)|dbus-daemon)$' <<<"$SEEN")
        others=$(grep -E ' (systemd|\(sd-pam\)|dbus-daemon)$' <<<"$SEEN")
        MSG="inside the container: '$inside'; the session's processes: $(awk '{ print $2 "=" $1 }' <<<"$session" | paste -sd' ')"
        MSG+="; the user manager's: $(awk '{ print $2 "=" $1 }' <<<"$others" | paste -sd' ')"
        if [ "$RC" != 0 ] || [[ $OUT != *done ]]; then
                MSG="the session failed (exit $RC): $MSG"
                note "$ERR"
                return 1
        fi
        if [ "$inside" != "$SESSION_CONTEXT" ] || grep -v -q "^$SESSION_CONTEXT " <<<"$session" ||
                ! grep -q ' sleep$' <<<"$session"; then
                MSG="not all in $SESSION_CONTEXT: $MSG"
                return 1
        fi
}

# The sudo path: alice runs sudo as unconfined_u, and the account's user manager (user_u) may not
# serve a process of another SELinux user (shell/selinux-enter.h). With SELinux enforcing rcc-shell
# refuses the session at once, before podman runs, with the line that says what to do; nothing of
# the account's may be left running for it.
sc_selinux_sudo() {
        local human
        human=$(as alice cat /proc/self/attr/current | tr -d '\0')
        sudo_as alice "$ALICE_PROJ" -u rcc claude --version
        MSG="alice ($human): exit $RC, '${ERR//$'\n'/ }'"
        [ "$RC" = 1 ] && [[ $ERR == *"SELinux is enforcing, and this session runs as SELinux user unconfined_u, not as account 'rcc' (user_u)"*"ssh rcc@localhost"* ]] &&
                ! pgrep -u rcc -x podman >/dev/null
}

# avc_since MARK TCONTEXT-TYPE: the AVC denials of user_t on TCONTEXT-TYPE recorded since MARK
# (ausearch's -ts format), as ausearch prints them.
avc_since() {
        ausearch -m avc -ts "$1" 2>/dev/null | grep 'avc:  denied' | grep 'scontext=user_u:user_r:user_t' |
                grep "tcontext=[^ ]*:$2:"
}

# The account's session may not write /etc/rcc. Its container sees only the project, so the test
# brings an inode of /etc/rcc to it: $CONF_PROBE (owned by the account, mode 0644: DAC lets the
# account write it; labelled rcc_conf_t by restorecon, as everything in /etc/rcc) is hard-linked
# into alice's project. A label belongs to the inode, not the name, so the session's write meets
# exactly what a write of /etc/rcc by any of the account's processes meets. Beside it, a project
# file with the same owner and mode: written, so what refuses the other is SELinux, not DAC,
# Landlock or the mounts. The kernel's AVC record must be in the audit log.
sc_selinux_deny_conf() {
        local mark proj="$ALICE_PROJ/.selinux-probe-proj" link="$ALICE_PROJ/.selinux-probe-conf" avc before after
        if ! { echo original >"$CONF_PROBE" && chown rcc: "$CONF_PROBE" && chmod 0644 "$CONF_PROBE" &&
                restorecon "$CONF_PROBE" && ln -f "$CONF_PROBE" "$link" &&
                echo original >"$proj" && chown rcc: "$proj" && chmod 0644 "$proj" && restorecon "$proj"; }; then
                MSG="cannot set up the probes"
                return 1
        fi
        before="$(se_type "$CONF_PROBE") inode $(stat -c %i "$CONF_PROBE"), $(se_type "$proj")"
        mark=$(date '+%m/%d/%Y %H:%M:%S')
        sleep 1
        ssh_as alice rcc -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" -- \
                'echo written >/workspace/.selinux-probe-proj; echo "project=$?"; echo written >/workspace/.selinux-probe-conf; echo "conf=$?"'
        after=$(cat "$CONF_PROBE")
        avc=$(avc_since "$mark" rcc_conf_t | head -n 1)
        rm -f "$link" "$CONF_PROBE" "$proj"
        MSG="probes $before; in alice's session: ${OUT//$'\n'/ } ($(sed -n 's/.*: \(Permission denied\)$/\1/p' <<<"$ERR" | head -n 1));"
        MSG+=" $CONF_PROBE afterwards '$after'; AVC: ${avc:-none}"
        [ "$RC" = 0 ] && [[ $OUT == *project=0* && $OUT == *conf=1* ]] && [ "$after" = original ] &&
                [[ $avc == *'{ write }'*'tcontext=system_u:object_r:rcc_conf_t:s0 tclass=file permissive=0'* ]]
}

# Other humans' homes: in refpolicy every user's home content is user_home_t, the type user_t
# manages as its own, and the module cannot take that away; what keeps the account out of
# bob's home is the container's mounts (it sees only the project) and DAC (homes 0750). The
# scenario shows both and measures SELinux's part the same way as above: an inode of bob's home
# (0644, user_home_t) linked into alice's project is read by her session, and no AVC names it.
# It passes when the account cannot reach bob's home by path (in the container, and on the host
# as the account in the session's context), and the line says what SELinux alone allows.
sc_selinux_other_home() {
        local mark link="$ALICE_PROJ/.selinux-probe-home" avc host label
        if ! { echo bob-secret >"$HOME_PROBE" && chown bob: "$HOME_PROBE" && chmod 0644 "$HOME_PROBE" &&
                restorecon "$HOME_PROBE" && ln -f "$HOME_PROBE" "$link"; }; then
                MSG="cannot set up the probe"
                return 1
        fi
        label=$(se_type "$HOME_PROBE")
        mark=$(date '+%m/%d/%Y %H:%M:%S')
        sleep 1
        ssh_as alice rcc -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" -- \
                'ls /home/bob >/dev/null 2>&1; echo "path=$?"; cat /workspace/.selinux-probe-home; echo "link=$?"'
        # On the host, as the account: DAC alone answers (the scenarios' context may read anything).
        host=$(as rcc cat "$HOME_PROBE" 2>&1)
        avc=$(avc_since "$mark" user_home_t | head -n 1)
        rm -f "$link" "$HOME_PROBE"
        MSG="bob's probe is $label; in alice's session: ${OUT//$'\n'/ }; on the host as rcc: '$host'; AVC: ${avc:-none}"
        [ "$RC" = 0 ] || { MSG="the session failed (exit $RC): $MSG"; note "$ERR"; return 1; }
        [[ $OUT != *path=0* ]] && [[ $host == *'Permission denied'* ]] || return 1
        if [[ $OUT == *bob-secret* ]]; then
                MSG+=" (SELinux lets user_t read user_home_t: the separation is the mounts' and DAC's)"
        fi
}

# The audit log of both boots (auditd ran from the first): every AVC denial, grouped by source,
# target, class and permission. The account's domain may have none but the probes' (a denial of
# podman's work would mean the module lacks a rule, however the session fared).
sc_selinux_audit() {
        local all user_t other
        if ! systemctl is-active -q auditd.service; then
                MSG="auditd is not running"
                return 1
        fi
        all=$(ausearch -m avc 2>/dev/null | grep 'avc:  denied' |
                sed -n 's/.*denied  \({[^}]*}\).* comm=\("[^"]*"\).* scontext=\([^ ]*\) tcontext=\([^ ]*\) tclass=\([^ ]*\) permissive=\([01]\).*/\3 -> \4:\5 \1 \2 permissive=\6/p' |
                sort | uniq -c | sort -rn)
        printf '%s\n' "--- AVC denials, both boots" "$all"
        user_t=$(grep 'user_t:s0 ->' <<<"$all")
        # Also not the account's sessions: systemd's user environment generators (awk, in user_t)
        # reading the user manager's memfd, which Debian's policy denies every user_u login; and
        # fuse-overlayfs looking for its device's tunables under /sys/kernel/debug/bdi, which it
        # does without (the module keeps debugfs closed).
        other=$(grep -v -E 'user_t:s0 -> [^ ]*:(rcc_conf_t|user_home_t):s0:file ' <<<"$user_t" |
                grep -v -E 'user_t:s0 -> [^ ]*:systemd_user_tmpfs_t:s0:file [{] read write [}] "awk"' |
                grep -v -E 'user_t:s0 -> [^ ]*:debugfs_t:s0:dir [{] search [}] "fuse-overlayfs"' || true)
        MSG="$(grep -c . <<<"$all") distinct AVC denials in $(ausearch -m avc 2>/dev/null | grep -c 'avc:  denied') records, $(grep -c . <<<"$user_t") of user_t"
        note "$all"
        if [ -n "$other" ]; then
                MSG="user_t denied beyond the probes: $MSG"
                return 1
        fi
}
