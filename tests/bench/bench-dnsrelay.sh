#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rcc-dnsrelay benchmark (a report, not a test): the latency the relay adds to a query. A test
# resolver (tests/dns/dns-tool serve) runs on a loopback port; BENCH_QUERIES (2000) sequential
# queries of an allowlisted name go to it directly and through rcc-dnsrelay (as the account
# uid 990 of a throwaway policy, as its relay address), alternating BENCH_ROUNDS (5) times; the
# medians of the mean per-query times are compared. Loopback only; nothing leaves the host.
# Usage: bench-dnsrelay.sh [BUILD-DIR]   (or MESON_BUILD_ROOT)
# Exit: 0 report printed, 1 a measurement could not be made.
set -u
B=${1:-${MESON_BUILD_ROOT:-build-test}}
BENCH_QUERIES=${BENCH_QUERIES:-2000}
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
MODE=strict
. "$(dirname "$0")/../dns/relay-world.sh"
trap world_stop EXIT
world_start allowed.example=192.0.2.10 || exit 1

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
direct=() relayed=()
for _ in $(seq "$BENCH_ROUNDS"); do
        d=$("$DNS_TOOL" bench 127.0.0.1 "$UP_PORT" allowed.example "$BENCH_QUERIES") || exit 1
        r=$("$DNS_TOOL" bench "$RELAY_ADDR" "$RELAY_PORT" allowed.example "$BENCH_QUERIES") || exit 1
        direct+=("$d") relayed+=("$r")
done
md=$(printf '%s\n' "${direct[@]}" | median)
mr=$(printf '%s\n' "${relayed[@]}" | median)
echo "rcc-dnsrelay: $BENCH_QUERIES sequential A queries over UDP, median of $BENCH_ROUNDS rounds"
echo "  upstream directly:      ${md} µs per query   (rounds: ${direct[*]})"
echo "  through rcc-dnsrelay:   ${mr} µs per query   (rounds: ${relayed[*]})"
awk -v d="$md" -v r="$mr" 'BEGIN { printf "  added latency:          %.1f µs per query; ratio relay/direct %.2f\n", r - d, r / d }'
