# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced: a test resolver (dns-tool serve) and an rcc-dnsrelay in front of it, both on loopback
# ports of their own, and a policy with one account (uid 990, from a passwd file of the test's), so
# that the relay's decisions and its cost are seen without nftables. Sets DNS_TOOL, RELAY_ADDR
# (the account's relay address), RELAY_PORT, UP_PORT, UP_LOG; world_stop undoes it all.
# Needs: B (the build directory), MODE (public or strict), the zone as "NAME=ADDR" arguments;
# UPSTREAM=blackhole for a resolver that never answers.

RELAY_PORT=${RELAY_PORT:-5530}
UP_PORT=${UP_PORT:-5399}
RELAY_ADDR=127.0.3.222 # uid 990: 127.0.(990 >> 8).(990 & 255)
DNS_TOOL="$B/tests/dns/dns-tool"
W=$(mktemp -d /tmp/rcc-dnsrelay.XXXXXX)
UP_LOG="$W/upstream.log"

world_start() {
        mkdir -p "$W/etc/accounts.d"
        cat >"$W/etc/rcc.yaml" <<YAML
version: 1
network:
  mode: $MODE
  allow:
    - host: allowed.example
    - host: "*.corp.example"
YAML
        printf 'version: 1\n' >"$W/etc/accounts.d/rcc-t.yaml"
        echo 'rcc-t:x:990:990::/nonexistent:/usr/sbin/nologin' >"$W/passwd"
        chmod -R go-w "$W/etc"
        : >"$UP_LOG"
        if [ "${UPSTREAM:-}" = blackhole ]; then
                "$DNS_TOOL" blackhole 127.0.0.1 "$UP_PORT" &
        else
                "$DNS_TOOL" serve 127.0.0.1 "$UP_PORT" "$UP_LOG" "$@" &
        fi
        UP_PID=$!
        local user=()
        [ "$(id -u)" = 0 ] && user=(-u nobody)
        "$B/dnsrelay/rcc-dnsrelay" -c "$W/etc" --passwd-file "$W/passwd" "${user[@]}" -p "$RELAY_PORT" \
                --upstream "127.0.0.1#$UP_PORT" 2>"$W/relay.log" &
        RELAY_PID=$!
        for _ in $(seq 50); do
                grep -q 'relaying DNS' "$W/relay.log" && return 0
                kill -0 "$RELAY_PID" 2>/dev/null || break
                sleep 0.1
        done
        cat "$W/relay.log" >&2
        return 1
}

world_stop() {
        kill "$RELAY_PID" "$UP_PID" 2>/dev/null
        wait "$RELAY_PID" "$UP_PID" 2>/dev/null
        rm -rf "$W"
}
