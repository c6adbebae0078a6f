#!/bin/sh
# Attack: a memory bomb: one process allocating (and touching) 2 GiB, four times the session's
# 512 MiB, and three more of 400 MiB at once. They keep what they got for 4 s; meanwhile
# READY-FILE tells the runner to time a host command. Usage: memory-bomb.sh PROBE READY-FILE
#
# Two ways to contain it, and the attack says which it met:
# - cgroup: the container's memory.max is a number (a systemd user session delegates the
#   controller). The session as a whole cannot exceed it: the kernel's OOM killer ends what
#   grows past it, so the big process must die (SIGKILL, exit 137) or fail to allocate, and
#   memory.events must count the kill.
# - rlimit fallback (no delegated memory controller): each process is bounded, not the session,
#   so the big one must fail with ENOMEM while the three small ones all succeed.
probe=$1 ready=$2
[ -x "$probe" ] || { echo "BROKEN no probe at $probe"; exit 0; }
fifo=/tmp/rcc-escape-fifo
mkfifo "$fifo" || { echo "BROKEN mkfifo"; exit 0; }
max=$(cat /sys/fs/cgroup/memory.max 2>/dev/null)
oom_kills() { sed -n 's/^oom_kill //p' /sys/fs/cgroup/memory.events 2>/dev/null; }
case $max in
[0-9]*) mode=cgroup oom0=$(oom_kills) ;;
*) mode=rlimit ;;
esac
"$probe" membomb 2048 4 >/tmp/rcc-escape-big 2>&1 &
big=$!
for i in 1 2 3; do "$probe" membomb 400 4 >/tmp/rcc-escape-small$i 2>&1 & done
# Under way once every process has said how far it got, or (cgroup) once the OOM killer acted.
for _ in $(seq 100); do
        [ -s /tmp/rcc-escape-big ] && [ -s /tmp/rcc-escape-small1 ] && [ -s /tmp/rcc-escape-small2 ] &&
                [ -s /tmp/rcc-escape-small3 ] && break
        [ "$mode" = cgroup ] && [ "$(oom_kills)" != "$oom0" ] && break
        read -r -t 0.1 _ <>"$fifo"
done
: >"$ready"
wait "$big"
big_rc=$?
wait
said=$(cat /tmp/rcc-escape-big)
small=""
for i in 1 2 3; do
        s=$(cat /tmp/rcc-escape-small$i)
        small="$small${small:+; }${s:-killed before it said anything}"
done
case $said in
"allocated all"*) echo "ESCAPED one process got 2048 MiB ($mode): $said"; exit 0 ;;
esac
if [ "$mode" = cgroup ]; then
        oom=$(oom_kills)
        if [ "${oom:-0}" -gt "${oom0:-0}" ]; then
                echo "CONTAINED cgroup memory.max=$max: the 2048 MiB process ${said:-was killed (exit $big_rc)}; oom_kill $oom0 -> $oom; the three 400 MiB processes: $small"
        else
                echo "BROKEN cgroup memory.max=$max, but the 2048 MiB process exited $big_rc ('$said') with oom_kill $oom0 -> $oom"
        fi
        exit 0
fi
case $said in
"stopped after"*ENOMEM*) echo "CONTAINED 2048 MiB in one process: $said; three 400 MiB processes at once: $small (the rlimit fallback bounds each process, not the session)" ;;
*) echo "BROKEN membomb said: $said (exit $big_rc)" ;;
esac
