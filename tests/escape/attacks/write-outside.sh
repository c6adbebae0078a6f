#!/bin/sh
# Attack: write outside /workspace: the container's root (/, /etc, /usr/local/bin, /root), /tmp,
# the session's home, and the host paths HOST-DIR... (created inside the container where it can).
# What each write meets inside is reported, in four kinds:
#   writable     the container's own filesystem (/tmp, the home volume, an overlay in the account's
#                podman storage): no host effect
#   EACCES(DAC)  the directory is not writable for the account's uid (the image's root owns it)
#   EACCES(Landlock) the directory's mode allows the write, but it was refused (the Landlock
#                launcher: only /workspace, /tmp and the home are writable)
#   EROFS        a read-only mount
# Whether anything reached the host, the runner checks there.
# Usage: write-outside.sh NAME HOST-DIR...
n=$1
shift
writable="" dac="" landlock="" rofs="" other=""
for d in / /etc /usr/local/bin /root /tmp "$HOME" "$@"; do
        if [ ! -d "$d" ] && ! mkdir -p "$d" 2>/dev/null; then
                # The host path is not there; it cannot be made where the image's root owns the parents.
                p=$d
                while [ ! -d "$p" ]; do p=$(dirname "$p"); done
                if [ -w "$p" ]; then landlock="$landlock $d(mkdir)"; else dac="$dac $d(no parent)"; fi
                continue
        fi
        f="${d%/}/$n"
        if err=$( (echo rcc-escape >"$f") 2>&1); then
                writable="$writable $d"
        else
                case $err in
                *"Permission denied"*) if [ -w "$d" ]; then landlock="$landlock $d"; else dac="$dac $d"; fi ;;
                *"Read-only file system"*) rofs="$rofs $d" ;;
                *) other="$other $d($err)" ;;
                esac
        fi
done
[ -z "$other" ] || { echo "BROKEN unexpected errors:$other"; exit 0; }
echo "CONTAINED container filesystem writable (no host effect):${writable:- none}; EACCES (DAC, the image's root owns it):${dac:- none}; EACCES (Landlock):${landlock:- none}; EROFS:${rofs:- none}"
