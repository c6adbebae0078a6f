#!/bin/sh
# Attack: connect to abstract unix sockets of the host (listeners the runner started in the host's
# network namespace, as root and as the sandbox account). Abstract names belong to a network
# namespace; the control shows abstract sockets themselves work in the container.
# Usage: abstract-socket.sh PROBE NAME...
probe=$1
shift
[ -x "$probe" ] || { echo "BROKEN no probe at $probe"; exit 0; }
ctl=$("$probe" abstract-self)
[ "$ctl" = "reached self" ] || { echo "BROKEN the control (an abstract socket of its own) failed: $ctl"; exit 0; }
res=""
for n in "$@"; do
        r=$("$probe" abstract "$n")
        case $r in connected*) echo "ESCAPED connected to the host's @$n: $r"; exit 0 ;; esac
        res="$res @$n=${r#failed }"
done
echo "CONTAINED$res (own abstract socket: works)"
