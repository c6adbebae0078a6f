#!/bin/sh
# Attack: fill the host's disk: write MIB mebibytes to the session's home, to /tmp and to the
# image's own file system. Contained when each stops (ENOSPC, or EROFS for the image) before
# taking all of it; the runner checks that the host's file system did not take more than the
# account's bound.
# Usage: disk-fill.sh MIB
n=$1
res=""
for d in "$HOME" /tmp /; do
        f="${d%/}/rcc-disk-fill"
        err=$(dd if=/dev/zero of="$f" bs=1M count="$n" 2>&1 >/dev/null)
        got=$(($(wc -c <"$f" 2>/dev/null || echo 0) / 1048576))
        rm -f "$f"
        case $err in
        *"No space left on device"* | *"Disk quota exceeded"*) res="$res $d:ENOSPC-after-${got}MiB" ;;
        *"Read-only file system"*) res="$res $d:EROFS" ;;
        *) echo "ESCAPED $d took all $got MiB asked for ($err)"; exit 0 ;;
        esac
done
echo "CONTAINED$res"
