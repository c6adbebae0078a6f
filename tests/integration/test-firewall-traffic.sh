#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rcc-firewall against real traffic. Two network namespaces joined by a veth pair:
#
#   H  plays the host: rcc-firewall loads table inet rcc here, and the sandbox accounts' clients
#      run here (ip netns exec H setpriv --reuid=...). Servers on 127.0.0.1, ::1 and H's own
#      veth addresses stand for services on the host itself.
#   L  plays the LAN and the internet: servers on private, link-local, CGNAT, ULA, metadata and
#      public addresses. H's default routes (v4 and v6) lead into L.
#
# Every address used here exists only inside these two namespaces; no packet leaves them. The
# "public" ones (9.9.9.9, 45.90.0.0/24, 2606:4700:4700::1111, 2a0e:77::/64, 168.63.129.16) were
# picked outside every special-purpose range so that only the policy decides about them; they
# are configured on L's loopback or the veth and reach nothing real.
#
# rcc-firewalld (started here in H) holds the table, and rcc-firewall asks it to apply, refresh and
# remove; test-firewall-service.sh tests the service itself.
#
# Usage: test-firewall-traffic.sh [RCC-FIREWALL]   (or RCC_FIREWALL=..., or MESON_BUILD_ROOT)

set -u
T_TAG=rcctf
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

RCC_FIREWALL="${RCC_FIREWALL:-${1:-${MESON_BUILD_ROOT:+$MESON_BUILD_ROOT/firewall/rcc-firewall}}}"
RCC_FIREWALLD="${RCC_FIREWALLD:-$(dirname "$RCC_FIREWALL")/service/rcc-firewalld}"

t_require_root
t_require_cmd ip iproute2 ss iproute2 nft nftables socat socat setpriv util-linux unshare util-linux \
        timeout coreutils dd coreutils python3 python3 useradd passwd userdel passwd
if [ -z "$RCC_FIREWALL" ] || [ ! -x "$RCC_FIREWALL" ]; then
        t_die "rcc-firewall not found ('$RCC_FIREWALL'): pass its path, or set RCC_FIREWALL or MESON_BUILD_ROOT"
fi
[ -x "$RCC_FIREWALLD" ] || t_die "rcc-firewalld not found ('$RCC_FIREWALLD'): set RCC_FIREWALLD"
t_clean_stale
t_require_netns_nft
if [ -S /run/rcc/firewall.sock ] && pgrep -x rcc-firewalld >/dev/null; then
        t_skip "an rcc-firewalld runs here already (/run/rcc/firewall.sock); this test runs its own"
fi
[ -e /run/rcc ] || t_add_cleanup "rm -rf /run/rcc"

T_FAST_MS=${T_FAST_MS:-2000} # a rejected connection fails at once; a dropped one would time out

# ----------------------------------------------------------------------------- topology

t_netns_pair H L

# Addresses on L's loopback.
L_PRIV=10.20.0.5       # private; the sandbox account A allowlists port 8080 only
L_PRIV2=192.168.77.10  # private; account B allowlists port 80
L_PRIV3=172.16.5.5     # private
L_META=169.254.169.254 # link-local metadata endpoint
L_CGNAT=100.64.1.1     # shared address space
L_AZURE=168.63.129.16  # Azure WireServer: a public address that must be refused anyway
L_DNS=10.99.0.53       # the resolver named in the policy
L_PUB=9.9.9.9          # public
L_DENY=9.9.4.4         # public, but inside the policy's deny list
L_ULA=fd00:77::10      # IPv6 unique local; A allowlists port 8080
L_PUB6=2606:4700:4700::1111
L_NAT64=64:ff9b::a14:5   # NAT64 form of 10.20.0.5
L_6TO4=2002:a14:5::1     # 6to4 form of 10.20.0.5
for a in $L_PRIV $L_PRIV2 $L_PRIV3 $L_META $L_CGNAT $L_AZURE $L_DNS $L_PUB $L_DENY \
        $L_ULA $L_PUB6 $L_NAT64 $L_6TO4; do
        t_ns_addr "$L" "$a"
        t_tcp_server "$L" "$a" 80
done
t_tcp_server "$L" "$T_L4" 80
t_tcp_server "$L" "$T_L6" 80
t_tcp_server "$L" :: 81 # wildcard: reachable on L's link-local address too
t_tcp_server "$L" $L_PRIV 8080
t_tcp_server "$L" $L_PRIV 8081
t_tcp_server "$L" $L_ULA 8080
t_tcp_server "$L" $L_DNS 53
t_tcp_server "$L" $L_DNS 54
t_udp_server "$L" $L_DNS 53
t_udp_server "$L" $L_DNS 54
t_udp_server "$L" $L_PUB 53
t_udp_server "$L" $L_ULA 53
t_udp_server "$L" $L_META 53

# Services of the host itself.
t_tcp_server "$H" 127.0.0.1 80
t_tcp_server "$H" ::1 80
t_tcp_server "$H" "$T_H4" 80
t_tcp_server "$H" "$T_H6" 80
t_tcp_server "$H" 0.0.0.0 82
t_tcp_server "$H" :: 82

t_wait_servers

# ----------------------------------------------------------------------------- accounts, policy

t_add_user A a # sandbox account with its own allowlist
t_add_user B b # second sandbox account (lab mode), a different allowlist
t_add_user O o # an ordinary user not in the policy
UA=$(id -u "$A")
UB=$(id -u "$B")
t_log "sandbox accounts: $A ($UA), $B ($UB); outsider $O ($(id -u "$O")); netns $H, $L"

t_make_config_dir CONF

write_defaults() { # MODE
        t_write_file "$CONF/rcc.yaml" 0644 <<EOF
version: 1
network:
  mode: $1
  resolvers: [$L_DNS]
  deny:
    - cidr: 9.9.4.0/24
EOF
}
write_accounts() {
        t_write_file "$CONF/accounts.d/$A.yaml" 0644 <<EOF
version: 1
network:
  allow:
    - cidr: $L_PRIV/32
      ports: [8080]
      proto: tcp
    - cidr: $L_ULA/128
      ports: [8080]
      proto: tcp
EOF
        t_write_file "$CONF/accounts.d/$B.yaml" 0644 <<EOF
version: 1
network:
  allow:
    - cidr: $L_PRIV2/32
      ports: [80]
      proto: tcp
EOF
}
write_defaults public
write_accounts

fw() { ip netns exec "$H" "$RCC_FIREWALL" --config "$CONF" "$@"; }
# fw_expect RC DESC ARGS...: run rcc-firewall ARGS in H, expect exit RC; FW_OUT holds its output.
fw_expect() {
        local want="$1" desc="$2"
        shift 2
        FW_OUT=$(fw "$@" 2>&1)
        FW_RC=$?
        if [ "$FW_RC" = "$want" ]; then
                ok "$desc"
        else
                not_ok "$desc: exit $FW_RC"
                t_show_output "$FW_OUT" 15
        fi
}
table() { ip netns exec "$H" nft list table inet rcc 2>&1; }
# shellcheck disable=SC2317 # called through t_check
has_table() { ip netns exec "$H" nft list table inet rcc >/dev/null 2>&1; }
counter() { # UID: packets counted by denied_UID, or -1
        local n
        n=$(ip netns exec "$H" nft list counter inet rcc "denied_$1" 2>/dev/null | awk '$1 == "packets" { print $2 }')
        printf '%s' "${n:--1}"
}

# ----------------------------------------------------------------------------- case helpers

# reached USER PROTO ADDR PORT [BANNER-ADDR]
reached() {
        local user="$1" what
        what="$2 $(t_sockaddr "$3" "$4")"
        if t_probe "$H" "$@"; then
                ok "$user reaches $what"
        else
                not_ok "$user reaches $what"
                printf '#   rc=%s after %s ms: %s\n' "$PROBE_RC" "$PROBE_MS" "$PROBE_OUT"
        fi
}

# What a client sees when the output hook rejects: a TCP reset, or EPERM from the send (the
# kernel drops the packet it rejects and reports that), or the ICMP error the rejection sends.
REJECTED='Connection refused|Operation not permitted|No route to host|Permission denied|Network is unreachable'

# refused USER UID PROTO ADDR PORT [BANNER-ADDR]: refused at once, and USER's denied counter grew
# (OTHER-UID's, if set, did not).
refused() {
        local user="$1" uid="$2" what before after obefore oafter
        what="$3 $(t_sockaddr "$4" "$5")"
        shift 2
        before=$(counter "$uid")
        [ -n "${OTHER_UID:-}" ] && obefore=$(counter "$OTHER_UID")
        if t_probe "$H" "$user" "$@"; then
                not_ok "$user is refused $what: the server answered"
        elif ! [[ $PROBE_OUT =~ $REJECTED ]]; then
                not_ok "$user is refused $what: failed, but not as a rejection"
                t_show_output "rc=$PROBE_RC after $PROBE_MS ms: $PROBE_OUT"
        elif [ "$PROBE_MS" -ge "$T_FAST_MS" ]; then
                not_ok "$user is refused $what at once: took $PROBE_MS ms (dropped, not rejected?)"
        else
                ok "$user is refused $what ($PROBE_MS ms)"
        fi
        after=$(counter "$uid")
        if [ "$after" -gt "$before" ]; then
                ok "denied_$uid counted it ($before -> $after)"
        else
                not_ok "denied_$uid counted it ($before -> $after)"
        fi
        if [ -n "${OTHER_UID:-}" ]; then
                oafter=$(counter "$OTHER_UID")
                t_check_eq "denied_$OTHER_UID did not count it" "$obefore" "$oafter"
        fi
}

# private USER UID PROTO ADDR PORT [BANNER-ADDR]: the server is there (root and the outsider reach
# it) and the sandbox account is refused.
private() {
        local user="$1" uid="$2"
        shift 2
        reached root "$@"
        refused "$user" "$uid" "$@"
        reached "$O" "$@"
}

# icmp USER ADDR: an ICMP echo from an unprivileged ping socket (distributions with systemd allow
# these to every group; the test allows them in H). Returns 0 iff a reply came back; prints
# "rejected: ERRNO" when the send failed or an ICMP error came back.
ip netns exec "$H" sysctl -qw net.ipv4.ping_group_range="0 2147483647" ||
        t_die "cannot allow ping sockets in $H"
# The system's python3, not a per-user shim the sandbox accounts cannot run.
PYTHON3=/usr/bin/python3
[ -x "$PYTHON3" ] || PYTHON3=$(command -v python3)
icmp() {
        local user="$1" addr="$2" t0 t1 T_AS
        t_as "$user"
        t0=$(t_now_ms)
        PROBE_OUT=$(ip netns exec "$H" timeout "$T_PROBE_TIMEOUT" "${T_AS[@]}" "$PYTHON3" -c '
import errno, socket, struct, sys
a = sys.argv[1]
v6 = ":" in a
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM,
                  socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
# IP_RECVERR / IPV6_RECVERR: report the ICMP error a rejection sends back (ping sockets keep
# those to themselves otherwise; IPv6 does not fail the send either).
s.setsockopt(socket.IPPROTO_IPV6 if v6 else socket.IPPROTO_IP, 25 if v6 else 11, 1)
s.settimeout(1.2)
for _ in range(3):
    try:
        s.sendto(struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, 0, 1) + b"rcct", (a, 0))
        d = s.recv(512)
    except socket.timeout:
        continue
    except OSError as e:
        print("rejected: %s" % errno.errorcode.get(e.errno, e.errno))
        sys.exit(2)
    print("echo reply" if d[0] in (0, 129) else "icmp type %d" % d[0])
    sys.exit(0 if d[0] in (0, 129) else 1)
sys.exit(1)' "$addr" 2>&1 </dev/null)
        PROBE_RC=$?
        t1=$(t_now_ms)
        PROBE_MS=$((t1 - t0))
        [ "$PROBE_RC" = 0 ]
}
icmp_reached() {
        if icmp "$1" "$2"; then ok "$1 pings $2"; else not_ok "$1 pings $2"; t_show_output "rc=$PROBE_RC: $PROBE_OUT"; fi
}
icmp_refused() { # USER UID ADDR
        local before after
        before=$(counter "$2")
        if icmp "$1" "$3"; then
                not_ok "$1 cannot ping $3: $PROBE_OUT"
        elif [[ $PROBE_OUT != "rejected: "* ]]; then
                not_ok "$1 cannot ping $3: failed, but not as a rejection"
                t_show_output "rc=$PROBE_RC: $PROBE_OUT"
        elif [ "$PROBE_MS" -ge "$T_FAST_MS" ]; then
                not_ok "$1 cannot ping $3, refused at once: took $PROBE_MS ms"
        else
                ok "$1 cannot ping $3 (${PROBE_OUT#rejected: }, $PROBE_MS ms)"
        fi
        after=$(counter "$2")
        if [ "$after" -gt "$before" ]; then ok "denied_$2 counted it ($before -> $after)"; else not_ok "denied_$2 counted it ($before -> $after)"; fi
}

# ----------------------------------------------------------------------------- before apply

t_check_fail "no table inet rcc before apply" has_table
fw_expect 0 "check accepts the policy" check
fw_expect 0 "show exits 0" show
t_check "show prints table inet rcc" grep -q 'table inet rcc' <<<"$FW_OUT"
t_check_fail "show loads nothing" has_table
reached "$A" tcp $L_PRIV 8081 # the baseline: nothing blocks before apply

# ----------------------------------------------------------------------------- public mode

# The service holds the table from its start; apply after that only refreshes it.
ip netns exec "$H" "$RCC_FIREWALLD" --config "$CONF" >"$CONF.firewalld.log" 2>&1 &
FWD_PID=$!
t_add_cleanup "kill $FWD_PID 2>/dev/null; rm -f '$CONF.firewalld.log'"
for ((i = 0; i < 100; i++)); do [ -S /run/rcc/firewall.sock ] && break; sleep 0.05; done
t_check "rcc-firewalld started and holds the table" test -S /run/rcc/firewall.sock
fw_expect 0 "apply exits 0" apply
t_check "table inet rcc is loaded" has_table
fw_expect 0 "status exits 0 after apply" status
t_check "counter denied_$UA exists" test "$(counter "$UA")" -ge 0
t_check "counter denied_$UB exists" test "$(counter "$UB")" -ge 0

t_log "public mode: private, host-local and special-purpose destinations"
OTHER_UID=$UB
private "$A" "$UA" tcp $L_PRIV 8081
private "$A" "$UA" tcp $L_PRIV 80
private "$A" "$UA" tcp $L_PRIV2 80 # B's allowlist: opens nothing for A
private "$A" "$UA" tcp $L_PRIV3 80
private "$A" "$UA" tcp $L_META 80
private "$A" "$UA" tcp $L_CGNAT 80
private "$A" "$UA" tcp $L_AZURE 80
private "$A" "$UA" tcp $L_DENY 80
private "$A" "$UA" tcp $L_ULA 80
private "$A" "$UA" tcp $L_NAT64 80
private "$A" "$UA" tcp $L_6TO4 80
private "$A" "$UA" tcp "$T_L_LL%$T_VETH_H" 81 ::
private "$A" "$UA" tcp ::ffff:$L_PRIV2 80 $L_PRIV2 # v6 socket, sent as IPv4
private "$A" "$UA" tcp 127.0.0.1 80
private "$A" "$UA" tcp ::1 80
private "$A" "$UA" tcp "$T_H4" 80 # H's own public address: only "fib daddr type local" stops it
private "$A" "$UA" tcp "$T_H6" 80
private "$A" "$UA" tcp 0.0.0.0 82 # connect(0.0.0.0) goes to the host itself
private "$A" "$UA" tcp :: 82
private "$A" "$UA" tcp $L_DNS 54
private "$A" "$UA" udp $L_DNS 54
private "$A" "$UA" udp $L_ULA 53
private "$A" "$UA" udp $L_META 53

t_log "public mode: ICMP and multicast"
icmp_reached root $L_PRIV
icmp_refused "$A" "$UA" $L_PRIV
icmp_reached "$O" $L_PRIV
icmp_reached root $L_ULA
icmp_refused "$A" "$UA" $L_ULA
icmp_refused "$A" "$UA" $L_META
icmp_refused "$A" "$UA" 127.0.0.1
icmp_reached "$A" $L_PUB
icmp_reached "$A" $L_PUB6
refused "$A" "$UA" udp 224.0.0.251 5353 # nothing answers multicast here: only the refusal counts
refused "$A" "$UA" udp ff05::fb 5353

t_log "public mode: what the sandbox account may reach"
reached "$A" tcp $L_PUB 80
reached "$A" udp $L_PUB 53
reached "$A" tcp "$T_L4" 80
reached "$A" tcp $L_PUB6 80
reached "$A" tcp "$T_L6" 80
reached "$A" tcp $L_PRIV 8080 # allowlisted
reached "$A" tcp $L_ULA 8080  # allowlisted (IPv6)
reached "$A" tcp $L_DNS 53    # the policy's resolver
reached "$A" udp $L_DNS 53

t_log "lab mode: each account gets its own allowlist"
OTHER_UID=$UA
reached "$B" tcp $L_PRIV2 80
refused "$B" "$UB" tcp $L_PRIV 8080 # A's allowlist: opens nothing for B
refused "$B" "$UB" tcp $L_ULA 8080
refused "$B" "$UB" tcp $L_PRIV 8081
refused "$B" "$UB" tcp $L_META 80
reached "$B" tcp $L_PUB 80
reached "$B" udp $L_DNS 53
OTHER_UID=

t_log "another table's accept does not bypass rcc (only a drop or reject is final in nftables)"
ip netns exec "$H" nft -f - <<EOF
table inet rcct_other {
        chain out {
                type filter hook output priority -300; policy accept;
                meta skuid $UA accept
        }
}
EOF
refused "$A" "$UA" tcp $L_PRIV 8081
refused "$A" "$UA" tcp $L_META 80
ip netns exec "$H" nft delete table inet rcct_other

t_log "root is not affected"
for a in $L_PRIV2 $L_META 127.0.0.1; do reached root tcp "$a" 80; done
reached root tcp $L_PRIV 8081

# ----------------------------------------------------------------------------- denials

t_log "denials: every refusal above, recorded by rcc-firewalld from the deny chains' nflog group"
# denied ACCOUNT ADDR PROTO PORT REASON-GLOB: one line of the text report says so
denied() {
        local line
        line=$(grep -F "$1: $2 $3 port $4," <<<"$FW_OUT" | head -n 1)
        if [ -n "$line" ] && [[ $line == *$5* ]]; then ok "denials: $1 to $2 $3/$4: ${line##*: }"; else
                not_ok "denials: $1 to $2 $3/$4, reason $5: '${line:-no such line}'"
        fi
}
fw_expect 0 "rcc-firewall denials exits 0" denials
denied "$A" $L_META tcp 80 "*link-local*metadata*169.254.0.0/16"
denied "$A" $L_PRIV tcp 8081 "*private (RFC 1918) 10.0.0.0/8"
denied "$A" $L_DENY tcp 80 "denied by the policy ($CONF/rcc.yaml:*)"
denied "$A" "$T_H4" tcp 80 "this host's own address ($T_VETH_H)"
denied "$A" 127.0.0.1 tcp 80 "this host's own address (lo)"
denied "$B" $L_PRIV tcp 8080 "*private (RFC 1918)*"
t_check "the report ends with the lines to add and rcc-setup apply" grep -q "then run: rcc-setup apply" <<<"$FW_OUT"
fw_expect 0 "rcc-firewall --account B --json denials exits 0" --account "$B" --json denials
t_check "--account B --json: valid JSON, only B's, its refusal of $L_PRIV/8080 counted" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["denials"] and all(e["account"] == sys.argv[2] for e in d["denials"])
assert any(e["address"] == sys.argv[3] and e["port"] == 8080 and e["count"] >= 1 for e in d["denials"])
' "$FW_OUT" "$B" $L_PRIV
fw_expect 2 "--json with another command is a usage error" --json status
fw_expect 0 "rcc-firewall --since 1h --json denials exits 0" --since 1h --json denials
ALLOW=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
print(next(e["allow"] for e in d["denials"] if e["account"] == sys.argv[2] and e["address"] == sys.argv[3]
      and e["port"] == 8081))
' "$FW_OUT" "$A" $L_PRIV)
t_check "the report gives the lines that allow $L_PRIV/8081" test -n "$ALLOW"
# The lines as the report gives them, under the account's network.allow, and one apply: allowed.
printf '%s\n' "$ALLOW" | sed 's/^/    /' >>"$CONF/accounts.d/$A.yaml"
fw_expect 0 "apply with the report's lines for $L_PRIV/8081" apply
reached "$A" tcp $L_PRIV 8081
write_accounts
fw_expect 0 "apply without them again" apply
refused "$A" "$UA" tcp $L_PRIV 8081

# ----------------------------------------------------------------------------- idempotence

BEFORE=$(table)
t_check "counters are non-zero before the second apply" test "$(counter "$UA")" -gt 0
fw_expect 0 "second apply exits 0" apply
t_check_eq "second apply changes nothing (listing identical, counters kept)" "$BEFORE" "$(table)"
fw_expect 0 "status exits 0" status
t_check "status mentions denied_$UA" grep -q "denied_$UA" <<<"$FW_OUT"
printf '%s\n' "$FW_OUT" | sed 's/^/#   status: /'

# ----------------------------------------------------------------------------- tampering

t_log "the sandbox account cannot change the table"
BEFORE=$(table)
as_user_h() { ip netns exec "$H" timeout 10 setpriv --reuid="$UA" --regid="$(id -g "$A")" --clear-groups -- "$@"; }
OUT=$(as_user_h nft flush ruleset 2>&1)
t_check "A: nft flush ruleset fails" test $? != 0
t_check "A: nft flush ruleset says EPERM" grep -qi 'not permitted' <<<"$OUT"
OUT=$(as_user_h nft delete table inet rcc 2>&1)
t_check "A: nft delete table inet rcc fails" test $? != 0
t_check "A: nft delete table says EPERM" grep -qi 'not permitted' <<<"$OUT"
t_check_fail "A: nft insert rule inet rcc acct_$UA accept fails" as_user_h nft insert rule inet rcc "acct_$UA" accept
t_check_fail "A: nft add element to allow4_$UA fails" \
        as_user_h nft add element inet rcc "allow4_$UA" "{ $L_PRIV . tcp . 8081 }"
if as_user_h unshare -Urn true 2>/dev/null; then
        OUT=$(as_user_h unshare -Urn nft flush ruleset 2>&1)
        t_log "A: unshare -Urn nft flush ruleset exited $? (its own namespace): $OUT"
        t_check_eq "A: flushing in its own user+net namespace leaves H's table alone" "$BEFORE" "$(table)"
        OUT=$(as_user_h unshare -Urn sh -c 'nft add table inet rcc && nft delete table inet rcc' 2>&1)
        t_check_eq "A: a table inet rcc of its own namespace is not H's" "$BEFORE" "$(table)"
else
        t_log "unprivileged user namespaces are off here: the unshare -Urn case does not apply"
fi
AFTER=$(table)
t_check_eq "table unchanged after A's attempts" "$BEFORE" "$AFTER"
refused "$A" "$UA" tcp $L_PRIV 8081

# ----------------------------------------------------------------------------- drift

t_log "status notices a table that is not what the policy compiles to; apply repairs it"
fw_expect 0 "status: current" status
cat >>"$CONF/accounts.d/$A.yaml" <<EOF
    - cidr: $L_PRIV3/32
      ports: [80]
      proto: tcp
EOF
fw_expect 1 "status after the policy changed on disk: not current" status
fw_expect 0 "apply of the changed policy exits 0" apply
fw_expect 0 "status: current again" status
reached "$A" tcp $L_PRIV3 80
write_accounts
fw_expect 0 "apply of the policy as it was exits 0" apply
refused "$A" "$UA" tcp $L_PRIV3 80

# The table has an owner: not even root changes it by hand.
OUT=$(ip netns exec "$H" nft add element inet rcc "allow4_$UA" "{ $L_PRIV . tcp . 8081 }" 2>&1)
t_check "root's hand edit of the owned table is refused" grep -qi 'not permitted' <<<"$OUT"
refused "$A" "$UA" tcp $L_PRIV 8081
OUT=$(ip netns exec "$H" nft flush chain inet rcc "acct_$UA" 2>&1)
t_check "root's flush of acct_$UA is refused" grep -qi 'not permitted' <<<"$OUT"
BEFORE=$(table)
ip netns exec "$H" nft flush ruleset
t_check_eq "nft flush ruleset passes the owned table by" "$BEFORE" "$(table)"
OUT=$(ip netns exec "$H" nft delete table inet rcc 2>&1)
t_check "nft delete table inet rcc is refused" grep -qi 'not permitted' <<<"$OUT"
fw_expect 0 "status: current, held" status
refused "$A" "$UA" tcp $L_META 80

# ----------------------------------------------------------------------------- invalid policies

t_log "an invalid policy changes nothing that is loaded"
invalid_case() { # DESC (the config is already broken)
        local before after rc
        before=$(table)
        fw_expect 1 "$1: apply exits 1" apply
        t_show_output "$FW_OUT" 3
        after=$(table)
        t_check_eq "$1: loaded table byte-for-byte unchanged" "$before" "$after"
        fw_expect 1 "$1: check exits 1" check
}

t_write_file "$CONF/rcc.yaml" 0644 <<EOF
version: 1
network:
  mode: bogus
  resolvers: [$L_DNS]
EOF
invalid_case "mode: bogus"
t_write_file "$CONF/rcc.yaml" 0644 <<EOF
version: 1
network:
  mode: public
  allow:
    - cidr: 10.20.0.500/32
EOF
invalid_case "a bad cidr"
t_write_file "$CONF/rcc.yaml" 0644 <<EOF
version: 1
network: [
EOF
invalid_case "broken YAML"
write_defaults public
chmod 0664 "$CONF/accounts.d/$A.yaml"
invalid_case "a group-writable account file"
chmod 0644 "$CONF/accounts.d/$A.yaml"
chown "$A" "$CONF/accounts.d/$A.yaml"
invalid_case "an account file owned by the account"
chown root "$CONF/accounts.d/$A.yaml"
t_write_file "$CONF/accounts.d/${T_TAG}nosuchuser$T_ID.yaml" 0644 <<EOF
version: 1
EOF
invalid_case "an account file for a user that does not exist"
rm -f "$CONF/accounts.d/${T_TAG}nosuchuser$T_ID.yaml"
fw_expect 0 "the repaired policy checks again" check
refused "$A" "$UA" tcp $L_PRIV 8081

# ----------------------------------------------------------------------------- strict mode

t_log "strict mode: only the allowlist and the resolvers"
write_defaults strict
fw_expect 0 "apply (strict) exits 0" apply
OTHER_UID=$UB
refused "$A" "$UA" tcp $L_PUB 80
refused "$A" "$UA" udp $L_PUB 53
refused "$A" "$UA" tcp $L_PUB6 80
refused "$A" "$UA" tcp "$T_L4" 80
refused "$A" "$UA" tcp $L_PRIV 8081
refused "$A" "$UA" tcp $L_META 80
refused "$A" "$UA" tcp 127.0.0.1 80
refused "$A" "$UA" tcp $L_DNS 54
reached "$A" tcp $L_PRIV 8080
reached "$A" tcp $L_ULA 8080
reached "$A" tcp $L_DNS 53
reached "$A" udp $L_DNS 53
icmp_refused "$A" "$UA" $L_PUB
OTHER_UID=$UA
refused "$B" "$UB" tcp $L_PUB 80
reached "$B" tcp $L_PRIV2 80
OTHER_UID=
reached "$O" tcp $L_PUB 80
reached "$O" tcp $L_PRIV 8081
reached root tcp $L_PUB 80

# ----------------------------------------------------------------------------- remove

fw_expect 0 "remove exits 0" remove
t_check_fail "table inet rcc is gone" has_table
reached "$A" tcp $L_PRIV 8081
reached "$A" tcp $L_META 80
reached "$A" tcp 127.0.0.1 80
reached "$A" tcp $L_PUB 80
reached "$B" tcp $L_PRIV 8080
fw_expect 0 "remove again exits 0" remove
fw_expect 1 "status with no table exits 1" status

t_finish
