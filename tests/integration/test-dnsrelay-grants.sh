#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rcc-dnsrelay and rcc-firewalld together, with real nftables, in a network namespace H that plays
# the host: rcc-firewalld holds table inet rcc there, a test resolver (tests/dns/dns-tool) answers
# on H's loopback, and rcc-dnsrelay (as the user rcc-dns) forwards to it. Queries are sent to the
# account's relay address directly (the nat redirect of the accounts' port 53 is not built yet).
#
#   strict mode: a name outside the allowlist, a wildcard's own zone and a TXT tunnel attempt get
#   REFUSED and never reach the resolver; an allowlisted name and a wildcard's subdomain are
#   answered, and their addresses appear in the account's hosts4 set with a timeout; a name whose
#   address changed is open at its new address at once, without a refresh; grants forged on the
#   service's socket for a name outside the allowlist, or for a loopback address, open nothing.
#
# Usage: test-dnsrelay-grants.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u
T_TAG=rccdg
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD="${1:-${MESON_BUILD_ROOT:-}}"
FIREWALLD="$BUILD/firewall/service/rcc-firewalld"
RELAY="$BUILD/dnsrelay/rcc-dnsrelay"
DNS_TOOL="$BUILD/tests/dns/dns-tool"
[ -x "$FIREWALLD" ] && [ -x "$RELAY" ] && [ -x "$DNS_TOOL" ] || t_die "usage: $(basename "$0") BUILD-DIR (built)"
RUN_DIR=/run/rcc

t_require_root
t_require_cmd ip iproute2 nft nftables socat socat useradd passwd
t_clean_stale
t_require_netns_nft
if [ -S "$RUN_DIR/firewall.sock" ] && pgrep -x rcc-firewalld >/dev/null; then
        t_skip "an rcc-firewalld runs here already ($RUN_DIR/firewall.sock); this test runs its own"
fi
[ -e "$RUN_DIR" ] || t_add_cleanup "rm -rf '$RUN_DIR'"
# The relay's user: rcc-firewalld takes grants from it (and root) only.
if ! getent passwd rcc-dns >/dev/null; then
        useradd --system --no-create-home --user-group --home-dir /nonexistent --shell /usr/sbin/nologin rcc-dns ||
                t_die "useradd rcc-dns failed"
        T_USERS+=(rcc-dns)
fi

t_mktemp_dir T
t_add_netns H h
t_add_user A a
UA=$(id -u "$A")
RELAY_ADDR=$(printf '127.%d.%d.%d' $((UA >> 16 & 255)) $((UA >> 8 & 255)) $((UA & 255)))
t_make_config_dir CONF
t_write_file "$CONF/rcc.yaml" 0644 <<EOF
version: 1
network:
  mode: strict
  resolvers: [10.99.0.53]
  allow:
    - host: allowed.example
      ports: [443]
    - host: "*.corp.example"
      ports: [443]
EOF
t_write_file "$CONF/accounts.d/$A.yaml" 0644 <<<"version: 1"

in_h() { ip netns exec "$H" "$@"; }
UP_PID=""
start_upstream() { # NAME=ADDR...
        if [ -n "$UP_PID" ]; then
                kill "$UP_PID"
                wait "$UP_PID" 2>/dev/null
        fi
        # ip netns exec itself, not in_h: $! is then the resolver's pid, which kill stops.
        ip netns exec "$H" "$DNS_TOOL" serve 127.0.0.1 5399 "$T/upstream.log" "$@" &
        UP_PID=$!
        t_add_cleanup "kill $UP_PID 2>/dev/null"
        sleep 0.2
}
start_upstream allowed.example=45.90.7.7 git.corp.example=45.90.7.8 corp.example=45.90.7.9

ip netns exec "$H" "$FIREWALLD" --config "$CONF" >>"$T/firewalld.log" 2>&1 &
FWD_PID=$!
t_add_cleanup "kill $FWD_PID 2>/dev/null; wait $FWD_PID 2>/dev/null"
for ((i = 0; i < 100; i++)); do
        [ -S "$RUN_DIR/firewall-dns.sock" ] && [ -e "$RUN_DIR/firewall.state" ] && break
        sleep 0.05
done
if ! [ -S "$RUN_DIR/firewall-dns.sock" ]; then
        t_show_output "$(tail -5 "$T/firewalld.log")"
        t_die "rcc-firewalld did not start"
fi

ip netns exec "$H" "$RELAY" -c "$CONF" -u rcc-dns -p 5530 --upstream '127.0.0.1#5399' >>"$T/relay.log" 2>&1 &
RELAY_PID=$!
t_add_cleanup "kill $RELAY_PID 2>/dev/null; wait $RELAY_PID 2>/dev/null"
for ((i = 0; i < 50; i++)); do
        grep -q 'relaying DNS' "$T/relay.log" && break
        sleep 0.1
done
t_check_eq "rcc-dnsrelay runs as rcc-dns" rcc-dns "$(ps -o user= -p "$RELAY_PID" | tr -d ' ')"

q() { in_h "$DNS_TOOL" query "$RELAY_ADDR" 5530 "$@" | tr '\n' ' ' | sed 's/ $//'; }
hosts4() { in_h nft list set inet rcc "hosts4_$UA" 2>&1; }
has_elem() { # ADDR: the hosts4 set opens ADDR:443/tcp, with a timeout (within a second)
        for _ in $(seq 20); do
                hosts4 | grep -qE "$1 \. tcp \. 443 timeout" && return 0
                sleep 0.05
        done
        hosts4 | sed 's/^/#   /' | head -20
        return 1
}

t_check_eq "an allowlisted name is answered" "NOERROR 45.90.7.7" "$(q allowed.example A)"
t_check "...and its address is in hosts4_$UA with a timeout" has_elem 45.90.7.7
t_check_eq "a wildcard's subdomain is answered" "NOERROR 45.90.7.8" "$(q git.corp.example A)"
t_check "...and its address is in hosts4_$UA" has_elem 45.90.7.8
t_check_eq "the wildcard's own zone is refused" REFUSED "$(q corp.example A)"
t_check_eq "a name outside the allowlist is refused" REFUSED "$(q evil.example A)"
t_check_eq "a TXT tunnel attempt is refused" REFUSED "$(q 7365637265742d64617461.t.evil.example TXT)"
t_check_fail "...and none of them reached the resolver" grep -E 'evil|^corp' "$T/upstream.log"
t_check_fail "...and the zone's address was not opened" has_elem 45.90.7.9

# The name moves (a new "session" of the resolver): open at its new address at once.
start_upstream allowed.example=45.90.7.17
t_check_eq "after the address changed, the new one is answered" "NOERROR 45.90.7.17" "$(q allowed.example A)"
t_check "...and is open without a refresh" has_elem 45.90.7.17

# rcc-firewalld checks what it is sent, whoever sends it.
grant() { printf 'grant %s' "$1" | in_h socat - "UNIX-SENDTO:$RUN_DIR/firewall-dns.sock"; }
grant "$UA 60 45.90.7.30 evil.example"
grant "$UA 60 127.0.0.9 allowed.example"
grant "$UA 60 169.254.169.254 allowed.example"
t_check_fail "a forged grant for a name outside the allowlist opens nothing" has_elem 45.90.7.30
t_check_fail "a grant for a loopback address opens nothing" has_elem 127.0.0.9
t_check_fail "a grant for the metadata address opens nothing" has_elem 169.254.169.254
t_check "rcc-firewalld says why" grep -q "not opening 45.90.7.30 for 'evil.example': name not allowlisted" "$T/firewalld.log"

t_finish
