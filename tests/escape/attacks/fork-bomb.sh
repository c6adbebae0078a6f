#!/bin/sh
# Attack: a fork bomb, bounded: processes that live 8 s each, forked until fork fails (or 3000,
# which the session's limit must stop well before). While they live, READY-FILE tells the runner
# to time a host command. Usage: fork-bomb.sh READY-FILE
ready=$1
fifo=/tmp/rcc-escape-fifo
mkfifo "$fifo" || { echo "BROKEN mkfifo"; exit 0; }
(
        i=0
        while [ $i -lt 3000 ]; do
                sleep 8 &
                i=$((i + 1))
                echo $i >/tmp/rcc-escape-count
        done
) 2>/tmp/rcc-escape-err
# No fork from here on (the bomb holds every process the session may have): builtins only.
n=0 err=""
read -r n </tmp/rcc-escape-count
: >"$ready"
read -r -t 4 _ <>"$fifo"
read -r err </tmp/rcc-escape-err
if [ "$n" -ge 3000 ]; then
        echo "ESCAPED forked $n processes without hitting a limit"
elif [ "$n" -lt 10 ]; then
        echo "BROKEN only $n processes before: $err"
else
        case $err in
        *"Resource temporarily unavailable"* | *"can't fork"*) echo "CONTAINED fork failed after $n processes: $err" ;;
        *) echo "BROKEN stopped after $n processes without a fork error: $err" ;;
        esac
fi
