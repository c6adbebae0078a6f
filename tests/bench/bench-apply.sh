#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rcc-firewall benchmark (a report, not a test; run as root by hand or by CI):
#
#  1. apply time: a policy with BENCH_ENTRIES (10,000) allowlist entries, each its own /32 in
#     10.0.0.0/8 with two ports; rcc-firewalld started in a fresh network namespace until it
#     holds the applied table (it loads and compiles the policy, and commits it in one batch) vs
#     "nft -f" of what "rcc-firewall show" prints, BENCH_REPS times, medians compared.
#  2. TCP throughput of a sandbox account's connection (iperf3, BENCH_SECONDS per run) from
#     namespace H to namespace L, with that ruleset loaded in H and with no table, alternating,
#     BENCH_IPERF_RUNS (3) runs of each, medians compared.
#
# Everything happens in throwaway network namespaces; the addresses exist only inside them.
# Usage: bench-apply.sh [RCC-FIREWALL]   (or RCC_FIREWALL=..., or MESON_BUILD_ROOT; rcc-firewalld
# is looked for next to it, or RCC_FIREWALLD=...)
# Exit: 0 report printed, 1 a measurement could not be made, 77 the machine lacks something.

set -u
T_TAG=rccbn
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

RCC_FIREWALL="${RCC_FIREWALL:-${1:-${MESON_BUILD_ROOT:+$MESON_BUILD_ROOT/firewall/rcc-firewall}}}"
BENCH_ENTRIES=${BENCH_ENTRIES:-10000}
BENCH_REPS=${BENCH_REPS:-5}
BENCH_SECONDS=${BENCH_SECONDS:-5}
BENCH_IPERF_RUNS=${BENCH_IPERF_RUNS:-3}

t_require_root
t_require_cmd ip iproute2 nft nftables iperf3 iperf3 setpriv util-linux useradd passwd awk mawk
if [ -z "$RCC_FIREWALL" ] || [ ! -x "$RCC_FIREWALL" ]; then
        t_die "rcc-firewall not found ('$RCC_FIREWALL'): pass its path, or set RCC_FIREWALL or MESON_BUILD_ROOT"
fi
RCC_FIREWALLD="${RCC_FIREWALLD:-$(dirname "$RCC_FIREWALL")/service/rcc-firewalld}"
[ -x "$RCC_FIREWALLD" ] || RCC_FIREWALLD="$(dirname "$RCC_FIREWALL")/rcc-firewalld"
[ -x "$RCC_FIREWALLD" ] || t_die "rcc-firewalld not found next to $RCC_FIREWALL: set RCC_FIREWALLD"
# rcc-firewalld's sockets are the host's (/run/rcc): one service at a time.
if [ -S /run/rcc/firewall.sock ] && pgrep -x rcc-firewalld >/dev/null; then
        t_skip "an rcc-firewalld runs here already (/run/rcc/firewall.sock); this benchmark runs its own"
fi
[ -e /run/rcc ] || t_add_cleanup "rm -rf /run/rcc"
t_clean_stale
t_require_netns_nft

FAILED=0
fail() {
        printf '# FAILED: %s\n' "$*" >&2
        FAILED=1
}

# median of the arguments (numbers)
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

# ----------------------------------------------------------------------------- policy

t_add_user SBX a
t_make_config_dir CONF
t_write_file "$CONF/rcc.yaml" 0644 <<EOF
version: 1
network:
  mode: public
  resolvers: [45.90.0.2]
EOF
{
        printf 'version: 1\nnetwork:\n  allow:\n'
        # 10.A.B.1/32 for i = A*256+B: never adjacent, so nothing can merge into a range.
        awk -v n="$BENCH_ENTRIES" 'BEGIN {
                for (i = 0; i < n; i++)
                        printf "    - cidr: 10.%d.%d.1/32\n      ports: [443, %d]\n      proto: tcp\n",
                                int(i / 256) % 256, i % 256, 1024 + i % 1000
        }'
} | t_write_file "$CONF/accounts.d/$SBX.yaml" 0644

SHOW="$CONF/show.nft"
if ! "$RCC_FIREWALL" --config "$CONF" show >"$SHOW" 2>"$CONF/show.err"; then
        sed 's/^/# /' "$CONF/show.err" | head -5
        t_die "rcc-firewall show failed on the generated policy"
fi
t_log "policy: $BENCH_ENTRIES allowlist entries; show prints $(wc -l <"$SHOW") lines"

# ----------------------------------------------------------------------------- apply vs nft -f

# stop_firewalld: SIGTERM the service the state file names, and wait until it is gone.
stop_firewalld() {
        local pid
        pid=$(sed -n 's/^pid=//p' /run/rcc/firewall.state 2>/dev/null)
        [ -n "$pid" ] || return 0
        kill "$pid" 2>/dev/null
        for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
        return 1
}
t_add_cleanup stop_firewalld

# time_in_fresh_ns CMD...: milliseconds CMD takes inside a new, empty namespace, until it returns
# with table inet rcc loaded there (rcc-firewalld --background returns once it holds the table).
time_in_fresh_ns() {
        local ns t0 t1 rc
        t_add_netns ns "r$RANDOM"
        t0=$(date +%s%N)
        ip netns exec "$ns" "$@" >/dev/null 2>"$CONF/time.err"
        rc=$?
        t1=$(date +%s%N)
        [ "$rc" = 0 ] && ! ip netns exec "$ns" nft list table inet rcc >/dev/null 2>&1 && rc=1
        stop_firewalld || rc=1
        t_del_netns "$ns"
        [ "$rc" = 0 ] || { sed 's/^/# /' "$CONF/time.err" | head -5 >&2; return 1; }
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'
}

APPLY_MS=()
NFT_MS=()
for ((r = 0; r < BENCH_REPS; r++)); do
        if ms=$(time_in_fresh_ns "$RCC_FIREWALLD" --config "$CONF" --background); then APPLY_MS+=("$ms"); else fail "rcc-firewalld start"; break; fi
        if ms=$(time_in_fresh_ns nft -f "$SHOW"); then NFT_MS+=("$ms"); else fail "nft -f of the show output"; break; fi
done
t_log "apply ms:  ${APPLY_MS[*]:-}"
t_log "nft -f ms: ${NFT_MS[*]:-}"
APPLY_MED=$(median "${APPLY_MS[@]}")
NFT_MED=$(median "${NFT_MS[@]}")

# ----------------------------------------------------------------------------- throughput

t_netns_pair H L
iperf_gbps() { # prints the receiver's Gbit/s of one run by the sandbox account
        local out
        out=$(ip netns exec "$H" timeout $((BENCH_SECONDS + 20)) setpriv --reuid="$(id -u "$SBX")" \
                --regid="$(id -g "$SBX")" --clear-groups -- \
                iperf3 -c "$T_L4" -p 5201 -t "$BENCH_SECONDS" -f g 2>&1) || { t_show_output "$out" 5 >&2; return 1; }
        awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Gbits/sec") v = $i } END { if (v == "") exit 1; print v }' <<<"$out"
}
ip netns exec "$L" iperf3 -s -B "$T_L4" -p 5201 >/dev/null 2>&1 &
t_add_cleanup "kill $! 2>/dev/null"
T_SERVERS+=("$L tcp $T_L4 5201")
t_wait_servers
ip netns exec "$H" "$RCC_FIREWALLD" --config "$CONF" --background || t_die "rcc-firewalld did not start in H"
ip netns exec "$H" "$RCC_FIREWALL" --config "$CONF" remove >/dev/null 2>&1 || t_die "rcc-firewall remove in H"

# Alternate runs without and with the table, BENCH_IPERF_RUNS of each; medians compared.
GBS_NONE=()
GBS_LOADED=()
for ((r = 0; r < BENCH_IPERF_RUNS; r++)); do
        if gb=$(iperf_gbps); then GBS_NONE+=("$gb"); else fail "iperf3 with no table"; break; fi
        if ! ip netns exec "$H" "$RCC_FIREWALL" --config "$CONF" apply >/dev/null 2>"$CONF/apply.err"; then
                sed 's/^/# /' "$CONF/apply.err" | head -5
                fail "rcc-firewall apply in H"
                break
        fi
        if gb=$(iperf_gbps); then GBS_LOADED+=("$gb"); else fail "iperf3 with the table loaded"; break; fi
        DENIED=$(ip netns exec "$H" nft list counter inet rcc "denied_$(id -u "$SBX")" 2>/dev/null | awk '$1 == "packets" { print $2 }')
        [ "${DENIED:-0}" = 0 ] || fail "the iperf3 run was partly denied ($DENIED packets)"
        ip netns exec "$H" "$RCC_FIREWALL" --config "$CONF" remove >/dev/null 2>&1 || fail "rcc-firewall remove in H"
done
t_log "Gbit/s no table: ${GBS_NONE[*]:-}"
t_log "Gbit/s loaded:   ${GBS_LOADED[*]:-}"
GB_NONE=$(median "${GBS_NONE[@]}")
GB_LOADED=$(median "${GBS_LOADED[@]}")

# ----------------------------------------------------------------------------- report

cat <<EOF

==================== rcc-firewall benchmark ====================
allowlist entries              $BENCH_ENTRIES (x2 ports, tcp)
rcc-firewalld start, applied   $APPLY_MED ms (median of ${#APPLY_MS[@]}, fresh netns each)
nft -f <show output>           $NFT_MED ms (median of ${#NFT_MS[@]}, fresh netns each)
ratio start / nft -f           $(ratio "$APPLY_MED" "$NFT_MED")
TCP throughput, no table       $GB_NONE Gbit/s (iperf3 as the sandbox account, median of ${#GBS_NONE[@]} x ${BENCH_SECONDS} s)
TCP throughput, table loaded   $GB_LOADED Gbit/s (median of ${#GBS_LOADED[@]})
ratio loaded / no table        $(ratio "$GB_LOADED" "$GB_NONE")
================================================================
EOF
exit "$FAILED"
