# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared helpers for the integration tests and the benchmarks. Source it after setting T_TAG, a
# short lowercase tag unique to the test (e.g. "rcctf"). Everything this library creates is named
# T_TAG + the shell's pid + a suffix, so parallel runs never collide and leftovers of a crashed
# run (whose pid is gone) are recognised and removed by t_clean_stale at the start of the next.
#
# Network rule: all traffic stays inside network namespaces made here. Nothing touches the
# machine's own network namespace: no addresses, no routes, no nftables rules.
#
# Exit codes follow meson: 0 pass, 1 fail, 77 skip (the machine lacks something; says what),
# 99 hard error (the test itself could not run as it should).

: "${T_TAG:?set T_TAG before sourcing lib.sh}"
T_ID="$$"
T_PASS=0
T_FAIL=0
T_CLEANUPS=()
T_NETNS=()
T_USERS=()
T_TMPDIRS=()

t_log() { printf '# %s\n' "$*"; }

t_skip() {
        printf '1..0 # SKIP %s\n' "$*"
        exit 77
}

t_die() {
        printf 'Bail out! %s\n' "$*" >&2
        exit 99
}

# ----------------------------------------------------------------------------- requirements

t_require_root() {
        [ "$(id -u)" = 0 ] || t_skip "needs root (creates network namespaces, users and nftables tables)"
}

# t_require_cmd CMD DEBIAN-PACKAGE [CMD PACKAGE]...
t_require_cmd() {
        while [ $# -ge 2 ]; do
                command -v "$1" >/dev/null 2>&1 || t_skip "needs '$1' (Debian package: $2)"
                shift 2
        done
}

# The kernel must let us make a network namespace and load nftables into it.
t_require_netns_nft() {
        local ns="${T_TAG}${T_ID}probe"
        ip netns add "$ns" 2>/dev/null || t_skip "cannot create network namespaces (ip netns add failed)"
        if ! ip netns exec "$ns" nft -f - 2>/dev/null <<'EOF'; then
table inet rcct_probe {
        chain c { type filter hook output priority filter; policy accept; fib daddr type local counter reject with icmpx admin-prohibited; }
}
EOF
                ip netns del "$ns"
                t_skip "nftables in a network namespace is unavailable (need nf_tables, nft_fib, nft_reject)"
        fi
        ip netns del "$ns"
}

# ----------------------------------------------------------------------------- cleanup

t_add_cleanup() { T_CLEANUPS+=("$*"); }

t_kill_netns_procs() {
        local ns="$1" pids
        pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
        [ -n "$pids" ] || return 0
        # shellcheck disable=SC2086
        kill $pids 2>/dev/null
        sleep 0.2
        pids=$(ip netns pids "$ns" 2>/dev/null)
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
        return 0
}

t_del_netns() {
        t_kill_netns_procs "$1"
        ip netns del "$1" 2>/dev/null || true
}

t_del_user() {
        local u="$1"
        getent passwd "$u" >/dev/null || return 0
        local pids
        pids=$(ps -o pid= -u "$u" 2>/dev/null) # our throwaway user runs nothing but what we started
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
        userdel "$u" 2>/dev/null || userdel -f "$u" 2>/dev/null || true
        getent group "$u" >/dev/null && groupdel "$u" 2>/dev/null
        return 0
}

t_cleanup() {
        local rc=$? i
        trap - EXIT INT TERM
        for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do
                eval "${T_CLEANUPS[i]}" >/dev/null 2>&1 || true
        done
        for i in "${T_NETNS[@]}"; do t_del_netns "$i"; done
        for i in "${T_USERS[@]}"; do t_del_user "$i"; done
        for i in "${T_TMPDIRS[@]}"; do [ -n "$i" ] && rm -rf -- "$i"; done
        exit "$rc"
}
trap t_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Remove what earlier runs of this same test (same T_TAG) left behind when they were killed: a
# name T_TAG<pid><suffix> whose pid no longer exists.
t_clean_stale() {
        local name pid re="^${T_TAG}([0-9]+)[a-z0-9]*$"
        for name in $(ip netns list 2>/dev/null | awk '{print $1}'); do
                [[ $name =~ $re ]] || continue
                pid="${BASH_REMATCH[1]}"
                [ "$pid" = "$T_ID" ] && continue
                kill -0 "$pid" 2>/dev/null && continue
                t_log "removing netns $name left by a crashed run"
                t_del_netns "$name"
        done
        for name in $(getent passwd | cut -d: -f1); do
                [[ $name =~ $re ]] || continue
                pid="${BASH_REMATCH[1]}"
                [ "$pid" = "$T_ID" ] && continue
                kill -0 "$pid" 2>/dev/null && continue
                t_log "removing user $name left by a crashed run"
                t_del_user "$name"
        done
        for name in "${TMPDIR:-/tmp}/${T_TAG}"[0-9]*; do
                [ -d "$name" ] || continue
                [[ ${name##*/} =~ ^${T_TAG}([0-9]+)\. ]] || continue
                pid="${BASH_REMATCH[1]}"
                kill -0 "$pid" 2>/dev/null && continue
                rm -rf -- "$name"
        done
}

# ----------------------------------------------------------------------------- resources

# t_mktemp_dir VAR: a fresh directory, root-owned, mode 0755, removed on exit.
t_mktemp_dir() {
        local _t_d
        _t_d=$(mktemp -d "${TMPDIR:-/tmp}/${T_TAG}${T_ID}.XXXXXX") || t_die "mktemp failed"
        T_TMPDIRS+=("$_t_d")
        chown root:root "$_t_d" || t_die "cannot chown $_t_d"
        chmod 0755 "$_t_d" || t_die "cannot chmod $_t_d"
        printf -v "$1" '%s' "$_t_d"
}

# t_write_file PATH MODE < content: root-owned file with MODE.
t_write_file() {
        local path="$1" mode="${2:-0644}"
        mkdir -p "$(dirname "$path")"
        cat >"$path" || t_die "cannot write $path"
        chown root:root "$path" || t_die "cannot chown $path"
        chmod "$mode" "$path" || t_die "cannot chmod $path"
}

# t_make_config_dir VAR: DIR with accounts.d/, root-owned, 0755.
t_make_config_dir() {
        local _t_c
        t_mktemp_dir _t_c
        mkdir -m 0755 "$_t_c/accounts.d" || t_die "cannot create $_t_c/accounts.d"
        printf -v "$1" '%s' "$_t_c"
}

# t_add_user VAR SUFFIX: a throwaway system user (and its group) named T_TAG<pid>SUFFIX.
t_add_user() {
        local _t_u="${T_TAG}${T_ID}$2"
        [ ${#_t_u} -le 32 ] || t_die "user name $_t_u is too long"
        T_USERS+=("$_t_u")
        useradd --system --no-create-home --user-group --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$_t_u" || t_die "useradd $_t_u failed"
        printf -v "$1" '%s' "$_t_u"
}

# t_add_netns VAR SUFFIX: an empty network namespace with lo up.
t_add_netns() {
        local _t_n="${T_TAG}${T_ID}$2"
        T_NETNS+=("$_t_n")
        ip netns add "$_t_n" || t_die "ip netns add $_t_n failed"
        ip -n "$_t_n" link set lo up
        printf -v "$1" '%s' "$_t_n"
}

# t_netns_pair HVAR LVAR: two namespaces joined by a veth pair,
#   H: $T_VETH_H = $T_H4/24, $T_H6/64, $T_H_LL/64     L: $T_VETH_L = $T_L4/24, $T_L6/64, $T_L_LL/64
# with default routes (v4 and v6) in H via L and in L via H. The addresses default to global
# unicast ones (45.90.0.0/24, 2a0e:77::/64) that exist only inside these two namespaces: the
# veth carries them nowhere else. Set T_H4 etc. before the call to use others.
t_netns_pair() {
        local -n _h="$1" _l="$2"
        : "${T_H4:=45.90.0.1}" "${T_L4:=45.90.0.2}" "${T_H6:=2a0e:77::1}" "${T_L6:=2a0e:77::2}"
        : "${T_L_LL:=fe80::77:2}" "${T_H_LL:=fe80::77:1}"
        t_add_netns _h h
        t_add_netns _l l
        T_VETH_H="${T_TAG:0:6}${T_ID}h"
        T_VETH_L="${T_TAG:0:6}${T_ID}l"
        T_VETH_H="${T_VETH_H:0:15}"
        T_VETH_L="${T_VETH_L:0:15}"
        ip link add "$T_VETH_H" netns "$_h" type veth peer name "$T_VETH_L" netns "$_l" ||
                t_die "cannot create veth pair"
        local ns dev a4 a6 ll
        for ns in "$_h" "$_l"; do
                if [ "$ns" = "$_h" ]; then dev=$T_VETH_H a4=$T_H4 a6=$T_H6 ll=$T_H_LL; else dev=$T_VETH_L a4=$T_L4 a6=$T_L6 ll=$T_L_LL; fi
                ip -n "$ns" link set "$dev" addrgenmode none 2>/dev/null
                ip -n "$ns" link set "$dev" up
                ip -n "$ns" addr add "$a4/24" dev "$dev"
                ip -n "$ns" -6 addr add "$a6/64" dev "$dev" nodad
                ip -n "$ns" -6 addr add "$ll/64" dev "$dev" nodad
        done
        ip -n "$_h" route add default via "$T_L4" dev "$T_VETH_H" || t_die "cannot add v4 default route in $_h"
        ip -n "$_h" -6 route add default via "$T_L6" dev "$T_VETH_H" || t_die "cannot add v6 default route in $_h"
        # Replies from L to H's addresses leave through the veth; no other route exists in L.
        ip -n "$_l" route add default via "$T_H4" dev "$T_VETH_L"
        ip -n "$_l" -6 route add default via "$T_H6" dev "$T_VETH_L"
}

# t_ns_addr NS ADDR: put ADDR (v4 /32 or v6 /128) on NS's lo.
t_ns_addr() {
        local ns="$1" a="$2"
        if [[ $a == *:* ]]; then
                ip -n "$ns" -6 addr add "$a/128" dev lo nodad || t_die "cannot add $a in $ns"
        else
                ip -n "$ns" addr add "$a/32" dev lo || t_die "cannot add $a in $ns"
        fi
}

# socat address syntax: v6 literals go in brackets.
t_sockaddr() { if [[ $1 == *:* ]]; then printf '[%s]:%s' "$1" "$2"; else printf '%s:%s' "$1" "$2"; fi; }

# t_banner ADDR PORT [tcp|udp]: what the server at ADDR:PORT answers.
# (socat's SYSTEM: would cut the text at the first ':', so v6 colons become '_'.)
t_banner() {
        local a="${1//[:%]/_}"
        printf 'rcct-%s-%s-%s' "${3:-tcp}" "$a" "$2"
}

T_SERVERS=()

# t_wait_servers: wait until every server started so far listens.
t_wait_servers() {
        local srv ns proto addr port i want
        for srv in "${T_SERVERS[@]}"; do
                read -r ns proto addr port <<<"$srv"
                if [[ $addr == *:* ]]; then want="[$addr]:$port"; else want="$addr:$port"; fi
                for ((i = 0; i < 50; i++)); do
                        ip netns exec "$ns" ss -Hln "--$proto" "sport = :$port" | grep -qF " $want " && break
                        sleep 0.1
                done
                [ "$i" -lt 50 ] || t_die "no $proto listener on $want in $ns"
        done
}

# t_tcp_server NS ADDR PORT: a TCP server on ADDR:PORT in NS that writes its banner and closes.
# ADDR may be 0.0.0.0 or :: for a wildcard listener.
t_tcp_server() {
        local ns="$1" addr="$2" port="$3" listen
        if [[ $addr == *:* ]]; then listen="TCP6-LISTEN:$port,bind=[$addr],ipv6only=1"; else listen="TCP4-LISTEN:$port,bind=$addr"; fi
        ip netns exec "$ns" socat "$listen,fork,reuseaddr" "SYSTEM:echo $(t_banner "$addr" "$port")" \
                </dev/null >/dev/null 2>&1 &
        t_add_cleanup "kill $! 2>/dev/null"
        T_SERVERS+=("$ns tcp $addr $port")
}

# t_udp_server NS ADDR PORT: answers every datagram with its banner.
t_udp_server() {
        local ns="$1" addr="$2" port="$3" family=AF_INET
        [[ $addr == *:* ]] && family=AF_INET6
        # One process answering every datagram from its own socket: socat's UDP-RECVFROM,fork lets
        # a lingering child swallow the next client's datagram and answer the previous peer, which
        # made a reachable server look unreachable now and then.
        # shellcheck disable=SC2016
        ip netns exec "$ns" python3 -c '
import socket, sys
family, addr, port, banner = getattr(socket, sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = socket.socket(family, socket.SOCK_DGRAM)
if family == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind((addr, port))
while True:
    _, peer = s.recvfrom(4096)
    s.sendto((banner + "\n").encode(), peer)
' "$family" "$addr" "$port" "$(t_banner "$addr" "$port" udp)" </dev/null >/dev/null 2>&1 &
        t_add_cleanup "kill $! 2>/dev/null"
        T_SERVERS+=("$ns udp $addr $port")
}

# ----------------------------------------------------------------------------- running as a user

# t_as USER: set T_AS to the command prefix that runs a program as USER: USER's uid and primary
# gid, no supplementary groups, and no capabilities (setpriv drops them all once every uid is
# non-zero). USER "root" gives an empty prefix.
t_as() {
        if [ "$1" = root ]; then
                T_AS=()
        else
                T_AS=(setpriv "--reuid=$(id -u "$1")" "--regid=$(id -g "$1")" --clear-groups --)
        fi
}

# as_user USER CMD...: run CMD as USER (see t_as).
as_user() {
        local T_AS
        t_as "$1"
        shift
        "${T_AS[@]}" "$@"
}

# t_now_ms: wall clock in milliseconds.
t_now_ms() {
        local t
        t=$(date +%s%N)
        printf '%s' $((t / 1000000))
}

# t_probe NS USER PROTO ADDR PORT [BANNER-ADDR]: connect from NS as USER to ADDR:PORT (tcp: read
# what the server says; udp: send a datagram, read the answer). Sets PROBE_OUT, PROBE_RC and
# PROBE_MS (elapsed). Returns 0 iff the server's banner came back. BANNER-ADDR is the address
# the server was started with when it differs from ADDR (wildcard, IPv4-mapped, scoped).
T_PROBE_TIMEOUT=${T_PROBE_TIMEOUT:-5}
# shellcheck disable=SC2034 # PROBE_* are for the caller
t_probe() {
        local ns="$1" user="$2" proto="$3" addr="$4" port="$5" baddr="${6:-$4}" fam="" sa t0 t1 T_AS
        [[ $addr == *:* ]] && fam=6
        sa=$(t_sockaddr "$addr" "$port")
        t_as "$user"
        t0=$(t_now_ms)
        if [ "$proto" = udp ]; then
                # bash's /dev/udp is a connected socket: dd's one read returns the first answer
                # whole, or at once the error that an ICMP rejection reports (a rejection in the
                # output hook already fails the write with EPERM). UDP may lose a datagram while
                # the neighbour is resolved, so up to three tries, 1.2 s each.
                # shellcheck disable=SC2016
                PROBE_OUT=$(ip netns exec "$ns" timeout "$T_PROBE_TIMEOUT" "${T_AS[@]}" bash -c '
                        exec 3<>"/dev/udp/$1/$2" || exit 1
                        for try in 1 2 3; do
                                printf "q\n" >&3 || exit 1
                                timeout 1.2 dd bs=4096 count=1 status=none <&3 && exit 0
                                [ $? = 124 ] || exit 1
                        done
                        exit 1' _ "$addr" "$port" 2>&1 </dev/null)
        else
                PROBE_OUT=$(ip netns exec "$ns" timeout "$T_PROBE_TIMEOUT" "${T_AS[@]}" \
                        socat -u "TCP$fam:$sa,connect-timeout=$((T_PROBE_TIMEOUT - 1))" STDOUT 2>&1 </dev/null)
        fi
        PROBE_RC=$?
        t1=$(t_now_ms)
        PROBE_MS=$((t1 - t0))
        [ "$PROBE_RC" = 0 ] && [[ $PROBE_OUT == *"$(t_banner "$baddr" "$port" "$proto")"* ]]
}

# ----------------------------------------------------------------------------- assertions

ok() {
        T_PASS=$((T_PASS + 1))
        printf 'ok %d - %s\n' $((T_PASS + T_FAIL)) "$*"
}

not_ok() {
        T_FAIL=$((T_FAIL + 1))
        printf 'not ok %d - %s\n' $((T_PASS + T_FAIL)) "$*"
}

t_show_output() { [ -z "$1" ] || printf '%s\n' "$1" | head -n "${2:-8}" | sed 's/^/#   /'; }

# t_check DESC CMD...: ok if CMD succeeds; its output is shown only on failure.
t_check() {
        local desc="$1" out
        shift
        if out=$("$@" 2>&1); then
                ok "$desc"
        else
                not_ok "$desc"
                t_show_output "$out"
        fi
}

# t_check_fail DESC CMD...: ok if CMD fails.
t_check_fail() {
        local desc="$1" out
        shift
        if out=$("$@" 2>&1); then
                not_ok "$desc"
                t_show_output "$out"
        else
                ok "$desc"
        fi
}

# t_check_eq DESC EXPECTED ACTUAL: multi-line values are shown as a diff on failure.
t_check_eq() {
        if [ "$2" = "$3" ]; then
                ok "$1"
        elif [[ $2 == *$'\n'* || $3 == *$'\n'* ]]; then
                not_ok "$1"
                diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | tail -n +3 | head -n 30 | sed 's/^/#   /'
        else
                not_ok "$1"
                printf '#   expected: %s\n#   actual:   %s\n' "$2" "$3"
        fi
}

# t_finish: the summary line; exit 1 if anything failed.
t_finish() {
        printf '1..%d\n' $((T_PASS + T_FAIL))
        printf '%d passed, %d failed\n' "$T_PASS" "$T_FAIL"
        [ "$T_FAIL" = 0 ] || exit 1
        exit 0
}
