#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How fast a sandbox session's network is held when the firewall is lost (a report, not a test;
# run as root by hand, on an optimized build: meson setup build-release --buildtype=release).
# BENCH_ROUNDS (20) of each, medians printed:
#
#  1. kill -9 of rcc-firewalld: from the kill to the session's network helper stopped by the
#     session's own link (shell/netguard.c, here netguard-stub), which sees the service gone.
#  2. the table deleted while held without the owner flag (rcc-firewalld --no-owner, as on a
#     kernel before 5.12): from the deletion to the helper stopped by the service, and the service's
#     own figures (notification to hold, loss to restored table).
#
# The network helper is a stand-in (python started as "slirp4netns") in a network namespace of
# its own; a stopwatch spins on its /proc state. Nothing leaves the namespaces.
# Usage: bench-firewall-loss.sh BUILD-DIR
# Exit: 0 report printed, 1 a measurement could not be made, 77 the machine lacks something.

set -u
T_TAG=rccbl
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

BUILD="${1:-${MESON_BUILD_ROOT:-}}"
FIREWALLD="$BUILD/firewall/service/rcc-firewalld"
STUB="$BUILD/tests/integration/netguard-stub"
BENCH_ROUNDS=${BENCH_ROUNDS:-20}
[ -x "$FIREWALLD" ] && [ -x "$STUB" ] || t_die "usage: $(basename "$0") BUILD-DIR (built, with tests)"
RUN_DIR=$(sed -n 's/^#define RCC_RUN_DIR "\(.*\)"$/\1/p' "$BUILD/config.h")
RUN_DIR=${RUN_DIR:-/run/rcc} # lib/paths.h

t_require_root
t_require_cmd ip iproute2 nft nftables python3 python3 setpriv util-linux useradd passwd
t_clean_stale
t_require_netns_nft
pgrep -x rcc-firewalld >/dev/null && t_skip "an rcc-firewalld runs here already; this benchmark runs its own"
[ -e "$RUN_DIR" ] || t_add_cleanup "rm -rf '$RUN_DIR'"
grep -q 'buildtype=release\|buildtype=debugoptimized' "$BUILD/meson-logs/meson-log.txt" 2>/dev/null ||
        t_log "note: $BUILD is not an optimized build; the figures include its overhead"

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }

t_mktemp_dir T
t_add_netns H h
t_add_user A a
UA=$(id -u "$A")
t_make_config_dir CONF
t_write_file "$CONF/rcc.yaml" 0644 <<<$'version: 1\nnetwork:\n  mode: public\n  resolvers: [10.99.0.53]'
t_write_file "$CONF/accounts.d/$A.yaml" 0644 <<<"version: 1"
AS_A=(ip netns exec "$H" setpriv --reuid="$UA" --regid="$(id -g "$A")" --clear-groups --)
PYTHON3=/usr/bin/python3
[ -x "$PYTHON3" ] || PYTHON3=$(command -v python3)
mkdir -m 0755 "$T/bin"
ln -s "$PYTHON3" "$T/bin/slirp4netns"

# stopwatch.py HELPER-PID COMMAND...: run COMMAND (kill: a signal to a pid), then spin until the
# helper is stopped; the ms from just before COMMAND to then. It resumes the helper afterwards only
# when told to (the service does it itself after a restore).
cat >"$T/stopwatch.py" <<'EOF'
import os, subprocess, sys, time
helper, cmd = int(sys.argv[1]), sys.argv[2:]
def state():
    with open("/proc/%d/stat" % helper) as f:
        return f.read().rsplit(")", 1)[1].split()[0]
t0 = time.monotonic()
if cmd[0] == "kill":
    os.kill(int(cmd[1]), 9)
else:
    subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while state() != "T":
    if time.monotonic() - t0 > 5:
        print("timeout")
        sys.exit(1)
print("%.2f" % ((time.monotonic() - t0) * 1000))
EOF

FWD_PID=""
start_service() {
        rm -f "$RUN_DIR/firewall.state"
        ip netns exec "$H" "$FIREWALLD" --config "$CONF" "$@" >>"$T/firewalld.log" 2>&1 &
        FWD_PID=$!
        for ((i = 0; i < 200; i++)); do
                [ -S "$RUN_DIR/firewall-session.sock" ] && [ -e "$RUN_DIR/firewall.state" ] && return 0
                sleep 0.02
        done
        t_show_output "$(tail -5 "$T/firewalld.log")"
        t_die "rcc-firewalld did not start"
}
t_add_cleanup 'kill $FWD_PID 2>/dev/null'
"${AS_A[@]}" "$T/bin/slirp4netns" -c 'import time
while True: time.sleep(1)' </dev/null >/dev/null 2>&1 &
HELPER=$!
t_add_cleanup "kill -KILL $HELPER 2>/dev/null"

# ----------------------------------------------------------------------------- 1. kill -9

KILL_MS=()
for ((round = 0; round < BENCH_ROUNDS; round++)); do
        start_service
        "${AS_A[@]}" "$STUB" >/dev/null 2>&1 </dev/null &
        STUB_PID=$!
        sleep 0.2
        ms=$("$PYTHON3" "$T/stopwatch.py" "$HELPER" kill "$FWD_PID") || t_die "round $round: the helper was not held after kill -9"
        KILL_MS+=("$ms")
        wait "$FWD_PID" 2>/dev/null
        kill "$STUB_PID" 2>/dev/null
        wait "$STUB_PID" 2>/dev/null
        kill -CONT "$HELPER"
done
printf 'kill -9 of rcc-firewalld -> session network held by its own link: median %s ms (%s, %d rounds)\n' \
        "$(median "${KILL_MS[@]}")" "$(range "${KILL_MS[@]}")" "$BENCH_ROUNDS"
rm -f "$RUN_DIR/firewall.state"

# ----------------------------------------------------------------------------- 2. a lost table

start_service --no-owner
DELETE_MS=() HELD_MS=() RESTORED_MS=()
for ((round = 0; round < BENCH_ROUNDS; round++)); do
        : >"$T/firewalld.log"
        ms=$("$PYTHON3" "$T/stopwatch.py" "$HELPER" ip netns exec "$H" nft delete table inet rcc) ||
                t_die "round $round: the helper was not held after the table was deleted"
        DELETE_MS+=("$ms")
        for ((i = 0; i < 100; i++)); do grep -q 'restored the firewall' "$T/firewalld.log" && break; sleep 0.02; done
        HELD_MS+=("$(grep -o '[0-9.]* ms after the notification' "$T/firewalld.log" | tail -1 | awk '{print $1}')")
        RESTORED_MS+=("$(grep -o 'restored the firewall [0-9.]* ms' "$T/firewalld.log" | tail -1 | awk '{print $4}')")
done
printf 'table deleted (no owner flag) -> session network held by the service: median %s ms (%s; includes starting nft)\n' \
        "$(median "${DELETE_MS[@]}")" "$(range "${DELETE_MS[@]}")"
printf '  the service: notification -> held median %s ms (%s), loss -> table restored median %s ms (%s)\n' \
        "$(median "${HELD_MS[@]}")" "$(range "${HELD_MS[@]}")" "$(median "${RESTORED_MS[@]}")" "$(range "${RESTORED_MS[@]}")"
