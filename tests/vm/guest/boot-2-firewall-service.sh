# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rcc VM scenario of the second boot for rcc-firewalld (issue 16), sourced by scenarios.sh:
# on the real system (systemd, Debian's nftables.service and its default /etc/nftables.conf, the
# target's own kernel), a session probing a LAN address every 10 ms while the ruleset is flushed
# and rcc-firewalld is killed and restarted must never get through, and the session must go on.

FW=/usr/sbin/rcc-firewall
FW_STATE=/run/rcc/firewall.state
LAN_NS=rcclan
LAN_ADDR=10.20.0.5 # private: the policy denies it to sandbox accounts

# A LAN for the scenario: network namespace LAN_NS behind a veth, LAN_ADDR:80 answering there.
lan_up() {
        ip netns add "$LAN_NS" &&
                ip link add rccvm0 type veth peer name rccvm1 netns "$LAN_NS" &&
                ip addr add 10.20.0.1/24 dev rccvm0 && ip link set rccvm0 up &&
                ip -n "$LAN_NS" addr add "$LAN_ADDR/24" dev rccvm1 && ip -n "$LAN_NS" link set rccvm1 up &&
                ip -n "$LAN_NS" link set lo up || return 1
        ip netns exec "$LAN_NS" socat TCP4-LISTEN:80,bind=$LAN_ADDR,fork,reuseaddr SYSTEM:'echo lan' \
                </dev/null >/dev/null 2>&1 &
        LAN_SERVER=$!
        sleep 0.5
}
lan_down() {
        kill "$LAN_SERVER" 2>/dev/null
        ip link del rccvm0 2>/dev/null
        ip netns del "$LAN_NS" 2>/dev/null
}

# The table as nft lists it, less its counters' values.
rcc_table() { nft list table inet rcc 2>&1 | sed 's/packets [0-9]* bytes [0-9]*/packets N bytes N/'; }
fw_state() { sed -n "s/^$1=//p" "$FW_STATE" 2>/dev/null; }

# One event during the session: EVENT-NAME COMMAND...; records what it did to the table.
fw_event() {
        local name="$1" before after rc out
        shift
        before=$(rcc_table)
        out=$("$@" 2>&1)
        rc=$?
        sleep 0.5
        after=$(rcc_table)
        if [ "$before" = "$after" ]; then
                EVENTS+=("$name: exit $rc, table unchanged")
        else
                EVENTS+=("$name: exit $rc, table CHANGED")
                FAILS+=("$name changed table inet rcc")
                note "$name: $(diff <(echo "$before") <(echo "$after") | head -5)"
        fi
        echo "--- $name: rc=$rc: $out"
}

sc_firewall_service() {
        local pid0 port0 pid1 port1 how ok no t0 t1 lines0 lines1 out
        FAILS=()
        EVENTS=()
        how=$(fw_state how)
        pid0=$(fw_state pid)
        port0=$(fw_state portid)
        [ -n "$pid0" ] || { MSG="no $FW_STATE: rcc-firewalld does not hold the table"; return 1; }
        lan_up || { MSG="cannot make the LAN namespace"; lan_down; return 1; }

        # The session: the container connects to the LAN address every 10 ms, one line per try.
        local probe='while :; do if nc -w 1 '$LAN_ADDR' 80 </dev/null >/dev/null 2>&1; then echo OK; else echo NO; fi; usleep 10000; done'
        # Started as one command, not through as(): $! is then the ssh client's timeout, which
        # passes our SIGTERM on to ssh, and the session must end when its client goes away.
        setpriv --reuid=alice --regid=alice --init-groups env -i HOME=/home/alice USER=alice \
                LOGNAME=alice PATH=/usr/local/bin:/usr/bin:/bin timeout "$CMD_TIMEOUT" \
                ssh -i /home/alice/.ssh/id_ed25519 "${SSH_OPTS[@]}" -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" \
                rcc@localhost "$probe" >/tmp/rcc-probe.out 2>/tmp/rcc-probe.err </dev/null &
        local session=$!
        wait_output /tmp/rcc-probe.out NO "$session" 60 || FAILS+=("the probing session did not start")
        sleep 1

        fw_event "nft flush ruleset" nft flush ruleset
        fw_event "nft delete table inet rcc" nft delete table inet rcc
        fw_event "systemctl restart nftables (Debian's /etc/nftables.conf)" systemctl restart nftables

        # kill -9: systemd keeps the socket that owns the table (FileDescriptorStoreMax=) and
        # restarts the service, which takes it back.
        t0=${EPOCHREALTIME//[.,]/}
        kill -KILL "$pid0"
        local present=missing
        nft list table inet rcc >/dev/null 2>&1 && present=present
        for ((i = 0; i < 100; i++)); do
                pid1=$(fw_state pid)
                [ -n "$pid1" ] && [ "$pid1" != "$pid0" ] && break
                sleep 0.1
        done
        t1=${EPOCHREALTIME//[.,]/}
        port1=$(fw_state portid)
        EVENTS+=("kill -9: table $present right after, a new service (pid $pid1) holds it after $(((t1 - t0) / 1000)) ms, owner port $port0 -> $port1")
        [ "$present" = present ] || FAILS+=("kill -9 of rcc-firewalld ended the table")
        [ -n "$pid1" ] && [ "$pid1" != "$pid0" ] || FAILS+=("systemd did not restart rcc-firewalld")
        timeout 30 "$FW" status >/dev/null 2>&1 || FAILS+=("rcc-firewall status is not ok after the restart")

        lines0=$(wc -l </tmp/rcc-probe.out)
        systemctl restart rcc-firewall.service
        timeout 30 "$FW" status >/dev/null 2>&1 || FAILS+=("rcc-firewall status is not ok after systemctl restart")
        sleep 2
        lines1=$(wc -l </tmp/rcc-probe.out)
        EVENTS+=("systemctl restart rcc-firewall: the session went on ($lines0 -> $lines1 tries)")
        [ "$lines1" -gt "$lines0" ] || FAILS+=("the session's network stayed held after the restart")
        alive "$session" || FAILS+=("the probing session ended")

        kill "$session" 2>/dev/null
        wait "$session" 2>/dev/null
        # The client is gone: rcc-shell ends the session (its container too) within seconds.
        for ((i = 0; i < 150; i++)); do
                pgrep -u rcc -x rcc-shell >/dev/null || break
                sleep 0.1
        done
        if pgrep -u rcc -x rcc-shell >/dev/null; then
                FAILS+=("the session outlived its ssh client by 15 s: $(pgrep -u rcc -a | tr '\n' ';')")
                pkill -KILL -u rcc -x rcc-shell
        else
                EVENTS+=("the client killed: the session ended $((i * 100)) ms later")
        fi
        lan_down
        ok=$(grep -c '^OK' /tmp/rcc-probe.out)
        no=$(grep -c '^NO' /tmp/rcc-probe.out)
        [ "$ok" = 0 ] || FAILS+=("$ok of $((ok + no)) connections to $LAN_ADDR succeeded")
        grep -q 'rcc: ' /tmp/rcc-probe.err && note "the human read: $(grep 'rcc: ' /tmp/rcc-probe.err | head -3 | tr '\n' ' ')"
        note "$(printf '%s\n' "${EVENTS[@]}")"
        if [ ${#FAILS[@]} -gt 0 ]; then
                MSG=$(IFS=';' && echo "${FAILS[*]}")
                return 1
        fi
        MSG="kernel $(uname -r), held with flags $how; $ok of $((ok + no)) connections to $LAN_ADDR succeeded through: $(IFS=';' && echo "${EVENTS[*]}")"
}
