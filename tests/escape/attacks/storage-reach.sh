#!/bin/sh
# Attack: reach the account's podman storage from inside the session (issue 12: a session that
# reached it re-pointed an image layer's overlay/l link and every later session ran its code).
# /proc/self/mountinfo names the host paths of the container's root (lowerdir, upperdir, the
# layers' short links) and of every bind mount: try to open, list and write each, and the storage
# directories rcc keeps (STORAGE-DIR...). Contained when none of them can be reached from here.
# Usage: storage-reach.sh STORAGE-DIR...
reached=""
tried=0
paths=$(sed -n 's/.*[ ,]\(lowerdir\|upperdir\|workdir\)=\([^ ,]*\).*/\2/p' /proc/self/mountinfo | tr ':' '\n')
for p in $paths "$@" $(awk '{print $4}' /proc/self/mountinfo | grep '^/.' | sort -u); do
        case $p in /workspace* | /proc* | /sys* | /dev*) continue ;; esac
        tried=$((tried + 1))
        if [ -e "$p" ] && { ls "$p" >/dev/null 2>&1 || cat "$p" >/dev/null 2>&1; }; then
                # The same path can exist in the container for other reasons (/etc, say): only a
                # path under the storage counts, or one that holds a podman layer.
                case $p in */storage/* | */overlay/* | */graph*) reached="$reached $p" ;; esac
                [ -e "$p/diff" ] || [ -e "$p/link" ] && reached="$reached $p"
        fi
done
[ "$tried" -gt 0 ] || { echo "BROKEN no host path found in /proc/self/mountinfo"; exit 0; }
[ -n "$reached" ] && { echo "ESCAPED reached the account's storage:$reached"; exit 0; }
echo "CONTAINED none of the $tried host paths mountinfo and rcc name could be reached from the session"
