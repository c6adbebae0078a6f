#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The world of the session tests (test-session.sh, test-pam-gate.sh), sourced after setting T_TAG:
# this build installed into the system (meson install), `rcc-setup install` for a test account, a
# real sshd and a real sudo, rootless podman running a busybox test image
# (tests/integration/make-test-image.sh).
#
# Everything runs inside network namespaces made here:
#   H  plays the host: rcc-setup applies the firewall here, sshd listens on 127.0.0.1:2222 here,
#      and sudo runs here, so pam_rcc, rcc-shell, podman and slirp4netns (the container's network)
#      all live in H and the table in H is the one that confines them and that pam_rcc checks.
#   L  plays the LAN and the internet: a private host (10.20.0.5) and a public one (9.9.9.9).
#
# Syslog (pam_rcc's records, rcc-shell's) is captured in $T/syslog: a receiver on /dev/log while
# the test runs where the machine has no syslog daemon, else a private bind mount of the
# receiver's socket over /dev/log for sshd and sudo only.
#
# The machine is left as it was found: the installed files are removed, `rcc-setup uninstall`
# must leave /etc as it was (test-session.sh checks), and a backup of the /etc files it touches
# is restored if it does not. Skips when rcc is already installed here, rather than replace it.
#
# Usage (by the tests): . session-env.sh BUILD-DIR   (or MESON_BUILD_ROOT)

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD="${1:-${MESON_BUILD_ROOT:-}}"
[ -n "$BUILD" ] && [ -f "$BUILD/config.h" ] || t_die "usage: $(basename "$0") BUILD-DIR"
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

t_require_root
# One session test at a time on a machine: each installs this build into the system and edits /etc.
exec {T_LOCK_FD}>/run/lock/rcc-session-tests.lock && flock -w 900 "$T_LOCK_FD" ||
        t_die "another session test has held /run/lock/rcc-session-tests.lock for 15 minutes (or a process it left holds it)"
# The OCI runtime rcc-setup install names for podman (setup/host/podman-conf.c): crun on a pure
# cgroup v2 machine where it is installed (Debian 13 has no runc), else runc (crun refuses a hybrid
# hierarchy, as on the build machines). The rootless network (pasta or slirp4netns) is install's
# choice too: it fails, saying what to install, when podman could run neither.
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && [ -x /usr/bin/crun ]; then RUNTIME=crun; else RUNTIME=runc; fi
t_require_cmd ip iproute2 nft nftables socat socat podman podman "$RUNTIME" "$RUNTIME" \
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

# ----------------------------------------------------------------------------- syslog

# A receiver for syslog datagrams, appending each to $T/syslog. sshd, sudo, pam_rcc (as root) and
# rcc-shell (as the account) all log through /dev/log: see the header for how it gets there.
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
' "$T/log.sock" "$T/syslog" &
t_add_cleanup "kill $! 2>/dev/null"
for ((i = 0; i < 50; i++)); do [ -S "$T/log.sock" ] && break; sleep 0.1; done
[ -S "$T/log.sock" ] || t_die "the syslog receiver did not start"
# h_exec CMD...: CMD in H's network namespace, and in nothing else of H's. Not `ip netns exec`:
# that also gives CMD a mount namespace with a sysfs of its own, so none of the host's mounts
# under /sys, and a session started there would miss what it has on the host: the cgroup
# hierarchy that podman and rcc-shell bound its resources with, the securityfs where rcc-setup
# loads the AppArmor profiles.
h_exec() { nsenter --net="/run/netns/$H" "$@"; }
if [ -e /dev/log ] || [ -L /dev/log ]; then
        # in_h CMD...: CMD in H, its /dev/log this test's receiver (a private bind mount).
        in_h() {
                h_exec unshare --mount --propagation private \
                        sh -c 'mount --bind "$0" /dev/log && exec "$@"' "$T/log.sock" "$@"
        }
else
        t_log "no /dev/log here (no syslog daemon): /dev/log points to the test's receiver while it runs"
        ln -s "$T/log.sock" /dev/log || t_die "cannot create /dev/log"
        t_add_cleanup "[ \"\$(readlink /dev/log)\" = '$T/log.sock' ] && rm -f /dev/log"
        in_h() { h_exec "$@"; }
fi
# pam_rcc keeps its session records under /run/rcc; remove it afterwards if this test made it.
[ -e /run/rcc ] || t_add_cleanup "rm -rf /run/rcc"

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
        /etc/cron.deny /etc/at.deny /etc/pam.d/sshd /etc/pam.d/sudo /etc/pam.d/sudo-i"
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
# The directories meson install is about to create: removed again, deepest first, when empty.
mapfile -t NEW_DIRS < <(for f in "${INSTALLED[@]}"; do
        d=$(dirname "$f")
        while [ ! -e "$d" ]; do echo "$d"; d=$(dirname "$d"); done
done | sort -u | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-)
remove_installed() {
        local f
        for f in "${INSTALLED[@]}"; do rm -f -- "$f"; done
        for f in "${NEW_DIRS[@]}"; do rmdir -- "$f" 2>/dev/null; done
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
t_add_cleanup "pkill -KILL -u $ACCT; pkill -KILL -u $LAB; h_exec $SETUP --yes uninstall"

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
  disk: 300m
users:
  $ALICE: { projects: ["$HA/src/*"] }
EOF

# The state before install: the admin's policy is there already and must stay.
snapshot >"$T/etc.before"
tar -C / -cpf "$T/etc-backup.tar" --ignore-failed-read ${ETC_FILES//\/etc\//etc\/} 2>/dev/null

if h_exec "$SETUP" --account "$ACCT" install >"$T/install.log" 2>&1; then
        ok "rcc-setup install"
else
        not_ok "rcc-setup install"
        t_show_output "$(cat "$T/install.log")" 30
        t_finish
fi
t_check "rcc-setup install again changes nothing and succeeds" h_exec "$SETUP" --account "$ACCT" install
# The rootless network install chose, as rcc-shell reads it: pasta or slirp4netns.
NETWORK=$(sed -n 's/^network=//p' "$CONFIG_DIR/podman/network.conf" 2>/dev/null)
t_log "rootless network: ${NETWORK:-none recorded}, OCI runtime: $RUNTIME"
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
in_h /usr/sbin/sshd -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
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

# rssh KEY USER [ssh options...] -- COMMAND: ssh into USER@127.0.0.1 in H; OUT and RC. The client
# logs errors only, unless SSH_LOGLEVEL says otherwise (INFO shows the server's banner messages,
# which is how sshd passes on what PAM said).
rssh() {
        local key="$1" user="$2"
        shift 2
        local opts=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
        OUT=$(ip netns exec "$H" timeout 60 ssh -F /dev/null -p 2222 -i "$T/$key.key" \
                -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
                -o LogLevel="${SSH_LOGLEVEL:-ERROR}" "${opts[@]}" "$user@127.0.0.1" "$@" 2>&1 </dev/null)
        RC=$?
        strip_notice
}
# rsudo HUMAN DIR ARGS...: run `sudo ARGS` as HUMAN from DIR, in H; OUT and RC.
rsudo() {
        local human="$1" dir="$2"
        shift 2
        OUT=$(cd "$dir" && RCC_TEST_LEAK=leaked HOME=/root in_h timeout 60 \
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

