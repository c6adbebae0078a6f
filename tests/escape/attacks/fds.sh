#!/bin/sh
# Attack: descriptors leaked into the container. Every descriptor of this shell, of a fresh process
# (ls) and of the container's pid 1. Expected: stdin, stdout, stderr (pipes, the session's pty,
# /dev/null); this script itself when it runs from a file; ls's own listing; pid 1's signalfd
# (catatonit, podman's init); and the read end of the pipe this shell reads ls's listing from
# (the same pipe as ls's stdout). Nothing may point at a host file, directory or socket.
x=$(ls -l /proc/self/fd/ /proc/$$/fd/ /proc/1/fd/ 2>&1)
own=""
res="" bad="" pid=""
while read -r a _ _ _ _ _ _ _ n _ l; do
        case $a in
        /proc/*/fd/:) pid=${a#/proc/} pid=${pid%/fd/:}; continue ;;
        l[r-][w-]*) ;;
        *) continue ;; # "total", blank lines, ls complaining about its own vanished directory fd

        esac
        [ "$pid" = self ] && [ "$n" = 1 ] && own=$l
        res="$res $pid:$n=$l"
done <<EOF2
$x
EOF2
case $res in *" self:1="*) ;; *) echo "BROKEN could not list /proc/self/fd: $x"; exit 0 ;; esac
for e in $res; do
        p=${e%%:*} rest=${e#*:} n=${rest%%=*} l=${rest#*=}
        case $p:$n:$l in
        *:[012]:pipe:* | *:[012]:/dev/null | *:[012]:/dev/pts/* | *:[012]:/dev/console) ;;
        *:*:/workspace/.rcc-escape/attacks/fds.sh) ;; # this script, run from a file
        self:*:/proc/*/fd | self:*:) ;;              # ls reading the directory
        1:*:anon_inode:\[signalfd\]) ;;              # catatonit
        1:*:) ;;                                     # pid 1's, unreadable (Landlock scopes ptrace)
        "$$:$n:$own") ;;                             # this shell reading ls's output
        *) bad="$bad $e" ;;
        esac
done
[ -z "$bad" ] || { echo "ESCAPED unexpected descriptors:$bad (all:$res)"; exit 0; }
echo "CONTAINED$res"
