#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A flood costs rcc-dnsrelay bounded memory: against a resolver that never answers, an account's
# queries beyond RELAY_MAX_PENDING_PER_ACCOUNT (64) are answered SERVFAIL at once, the relay's
# resident memory grows by less than 8 MiB over the flood, and the relay still answers after it
# (the pending queries time out).
set -u
B=${1:?build directory}
MODE=strict
UPSTREAM=blackhole
. "$(dirname "$0")/relay-world.sh"
trap world_stop EXIT
fail=0
# Under AddressSanitizer freed memory waits in a quarantine of 256 MiB; without one, the resident
# memory measures the relay's own bounds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
world_start || exit 1

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$RELAY_PID/status"; }
before=$(rss)
for _ in 1 2 3; do
        read -r answered servfail < <("$DNS_TOOL" flood "$RELAY_ADDR" "$RELAY_PORT" allowed.example 3000)
        echo "# flood of 3000: $answered answered at once, $servfail of them SERVFAIL"
        if [ "$answered" -lt 1 ] || [ "$answered" != "$servfail" ] || [ "$answered" -gt $((3000 - 64)) ]; then
                echo "FAIL: expected only SERVFAIL answers, at most 3000 - 64 of them"
                fail=1
        fi
done
after=$(rss)
echo "# resident memory: ${before} KiB before, ${after} KiB after"
if [ $((after - before)) -gt 8192 ]; then
        echo "FAIL: the relay grew by $((after - before)) KiB"
        fail=1
fi
# The pending queries time out (2.5 s, one upstream), and what is refused needs no upstream.
sleep 3
got=$("$DNS_TOOL" query "$RELAY_ADDR" "$RELAY_PORT" evil.example A | head -1)
[ "$got" = REFUSED ] || { echo "FAIL: after the flood, got '$got' instead of REFUSED"; fail=1; }
kill -0 "$RELAY_PID" || { echo "FAIL: the relay is gone"; fail=1; }
exit $fail
