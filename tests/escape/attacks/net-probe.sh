#!/bin/sh
# Attack: reach blocked network destinations from inside the session. Each TARGET (proto,addr,port)
# must be refused; each CONTROL (public destinations the policy allows) must be reached, or the
# refusals prove nothing (no network at all). A target may say "?proto,addr,port": reached or
# not, it is reported, never a failure (e.g. what public mode allows).
# Usage: net-probe.sh PROBE CONTROL... -- TARGET...
probe=$1
shift
[ -x "$probe" ] || { echo "BROKEN no probe at $probe"; exit 0; }
ctl="" res="" bad="" info=""
while [ $# -gt 0 ] && [ "$1" != -- ]; do
        IFS=, read -r proto addr port <<E
$1
E
        r=$("$probe" connect "$proto" "$addr" "$port" 3000)
        case $r in reached*) ctl="$ctl $proto:$addr:$port" ;;
        *) echo "BROKEN control $proto $addr:$port not reached ($r): no network in the session?"; exit 0 ;; esac
        shift
done
shift
for t in "$@"; do
        opt=no
        case $t in "?"*) opt=yes t=${t#?} ;; esac
        IFS=, read -r proto addr port <<E
$t
E
        r=$("$probe" connect "$proto" "$addr" "$port" 3000)
        if [ $opt = yes ]; then info="$info $proto:$addr:$port=${r#failed }"; continue; fi
        case $r in
        reached*) bad="$bad $proto:$addr:$port($r)" ;;
        failed* | timeout*) res="$res $proto:$addr:$port=${r#failed }" ;;
        *) echo "BROKEN $proto $addr:$port: $r"; exit 0 ;;
        esac
done
[ -z "$bad" ] || { echo "ESCAPED reached:$bad"; exit 0; }
echo "CONTAINED refused:$res; controls reached:$ctl${info:+; informational:$info}"
