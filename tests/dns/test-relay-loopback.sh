#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rcc-dnsrelay on loopback, without nftables: in strict mode a name outside the allowlist and a
# TXT-record tunnel attempt get REFUSED and never reach the upstream (its log); an allowlisted
# name and a wildcard's subdomain are answered, over UDP and TCP; the wildcard's own zone is not;
# a query that did not arrive at an account's relay address is refused.
set -u
B=${1:?build directory}
MODE=strict
. "$(dirname "$0")/relay-world.sh"
trap world_stop EXIT
fail=0
world_start allowed.example=192.0.2.10 git.corp.example=192.0.2.11 corp.example=192.0.2.12 || exit 1

expect() { # want, then dns-tool query arguments
        local want=$1 got
        shift
        got=$("$DNS_TOOL" query "$@" | tr '\n' ' ')
        if [ "$got" != "$want" ]; then
                echo "FAIL: query $*: got '$got', expected '$want'"
                fail=1
        else
                echo "ok: query $*: $got"
        fi
}
expect "NOERROR 192.0.2.10 " "$RELAY_ADDR" "$RELAY_PORT" allowed.example A
expect "NOERROR 192.0.2.11 " "$RELAY_ADDR" "$RELAY_PORT" git.corp.example A
expect "REFUSED " "$RELAY_ADDR" "$RELAY_PORT" corp.example A
expect "REFUSED " "$RELAY_ADDR" "$RELAY_PORT" evil.example A
expect "REFUSED " "$RELAY_ADDR" "$RELAY_PORT" 6578666967726174696f6e.t.evil.example TXT
expect "REFUSED " 127.0.0.5 "$RELAY_PORT" allowed.example A # uid 5: no account
RCC_DNS_TCP=1 expect "NOERROR 192.0.2.10 " "$RELAY_ADDR" "$RELAY_PORT" allowed.example A
RCC_DNS_TCP=1 expect "REFUSED " "$RELAY_ADDR" "$RELAY_PORT" evil.example A

if grep -E 'evil|^corp' "$UP_LOG"; then
        echo "FAIL: refused names reached the upstream (above)"
        fail=1
fi
grep -q "refused 'evil.example' (type 1): name not allowlisted" "$W/relay.log" ||
        { echo "FAIL: the denial is not in the relay's log"; cat "$W/relay.log"; fail=1; }
exit $fail
