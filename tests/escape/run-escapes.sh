#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The escape suite (issue 6): every attack in attacks/ runs as the agent would run it, inside a
# real session of the sandbox account (the world of tests/integration/session-env.sh: this build
# installed, real sshd and sudo in netns H, rootless podman with the busybox test image, netns L
# with private and public hosts), and prints one line: CONTAINED, ESCAPED or BROKEN (the attack
# could not be carried out: a failure too, since a test that cannot fail proves nothing). Where
# the outcome can only be seen from the host (a file written outside, a signal received, the
# firewall table, the invoking terminal), the runner checks there after the attack and a breach
# it finds overrides the attack's own verdict.
#
# Output: one TAP line per attack (`ok N - NAME: contained: DETAIL`), then `N passed, N failed`;
# exit 1 if any attack escaped or broke.
#
# Usage: run-escapes.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u
T_TAG=rccesc
ESC=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/session-env.sh
. "$ESC/../integration/session-env.sh"

# The attacks meet the product's defaults: session-env.sh's policy names files.readonly to test
# the finer carve-outs; drop it, so the built-in default (all of .git, .envrc) applies.
sed -i '/^files:$/{N;/\n  readonly:/d}' "$CONFIG_DIR/rcc.yaml"
grep -q readonly "$CONFIG_DIR/rcc.yaml" && t_die "could not drop files.readonly from the test policy"

PROBE_HOST=${RCC_ESCAPE_PROBE:-$BUILD/tests/escape/escape-probe}
[ -x "$PROBE_HOST" ] || t_die "no escape-probe at $PROBE_HOST (build the tree first)"
t_require_cmd script bsdutils git git sha256sum coreutils
SUITE_T0=$(t_now_ms)

# ----------------------------------------------------------------------------- the world, extended

# More of the network in L: every private class, metadata, and the machine's own resolver (what
# the network helper forwards the container's DNS to: from 10.0.2.3 with slirp4netns, from
# 169.254.1.1 with pasta), none of which the policy allows; the policy's resolver (10.99.0.53)
# and public hosts, v4 and v6, as controls.
L_PRIV2=192.168.77.10 L_PRIV3=172.16.5.5 L_CGNAT=100.64.1.1 L_META=169.254.169.254
L_DNS=10.99.0.53 L_NODNS=10.20.0.53 L_ULA=fd00:77::10 L_PUB6=2606:4700:4700::1111
for a in $L_PRIV2 $L_PRIV3 $L_CGNAT $L_META $L_DNS $L_NODNS $L_ULA $L_PUB6; do t_ns_addr "$L" "$a"; done
for a in $L_PRIV2 $L_PRIV3 $L_CGNAT $L_META $L_ULA $L_PUB6 "$T_L4" "$T_L6"; do t_tcp_server "$L" "$a" 80; done
t_tcp_server "$L" :: 81 # L's link-local address too
t_udp_server "$L" $L_DNS 53
t_tcp_server "$L" $L_DNS 54
t_udp_server "$L" $L_NODNS 53
t_tcp_server "$L" $L_NODNS 53
t_udp_server "$L" $L_PUB 53
t_udp_server "$L" $L_META 53
t_udp_server "$L" $L_ULA 53
# The machine's resolver, where the network helper sends the container's queries.
SYS_DNS=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf)
case $SYS_DNS in
127.*) t_udp_server "$H" "$SYS_DNS" 53 ;;
*.*.*.*) [ "$SYS_DNS" = "$L_DNS" ] || { t_ns_addr "$L" "$SYS_DNS"; t_udp_server "$L" "$SYS_DNS" 53; } ;;
*) SYS_DNS="" ;;
esac
# Services of the host itself (H): loopback, its own addresses, the wildcard.
for a in 127.0.0.1 ::1 "$T_H4" "$T_H6"; do t_tcp_server "$H" "$a" 80; done
t_tcp_server "$H" 0.0.0.0 82
t_wait_servers

# The attacks and the probe, staged in the project as the agent would bring them.
STAGE="$PROJ/.rcc-escape"
IN="/workspace/.rcc-escape"
PROBE="$IN/escape-probe"
mkdir -p "$STAGE/attacks" "$STAGE/out"
cp "$ESC"/attacks/*.sh "$STAGE/attacks/"
cp "$PROBE_HOST" "$STAGE/escape-probe"
chown -R "$ALICE:$ALICE" "$STAGE"
chmod -R a+rX "$STAGE"
chmod 0777 "$STAGE/out"
CONTROL="rccesc-control-$T_ID-$RANDOM$RANDOM"
echo "$CONTROL" >"$STAGE/control"
# A real repository, so that a planted hook or config would run when alice uses git on the host.
(cd "$PROJ" && setpriv --reuid="$ALICE" --regid="$ALICE" --init-groups env HOME="$HA" git init -q . &&
        setpriv --reuid="$ALICE" --regid="$ALICE" --init-groups env HOME="$HA" git -c user.name=a -c user.email=a@a \
                commit -q --allow-empty -m init) || t_die "git init in the project failed"
git_state() { (cd "$PROJ/.git" && find . -path ./objects -prune -o -path ./logs -prune -o -print | sort &&
        cat config && ls -la hooks) 2>&1 | sha256sum | cut -c1-16; }
GIT_BEFORE=$(git_state)

# The sudo entry point runs the shim `claude` in the container; in this suite's image (the test
# image with a different stand-in) `claude --rcc-escape NAME ARGS` runs an attack, as the real
# agent could run anything.
mkdir "$T/escimg"
tar -C "$T/escimg" -xpf "$T/image.tar" || t_die "cannot unpack the test image"
cat >"$T/escimg/usr/local/bin/claude" <<'CLAUDE'
#!/bin/sh
# Stand-in for Claude Code in the escape suite's image: runs an attack when asked.
if [ "${1-}" = --rcc-escape ]; then
        shift
        a=$1
        shift
        exec /bin/sh "/workspace/.rcc-escape/attacks/$a.sh" "$@"
fi
echo "claude-stand-in in rcc-test-image: args=<$*> cwd=$(pwd) uid=$(id -u) home=$HOME leak=${RCC_TEST_LEAK-none}"
CLAUDE
tar --numeric-owner -C "$T/escimg" -cf "$T/escape-image.tar" . || t_die "cannot pack the escape image"
t_check "rcc-setup image import (the escape suite's image)" "$SETUP" --account "$ACCT" image import "$T/escape-image.tar"

[ "$T_FAIL" = 0 ] || t_die "the world of the session tests did not come up ($T_FAIL checks failed above)"
t_log "the world is up ($T_PASS checks); the attacks follow, numbered from 1"
T_PASS=0
T_FAIL=0
# ESCAPE_HOLD=FILE (while working on the suite): the world's names go to FILE; the suite waits
# until FILE is removed.
if [ -n "${ESCAPE_HOLD:-}" ]; then
        { declare -p T H L ACCT ALICE BOB PROJ HA HB IN STAGE PROBE SETENV CONFIG_DIR; declare -f in_h h_exec; } >"$ESCAPE_HOLD"
        while [ -e "$ESCAPE_HOLD" ]; do sleep 1; done
fi

# ----------------------------------------------------------------------------- running attacks

SSH_OPTS=(-F /dev/null -p 2222 -i "$T/alice.key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
        -o BatchMode=yes -o LogLevel=ERROR)

# on_ssh SCRIPT ARGS...: the attack in a session over ssh (stdin /dev/null); OUT, RC.
on_ssh() {
        local s="$1"
        shift
        OUT=$(ip netns exec "$H" timeout 120 ssh "${SSH_OPTS[@]}" "${SETENV[@]}" "$ACCT@127.0.0.1" \
                sh "$IN/attacks/$s.sh" "$@" 2>&1 </dev/null)
        RC=$?
        strip_notice
}
# on_sudo SCRIPT ARGS...: alice's `sudo -u ACCOUNT claude --rcc-escape SCRIPT ARGS` from the project.
on_sudo() {
        rsudo "$ALICE" "$PROJ" -u "$ACCT" claude --rcc-escape "$@"
}

# attack NAME VIA SCRIPT ARGS...: run it, take its one verdict line, then the host check
# host_NAME (if defined; it may set HOST_BREACH), and report.
HOST_BREACH=""
attack() {
        local name="$1" via="$2" s="$3" verdict v detail
        shift 3
        # ESCAPE_ONLY=REGEX runs only the attacks whose names match (while working on the suite).
        [ -z "${ESCAPE_ONLY:-}" ] || [[ $name =~ $ESCAPE_ONLY ]] || return 0
        HOST_BREACH=""
        GIT_BEFORE=$(git_state) # what the host checks compare the project's .git with
        local t0
        t0=$(t_now_ms)
        "on_$via" "$s" "$@"
        printf '%s\n(exit %s, %s ms)\n' "$OUT" "$RC" "$(($(t_now_ms) - t0))" >"$T/attack-$name.out"
        [ -z "${ESCAPE_DEBUG:-}" ] || { printf '# %s: %s ms, exit %s\n' "$name" "$(($(t_now_ms) - t0))" "$RC"; t_show_output "$OUT" 20; }
        verdict=$(grep -E '^(CONTAINED|ESCAPED|BROKEN)( |$)' <<<"$OUT")
        if [ "$(grep -c . <<<"$verdict")" != 1 ]; then
                verdict="BROKEN no single verdict line (exit $RC): $(tail -n 3 <<<"$OUT" | tr '\n' ' ')"
        fi
        HOST_NOTE=""
        if declare -F "host_${name//-/_}" >/dev/null; then "host_${name//-/_}"; fi
        [ -z "$HOST_NOTE" ] || verdict="$verdict; host: $HOST_NOTE"
        report "$name" "$verdict"
}
# report NAME VERDICT-LINE
report() {
        local name="$1" v="${2%% *}" detail="${2#* }"
        [ "$detail" = "$2" ] && detail=""
        HOST_BREACH=${HOST_BREACH# }
        if [ -n "$HOST_BREACH" ]; then
                not_ok "$name: ESCAPED (seen on the host): $HOST_BREACH; the attack said: $2"
        elif [ "$v" = CONTAINED ]; then
                ok "$name: contained: $detail"
        elif [ "$v" = ESCAPED ]; then
                not_ok "$name: ESCAPED: $detail"
        else
                not_ok "$name: broken: $detail"
                t_show_output "$OUT" 12
        fi
}

# ----------------------------------------------------------------------------- host files

MARK="rccesc-marker-$T_ID-$RANDOM$RANDOM"
# /etc/shadow: alice's password field carries the marker while the attack runs.
usermod -p "$MARK" "$ALICE" || t_die "usermod -p failed"
t_add_cleanup "usermod -p '!' '$ALICE'"
attack read-etc-shadow ssh read-host-file "$MARK" "$CONTROL" /etc/shadow
usermod -p '!' "$ALICE"

# Another user's home (bob's, 0700) and alice's own secret next to the project.
echo "$MARK" >"$HB/rccesc-secret"
chown "$BOB:" "$HB/rccesc-secret"
echo "$MARK" >>"$HA/secret/file"
attack read-other-home ssh read-host-file "$MARK" "$CONTROL" "$HB/rccesc-secret" "$HA/secret/file"
rm -f "$HB/rccesc-secret"

# /etc/rcc: a file there, world-readable on the host (the account could read it outside the container).
echo "# $MARK" >"$CONFIG_DIR/rccesc-marker"
chmod 0644 "$CONFIG_DIR/rccesc-marker"
attack read-etc-rcc ssh read-host-file "$MARK" "$CONTROL" "$CONFIG_DIR/rccesc-marker" "$CONFIG_DIR/rcc.yaml"
rm -f "$CONFIG_DIR/rccesc-marker"

# A world-readable host file outside every grant: only the container keeps it out.
echo "$MARK" >"$T/outside/rccesc-readable"
chmod 0644 "$T/outside/rccesc-readable"
attack read-host-readable ssh read-host-file "$MARK" "$CONTROL" "$T/outside/rccesc-readable"
# ...and through sudo.
attack read-host-readable-sudo sudo read-host-file "$MARK" "$CONTROL" "$T/outside/rccesc-readable"

WNAME="rccesc-written-$T_ID"
# host_write_outside: no file of that name anywhere on the host but the account's podman storage
# (the container's own layer and the home volume).
host_write_outside() {
        local found
        found=$(find / /etc /usr /root /var /opt /srv /home /tmp "$T" -xdev \
                -path "$STATE_DIR/storage/$(id -u "$ACCT")/graph" -prune -o -name "$WNAME" -print 2>/dev/null | sort -u)
        [ -z "$found" ] || HOST_BREACH="host files appeared: $(tr '\n' ' ' <<<"$found")"
}
host_write_outside_sudo() { host_write_outside; }
attack write-outside ssh write-outside "$WNAME" "$CONFIG_DIR" /etc/ssh/sshd_config.d "$HA" "$T/outside"
attack write-outside-sudo sudo write-outside "$WNAME" "$CONFIG_DIR" /etc/ssh/sshd_config.d "$HA" "$T/outside"

# ----------------------------------------------------------------------------- the account's storage, the host, the disk

# The storage that issue 12's escalation went through, the host's identity, and the disk: what the
# container's own files tell, and what a session can write on the host.
STORE="$STATE_DIR/storage/$(id -u "$ACCT")"
attack storage-reach ssh storage-reach "$STORE" "$STORE/graph" "$STORE/graph/overlay/l" "$ACCT_HOME"
attack host-identity ssh host-identity "$(hostname)"
attack host-identity-sudo sudo host-identity "$(hostname)"
# Twice the account's bound (300m in session-env.sh); the storage file must not hold more than it.
host_disk_fill() {
        local allocated=$(($(stat -c %b "$STORE.img") * 512 / 1048576))
        [ "$allocated" -le 300 ] || HOST_BREACH="the storage file holds $allocated MiB of the host's disk, past its 300 MiB"
        HOST_NOTE="the storage file holds $allocated MiB of the host's disk (bound 300 MiB)"
}
attack disk-fill ssh disk-fill 600

# ----------------------------------------------------------------------------- state between sessions

# What the human's own tools run from the project (issue 14), over both entry paths: none written,
# whether it existed or not (rcc makes the missing ones for the session and removes them after).
TOOL_FILES=(.claude/settings.json .claude/settings.local.json .mcp.json .vscode/tasks.json .pre-commit-config.yaml .envrc)
host_tool_files() {
        local f
        for f in "${TOOL_FILES[@]}"; do
                [ -e "$PROJ/$f" ] && grep -qs pwned "$PROJ/$f" && HOST_BREACH="$HOST_BREACH $PROJ/$f holds the agent's hook"
        done
        HOST_NOTE="the project holds afterwards: $(cd "$PROJ" && ls -d "${TOOL_FILES[@]}" .claude .vscode 2>/dev/null | tr '\n' ' ')"
}
host_tool_files_sudo() { host_tool_files; }
attack tool-files ssh tool-files
attack tool-files-sudo sudo tool-files
# A hook and a marker left in the home: a session of another project of the same human sees
# neither (each has its own home); test-homes.sh shows the same across humans.
HOME_MARK="rccesc-home-$T_ID"
OTHER="$HA/src/other"
mkdir -p "$OTHER" && echo other >"$OTHER/MARKER" && chown -R "$ALICE:" "$OTHER"
host_home_plant() {
        local out
        out=$(ip netns exec "$H" timeout 60 ssh "${SSH_OPTS[@]}" -o "SetEnv=RCC_PROJECT=$OTHER" "$ACCT@127.0.0.1" \
                "ls \$HOME; cat \$HOME/.claude/settings.json" 2>&1 </dev/null)
        [[ $out == *"$HOME_MARK"* ]] && HOST_BREACH="a session of another project sees it: $(tr '\n' ' ' <<<"$out")"
        HOST_NOTE="a session of $OTHER finds neither the marker nor the hook"
}
attack home-plant ssh home-plant "$HOME_MARK"

# ----------------------------------------------------------------------------- the project's carve-outs

host_git_readonly() {
        [ "$(git_state)" = "$GIT_BEFORE" ] || HOST_BREACH="the host's .git changed: $(ls -la "$PROJ/.git" "$PROJ/.git/hooks" | tr '\n' ' ')"
}
attack git-readonly ssh git-readonly

# A planted hook or fsmonitor runs when alice uses git: see whether it would.
host_git_dir_swap() {
        local ran
        if [ "$(git_state)" != "$GIT_BEFORE" ]; then
                ran=$(cd "$PROJ" && setpriv --reuid="$ALICE" --regid="$ALICE" --init-groups env HOME="$HA" \
                        timeout 10 git -c user.name=a -c user.email=a@a commit -q --allow-empty -m x 2>&1 | head -n 1)
                HOST_BREACH="the host's .git is the agent's now ($(stat -c '%U' "$PROJ/.git") owns it, hooks/pre-commit: $(head -c 60 "$PROJ/.git/hooks/pre-commit" 2>&1 | tr '\n' ' ')); alice's git commit: $ran"
        fi
        # Put the project back for the attacks that follow.
        if [ -d "$PROJ/.git.rcc-escape" ]; then
                rm -rf "$PROJ/.git"
                mv "$PROJ/.git.rcc-escape" "$PROJ/.git"
        fi
}
attack git-dir-swap ssh git-dir-swap

host_git_commondir() {
        local ran
        ran=$(cd "$PROJ" && setpriv --reuid="$ALICE" --regid="$ALICE" --init-groups env HOME="$HA" \
                timeout 10 git status --short 2>&1 | head -n 3 | tr '\n' ' ')
        [ -e "$PROJ/rcc-escape-fsmonitor-ran" ] &&
                HOST_BREACH="alice's git status on the host ran the agent's core.fsmonitor (it created $PROJ/rcc-escape-fsmonitor-ran); git said: $ran"
        rm -rf "$PROJ/.git/commondir" "$PROJ/.rcc-escape-commondir" "$PROJ/rcc-escape-fsmonitor-ran"
}
attack git-commondir ssh git-commondir

host_symlink_out() {
        local link
        # The agent's links as the project of a new session: rcc-shell resolves them and refuses.
        for link in rcc-escape-link-secret rcc-escape-link-dir rcc-escape-link-root; do
                rssh alice "$ACCT" -o "SetEnv=RCC_PROJECT=$PROJ/$link" -- 'cat /workspace/file /workspace/etc/shadow 2>&1; ls /workspace'
                if [ "$RC" != 1 ] || [[ $OUT != *rcc-shell:* ]]; then
                        HOST_BREACH="$HOST_BREACH a session with RCC_PROJECT=$PROJ/$link was not refused (exit $RC): $(head -c 200 <<<"$OUT")"
                fi
                rsudo "$ALICE" "$PROJ/$link" -u "$ACCT" claude --version 2>/dev/null
                if [ "$RC" = 0 ] || [[ $OUT == *claude-stand-in* ]]; then
                        HOST_BREACH="$HOST_BREACH sudo from $PROJ/$link ran a session"
                fi
        done
        # .envrc, a read-only carve-out, is a symlink to a host file: the agent's, or (the session
        # held a placeholder there) the one a cloned repository could carry. The next session must
        # not bind-mount what it points to (refusing is fine).
        local planter=agent
        [ -L "$PROJ/.envrc" ] || planter=alice
        [ $planter = agent ] || setpriv --reuid="$ALICE" --regid="$ALICE" --init-groups \
                ln -sfn "$T/outside/rccesc-readable" "$PROJ/.envrc"
        rssh alice "$ACCT" "${SETENV[@]}" -- 'cat /workspace/.envrc 2>&1'
        if [[ $OUT == *"$MARK"* ]]; then
                HOST_BREACH="$HOST_BREACH the next session mounted the host file behind the agent's .envrc symlink: $OUT"
        else
                HOST_NOTE="links as RCC_PROJECT refused; next session with .envrc -> host file (planted by $planter): exit $RC, $(head -n 1 <<<"$OUT" | head -c 160)"
        fi
        rm -f "$PROJ"/rcc-escape-link-* "$PROJ/.envrc"
}
attack symlink-out ssh symlink-out "$MARK" "$HA/secret/file" "$PROJ" "$T/outside/rccesc-readable"

PASSWD_SUM=$(sha256sum /etc/passwd)
host_hardlink() {
        [ "$(sha256sum /etc/passwd)" = "$PASSWD_SUM" ] || HOST_BREACH="the host's /etc/passwd changed"
        [ "$(git_state)" = "$GIT_BEFORE" ] || HOST_BREACH="$HOST_BREACH the host's .git changed"
        [ "$(stat -c %h /etc/passwd)" = 1 ] || HOST_BREACH="$HOST_BREACH /etc/passwd has $(stat -c %h /etc/passwd) links"
        rm -f "$PROJ"/rcc-escape-hardlink-*
}
attack hardlink ssh hardlink

# ----------------------------------------------------------------------------- privilege

host_mount() { [ "$(git_state)" = "$GIT_BEFORE" ] || HOST_BREACH="the host's .git changed"; }
attack mount ssh mount

host_unshare() {
        grep -qF "rcc-escape-$MARK" /proc/self/mountinfo /proc/1/mountinfo 2>/dev/null &&
                HOST_BREACH="the attack's tmpfs is in the host's mount table"
        [ "$(git_state)" = "$GIT_BEFORE" ] || HOST_BREACH="$HOST_BREACH the host's .git changed"
}
attack unshare ssh unshare "$MARK"

# Host processes for ptrace and signals: one as the sandbox account itself, one as root. Each
# notes a SIGWINCH in a file of its own; its argv says what it is (the attack looks for it).
cat >"$T/rcc-escape-target.sh" <<'TARGET'
#!/bin/bash
trap 'echo WINCH >>"$1"' WINCH
while :; do sleep 0.2; done
TARGET
chmod 0755 "$T/rcc-escape-target.sh"
start_target() { # VAR USER [PREFIX...]
        local f="$T/target-$2"
        : >"$f"
        [ "$2" = root ] || chown "$2" "$f"
        ip netns exec "$H" setsid "${@:3}" bash "$T/rcc-escape-target.sh" "$f" </dev/null >/dev/null 2>&1 &
        printf -v "$1" '%s' "$!"
        t_add_cleanup "kill -KILL $! 2>/dev/null"
}
start_target TGT_ACCT "$ACCT" setpriv --reuid="$ACCT" --regid="$(id -g "$ACCT")" --clear-groups --
start_target TGT_ROOT root
sleep 0.3
alive() { kill -0 "$1" 2>/dev/null; }

host_ptrace() {
        alive "$TGT_ACCT" || HOST_BREACH="the account's host process $TGT_ACCT is gone"
        grep -q '^TracerPid:[[:space:]]*0$' "/proc/$TGT_ACCT/status" 2>/dev/null ||
                HOST_BREACH="$HOST_BREACH $TGT_ACCT is traced"
}
attack ptrace ssh ptrace "$PROBE" "$TGT_ACCT"

attack setuid ssh setuid "$PROBE"
attack sudo ssh sudo
attack sudo-via-sudo sudo sudo

host_signals() {
        local p
        sleep 0.5
        for p in "$TGT_ACCT" "$TGT_ROOT"; do alive "$p" || HOST_BREACH="$HOST_BREACH host process $p was killed"; done
        [ -s "$T/target-$ACCT" ] && HOST_BREACH="$HOST_BREACH the account's host process got SIGWINCH"
        [ -s "$T/target-root" ] && HOST_BREACH="$HOST_BREACH root's host process got SIGWINCH"
        HOST_BREACH=${HOST_BREACH# }
}
host_signals_sudo() { host_signals; }
attack signals ssh signals "$TGT_ACCT" "$TGT_ROOT"
attack signals-sudo sudo signals "$TGT_ACCT" "$TGT_ROOT"

# Abstract unix sockets in H, as root and as the account; each logs a connection.
ABS_ROOT="rccesc-root-$T_ID" ABS_ACCT="rccesc-acct-$T_ID"
ip netns exec "$H" socat "ABSTRACT-LISTEN:$ABS_ROOT,fork" "SYSTEM:echo connected >>$T/abstract-root; echo host-root" \
        </dev/null >/dev/null 2>&1 &
t_add_cleanup "kill $! 2>/dev/null"
: >"$T/abstract-acct"
chown "$ACCT" "$T/abstract-acct"
ip netns exec "$H" setpriv --reuid="$ACCT" --regid="$(id -g "$ACCT")" --clear-groups \
        socat "ABSTRACT-LISTEN:$ABS_ACCT,fork" "SYSTEM:echo connected >>$T/abstract-acct; echo host-acct" \
        </dev/null >/dev/null 2>&1 &
t_add_cleanup "kill $! 2>/dev/null"
sleep 0.3
if ! ip netns exec "$H" socat -u "ABSTRACT-CONNECT:$ABS_ACCT" STDOUT 2>/dev/null | grep -q host-acct; then
        t_die "the host's abstract listener does not answer in H"
fi
: >"$T/abstract-acct"
host_abstract_socket() {
        [ -s "$T/abstract-root" ] || [ -s "$T/abstract-acct" ] && HOST_BREACH="a host listener got a connection"
}
attack abstract-socket ssh abstract-socket "$PROBE" "$ABS_ROOT" "$ABS_ACCT"

# ----------------------------------------------------------------------------- terminals

# TIOCSTI: the session runs on a terminal of its own (script(1) plays the human's), the attack
# pushes a command line into every terminal it can reach, and after the session the human's shell
# reads its terminal: nothing may be waiting there.
INJ="rccesc-injected-$T_ID" # one word: it passes through ssh's command line
on_tty_ssh() {
        local cmd
        printf -v cmd '%q ' ip netns exec "$H" timeout --foreground 60 ssh -tt "${SSH_OPTS[@]}" "${SETENV[@]}" "$ACCT@127.0.0.1" \
                sh "$IN/attacks/$1.sh" "${@:2}"
        tty_session "$cmd"
}
on_tty_sudo() {
        local cmd
        printf -v cmd '%q ' in_h timeout --foreground 60 setpriv --reuid="$ALICE" --regid="$ALICE" --init-groups \
                sudo -n -u "$ACCT" claude --rcc-escape "$@"
        tty_session "cd $(printf %q "$PROJ") && $cmd"
}
# tty_session CMD: CMD on a fresh terminal, then a read of that terminal for 2 s; OUT, RC, TTY_GOT.
tty_session() {
        local inner
        # Non-canonical, so that a partial line is read too: whatever waits shows up between the <>.
        inner="$1; echo; echo rccesc-session-done; stty -echo -icanon; read -r -t 2 l; echo \"rccesc-host-got<\$l>\""
        export -f in_h h_exec
        export T H
        # script(1) reads its stdin until the command ends: a sleep that holds it open (and nothing
        # else: its stderr is not the pipe this substitution waits on). It runs CMD with $SHELL, or
        # /bin/sh where SHELL is unset (as under CI); dash drops the exported in_h, so name bash.
        OUT=$(SHELL=/bin/bash timeout 60 script -qfec "bash -c $(printf %q "$inner")" /dev/null < <(exec sleep 60 2>/dev/null) 2>&1 | tr -d '\r')
        RC=$?
        TTY_GOT=$(grep -o 'rccesc-host-got.*' <<<"$OUT")
        strip_notice
}
host_tiocsti() {
        case $TTY_GOT in
        "rccesc-host-got<>") ;;
        rccesc-host-got*) HOST_BREACH="the human's terminal received input after the session: $TTY_GOT" ;;
        *) HOST_BREACH="could not read the human's terminal after the session" ;;
        esac
}
host_tiocsti_sudo() { host_tiocsti; }
# The check must be able to see an injection: the probe run on the host, on that terminal, makes one.
tty_session "$(printf '%q ' "$PROBE_HOST" tiocsti-stdin "$INJ")"
[[ $TTY_GOT == *"$INJ"* ]] || t_die "the terminal check is blind: TIOCSTI on the host's own terminal was not read back: $(tr "\n" " " <<<"$OUT")"
attack tiocsti tty_ssh tiocsti "$PROBE" "$INJ"
attack tiocsti-sudo tty_sudo tiocsti "$PROBE" "$INJ"

# ----------------------------------------------------------------------------- ssh features

# Not run in the container: what the ssh client itself may ask of sshd for the account.
ssh_attack() { # NAME: sets OUT to a verdict line
        local name="$1" o rc fwd i
        case $name in
        sftp)
                o=$(ip netns exec "$H" timeout 30 sftp -F /dev/null -P 2222 -i "$T/alice.key" -o StrictHostKeyChecking=no \
                        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -b - "$ACCT@127.0.0.1" 2>&1 <<<"get /etc/passwd $T/sftp-got
ls /")
                rc=$?
                if [ -e "$T/sftp-got" ] || [[ $o == *"sftp> ls"*bin* ]]; then OUT="ESCAPED sftp: $o"
                elif [ "$rc" != 0 ]; then OUT="CONTAINED sftp refused (exit $rc): $(tail -n 1 <<<"$o")"
                else OUT="BROKEN sftp exit 0 without a listing: $o"; fi
                ;;
        forward-R)
                o=$(ip netns exec "$H" timeout 20 ssh "${SSH_OPTS[@]}" "${SETENV[@]}" -o ExitOnForwardFailure=yes \
                        -R 127.0.0.1:2224:127.0.0.1:80 "$ACCT@127.0.0.1" true 2>&1 </dev/null)
                rc=$?
                if [ "$rc" = 255 ] && [[ $o == *"forwarding failed"* || $o == *"refused"* ]]; then
                        OUT="CONTAINED ssh -R refused: $(tr '\n' ' ' <<<"$o")"
                elif [ "$rc" = 0 ]; then OUT="ESCAPED ssh -R was granted"
                else OUT="BROKEN ssh -R exit $rc: $o"; fi
                ;;
        forward-L | forward-D)
                local spec=127.0.0.1:2225:$L_PRIV:80 get
                [ "$name" = forward-D ] && spec=127.0.0.1:2225
                ip netns exec "$H" timeout 30 ssh "${SSH_OPTS[@]}" "${SETENV[@]}" -N "-${name#forward-}" "$spec" \
                        "$ACCT@127.0.0.1" </dev/null >"$T/fwd.log" 2>&1 &
                fwd=$!
                for ((i = 0; i < 50; i++)); do ip netns exec "$H" ss -Hlnt 'sport = :2225' | grep -q . && break; sleep 0.1; done
                if [ "$name" = forward-L ]; then
                        get=(socat -u TCP:127.0.0.1:2225 STDOUT)
                else
                        get=(socat -u "SOCKS4A:127.0.0.1:$L_PRIV:80,socksport=2225" STDOUT)
                fi
                o=$(ip netns exec "$H" timeout 5 "${get[@]}" 2>&1 </dev/null)
                kill "$fwd" 2>/dev/null
                wait "$fwd" 2>/dev/null
                if [ "$i" = 50 ]; then OUT="BROKEN the ssh client did not listen on 2225: $(cat "$T/fwd.log")"
                elif [[ $o == *"$(t_banner $L_PRIV 80)"* ]]; then OUT="ESCAPED ssh -${name#forward-} reached $L_PRIV:80 through sshd"
                else OUT="CONTAINED ssh -${name#forward-} carried nothing: $(tr '\n' ' ' <<<"$o" | head -c 200)"; fi
                ;;
        esac
        RC=0
}
on_client() { ssh_attack "$1"; }
for a in sftp forward-L forward-R forward-D; do attack "ssh-$a" client "$a"; done

# ----------------------------------------------------------------------------- network

PUB4="tcp,$L_PUB,80"
PUB6="tcp,$L_PUB6,80"
# What the container sees of the host depends on the rootless network install chose (NETWORK,
# session-env.sh). slirp4netns: the container is 10.0.2.100 behind a gateway 10.0.2.2 that is the
# host's loopback (allow_host_loopback=false closes it), DNS at 10.0.2.3, interface tap0. pasta:
# the container has the host's own addresses and routes (H's, here: gateway $T_L4), its interface
# is named after the host's, DNS at 169.254.1.1, and podman would map the gateway to the host's
# loopback (--map-host-loopback, --no-map-gw) and 169.254.1.2 to the host (--map-guest-addr) if
# rcc did not say none to both. H's own services are on 127.0.0.1:2222 (sshd) and 0.0.0.0:82: a
# connection that reaches either through a mapping comes back with their banner.
case $NETWORK in
pasta)
        NET_GW=$T_L4 NET_IF=$T_VETH_H NET_DNS=169.254.1.1
        net_host_targets=("tcp,$T_L4,2222" "tcp,$T_L4,82" "tcp,169.254.1.2,2222" "tcp,169.254.1.2,82"
                "tcp,169.254.1.2,80")
        ;;
*)
        NET_GW=10.0.2.2 NET_IF=tap0 NET_DNS=10.0.2.3
        net_host_targets=("tcp,10.0.2.2,2222" "tcp,10.0.2.2,80" "tcp,10.0.2.2,82")
        ;;
esac
# Every connection the network attacks make must leave H as a socket of the account's uid, which
# is what table inet rcc matches: a table of the suite's own counts, from here to net-socket-owner,
# the TCP and UDP packets leaving H towards L, first those of the account's sockets (accepted
# here, which ends only this chain: rcc's table still sees them), then all others, those without
# a socket included.
ACCT_UID=$(id -u "$ACCT")
ip netns exec "$H" nft -f - <<NFT || t_die "cannot load the counting table"
table inet rccesc_owner {
        chain out {
                type filter hook output priority -10; policy accept;
                oifname "$T_VETH_H" meta l4proto { tcp, udp } meta skuid $ACCT_UID counter accept
                oifname "$T_VETH_H" meta l4proto { tcp, udp } counter
        }
}
NFT
t_add_cleanup "ip netns exec $H nft delete table inet rccesc_owner 2>/dev/null"
attack net-private-v4 ssh net-probe "$PROBE" "$PUB4" -- \
        "tcp,$L_PRIV,80" "tcp,$L_PRIV2,80" "tcp,$L_PRIV3,80" "tcp,$L_CGNAT,80"
attack net-private-v6 ssh net-probe "$PROBE" "$PUB6" -- \
        "tcp,$L_ULA,80" "udp,$L_ULA,53" "tcp,fe80::77:2%$NET_IF,81"
attack net-v4-mapped ssh net-probe "$PROBE" "$PUB4" "tcp,::ffff:$L_PUB,80" -- \
        "tcp,::ffff:$L_PRIV,80" "tcp,::ffff:$L_META,80" "tcp,::ffff:$L_CGNAT,80" "tcp,::ffff:$T_H4,80" "tcp,::ffff:$NET_GW,2222"
attack net-metadata ssh net-probe "$PROBE" "$PUB4" -- "tcp,$L_META,80" "udp,$L_META,53"
# The host itself: the network's mappings of it (above); H's own addresses; 127.0.0.1 in the
# container is the container's own loopback (the host's 127.0.0.1:80 answers with its banner,
# which must not come back).
attack net-host-addresses ssh net-probe "$PROBE" "$PUB4" -- "${net_host_targets[@]}" \
        "tcp,$T_H4,80" "tcp,$T_H4,2222" "tcp,$T_H6,80" "tcp,$T_H4,82" \
        "tcp,127.0.0.1,80" "tcp,::1,80" "tcp,127.0.0.1,2222"
# DNS: port 53 is open only towards the policy's resolver. A private server on 53 that is not it,
# the resolver on another port, and the machine's own resolver through the network's DNS
# forwarder ($NET_DNS) are refused; the policy's resolver answers (control); a public server on 53 is what public
# mode allows (reported, not judged).
dns_targets=("udp,$L_NODNS,53" "tcp,$L_NODNS,53" "tcp,$L_DNS,54" "?udp,$L_PUB,53")
[ -n "$SYS_DNS" ] && [ "$SYS_DNS" != "$L_DNS" ] && dns_targets+=("udp,$NET_DNS,53")
attack net-dns ssh net-probe "$PROBE" "$PUB4" "udp,$L_DNS,53" -- "${dns_targets[@]}"

# host_net_socket_owner: the counts since the network attacks began. The account's sockets must
# have carried their traffic (the controls reached L), and nothing else may have sent TCP or UDP
# towards L meanwhile: no relay of the network helper's under another uid, no packet without a
# socket (a forward or a transparent proxy would be one).
host_net_socket_owner() {
        local counts own other
        counts=$(ip netns exec "$H" nft list chain inet rccesc_owner out 2>&1 | grep -o 'packets [0-9]*' | grep -o '[0-9]*')
        own=$(sed -n 1p <<<"$counts")
        other=$(sed -n 2p <<<"$counts")
        HOST_NOTE="$NETWORK: ${own:-?} packets towards L from sockets of uid $ACCT_UID, ${other:-?} from anything else"
        if [ -z "$own" ] || [ "$own" = 0 ] || [ "$other" != 0 ]; then
                HOST_BREACH="not every connection left as a socket of the account: $HOST_NOTE"
        fi
        ip netns exec "$H" nft delete table inet rccesc_owner 2>/dev/null
}
attack net-socket-owner ssh net-probe "$PROBE" "$PUB4" "udp,$L_DNS,53" --

table_digest() { ip netns exec "$H" nft list table inet rcc 2>&1 | sha256sum | cut -c1-16; }
TABLE_BEFORE=$(table_digest)
host_nft() {
        [ "$(table_digest)" = "$TABLE_BEFORE" ] || HOST_BREACH="the host's table inet rcc changed"
        ip netns exec "$H" "$FIREWALL" status >/dev/null 2>&1 || HOST_BREACH="$HOST_BREACH rcc-firewall status: not current"
}
attack nft ssh nft "$PROBE"

# ----------------------------------------------------------------------------- descriptors, resources

attack fds ssh fds
attack fds-sudo sudo fds

# host_latency: a host command (fork+exec, a process as another user, a file) timed while a bomb
# holds; HOST_MS.
host_latency() {
        local t0
        t0=$(t_now_ms)
        ip netns exec "$H" setpriv --reuid="$BOB" --regid="$BOB" --clear-groups sh -c 'ls / >/dev/null; date >/dev/null'
        HOST_MS=$(($(t_now_ms) - t0))
}
# bomb NAME SCRIPT ARGS...: the attack in the background; when its ready file appears, time the host.
bomb() {
        local name="$1" s="$2" ready="$STAGE/out/$1.ready" i pid
        shift 2
        rm -f "$ready"
        (
                on_ssh "$s" "$@"
                printf '%s\n' "$OUT" >"$T/bomb.out"
                echo "$RC" >"$T/bomb.rc"
        ) &
        pid=$!
        for ((i = 0; i < 300; i++)); do [ -e "$ready" ] && break; sleep 0.1; done
        HOST_MS=""
        [ -e "$ready" ] && host_latency
        wait "$pid"
        OUT=$(cat "$T/bomb.out")
        RC=$(cat "$T/bomb.rc")
        if [ -z "$HOST_MS" ]; then
                OUT="BROKEN the attack never said it was under way: $(tr '\n' ' ' <<<"$OUT")"
        elif [ "$HOST_MS" -ge 3000 ]; then
                HOST_BREACH="a host command took $HOST_MS ms during the bomb"
        else
                OUT=$(sed -E "s/^(CONTAINED .*)$/\1; a host command took $HOST_MS ms meanwhile/" <<<"$OUT")
        fi
}
on_bomb() { bomb "$1" "$@"; }
attack fork-bomb bomb fork-bomb "$IN/out/fork-bomb.ready"
attack memory-bomb bomb memory-bomb "$PROBE" "$IN/out/memory-bomb.ready"
# The account is usable again once its processes are gone.
rssh alice "$ACCT" "${SETENV[@]}" -- 'cat /workspace/MARKER'
[ "$RC" = 0 ] && [[ $OUT == *alice-project* ]] || t_log "after the bombs a session did not start (exit $RC): $OUT"

t_log "the suite took $(($(t_now_ms) - SUITE_T0)) ms after setup"
t_finish
