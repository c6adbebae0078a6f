#!/bin/sh
# Attack: signals to processes outside the container: SIGKILL and SIGWINCH to host processes by pid
# (the runner's, one running as the sandbox account itself and one as root), and SIGWINCH to every
# process it may signal (kill -1). The runner checks on the host that they are alive and got
# nothing. Usage: signals.sh PID...
res=""
for p in "$@"; do
        if e=$(kill -9 "$p" 2>&1); then res="$res kill-9($p)=sent"; else
                case $e in *"No such process"*) res="$res kill-9($p)=ESRCH" ;; *"not permitted"*) res="$res kill-9($p)=EPERM" ;;
                *) res="$res kill-9($p)=error($e)" ;; esac
        fi
        kill -WINCH "$p" 2>/dev/null
done
kill -WINCH -1 2>/dev/null && res="$res kill-WINCH(-1)=sent(to the container's own processes)"
echo "CONTAINED$res"
