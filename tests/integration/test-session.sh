#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The sandboxed session, end to end, with the real components (session-env.sh sets them up): what
# the agent sees in its container over ssh and sudo, what it cannot reach or change, lab mode, and
# `rcc-setup uninstall` leaving /etc as it found it.
#
# Usage: test-session.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u
T_TAG=rccss
# shellcheck source=tests/integration/session-env.sh
. "$(dirname "$0")/session-env.sh"

# The image import (session-env.sh) left podman's blob cache in the account's home
# (~/.local/share/containers/cache): that is not the storage of an earlier rcc, and apply must not
# tell the admin to remove it.
h_exec "$SETUP" --account "$ACCT" apply >"$T/apply.log" 2>&1 || true
t_check_eq "apply after an image import sees no storage of an earlier rcc" "" "$(grep 'earlier rcc' "$T/apply.log")"

# ----------------------------------------------------------------------------- ssh sessions

rssh alice "$ACCT" "${SETENV[@]}" -- 'pwd; cat /workspace/MARKER; cat /etc/rcc-test-image'
expect "ssh: the session runs in the container with the project at /workspace" 0 \
        $'/workspace\nalice-project\nrcc-test-image'
rssh alice "$ACCT" "${SETENV[@]}" -- "ls -a /workspace | tr '\n' ' '; test -e '$HA' || test -e '$T/host-marker' || test -e /rcc-planted || echo nothing-else"
expect "ssh: nothing of the host but the project is visible" 0 "*nothing-else"
rssh alice "$ACCT" "${SETENV[@]}" -- 'touch /workspace/.git/hooks/pre-commit 2>/dev/null; echo hooks=$?; (echo x >> /workspace/.git/config) 2>/dev/null; echo config=$?; touch /workspace/new && echo new-ok'
expect "ssh: .git/hooks and .git/config are read-only, the rest is writable" 0 \
        $'hooks=1\nconfig=1\nnew-ok'
[ -e "$PROJ/.git/hooks/pre-commit" ] && not_ok "a hook was planted on the host" || ok "no hook reached the host"
# A read-only bind mount moves along with its parent: renaming .git away and making a new
# .git/hooks would put a writable hooks directory in its place. .git, above the carve-outs, is bound
# onto itself (pinned): a mount point can be neither renamed nor removed, and what is in it stays
# writable (the agent still commits).
rssh alice "$ACCT" "${SETENV[@]}" -- 'mv /workspace/.git /workspace/.git-old 2>/dev/null && mkdir -p /workspace/.git/hooks && echo planted >/workspace/.git/hooks/pre-commit; echo mv=$?; rm -rf /workspace/.git 2>/dev/null; echo rm=$?; test -d /workspace/.git/hooks && test -f /workspace/.git/config && echo intact; touch /workspace/.git/newfile && echo newfile-ok'
expect "ssh: .git, above the carve-outs, can be neither renamed nor removed; files in it can be made" 0 \
        $'mv=1\nrm=1\nintact\nnewfile-ok'
[ -e "$PROJ/.git-old" ] || [ -e "$PROJ/.git/hooks/pre-commit" ] &&
        not_ok "the carve-outs were moved out of the way: $(ls -a "$PROJ" "$PROJ/.git/hooks" 2>&1 | tr '\n' ' ')" ||
        ok "no hook reached the host through a renamed .git"
[ "$(stat -c %U "$PROJ/.git/newfile" 2>/dev/null)" = "$ACCT" ] && ok "a file the agent made in .git is on the host" ||
        not_ok "the agent's .git/newfile: $(stat -c %U "$PROJ/.git/newfile" 2>&1)"
rm -f "$PROJ/.git/newfile"
[ "$(stat -c %U "$PROJ/new" 2>/dev/null)" = "$ACCT" ] && ok "a file the agent wrote belongs to the account on the host" ||
        not_ok "owner of the agent's file: $(stat -c %U "$PROJ/new" 2>&1)"
rssh alice "$ACCT" "${SETENV[@]}" -- 'grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs)" /proc/self/status'
expect "ssh: no capabilities, no_new_privs set" 0 \
        $'CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1'
rssh alice "$ACCT" "${SETENV[@]}" -- "nc -w 3 $L_PUB 80"
expect "ssh: a public host is reached from inside the container" 0 "$(t_banner $L_PUB 80)*"
rssh alice "$ACCT" "${SETENV[@]}" -- "nc -w 3 $L_PRIV 80 || echo refused"
expect "ssh: a private host is refused from inside the container" 0 "*refused"$'\n'"rcc: the network policy refused*"
# ...and when the session ends, the human reads what was refused, why, and what would allow it.
expect "ssh: the session's end names the refused destination, the reason and the lines that allow it" 0 \
        "*rcc: the network policy refused this session * connection*rcc:   $L_PRIV tcp port 80, * time*: private (RFC 1918) 10.0.0.0/8*network.allow in $CONFIG_DIR/accounts.d/$ACCT.yaml:*- cidr: $L_PRIV/32*ports: [[]80]*proto: tcp*rcc-setup apply"
t_log "$(grep '^rcc: ' <<<"$OUT" | head -8)"

# ----------------------------------------------------------------------------- the denials file

# While the session runs, the agent reads what was refused from /run/rcc/denials (issue 17):
# rcc-firewalld's file, updated within a second of the refusal, that the session can neither
# write nor replace, nor add to.
READ_DENIALS='i=0; while [ $i -lt 50 ] && ! grep -q "$0" /run/rcc/denials; do sleep 0.1; i=$((i+1)); done; cat /run/rcc/denials'
rssh alice "$ACCT" "${SETENV[@]}" -- "nc -w 3 $L_PRIV 80 || echo refused; sh -c '$READ_DENIALS' '$L_PRIV tcp port 80'"
expect "denials file: the session reads its refusal in the container while it runs, with reason and policy lines" 0 \
        "*refused"$'\n'"#*"$'\n'"$L_PRIV tcp port 80, "*" time"*": private (RFC 1918) 10.0.0.0/8"$'\n'"  allowed by, under network.allow in $CONFIG_DIR/accounts.d/$ACCT.yaml:"$'\n'"    - cidr: $L_PRIV/32"$'\n'"      ports: [[]80]"$'\n'"      proto: tcp"$'\n'"rcc: the network policy refused*"
t_log "the in-container file: $(sed -n '/^#/,/^rcc: /p' <<<"$OUT" | grep -v '^rcc: ')"
# Each attempt in a subshell: a failed redirection ends a POSIX shell.
rssh alice "$ACCT" "${SETENV[@]}" -- '(echo x >>/run/rcc/denials) && echo CHANGED-wrote; (true >/run/rcc/denials) && echo CHANGED-truncated; (touch /run/rcc/planted) && echo CHANGED-planted; (mv /run/rcc/denials /run/rcc/moved) && echo CHANGED-moved; (rm -f /run/rcc/denials) && echo CHANGED-removed; (chmod 0666 /run/rcc/denials) && echo CHANGED-chmod; (umount /run/rcc) 2>/dev/null && echo CHANGED-unmounted; (mount -o remount,rw /run/rcc) 2>/dev/null && echo CHANGED-remounted; test -f /run/rcc/denials && echo still-there'
expect "denials file: the session can neither write, replace, remove nor add to it, nor unmount it" 0 "*still-there"
[[ $OUT != *CHANGED-* ]] && ok "denials file: no write of the session's succeeded" ||
        { not_ok "denials file: the session changed it"; t_show_output "$OUT"; }
for ((i = 0; i < 50; i++)); do
        DENIALS_DIRS=$(find /run/rcc/denials -mindepth 1 -maxdepth 1 2>/dev/null)
        [ -z "$DENIALS_DIRS" ] && break
        sleep 0.1
done
t_check_eq "denials file: the ended sessions' directories are gone" "" "$DENIALS_DIRS"
[ "$(stat -c '%U %a' /run/rcc/denials)" = "root 755" ] && ok "denials file: /run/rcc/denials is root's, 0755" ||
        not_ok "/run/rcc/denials: $(stat -c '%U %a' /run/rcc/denials)"

# Two sessions of the same account at once: a refusal before the second started is the first's
# alone, and the second never sees it; a refusal while both run cannot be told apart (packets carry
# the account, not the session), so each file counts it without naming it.
ip netns exec "$H" timeout 60 ssh -F /dev/null -p 2222 -i "$T/alice.key" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR "${SETENV[@]}" "$ACCT@127.0.0.1" \
        "nc -w 3 $L_PRIV 80; echo first-refused; sleep 8; cat /run/rcc/denials" </dev/null >"$T/first.out" 2>&1 &
first=$!
for ((i = 0; i < 200; i++)); do
        grep -qs "$L_PRIV tcp port 80" /run/rcc/denials/*/denials && break
        sleep 0.1
done
rssh alice "$ACCT" "${SETENV[@]}" -- "cat /run/rcc/denials; echo ---; nc -w 2 $L_PRIV 81; sh -c '$READ_DENIALS' 'while other sessions'"
wait "$first"
[[ $OUT == *"#"*"---"* && $OUT != *"$L_PRIV tcp port 80"* ]] &&
        ok "denials file: a second session of the account does not see the first one's refusal" ||
        { not_ok "denials file: the second session saw the first one's refusal, or no file"; t_show_output "$OUT"; }
[[ $OUT == *"---"*"# "*" while other sessions of this account ran: not attributed to this session"* &&
        $OUT != *"$L_PRIV tcp port 81"* ]] &&
        ok "denials file: a refusal while both ran is counted, not named" ||
        { not_ok "denials file: the second session's own refusal while both ran"; t_show_output "$OUT"; }
FIRST=$(cat "$T/first.out")
[[ $FIRST == *"$L_PRIV tcp port 80, "*" time"*"while other sessions of this account ran"* && $FIRST != *"port 81"* ]] &&
        ok "denials file: the first session lists its own refusal and only counts the shared one" ||
        { not_ok "denials file: the first session's file"; t_show_output "$FIRST"; }
rssh alice "$ACCT" "${SETENV[@]}" -- 'exit 7'
expect "ssh: the exit status passes through" 7 ""
rssh alice "$ACCT" -o "SetEnv=RCC_PROJECT=$PROJ/sub/dir" -- 'pwd; cat /workspace/MARKER'
expect "ssh: a subdirectory of the project is the working directory" 0 $'/workspace/sub/dir\nalice-project'
rssh alice "$ACCT" -o "SetEnv=RCC_PROJECT=$HA/secret" -- 'cat /workspace/file'
expect "ssh: a project outside the human's grants is refused" 1 "*rcc-shell:*"
rssh alice "$ACCT" -o "SetEnv=RCC_PROJECT=$PROJ/link-out" -- 'cat /workspace/file'
expect "ssh: a symlink from a granted directory to an ungranted one is refused" 1 "*rcc-shell:*"
rssh alice "$ACCT" -o "SetEnv=RCC_PROJECT=$T/outside" -- 'true'
expect "ssh: a readable directory outside the grants is refused" 1 "*rcc-shell:*"
rssh alice "$ACCT" -o "SetEnv=RCC_PROJECT=$PROJ/link-outside" -- 'true'
expect "ssh: a symlink to a readable directory outside the grants is refused" 1 "*rcc-shell:*"
rssh alice "$ACCT" -o "SetEnv=RCC_PROJECT=$PROJ/../../secret" -- 'cat /workspace/file'
expect "ssh: '..' out of the grant is refused" 1 "*rcc-shell:*"
rssh alice "$ACCT" -- 'true'
expect "ssh: no project named and no plain-path grant: refused, saying how to name one" 1 "*RCC_PROJECT*"
rssh alice "$ACCT" "${SETENV[@]}" -- '/usr/lib/openssh/sftp-server -h; echo rc=$?'
expect "ssh: a requested command runs in the container, never on the host" 0 "*rc=127*"
OUT=$(ip netns exec "$H" timeout 30 sftp -F /dev/null -P 2222 -i "$T/alice.key" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -b - "$ACCT@127.0.0.1" <<<"ls /" 2>&1)
RC=$?
[ "$RC" != 0 ] && ok "ssh: the sftp subsystem gets no file access" || { not_ok "sftp worked"; t_show_output "$OUT"; }
rssh alice "$ACCT" "${SETENV[@]}" -o ExitOnForwardFailure=yes -R 127.0.0.1:2224:127.0.0.1:80 -- 'true'
[ "$RC" = 255 ] && ok "ssh: remote port forwarding is refused" || not_ok "ssh -R was allowed (exit $RC)"
ip netns exec "$H" ssh -F /dev/null -p 2222 -i "$T/alice.key" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -N \
        -L 127.0.0.1:2223:127.0.0.1:2222 "$ACCT@127.0.0.1" </dev/null >/dev/null 2>&1 &
fwd=$!
for ((i = 0; i < 50; i++)); do ip netns exec "$H" ss -Hlnt 'sport = :2223' | grep -q . && break; sleep 0.1; done
OUT=$(ip netns exec "$H" timeout 5 socat -u TCP:127.0.0.1:2223 STDOUT 2>&1 </dev/null)
kill "$fwd" 2>/dev/null
[[ $OUT != *SSH-2.0* ]] && ok "ssh: local port forwarding carries nothing" ||
        not_ok "ssh -L reached sshd through the account: $OUT"
rssh bob "$ACCT" "${SETENV[@]}" -- 'true'
[ "$RC" = 255 ] && ok "ssh: a key that was not added cannot log in" || not_ok "bob's key logged in (exit $RC)"

# A session whose ssh client dies must not leave its container behind.
podman_ps() {
        ip netns exec "$H" setpriv --reuid="$1" --regid="$1" --init-groups env -i PATH=/usr/bin:/bin \
                HOME="$(getent passwd "$1" | cut -d: -f6)" CONTAINERS_CONF="$CONFIG_DIR/podman/containers.conf" \
                CONTAINERS_STORAGE_CONF="$CONFIG_DIR/podman/storage.conf" \
                CONTAINERS_REGISTRIES_CONF="$CONFIG_DIR/podman/registries.conf" podman ps -q 2>/dev/null
}
ip netns exec "$H" ssh -F /dev/null -p 2222 -i "$T/alice.key" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR "${SETENV[@]}" \
        "$ACCT@127.0.0.1" 'sleep 300' </dev/null >/dev/null 2>&1 &
client=$!
for ((i = 0; i < 100; i++)); do [ -n "$(podman_ps "$ACCT")" ] && break; sleep 0.1; done
if [ -z "$(podman_ps "$ACCT")" ]; then
        not_ok "ssh 'sleep 300': no container appeared"
else
        kill -KILL "$client"
        { wait "$client"; } 2>/dev/null
        t0=$(t_now_ms)
        for ((i = 0; i < 150; i++)); do [ -z "$(podman_ps "$ACCT")" ] && break; sleep 0.1; done
        if [ -z "$(podman_ps "$ACCT")" ]; then
                ok "ssh client killed: the container was gone after $(($(t_now_ms) - t0)) ms"
        else
                not_ok "ssh client killed: the container is still there after 15 s"
        fi
        # ... and rcc-shell after it, once it has unstaged the project.
        for ((i = 0; i < 150; i++)); do pgrep -u "$ACCT" -x rcc-shell >/dev/null || break; sleep 0.1; done
        pgrep -u "$ACCT" -x rcc-shell >/dev/null && not_ok "ssh client killed: rcc-shell is still there after 15 s" ||
                ok "ssh client killed: rcc-shell was gone after $(($(t_now_ms) - t0)) ms"
fi

# ----------------------------------------------------------------------------- the network

# The rootless network install recorded (session-env.sh read it into NETWORK) is what doctor
# names; rcc-shell refuses a session when the record is gone or is not root's alone, naming it.
NETCONF="$CONFIG_DIR/podman/network.conf"
OUT=$(h_exec "$SETUP" doctor 2>&1)
[[ $OUT == *"ok   network: $NETWORK ("* ]] && [ -n "$NETWORK" ] &&
        ok "doctor: $(grep -o "network: .*" <<<"$OUT")" ||
        { not_ok "doctor does not name the network '$NETWORK'"; t_show_output "$(grep -i network <<<"$OUT")"; }
mv "$NETCONF" "$NETCONF.away"
rssh alice "$ACCT" "${SETENV[@]}" -- 'true'
expect "ssh: without the network record the session is refused, naming it" 1 "*$NETCONF*rcc-setup install*"
OUT=$(h_exec "$SETUP" doctor 2>&1)
[[ $OUT == *"FAIL network: rcc-shell refuses every session"* ]] && ok "doctor FAILs without the network record" ||
        { not_ok "doctor does not fail without the network record"; t_show_output "$(grep -i network <<<"$OUT")"; }
mv "$NETCONF.away" "$NETCONF"
chmod 0666 "$NETCONF"
rssh alice "$ACCT" "${SETENV[@]}" -- 'true'
expect "ssh: a network record others may write refuses the session" 1 "*$NETCONF*mode 0666*"
chmod 0644 "$NETCONF"
rssh alice "$ACCT" "${SETENV[@]}" -- 'cat /workspace/MARKER'
expect "ssh: with the record back the session runs" 0 "alice-project"

# ----------------------------------------------------------------------------- Landlock

# rcc-landlock, the containers' entry point, restricts every session with Landlock before the
# command runs (shell/landlock/). LAUNCHER is where shell/meson.build installs it.
LAUNCHER="$(dirname "$SHIM_DIR")/rcc-landlock"
LL_ABI=$("$LAUNCHER" --describe 2>/dev/null | sed -n 's/^ABI \([0-9]*\):.*/\1/p')
# podman_as USER ARGS...: podman as USER on the host, with the sessions' podman configuration.
podman_as() {
        local u="$1"
        shift
        OUT=$(ip netns exec "$H" setpriv --reuid="$u" --regid="$u" --init-groups env -i PATH=/usr/bin:/bin \
                HOME="$(getent passwd "$u" | cut -d: -f6)" CONTAINERS_CONF="$CONFIG_DIR/podman/containers.conf" \
                CONTAINERS_STORAGE_CONF="$CONFIG_DIR/podman/storage.conf" \
                CONTAINERS_REGISTRIES_CONF="$CONFIG_DIR/podman/registries.conf" timeout 120 \
                podman --default-mounts-file="$CONFIG_DIR/podman/mounts.conf" "$@" 2>&1 </dev/null)
        RC=$?
}
OUT=$(h_exec "$SETUP" doctor 2>&1)
[[ $OUT == *"ok   Landlock ABI $LL_ABI: filesystem"* ]] && [ -n "$LL_ABI" ] &&
        ok "doctor: $(grep -o "Landlock ABI.*" <<<"$OUT")" ||
        { not_ok "doctor does not say which Landlock restrictions sessions get"; t_show_output "$(grep -i landlock <<<"$OUT")"; }

if [ "${LL_ABI:-0}" -lt 1 ]; then
        t_log "this kernel has no Landlock: the Landlock checks are skipped"
else
        # An image whose own /etc and /usr the session's user may write (built carelessly, or
        # changed in the account's podman storage, which the agent owns: docs/design.md). Without the
        # launcher the session's user writes there; with it, Landlock refuses (EACCES, not EROFS).
        IMG=localhost/rcc-test:latest
        mkdir "$T/llroot" && tar -C "$T/llroot" -xpf "$T/image.tar" && chmod 0777 "$T/llroot/etc" "$T/llroot/usr" &&
                tar --numeric-owner -C "$T/llroot" -cf "$T/image-writable.tar" . &&
                t_check "rcc-setup image import of an image with a writable /etc and /usr" \
                        "$SETUP" --account "$ACCT" image import "$T/image-writable.tar"
        podman_as "$ACCT" run --rm --init --userns=keep-id --network=none --pull=never "$IMG" \
                sh -c '{ touch /etc/x && touch /usr/x && echo wrote; kill -0 1 && echo signal-ok; id -u; } 2>&1'
        expect "without the launcher, the session's user can write the image's /etc and /usr and signal pid 1" 0 \
                $'wrote\nsignal-ok\n'"$(id -u "$ACCT")"
        # A session's image is mounted read-only; under it, Landlock refuses the same writes on its own
        # (the launcher in a plain rootless container of the account, the image writable).
        rssh alice "$ACCT" "${SETENV[@]}" -- '{ touch /etc/x; touch /usr/x; ls /etc/x /usr/x; id -u; } 2>&1'
        expect "ssh: writes to the image's /etc and /usr fail, writable as they are in it" 0 \
                $'touch: /etc/x: Read-only file system\ntouch: /usr/x: Read-only file system\nls: /etc/x: No such file or directory\nls: /usr/x: No such file or directory\n'"$(id -u "$ACCT")"
        podman_as "$ACCT" run --rm --init --userns=keep-id --network=none --pull=never \
                --mount "type=bind,src=$LAUNCHER,dst=/.rcc/landlock,ro" --entrypoint /.rcc/landlock \
                --mount "type=bind,src=$PROJ,dst=/workspace" "$IMG" "--abi=$LL_ABI" \
                "--workspace=$(stat -c %d:%i "$PROJ"):/workspace" --writable=/workspace -- \
                sh -c '{ touch /etc/x; touch /usr/x; ls /etc/x /usr/x; } 2>&1'
        expect "launcher: Landlock refuses writes to the image's /etc and /usr, writable as they are" 1 \
                $'touch: /etc/x: Permission denied\ntouch: /usr/x: Permission denied\nls: /etc/x: No such file or directory\nls: /usr/x: No such file or directory'
        if [ "$LL_ABI" -ge 6 ]; then
                rssh alice "$ACCT" "${SETENV[@]}" -- 'kill -0 1 2>/dev/null && echo signal-ok || echo signal-denied'
                expect "ssh: signals are scoped (ABI $LL_ABI): the session cannot signal the container's init" 0 \
                        "signal-denied"
        fi
        rssh alice "$ACCT" "${SETENV[@]}" -- '{ touch /workspace/.git/hooks/x; echo hooks=$?; touch /workspace/ll-new /tmp/x "$HOME/.claude.json" && mkdir -p "$HOME/.cache/a" && echo writes-ok; echo null >/dev/null && echo err >/dev/stderr && sh -c "echo ok"; } 2>&1'
        expect "ssh: under Landlock the carve-outs stay read-only; /workspace, /tmp, \$HOME, /dev/null and stderr are writable" 0 \
                $'touch: /workspace/.git/hooks/x: Read-only file system\nhooks=1\nwrites-ok\nerr\nok'
        rssh alice "$ACCT" "${SETENV[@]}" -tt -- 'sh -c "echo ok"; echo via-tty >/dev/tty; tty'
        expect "ssh -tt: an interactive session works under Landlock (its terminal, /dev/tty)" 0 \
                $'ok\r\nvia-tty\r\n/dev/pts/'*
        rsudo "$ALICE" "$PROJ" -u "$ACCT" claude --version
        expect "sudo: the shim still runs the stand-in under Landlock" 0 "claude-stand-in*home=$ACCT_HOME*"

        # The launcher itself, in a rootless container of the account: a carve-out must be the inode
        # rcc-shell checked on the host (st_dev as well: the same superblock inside the container).
        WS="--workspace=$(stat -c %d:%i "$PROJ"):/workspace"
        ll_run() {
                podman_as "$ACCT" run --rm --init --userns=keep-id --network=none --pull=never \
                        --mount "type=bind,src=$LAUNCHER,dst=/.rcc/landlock,ro" --entrypoint /.rcc/landlock \
                        --mount "type=bind,src=$PROJ,dst=/workspace" \
                        --mount "type=bind,src=$PROJ/.git/hooks,dst=/workspace/.git/hooks,ro" "$IMG" \
                        "--abi=$LL_ABI" "$WS" --writable=/workspace "--readonly=$1:/workspace/.git/hooks" -- sh -c 'echo ran'
        }
        ll_run "$(stat -c %d:%i "$PROJ/.git/hooks")"
        expect "launcher: the carve-out is the inode checked on the host (device and inode)" 0 "ran"
        ll_run "$(stat -c %d "$PROJ/.git/hooks"):$(stat -c %i "$PROJ/.git/config")"
        expect "launcher: another inode at the carve-out refuses the session" 126 \
                "rcc-landlock: '/workspace/.git/hooks' is not the file rcc-shell checked*refused"
        podman_as "$ACCT" run --rm --init --userns=keep-id --network=none --pull=never \
                --mount "type=bind,src=$LAUNCHER,dst=/.rcc/landlock,ro" --entrypoint /.rcc/landlock \
                --mount "type=bind,src=$PROJ,dst=/workspace" "$IMG" "--abi=$LL_ABI" "$WS" \
                "--readonly=$(stat -c %d:%i "$PROJ/.git/hooks"):/workspace/.git/hooks" -- sh -c 'echo ran'
        expect "launcher: a carve-out that is not on a read-only mount refuses the session" 126 \
                "rcc-landlock: '/workspace/.git/hooks' is not on a read-only mount*"
        # /workspace must be the project rcc-shell checked, and a mount point: another directory
        # there (the human swapped their project for another) refuses the session.
        ll_ws() {
                podman_as "$ACCT" run --rm --init --userns=keep-id --network=none --pull=never \
                        --mount "type=bind,src=$LAUNCHER,dst=/.rcc/landlock,ro" --entrypoint /.rcc/landlock \
                        "${@:2}" "$IMG" "--abi=$LL_ABI" "--workspace=$1:/workspace" -- sh -c 'echo ran'
        }
        ll_ws "$(stat -c %d:%i "$PROJ")" --mount "type=bind,src=$PROJ,dst=/workspace"
        expect "launcher: /workspace is the project checked on the host and a mount point" 0 "ran"
        ll_ws "$(stat -c %d:%i "$PROJ")" --mount "type=bind,src=$T/outside,dst=/workspace"
        expect "launcher: another directory at /workspace refuses the session" 126 \
                "rcc-landlock: '/workspace' is not the directory rcc-shell checked*refused"
        ll_ws "$(stat -c %d:%i "$PROJ")"
        expect "launcher: a /workspace that is no mount point refuses the session" 126 \
                "rcc-landlock: '/workspace' is not*"
        # A pinned directory must be the inode checked and a mount point (bound onto itself).
        ll_pin() {
                podman_as "$ACCT" run --rm --init --userns=keep-id --network=none --pull=never \
                        --mount "type=bind,src=$LAUNCHER,dst=/.rcc/landlock,ro" --entrypoint /.rcc/landlock \
                        --mount "type=bind,src=$PROJ,dst=/workspace" "${@:2}" "$IMG" \
                        "--abi=$LL_ABI" "$WS" --writable=/workspace "--pinned=$1:/workspace/.git" -- sh -c 'echo ran'
        }
        ll_pin "$(stat -c %d:%i "$PROJ/.git")" --mount "type=bind,src=$PROJ/.git,dst=/workspace/.git"
        expect "launcher: a pinned directory is the inode checked on the host and a mount point" 0 "ran"
        ll_pin "$(stat -c %d:%i "$PROJ/.git")"
        expect "launcher: a pinned directory that is not a mount point refuses the session" 126 \
                "rcc-landlock: '/workspace/.git' is not a mount point*refused"
        ll_pin "$(stat -c %d:%i "$PROJ/sub")" --mount "type=bind,src=$PROJ/.git,dst=/workspace/.git"
        expect "launcher: another inode at a pinned directory refuses the session" 126 \
                "rcc-landlock: '/workspace/.git' is not the directory rcc-shell checked*refused"
        podman_as "$ACCT" run --rm --init --userns=keep-id --network=none --pull=never \
                --mount "type=bind,src=$LAUNCHER,dst=/.rcc/landlock,ro" --entrypoint /.rcc/landlock \
                --mount "type=bind,src=$PROJ,dst=/workspace" "$IMG" \
                "--abi=$((LL_ABI + 1))" "$WS" -- sh -c 'echo ran'
        expect "launcher: less Landlock in the container than on the host refuses the session" 126 \
                "rcc-landlock: the kernel has Landlock ABI $((LL_ABI + 1)) but the container sees ABI $LL_ABI*"
        rm -f "$PROJ/ll-new"
        t_check "the test image is put back" "$SETUP" --account "$ACCT" image import "$T/image.tar"
fi

# ----------------------------------------------------------------------------- the sealed image

# The image a session runs is the one rcc-setup sealed at import: rcc-shell checks the account's
# storage against the seal before every session and runs the image by its id. Tampering is done
# here as root, standing for whatever might one day reach the storage (no session can: see
# test-project-race.sh); each must be refused at the next session start, saying so.
GRAPH="$STATE_DIR/storage/$(id -u "$ACCT")/graph"
SEAL="$STATE_DIR/storage/$(id -u "$ACCT")/image.seal"
t_check "the seal is root's and names the policy's image" \
        bash -c "[ \"\$(stat -c %U:%a '$SEAL')\" = root:644 ] && grep -qx 'image=localhost/rcc-test:latest' '$SEAL'"
# The layer a session's container is built on (the last one sealed: the mapped copy, if any).
TOP=$(sed -n 's/^layer=\([0-9a-f]*\) .*/\1/p' "$SEAL" | tail -1)
LINK=$(cat "$GRAPH/overlay/$TOP/link")
OTHER=$(sed -n 's/^layer=\([0-9a-f]*\) .*/\1/p' "$SEAL" | head -1)
if [ -n "$TOP" ] && [ "$TOP" != "$OTHER" ] && [ -L "$GRAPH/overlay/l/$LINK" ]; then
        # The escalation of issue 12: the layer's short name re-pointed at another layer.
        ln -sfn "../$OTHER/diff" "$GRAPH/overlay/l/$LINK"
        rsudo "$ALICE" "$PROJ" -u "$ACCT" claude --version
        expect "image: a re-pointed overlay/l link is refused at the next session, saying so" 1 \
                "*overlay/l/$LINK was re-pointed*rcc-setup image import*"
        ln -sfn "../$TOP/diff" "$GRAPH/overlay/l/$LINK"
else
        not_ok "image: the seal names no layer to tamper with ($TOP, $OTHER, $LINK)"
fi
# A file of a layer changed in place (the stand-in for claude, in every layer's copy of it).
for f in "$GRAPH"/overlay/*/diff/usr/local/bin/claude; do
        printf '#!/bin/sh\necho planted\n' >"$f"
done
rssh alice "$ACCT" "${SETENV[@]}" -- 'echo should-not-run'
expect "image: a changed file in a layer is refused at the next session, saying so" 1 \
        "*layer *was changed since rcc-setup sealed it*"
t_check "rcc-setup image import restores the image and its seal" "$SETUP" --account "$ACCT" image import "$T/image.tar"
rsudo "$ALICE" "$PROJ" -u "$ACCT" claude --version
expect "image: after the import sessions run again" 0 "claude-stand-in*"

# ----------------------------------------------------------------------------- the disk bound

# What a session writes on the host is bounded by container.disk (300m here): its home and the
# rest of the account's storage are a file system of that size, /tmp a tmpfs, the image read-only.
# A session that writes past it gets ENOSPC, and the host's own file system does not fill.
STORE="$STATE_DIR/storage/$(id -u "$ACCT")"
host_free() { df --output=avail -B1M "$STATE_DIR" | tail -1 | tr -d ' '; }
free_before=$(host_free)
rssh alice "$ACCT" "${SETENV[@]}" -- 'dd if=/dev/zero of="$HOME/big" bs=1M count=400 2>&1 | head -1; df -m "$HOME" | tail -1 | awk "{print \$2}"'
expect "disk: writing 400 MiB to the home stops at the bound with ENOSPC" 0 "*No space left on device*"
allocated=$(($(stat -c %b "$STORE.img") * 512 / 1048576))
free_after=$(host_free)
# (The host's free space is only reported: other work on the machine changes it too.)
note_free="the storage file holds $allocated MiB of the host's disk; the host had $free_before MiB free, then $free_after MiB"
[ "$allocated" -le 300 ] && ok "disk: $note_free" || not_ok "disk: the bound did not hold: $note_free"
rssh alice "$ACCT" "${SETENV[@]}" -- 'rm -f "$HOME/big"; dd if=/dev/zero of=/tmp/big bs=1M count=400 2>&1 | head -1; rm -f /tmp/big; touch /rcc-root 2>&1'
expect "disk: /tmp is a sized tmpfs, and the image is read-only" 1 \
        $'*No space left on device*\ntouch: /rcc-root: Read-only file system'
OUT=$(h_exec "$SETUP" doctor 2>&1)
[[ $OUT == *"ok   $ACCT: disk: sessions write into their own 300 MiB file system"* ]] &&
        ok "doctor: $(grep -o "$ACCT: disk: .*" <<<"$OUT")" ||
        { not_ok "doctor does not name the disk bound"; t_show_output "$(grep -i disk <<<"$OUT")"; }

# ----------------------------------------------------------------------------- sudo sessions

rsudo "$ALICE" "$PROJ/sub" -u "$ACCT" claude --version
expect "sudo: 'claude --version' runs the shim inside the container, in the project" 0 \
        "claude-stand-in in rcc-test-image: args=<--version> cwd=/workspace/sub uid=$(id -u "$ACCT") home=$ACCT_HOME leak=none"
rsudo "$ALICE" "$PROJ" -u "$ACCT" claude 'two words' '$HOME' '*'
expect "sudo: arguments pass to the shim as an argument vector" 0 "*args=<two words \$HOME \*>*"
for dir in "$T/outside" "$PROJ/link-outside" "$HA/secret" "$PROJ/link-out"; do
        rsudo "$ALICE" "$dir" -u "$ACCT" claude --version
        [ "$RC" != 0 ] && [[ $OUT != *claude-stand-in* ]] && ok "sudo: from ${dir#"$T"/} (outside the grants): refused" ||
                { not_ok "sudo from ${dir#"$T"/} ran a session (exit $RC)"; t_show_output "$OUT"; }
done
rsudo "$ALICE" "$T/outside" -u "$ACCT" claude --version
expect "sudo: pam_rcc refuses a readable directory outside the grants, saying why" 1 \
        "*rcc: session of '$ACCT' refused: '$T/outside' is not in a project granted to '$ALICE'*"
for cmd in "bash" "/bin/sh" "-s" "-i" "env"; do
        # shellcheck disable=SC2086
        rsudo "$ALICE" "$PROJ" -u "$ACCT" $cmd
        [ "$RC" != 0 ] && ok "sudo: the granted human cannot 'sudo -u ACCOUNT $cmd'" ||
                { not_ok "sudo -u ACCOUNT $cmd worked"; t_show_output "$OUT"; }
done
rsudo "$BOB" "$HB/work/projb" -u "$ACCT" claude --version
[ "$RC" != 0 ] && ok "sudo: a human without a grant cannot use the account" || not_ok "bob used the account"

if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
        [ "$NOTICES" -gt 0 ] && ok "cgroup limits cannot be enforced here, and every session said so ($NOTICES)" ||
                not_ok "cgroup limits cannot be enforced here, but no session said so"
fi

# ----------------------------------------------------------------------------- lab mode

if h_exec "$SETUP" account add "$LAB" --owner "$BOB" --project "$HB/work/projb" >"$T/lab.log" 2>&1; then
        ok "rcc-setup account add (lab mode)"
else
        not_ok "rcc-setup account add"
        t_show_output "$(cat "$T/lab.log")" 20
fi
# rcc-setup reloads the system's sshd; this test's own sshd needs the same to see the new Match.
kill -HUP "$(cat "$T/sshd.pid")"
sleep 0.5
# The lab account gets its own allowlist: the private host, port 80.
cat >>"$CONFIG_DIR/accounts.d/$LAB.yaml" <<EOF
network:
  allow:
    - cidr: $L_PRIV/32
      ports: [80]
EOF
t_check "rcc-firewall apply with the lab account's allowlist" ip netns exec "$H" "$FIREWALL" apply
t_check "rcc-setup image import for the lab account" "$SETUP" --account "$LAB" image import "$T/image.tar"
rssh bob "$LAB" -- "cat /workspace/MARKER; nc -w 3 $L_PRIV 80"
expect "lab: bob's key (taken from his authorized_keys) reaches his project and his allowlist" 0 \
        "bob-project"$'\n'"$(t_banner $L_PRIV 80)*"
rssh alice "$ACCT" "${SETENV[@]}" -- "nc -w 3 $L_PRIV 80 || echo refused"
expect "lab: the other account's allowlist does not apply to the shared account" 0 \
        "*refused*rcc: the network policy refused this session*$L_PRIV tcp port 80*"
rssh alice "$LAB" -o "SetEnv=RCC_PROJECT=$PROJ" -- 'true'
[ "$RC" = 255 ] && ok "lab: alice's key does not open bob's account" || not_ok "alice logged into the lab account (exit $RC)"
rsudo "$BOB" "$HB/work/projb" -u "$LAB" claude --version
expect "lab: bob's sudo rule runs the shim in his project" 0 "*cwd=/workspace uid=$(id -u "$LAB")*"
rsudo "$ALICE" "$PROJ" -u "$LAB" claude --version
[ "$RC" != 0 ] && ok "lab: alice has no sudo rule for bob's account" || not_ok "alice used bob's account"
rssh bob "$LAB" -o "SetEnv=RCC_PROJECT=$PROJ" -- 'true'
expect "lab: bob cannot open alice's project" 1 "*rcc-shell:*"
t_check "rcc-setup account list names both accounts" bash -c "'$SETUP' account list | grep -q '$LAB' && '$SETUP' account list | grep -q '$ACCT'"
t_check "rcc-setup account remove" h_exec "$SETUP" account remove "$LAB"
t_check_fail "the lab account is gone" getent passwd "$LAB"
# This test edited the lab account's file above: remove keeps an admin's edit, set aside as a
# dotfile so the policy does not name a user that no longer exists.
if [ -e "$CONFIG_DIR/accounts.d/.$LAB.yaml.removed" ] && [ ! -e "$CONFIG_DIR/accounts.d/$LAB.yaml" ]; then
        ok "account remove set the edited account file aside"
        rm -f "$CONFIG_DIR/accounts.d/.$LAB.yaml.removed"
else
        not_ok "account remove: the edited account file was not set aside"
fi

# ----------------------------------------------------------------------------- uninstall

pkill -KILL -u "$ACCT" 2>/dev/null
sleep 0.5
# The rcc-firewalld install started in the background here (no systemd): uninstall removes the
# table through it first, after which it has no state file, and must still stop it.
FIREWALLD_PID=$(pgrep -n -x rcc-firewalld)
if h_exec "$SETUP" --yes uninstall >"$T/uninstall.log" 2>&1; then
        ok "rcc-setup uninstall"
else
        not_ok "rcc-setup uninstall"
        t_show_output "$(cat "$T/uninstall.log")" 20
fi
snapshot >"$T/etc.after"
t_check_eq "uninstall leaves /etc as it found it" "$(cat "$T/etc.before")" "$(cat "$T/etc.after")"
t_check_fail "uninstall removed the firewall table" ip netns exec "$H" nft list table inet rcc
if [ -z "$FIREWALLD_PID" ]; then
        not_ok "no rcc-firewalld ran before uninstall"
else
        # (Stopped, it may stay a zombie for a while: the daemon's parent is whatever PID 1 is.)
        state=$(sed 's/.*) //' "/proc/$FIREWALLD_PID/stat" 2>/dev/null | cut -d' ' -f1)
        [ -z "$state" ] || [ "$state" = Z ] && ok "uninstall stopped rcc-firewalld (pid $FIREWALLD_PID)" ||
                not_ok "rcc-firewalld (pid $FIREWALLD_PID) still runs after uninstall (state $state)"
fi
t_check_fail "uninstall removed the account" getent passwd "$ACCT"
[ -e "$ACCT_HOME" ] && not_ok "the account's home $ACCT_HOME is still there" || ok "the account's home is gone"
[ "$(getfacl -p --omit-header "$PROJ" 2>/dev/null | grep -c "user:$ACCT")" = 0 ] &&
        ok "uninstall removed the project ACLs" || not_ok "ACL entries for $ACCT remain on $PROJ"

t_finish
