#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rcc-firewalld keeps a sandbox account confined for as long as its sessions run (issue 16), with
# real nftables and real traffic in two network namespaces (as test-firewall-traffic.sh):
#
#   H  plays the host: rcc-firewalld holds table inet rcc here; a server listens on H's own
#      address (host-local: the policy denies it to sandbox accounts).
#   L  plays the LAN: a private server the account's allowlist opens, then closes again.
#
# A session is its network helper and its rcc-shell, both running as the sandbox account: here a
# stand-in helper (python, started under the name slirp4netns, which is what rcc holds and cuts)
# that connects to the host's own address every 10 ms and logs each attempt, and netguard-stub,
# which is rcc-shell's link to the service (shell/netguard.c) and nothing else. Each event below
# must leave 0 successful connections; the times from event to hold are printed.
#
# Usage: test-firewall-service.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u
T_TAG=rccfs
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD="${1:-${MESON_BUILD_ROOT:-}}"
FIREWALL="$BUILD/firewall/rcc-firewall"
FIREWALLD="$BUILD/firewall/service/rcc-firewalld"
STUB="$BUILD/tests/integration/netguard-stub"
[ -x "$FIREWALL" ] && [ -x "$FIREWALLD" ] && [ -x "$STUB" ] || t_die "usage: $(basename "$0") BUILD-DIR (built)"
RUN_DIR=$(sed -n 's/^#define RCC_RUN_DIR "\(.*\)"$/\1/p' "$BUILD/config.h" 2>/dev/null)
RUN_DIR=${RUN_DIR:-/run/rcc}

t_require_root
t_require_cmd ip iproute2 nft nftables socat socat setpriv util-linux python3 python3 useradd passwd
t_clean_stale
t_require_netns_nft
if [ -S "$RUN_DIR/firewall.sock" ] && pgrep -x rcc-firewalld >/dev/null; then
        t_skip "an rcc-firewalld runs here already ($RUN_DIR/firewall.sock); this test runs its own"
fi
[ -e "$RUN_DIR" ] || t_add_cleanup "rm -rf '$RUN_DIR'"

t_mktemp_dir T
t_netns_pair H L
L_PRIV=10.20.0.5
t_ns_addr "$L" $L_PRIV
t_tcp_server "$H" "$T_H4" 80 # the host's own address
t_wait_servers

t_add_user A a
UA=$(id -u "$A")
GA=$(id -g "$A")
t_make_config_dir CONF
t_write_file "$CONF/rcc.yaml" 0644 <<EOF
version: 1
network:
  mode: public
  resolvers: [10.99.0.53]
EOF
allow_priv() { # yes|no: the account's allowlist opens $L_PRIV:8081
        if [ "$1" = yes ]; then
                t_write_file "$CONF/accounts.d/$A.yaml" 0644 <<EOF
version: 1
network:
  allow:
    - cidr: $L_PRIV/32
      ports: [8081]
      proto: tcp
EOF
        else
                t_write_file "$CONF/accounts.d/$A.yaml" 0644 <<<"version: 1"
        fi
}
allow_priv yes

fw() { ip netns exec "$H" "$FIREWALL" --config "$CONF" "$@"; }
# As the account in H: a prefix, not a function, so that "${AS_A[@]}" CMD & has CMD's pid in $!.
AS_A=(ip netns exec "$H" setpriv --reuid="$UA" --regid="$GA" --clear-groups --)
now_ns() { date +%s%N; }
# The table as nft lists it, less the counters' values (the probes' denials count on).
table_listing() { ip netns exec "$H" nft list table inet rcc 2>&1 | sed 's/packets [0-9]* bytes [0-9]*/packets N bytes N/'; }

# ----------------------------------------------------------------------------- the service

FWD_PID=""
start_service() { # [OPTIONS...]: rcc-firewalld in H, in the foreground of a background job
        ip netns exec "$H" "$FIREWALLD" --config "$CONF" "$@" >>"$T/firewalld.log" 2>&1 &
        FWD_PID=$!
        local i
        for ((i = 0; i < 100; i++)); do
                [ -S "$RUN_DIR/firewall-session.sock" ] && [ -e "$RUN_DIR/firewall.state" ] && return 0
                kill -0 "$FWD_PID" 2>/dev/null || break
                sleep 0.05
        done
        t_show_output "$(tail -5 "$T/firewalld.log")"
        t_die "rcc-firewalld did not start"
}
stop_service() {
        [ -n "$FWD_PID" ] || return 0
        kill "$FWD_PID" 2>/dev/null
        wait "$FWD_PID" 2>/dev/null
        FWD_PID=""
}
t_add_cleanup stop_service

# ----------------------------------------------------------------------------- a session

mkdir -m 0755 "$T/bin"
# The system's python3 binary itself (not a per-user shim that execs it by another name): the
# kernel names the process after the link it was started through.
PYTHON3=/usr/bin/python3
[ -x "$PYTHON3" ] || PYTHON3=$(command -v python3)
ln -s "$PYTHON3" "$T/bin/slirp4netns"
cat >"$T/probe.py" <<'EOF'
# Connect to ADDR:PORT every 10 ms; one line per attempt: "ok|no NS".
import socket, sys, time
addr, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(log, "a", buffering=1) as f:
    while True:
        s = socket.socket(socket.AF_INET)
        s.settimeout(0.5)
        try:
            s.connect((addr, port))
            r = "ok"
        except OSError:
            r = "no"
        s.close()
        f.write("%s %d\n" % (r, time.time_ns()))
        time.sleep(0.01)
EOF
: >"$T/probe.log"
chown "$UA" "$T/probe.log"
PROBE_PID=""
start_probe() {
        "${AS_A[@]}" "$T/bin/slirp4netns" "$T/probe.py" "$T_H4" 80 "$T/probe.log" </dev/null >/dev/null 2>>"$T/probe.err" &
        PROBE_PID=$!
        # setpriv execs, so $! is the helper itself once it runs.
        local i
        for ((i = 0; i < 50; i++)); do
                [ "$(cat "/proc/$PROBE_PID/comm" 2>/dev/null)" = slirp4netns ] && [ -s "$T/probe.log" ] && return 0
                sleep 0.05
        done
        t_show_output "$(cat "$T/probe.err")"
        t_die "the stand-in network helper did not start"
}
t_add_cleanup 'kill -KILL $PROBE_PID 2>/dev/null'
successes_since() { awk -v t="$1" '$1 == "ok" && $2 >= t' "$T/probe.log" | wc -l; }
attempts_since() { awk -v t="$1" '$2 >= t' "$T/probe.log" | wc -l; }
proc_state() { local a b s; read -r a b s _ 2>/dev/null <"/proc/$1/stat" && printf '%s' "$s"; }
# wait_for_state PID STATE|gone TIMEOUT-MS: the ms it took, or nothing on timeout.
wait_for_state() {
        local pid="$1" want="$2" t0 st
        t0=$(now_ns)
        while [ $((($(now_ns) - t0) / 1000000)) -lt "$3" ]; do
                st=$(proc_state "$pid")
                if { [ "$want" = gone ] && { [ -z "$st" ] || [ "$st" = Z ]; }; } || [ "$st" = "$want" ]; then
                        printf '%s' $((($(now_ns) - t0) / 1000000))
                        return 0
                fi
        done
        return 1
}

STUB_PID=""
start_stub() {
        : >"$T/stub.out"
        : >"$T/stub.err"
        "${AS_A[@]}" "$STUB" >"$T/stub.out" 2>>"$T/stub.err" </dev/null &
        STUB_PID=$!
        local i
        for ((i = 0; i < 50; i++)); do
                grep -q . "$T/stub.out" && break
                sleep 0.05
        done
        t_check_eq "the session's rcc-shell link joins rcc-firewalld" joined "$(cat "$T/stub.out")"
}
t_add_cleanup 'kill $STUB_PID 2>/dev/null'

# quiet_period DESC T0 MS: after the event at T0, MS ms more of probing: 0 successes.
quiet_period() {
        sleep "$(printf '0.%03d' "$3")"
        local n a
        n=$(successes_since "$2")
        a=$(attempts_since "$2")
        if [ "$n" = 0 ]; then ok "$1: 0 of $a connections to the host's own address succeeded"; else not_ok "$1: $n of $a connections to the host's own address succeeded"; fi
}

# ----------------------------------------------------------------------------- held by the service

start_service
t_check "rcc-firewall status: loaded, current, held" fw status
STATUS=$(fw status 2>&1)
t_log "$(grep 'held by' <<<"$STATUS" | sed 's/^ *//')"
t_check "status says rcc-firewalld holds the table" grep -q "held by: rcc-firewalld (pid $FWD_PID)" <<<"$STATUS"
FLAGS=$(sed -n 's/^how=//p' "$RUN_DIR/firewall.state")
t_log "flags in force on kernel $(uname -r): $FLAGS"
t_check "the table has the kernel's owner flag" grep -q "flags owner" <<<"$(table_listing)"
start_stub
start_probe
T0=$(now_ns)
quiet_period "baseline" "$T0" 300
t_check "the baseline probes ran" test "$(attempts_since "$T0")" -gt 10

BEFORE=$(table_listing)
T0=$(now_ns)
OUT=$(ip netns exec "$H" nft flush ruleset 2>&1)
RC=$?
t_log "nft flush ruleset: exit $RC ${OUT:+($OUT)}"
t_check_eq "nft flush ruleset leaves the owned table as it was" "$BEFORE" "$(table_listing)"
quiet_period "nft flush ruleset" "$T0" 300

T0=$(now_ns)
OUT=$(ip netns exec "$H" nft delete table inet rcc 2>&1)
RC=$?
t_log "nft delete table inet rcc: exit $RC: $(head -1 <<<"$OUT")"
t_check "nft delete table inet rcc is refused (owner)" test "$RC" != 0
t_check "... with EPERM" grep -qi 'not permitted' <<<"$OUT"
t_check_eq "the table is as it was" "$BEFORE" "$(table_listing)"
quiet_period "nft delete table inet rcc" "$T0" 300

if command -v iptables-nft >/dev/null; then
        T0=$(now_ns)
        OUT=$(ip netns exec "$H" iptables-nft -F 2>&1; ip netns exec "$H" iptables-nft -P OUTPUT ACCEPT 2>&1)
        t_log "iptables-nft -F; -P OUTPUT ACCEPT: ${OUT:-no output}"
        t_check_eq "iptables-nft leaves table inet rcc as it was" "$BEFORE" "$(table_listing)"
        quiet_period "iptables-nft -F" "$T0" 300
fi

# kill -9: no SIGTERM handler runs. The table stays (persist) or goes with the socket (no
# persist, no systemd to keep the socket); either way the session's link sees the service gone
# and holds its network.
T0=$(now_ns)
kill -KILL "$FWD_PID"
HELD_MS=$(wait_for_state "$PROBE_PID" T 2000)
wait "$FWD_PID" 2>/dev/null
FWD_PID=""
if [ -n "$HELD_MS" ]; then ok "kill -9 of rcc-firewalld: the session held its network $HELD_MS ms after the kill"; else not_ok "kill -9 of rcc-firewalld: the session's network helper was not held"; fi
AFTER_KILL=$(table_listing)
if grep -q "flags persist" <<<"$AFTER_KILL" || grep -q "table inet rcc" <<<"$AFTER_KILL"; then
        t_log "after kill -9 the table is still there, $(grep -m1 -E '^\s*flags' <<<"$AFTER_KILL" | sed 's/^[[:space:]]*//' || echo 'without flags')"
else
        t_log "after kill -9 the table is gone (no persist flag on this kernel)"
fi
t_check "the human is told" grep -q "went away" "$T/stub.err"
quiet_period "kill -9 of rcc-firewalld" "$T0" 300
T1=$(now_ns)
start_service
RESUMED_MS=$(wait_for_state "$PROBE_PID" S 3000) || RESUMED_MS=$(wait_for_state "$PROBE_PID" R 100)
if [ -n "$RESUMED_MS" ]; then ok "a new rcc-firewalld lets the held session go on"; else not_ok "the session stayed held after rcc-firewalld came back (state $(proc_state "$PROBE_PID"))"; fi
for ((i = 0; i < 40; i++)); do grep -q "is back" "$T/stub.err" && break; sleep 0.05; done
t_check "the session's link rejoined and said so" grep -q "is back" "$T/stub.err"
quiet_period "rcc-firewalld restarted" "$T1" 300

# rcc-firewall remove: the sessions first, then the table.
T0=$(now_ns)
fw remove >"$T/remove.out" 2>&1
t_check "rcc-firewall remove exits 0" test $? = 0
CUT_MS=$(wait_for_state "$PROBE_PID" gone 2000)
if [ -n "$CUT_MS" ]; then ok "rcc-firewall remove cut the session's network helper"; else not_ok "rcc-firewall remove left the network helper running"; fi
t_check_fail "table inet rcc is gone" ip netns exec "$H" nft list table inet rcc
for ((i = 0; i < 40; i++)); do grep -q "removed the firewall" "$T/stub.err" && break; sleep 0.05; done
t_check "the human is told the network was cut" grep -q "removed the firewall" "$T/stub.err"
quiet_period "rcc-firewall remove" "$T0" 200
t_check "rcc-firewall apply after remove exits 0" fw apply
t_check "status: held again" fw status
# The cut session is over for good; a new one.
kill "$STUB_PID" 2>/dev/null
start_stub
start_probe

# ----------------------------------------------------------------------------- a narrowing apply

# A connection the allowlist opens, carrying a line every 10 ms; then the allowlist closes.
cat >"$T/server.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(4)
with open(sys.argv[3], "a", buffering=1) as f:
    while True:
        c, _ = s.accept()
        while True:
            try:
                d = c.recv(4096)
            except OSError:
                break
            if not d:
                break
            f.write("%d %d\n" % (len(d), time.time_ns()))
        c.close()
EOF
cat >"$T/keeper.py" <<'EOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
with open(sys.argv[3], "a", buffering=1) as f:
    f.write("connected %d\n" % time.time_ns())
    while True:
        try:
            s.send(b"x" * 64 + b"\n")
        except OSError as e:
            f.write("error %s %d\n" % (e.strerror, time.time_ns()))
            break
        time.sleep(0.01)
EOF
: >"$T/server.log"
: >"$T/keeper.log"
chown "$UA" "$T/keeper.log"
ip netns exec "$L" python3 "$T/server.py" $L_PRIV 8081 "$T/server.log" </dev/null >/dev/null 2>&1 &
t_add_cleanup "kill $! 2>/dev/null"
for ((i = 0; i < 50; i++)); do ip netns exec "$L" ss -Hlnt "sport = :8081" | grep -q . && break; sleep 0.1; done
"${AS_A[@]}" "$T/bin/slirp4netns" "$T/keeper.py" $L_PRIV 8081 "$T/keeper.log" </dev/null >/dev/null 2>&1 &
KEEPER_PID=$!
t_add_cleanup "kill -KILL $KEEPER_PID 2>/dev/null"
sleep 0.5
t_check "the open connection carries data before the apply" test "$(wc -l <"$T/server.log")" -gt 10
allow_priv no
fw apply >"$T/apply.out" 2>&1
t_check "the narrowing apply exits 0" test $? = 0
T_APPLIED=$(now_ns)
sleep 0.5
LATE=$(awk -v t="$T_APPLIED" '$2 > t { n += $1 } END { print n + 0 }' "$T/server.log")
t_check_eq "bytes through the open connection after the narrowing apply" 0 "$LATE"
t_log "the connection's client saw: $(grep -m1 error "$T/keeper.log" || echo 'no error')"
kill -KILL "$KEEPER_PID" 2>/dev/null
allow_priv yes
t_check "apply with the allowlist back exits 0" fw apply

# ----------------------------------------------------------------------------- without the owner flag

# What a kernel before 5.12 gives (and what the persist flag's orphan is while no service runs):
# a table anyone with CAP_NET_ADMIN can change. The service sees each change in nf_tables'
# notifications, holds every sandbox session's network, restores the table and lets them go on.
stop_service
t_check "SIGTERM: the service held the session's network before it went" test "$(proc_state "$PROBE_PID")" = T
start_service --no-owner
# The service's resume reaches the session's link, which lets its helper go on: not at once.
RESUMED_MS=$(wait_for_state "$PROBE_PID" S 3000) || RESUMED_MS=$(wait_for_state "$PROBE_PID" R 100)
t_check "rcc-firewalld --no-owner: the session goes on" test -n "$RESUMED_MS"
t_check_fail "the table has no owner flag" grep -q "flags owner" <<<"$(table_listing)"
: >"$T/firewalld.log"
# Without an owner nothing stops the change itself, so the moment between it and the hold is open:
# the connections that got through in it are printed, not failed; the hold must come within
# 100 ms of the kernel's notification, and the table must be whole again.
loss() { # DESC COMMAND...
        local desc="$1" t0 held restored n a
        shift
        t0=$(now_ns)
        ip netns exec "$H" "$@" >/dev/null 2>&1
        sleep 0.3
        held=$(grep -o 'held [0-9]* network helper(s) of sandbox sessions [0-9.]* ms after the notification' "$T/firewalld.log" | tail -1 | awk '{print $(NF-4)}')
        restored=$(grep -o 'restored the firewall [0-9.]* ms after it was lost' "$T/firewalld.log" | tail -1 | awk '{print $4}')
        if [ -n "$held" ] && [ -n "$restored" ] && awk -v h="$held" 'BEGIN { exit !(h < 100) }'; then
                ok "$desc: noticed, held ${held} ms after the notification, restored ${restored} ms after"
        else
                not_ok "$desc: rcc-firewalld did not hold within 100 ms and restore (held: ${held:-no})"
                t_show_output "$(tail -5 "$T/firewalld.log")"
        fi
        t_check "$desc: status current and held again" fw status
        sleep 0.1
        n=$(successes_since "$t0")
        a=$(attempts_since "$t0")
        t_log "$desc: $n of $a connections to the host's own address got through before the hold"
        : >"$T/firewalld.log"
}
loss "nft delete table inet rcc (no owner)" nft delete table inet rcc
loss "nft flush ruleset (no owner)" nft flush ruleset
loss "a hand edit opening the host's address (no owner)" nft add element inet rcc "allow4_$UA" "{ $T_H4 . tcp . 80 }"
t_check "the session's human heard of it" grep -q "restored the firewall" "$T/stub.err"

t_finish
