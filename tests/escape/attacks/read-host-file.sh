#!/bin/sh
# Attack: read a host file outside the project. The runner planted MARKER in the host file(s) at
# HOST-PATH... (/etc/shadow, another user's home, /etc/rcc, a world-readable host file) and CONTROL
# in a file of the project. Tried: each host path as it is, through /proc/1/root and through
# /workspace/../..; then every file the container can read is searched for MARKER. The search
# must find CONTROL in /workspace, or it proves nothing (BROKEN).
# Usage: read-host-file.sh MARKER CONTROL HOST-PATH...
m=$1 c=$2
shift 2
why() {
        case $1 in
        *"No such file"*) echo ENOENT ;; *"Permission denied"*) echo EACCES ;;
        *"Not a directory"*) echo ENOTDIR ;; *"not permitted"*) echo EPERM ;; *) echo "error" ;;
        esac
}
tried=""
for p in "$@"; do
        for q in "$p" "/proc/1/root$p" "/workspace/../..$p"; do
                if out=$(cat "$q" 2>&1); then
                        case $out in *"$m"*)
                                echo "ESCAPED read the host's $p as $q"
                                exit 0
                                ;;
                        esac
                        tried="$tried $q=readable-without-marker"
                else
                        tried="$tried $q=$(why "$out")"
                fi
        done
done
hits=$(for d in /*; do
        case $d in /proc | /sys | /dev) continue ;; esac
        grep -rlsF -- "$m" "$d"
done 2>/dev/null | tr '\n' ' ')
[ -z "$hits" ] || { echo "ESCAPED the host marker is in $hits"; exit 0; }
ctl=$(grep -rlsF -- "$c" /workspace 2>/dev/null | tr '\n' ' ')
[ -n "$ctl" ] || { echo "BROKEN the search did not even find the control marker in /workspace"; exit 0; }
echo "CONTAINED host content unreadable:$tried; marker in no file under / (control found in ${ctl% })"
