#!/bin/sh
# Attack: mount: a tmpfs, a bind mount of /, a read-write remount and an unmount of the read-only
# carve-outs. All need CAP_SYS_ADMIN, which the session does not have.
why() {
        case $1 in *"not permitted"*) echo EPERM ;; *"Permission denied"*) echo EACCES ;; *) echo "error($1)" ;; esac
}
mkdir -p /tmp/rcc-escape-mnt
res="" bad=""
try() {
        label=$1
        shift
        if err=$("$@" 2>&1); then bad="$bad $label"; res="$res $label=WORKED"; else res="$res $label=$(why "$err")"; fi
}
try tmpfs mount -t tmpfs rcc-escape /tmp/rcc-escape-mnt
try bind mount --bind / /tmp/rcc-escape-mnt
try remount-hooks-rw mount -o remount,rw,bind /workspace/.git/hooks
try umount-hooks umount /workspace/.git/hooks
try umount-config umount -l /workspace/.git/config
try proc mount -t proc proc /tmp/rcc-escape-mnt
[ -z "$bad" ] || { echo "ESCAPED$res"; exit 0; }
echo "CONTAINED$res"
