#!/bin/sh
# Attack: a new user namespace to regain capabilities (unshare -r / -U), then use them: mount (a
# tmpfs named after MARKER, which the runner looks for in the host's mount table), unmount or
# remount read-write the read-only carve-outs, write .git/hooks, write a host-wide sysctl (the
# value it already has). Refused outright (seccomp, no_new_privs), or capabilities that reach
# nothing but the new namespaces. Usage: unshare.sh MARKER
m=$1
why() {
        case $1 in *"not permitted"*) echo EPERM ;; *"Permission denied"*) echo EACCES ;;
        *"Read-only file system"*) echo EROFS ;; *"Invalid argument"*) echo EINVAL ;; *"No such file"*) echo ENOENT ;;
        *) echo "error($1)" ;; esac
}
res=""
for flags in -r -U "-r -m" "-r -n" "-r -p -f"; do
        # shellcheck disable=SC2086
        if err=$(unshare $flags true 2>&1); then res="$res unshare${flags// /}=ok"; else res="$res unshare${flags// /}=$(why "$err")"; fi
done
case $res in *=ok*) ;; *) echo "CONTAINED no new namespaces:$res"; exit 0 ;; esac
# Landlock refuses the write to /proc/self/setgroups and uid_map that -r needs: a namespace of
# its own (-U) then has only the overflow uid, and no root to regain anything with.
case $res in *unshare-r=ok*) ;; *) echo "CONTAINED no root in a new user namespace (its maps cannot be written):$res"; exit 0 ;; esac
# shellcheck disable=SC2016
inner=$(unshare -r -m sh -c '
        m=$1
        r() { label=$1; shift; if e=$("$@" 2>&1); then echo "$label=WORKED"; else echo "$label=$e"; fi; }
        echo "caps=$(grep CapEff /proc/self/status | tr -d "\t")"
        mkdir -p /tmp/rcc-escape-ns
        r tmpfs mount -t tmpfs "rcc-escape-$m" /tmp/rcc-escape-ns
        r umount-hooks umount /workspace/.git/hooks
        r remount-hooks-rw mount -o remount,rw,bind /workspace/.git/hooks
        r write-hook sh -c "echo planted >/workspace/.git/hooks/pre-commit"
        r sysctl sh -c "cat /proc/sys/kernel/printk_ratelimit >/proc/sys/kernel/printk_ratelimit"
        r hostname hostname rcc-escape
' sh "$m" 2>&1 | tr '\n' ' ')
case $inner in
*"write-hook=WORKED"* | *"sysctl=WORKED"*) echo "ESCAPED$res; in the new namespaces: $inner" ;;
*"caps="*) echo "CONTAINED$res; in the new namespaces (capabilities over them only): $inner" ;;
*) echo "BROKEN$res; unshare -r -m sh failed: $inner" ;;
esac
