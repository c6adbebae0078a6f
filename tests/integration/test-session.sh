#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The sandboxed session, end to end, with the real components: this build installed into the
# system (meson install), `rcc-setup install` for a test account, a real sshd and a real sudo,
# rootless podman running a busybox test image (tests/integration/make-test-image.sh).
#
# Everything runs inside network namespaces made here:
#   H  plays the host: rcc-setup applies the firewall here, sshd listens on 127.0.0.1:2222 here,
#      and sudo runs here, so rcc-shell, podman and slirp4netns (the container's network) all
#      live in H and the table in H confines them.
#   L  plays the LAN and the internet: a private host (10.20.0.5) and a public one (9.9.9.9).
#
# The machine is left as it was found: the installed files are removed, `rcc-setup uninstall`
# must leave /etc as it was (checked), and a backup of the /etc files it touches is restored if
# it does not. The test skips when rcc is already installed here, rather than replace it.
#
# Usage: test-session.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u
T_TAG=rccss
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD="${1:-${MESON_BUILD_ROOT:-}}"
[ -n "$BUILD" ] && [ -f "$BUILD/config.h" ] || t_die "usage: test-session.sh BUILD-DIR"
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)

t_require_root
t_require_cmd ip iproute2 nft nftables socat socat podman podman runc runc slirp4netns slirp4netns \
        newuidmap uidmap /usr/sbin/sshd openssh-server ssh openssh-client ssh-keygen openssh-client \
        sudo sudo visudo sudo setfacl acl busybox busybox-static file file meson meson \
        setpriv util-linux python3 python3
t_clean_stale
t_require_netns_nft

# The paths this build was configured with (config.h), as rcc-setup and rcc-shell use them.
cfg() { sed -n "s/^#define $1 \"\(.*\)\"$/\1/p" "$BUILD/config.h"; }
SHELL_PATH=$(cfg RCC_SHELL_PATH)
CONFIG_DIR=$(cfg RCC_CONFIG_DIR)
STATE_DIR=$(cfg RCC_STATE_DIR)
SHIM_DIR=$(cfg RCC_SHIM_DIR)
SBIN=$(dirname "$(cfg RCC_FIREWALL_PATH)")
SETUP="$SBIN/rcc-setup"
FIREWALL="$SBIN/rcc-firewall"
for p in "$SHELL_PATH" "$CONFIG_DIR" "$STATE_DIR" "$SETUP" /etc/ssh/sshd_config.d/rcc.conf /etc/sudoers.d/rcc; do
        [ -e "$p" ] && t_skip "rcc is already installed here ($p exists); this test installs its own build and would replace it"
done
[ -d /etc/ssh/sshd_config.d ] && grep -qi '^Include /etc/ssh/sshd_config.d/' /etc/ssh/sshd_config ||
        t_skip "/etc/ssh/sshd_config does not include /etc/ssh/sshd_config.d (Debian's default does)"

t_mktemp_dir T

# ----------------------------------------------------------------------------- machine facts

# slirp4netns opens /dev/net/tun as the sandbox account. udev makes it 0666 on standard systems;
# without udev (as on these build machines) it is 0600. rcc-setup doctor reports it; the test
# sets the standard mode for its duration and puts the old one back.
tun_mode=$(stat -c %a /dev/net/tun 2>/dev/null) || t_skip "no /dev/net/tun (rootless networking needs the tun driver)"
if [ "$tun_mode" != 666 ]; then
        t_log "/dev/net/tun is $tun_mode (no udev here); 0666 for this test, $tun_mode again afterwards"
        chmod 0666 /dev/net/tun
        t_add_cleanup "chmod $tun_mode /dev/net/tun"
fi

# ----------------------------------------------------------------------------- topology, humans

t_netns_pair H L
L_PRIV=10.20.0.5
L_PUB=9.9.9.9
for a in $L_PRIV $L_PUB; do
        t_ns_addr "$L" "$a"
        t_tcp_server "$L" "$a" 80
done
t_wait_servers

# t_add_human VAR SUFFIX: a login user (uid >= 1000) with a home under $T/home.
mkdir -m 0755 "$T/home"
t_add_human() {
        local _n="${T_TAG}${T_ID}$2"
        T_USERS+=("$_n")
        useradd --create-home --home-dir "$T/home/$_n" --shell /bin/sh --user-group "$_n" ||
                t_die "useradd $_n failed"
        chmod 0700 "$T/home/$_n"
        printf -v "$1" '%s' "$_n"
}
t_add_human ALICE a
t_add_human BOB b
HA="$T/home/$ALICE"
HB="$T/home/$BOB"

PROJ="$HA/src/proj"
mkdir -p "$PROJ/.git/hooks" "$PROJ/sub/dir" "$HA/secret" "$HB/work/projb" "$HB/.ssh"
echo "alice-project" >"$PROJ/MARKER"
echo "[core]" >"$PROJ/.git/config"
echo "top secret" >"$HA/secret/file"
ln -s "$HA/secret" "$PROJ/link-out"
echo "bob-project" >"$HB/work/projb/MARKER"
chown -R "$ALICE:$ALICE" "$HA"
echo "host-only" >"$T/host-marker"
# Outside every grant, yet readable by the sandbox account: here rcc-shell itself must refuse
# (for alice's secret directory, the account cannot even look, and sudo or realpath fails first).
mkdir -m 0755 "$T/outside"
ln -s "$T/outside" "$PROJ/link-outside"

for u in alice bob; do
        ssh-keygen -q -t ed25519 -N '' -C "$u-test-key" -f "$T/$u.key" || t_die "ssh-keygen failed"
done
cp "$T/bob.key.pub" "$HB/.ssh/authorized_keys"
chmod 0700 "$HB/.ssh"
chmod 0600 "$HB/.ssh/authorized_keys"
chown -R "$BOB:$BOB" "$HB"
"$SRC/tests/integration/make-test-image.sh" "$T/image.tar" || t_die "cannot build the test image"

# ----------------------------------------------------------------------------- install

ACCT="${T_TAG}${T_ID}s"
LAB="${T_TAG}${T_ID}l"
T_USERS+=("$ACCT" "$LAB") # removed by t_cleanup if uninstall did not

# What `rcc-setup uninstall` must leave exactly as it was.
ETC_FILES="/etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid /etc/shells
        /etc/cron.deny /etc/at.deny"
snapshot() {
        local f
        for f in $ETC_FILES; do
                printf '== %s\n' "$f"
                cat "$f" 2>/dev/null || echo "(absent)"
        done
        printf '== listing\n'
        ls -A /etc/sudoers.d /etc/ssh/sshd_config.d "$(dirname "$CONFIG_DIR")" "$(dirname "$STATE_DIR")" 2>&1
        find "$CONFIG_DIR" "$STATE_DIR" 2>&1 | sort
}

# Removal of the installed build (runs last), the /etc backup (if uninstall left a trace), then
# uninstall itself (runs first).
mapfile -t INSTALLED < <(meson introspect --installed "$BUILD" |
        python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin).values()))')
remove_installed() {
        local f
        for f in "${INSTALLED[@]}"; do rm -f -- "$f"; done
        rmdir "$SHIM_DIR" "$(dirname "$SHIM_DIR")" 2>/dev/null
        rm -rf -- "$CONFIG_DIR" "$STATE_DIR"
}
t_add_cleanup remove_installed
restore_etc() {
        snapshot >"$T/etc.after-cleanup"
        cmp -s "$T/etc.before" "$T/etc.after-cleanup" && return 0
        tar -C / -xpf "$T/etc-backup.tar"
        rm -f /etc/ssh/sshd_config.d/rcc.conf /etc/sudoers.d/rcc
}
t_add_cleanup restore_etc
t_add_cleanup "pkill -KILL -u $ACCT; pkill -KILL -u $LAB; ip netns exec $H $SETUP --yes uninstall"

meson install -C "$BUILD" --no-rebuild --quiet >"$T/meson-install.log" 2>&1 ||
        t_die "meson install failed: $(tail -3 "$T/meson-install.log")"

mkdir -p -m 0755 "$CONFIG_DIR/accounts.d"
t_write_file "$CONFIG_DIR/rcc.yaml" 0644 <<EOF
version: 1
network:
  mode: public
  resolvers: [10.99.0.53]
files:
  readonly: [".git/hooks", ".git/config", ".envrc"]
container:
  image: localhost/rcc-test:latest
  command: ["/bin/sh"]
  memory: 512m
  cpus: 1
  pids: 256
users:
  $ALICE: { projects: ["$HA/src/*"] }
EOF

# The state before install: the admin's policy is there already and must stay.
snapshot >"$T/etc.before"
tar -C / -cpf "$T/etc-backup.tar" --ignore-failed-read ${ETC_FILES//\/etc\//etc\/} 2>/dev/null

if ip netns exec "$H" "$SETUP" --account "$ACCT" install >"$T/install.log" 2>&1; then
        ok "rcc-setup install"
else
        not_ok "rcc-setup install"
        t_show_output "$(cat "$T/install.log")" 30
        t_finish
fi
t_check "rcc-setup install again changes nothing and succeeds" ip netns exec "$H" "$SETUP" --account "$ACCT" install
t_check "rcc-setup image import" "$SETUP" --account "$ACCT" image import "$T/image.tar"
t_check "rcc-setup key add" "$SETUP" key add "$ACCT" "$T/alice.key.pub" --user "$ALICE"
t_check_fail "key add refuses a human who is not one of the account's users" \
        "$SETUP" key add "$ACCT" "$T/bob.key.pub" --user "$BOB"
t_check_eq "the login shell is rcc-shell" "$SHELL_PATH" "$(getent passwd "$ACCT" | cut -d: -f7)"
ACCT_HOME=$(getent passwd "$ACCT" | cut -d: -f6)

# The account's home is the agent's; nothing in it may change the session. A podman
# configuration planted there would break the session (no such runtime) and mount a host
# directory into the container (podman 4.3 reads ~/.config/containers/mounts.conf even when
# containers.conf names another file), if rcc-shell let podman read it.
mkdir -p "$ACCT_HOME/.config/containers"
printf '[engine]\nruntime = "/nonexistent/runtime"\n' >"$ACCT_HOME/.config/containers/containers.conf"
printf '%s:/rcc-planted\n' "$T/outside" >"$ACCT_HOME/.config/containers/mounts.conf"
chown -R "$ACCT:" "$ACCT_HOME/.config"

# ----------------------------------------------------------------------------- sshd

mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" || t_die "ssh-keygen failed"
{
        printf 'ListenAddress 127.0.0.1:2222\nHostKey %s\nPidFile %s\n' "$T/hostkey" "$T/sshd.pid"
        grep -viE '^[[:space:]]*(port|listenaddress|hostkey|pidfile)[[:space:]]' /etc/ssh/sshd_config
} >"$T/sshd_config"
ip netns exec "$H" /usr/sbin/sshd -t -f "$T/sshd_config" || t_die "sshd rejects the test configuration"
ip netns exec "$H" /usr/sbin/sshd -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
t_add_cleanup "kill $! 2>/dev/null"
T_SERVERS=("$H tcp 127.0.0.1 2222")
t_wait_servers

# On a machine where cgroups cannot enforce the limits (cgroup v1 or hybrid, as on the build
# machines), rcc-shell says so on stderr at every session start; the helpers below take that line
# out of OUT and count it in NOTICES.
NOTICE_RE='^rcc-shell: cgroup limits are not enforceable here'
NOTICES=0
strip_notice() {
        if grep -q "$NOTICE_RE" <<<"$OUT"; then
                NOTICES=$((NOTICES + 1))
                OUT=$(grep -v "$NOTICE_RE" <<<"$OUT")
        fi
}

# rssh KEY USER [ssh options...] -- COMMAND: ssh into USER@127.0.0.1 in H; OUT and RC.
rssh() {
        local key="$1" user="$2"
        shift 2
        local opts=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
        OUT=$(ip netns exec "$H" timeout 60 ssh -F /dev/null -p 2222 -i "$T/$key.key" \
                -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
                -o LogLevel=ERROR "${opts[@]}" "$user@127.0.0.1" "$@" 2>&1 </dev/null)
        RC=$?
        strip_notice
}
# rsudo HUMAN DIR ARGS...: run `sudo ARGS` as HUMAN from DIR, in H; OUT and RC.
rsudo() {
        local human="$1" dir="$2"
        shift 2
        OUT=$(cd "$dir" && RCC_TEST_LEAK=leaked HOME=/root ip netns exec "$H" timeout 60 \
                setpriv --reuid="$human" --regid="$human" --init-groups sudo -n "$@" 2>&1 </dev/null)
        RC=$?
        strip_notice
}
expect() { # expect DESC RC-WANT PATTERN: RC as wanted and OUT matches the glob PATTERN
        if [ "$RC" = "$2" ] && [[ $OUT == $3 ]]; then ok "$1"; else
                not_ok "$1 (exit $RC, wanted $2)"
                t_show_output "$OUT" 12
        fi
}
SETENV=(-o "SetEnv=RCC_PROJECT=$PROJ")

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
[ "$(stat -c %U "$PROJ/new" 2>/dev/null)" = "$ACCT" ] && ok "a file the agent wrote belongs to the account on the host" ||
        not_ok "owner of the agent's file: $(stat -c %U "$PROJ/new" 2>&1)"
rssh alice "$ACCT" "${SETENV[@]}" -- 'grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs)" /proc/self/status'
expect "ssh: no capabilities, no_new_privs set" 0 \
        $'CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1'
rssh alice "$ACCT" "${SETENV[@]}" -- "nc -w 3 $L_PUB 80"
expect "ssh: a public host is reached from inside the container" 0 "$(t_banner $L_PUB 80)*"
rssh alice "$ACCT" "${SETENV[@]}" -- "nc -w 3 $L_PRIV 80 || echo refused"
expect "ssh: a private host is refused from inside the container" 0 "*refused"
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
fi

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
expect "sudo: rcc-shell itself refuses a readable directory outside the grants" 1 "*rcc-shell:*"
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

if ip netns exec "$H" "$SETUP" account add "$LAB" --owner "$BOB" --project "$HB/work/projb" >"$T/lab.log" 2>&1; then
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
expect "lab: the other account's allowlist does not apply to the shared account" 0 "*refused"
rssh alice "$LAB" -o "SetEnv=RCC_PROJECT=$PROJ" -- 'true'
[ "$RC" = 255 ] && ok "lab: alice's key does not open bob's account" || not_ok "alice logged into the lab account (exit $RC)"
rsudo "$BOB" "$HB/work/projb" -u "$LAB" claude --version
expect "lab: bob's sudo rule runs the shim in his project" 0 "*cwd=/workspace uid=$(id -u "$LAB")*"
rsudo "$ALICE" "$PROJ" -u "$LAB" claude --version
[ "$RC" != 0 ] && ok "lab: alice has no sudo rule for bob's account" || not_ok "alice used bob's account"
rssh bob "$LAB" -o "SetEnv=RCC_PROJECT=$PROJ" -- 'true'
expect "lab: bob cannot open alice's project" 1 "*rcc-shell:*"
t_check "rcc-setup account list names both accounts" bash -c "'$SETUP' account list | grep -q '$LAB' && '$SETUP' account list | grep -q '$ACCT'"
t_check "rcc-setup account remove" ip netns exec "$H" "$SETUP" account remove "$LAB"
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
if ip netns exec "$H" "$SETUP" --yes uninstall >"$T/uninstall.log" 2>&1; then
        ok "rcc-setup uninstall"
else
        not_ok "rcc-setup uninstall"
        t_show_output "$(cat "$T/uninstall.log")" 20
fi
snapshot >"$T/etc.after"
t_check_eq "uninstall leaves /etc as it found it" "$(cat "$T/etc.before")" "$(cat "$T/etc.after")"
t_check_fail "uninstall removed the firewall table" ip netns exec "$H" nft list table inet rcc
t_check_fail "uninstall removed the account" getent passwd "$ACCT"
[ -e "$ACCT_HOME" ] && not_ok "the account's home $ACCT_HOME is still there" || ok "the account's home is gone"
[ "$(getfacl -p --omit-header "$PROJ" 2>/dev/null | grep -c "user:$ACCT")" = 0 ] &&
        ok "uninstall removed the project ACLs" || not_ok "ACL entries for $ACCT remain on $PROJ"

t_finish
