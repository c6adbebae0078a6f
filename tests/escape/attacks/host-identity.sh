#!/bin/sh
# Attack: learn the host from the container's own files: its name and address in /etc/hosts
# (podman writes host.containers.internal there unless told not to), its name as the container's
# hostname, rcc-shell's host pid in the container's name (/run/.containerenv). HOST-NAME is the
# host's name. Contained when none of them shows.
# Usage: host-identity.sh HOST-NAME
found=""
grep -qi 'host.containers.internal\|host.docker.internal' /etc/hosts 2>/dev/null && found="$found host.containers.internal-in-/etc/hosts"
grep -qw "$1" /etc/hosts /etc/hostname 2>/dev/null && found="$found host-name-in-/etc/hosts-or-hostname"
[ "$(hostname)" = "$1" ] && found="$found host-name-as-hostname"
if [ -r /run/.containerenv ]; then
        name=$(sed -n 's/^name="\(.*\)"$/\1/p' /run/.containerenv)
        # rcc-ACCOUNT-HEX: 16 hex digits of chance, no decimal pid.
        case $name in *-[0-9]*-*) found="$found pid-in-container-name($name)" ;; esac
fi
[ -n "$found" ] && { echo "ESCAPED the session learns the host:$found"; exit 0; }
echo "CONTAINED no host name, address or pid in /etc/hosts, the hostname or the container's name"
