#!/bin/sh
# Attack: ptrace a host process (HOST-PID: a process of the sandbox account itself on the host,
# started by the runner), and the container's own pid 1. Host pids are not in the container's pid
# namespace: ESRCH, or a container process that happens to have that number (harmless).
# Usage: ptrace.sh PROBE HOST-PID
probe=$1 hpid=$2
[ -x "$probe" ] || { echo "BROKEN no probe at $probe"; exit 0; }
npids=$(ls -d /proc/[0-9]* | wc -l)
visible=no
[ -d "/proc/$hpid" ] && visible="yes($(tr '\0' ' ' <"/proc/$hpid/cmdline"))"
host=$("$probe" ptrace "$hpid")
own=$("$probe" ptrace 1)
case $host in ok)
        case $visible in *rcc-escape-target*) echo "ESCAPED attached to the host process $hpid"; exit 0 ;; esac
        host="ok(a container process with that number: $visible)" ;;
esac
case $own in ok) own="ok(the container's own init: harmless)" ;; esac
echo "CONTAINED $npids pids visible, host pid $hpid visible=$visible; ptrace($hpid)=$host; ptrace(1)=$own"
