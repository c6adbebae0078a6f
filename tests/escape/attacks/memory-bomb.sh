#!/bin/sh
# Attack: a memory bomb: one process allocating (and touching) 2 GiB, four times the session's
# 512 MiB; and, to show what the rlimit fallback does not bound, three more processes of 400 MiB
# at once. They keep what they got for 4 s; meanwhile READY-FILE tells the runner to time a host
# command. Usage: memory-bomb.sh PROBE READY-FILE
probe=$1 ready=$2
[ -x "$probe" ] || { echo "BROKEN no probe at $probe"; exit 0; }
fifo=/tmp/rcc-escape-fifo
mkfifo "$fifo" || { echo "BROKEN mkfifo"; exit 0; }
"$probe" membomb 2048 4 >/tmp/rcc-escape-big 2>&1 &
for i in 1 2 3; do "$probe" membomb 400 4 >/tmp/rcc-escape-small$i 2>&1 & done
for _ in $(seq 100); do
        [ -s /tmp/rcc-escape-big ] && [ -s /tmp/rcc-escape-small1 ] && [ -s /tmp/rcc-escape-small2 ] &&
                [ -s /tmp/rcc-escape-small3 ] && break
        read -r -t 0.1 _ <>"$fifo"
done
: >"$ready"
wait
big=$(cat /tmp/rcc-escape-big)
small=$(cat /tmp/rcc-escape-small1 /tmp/rcc-escape-small2 /tmp/rcc-escape-small3 | tr '\n' ';')
case $big in
"stopped after"*ENOMEM*) echo "CONTAINED 2048 MiB in one process: $big; three 400 MiB processes at once: ${small%;} (the rlimit fallback bounds each process, not the session)" ;;
"allocated all"*) echo "ESCAPED one process got 2048 MiB: $big" ;;
*) echo "BROKEN membomb said: $big" ;;
esac
