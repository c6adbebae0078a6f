#!/bin/sh
# Attack: hard links to files outside the project: the container's /etc/passwd and the read-only
# .git/config carve-out linked into the writable project, then written through the link. A link
# across mounts is refused (EXDEV); had one been made, it would link only the container's copy.
# The runner checks the host's /etc/passwd and .git/config did not change.
cd /workspace || { echo "BROKEN no /workspace"; exit 0; }
res="" bad=""
for src in /etc/passwd /workspace/.git/config /bin/busybox; do
        dst=rcc-escape-hardlink-$(basename "$src")
        if err=$(ln "$src" "$dst" 2>&1); then
                if (echo rcc-escape >>"$dst") 2>/dev/null; then
                        case $src in /workspace/*) bad="$bad $src" ;; esac
                        res="$res $src=linked+written(container copy)"
                else
                        res="$res $src=linked-readonly"
                fi
        else
                case $err in *"cross-device"*) res="$res $src=EXDEV" ;; *"not permitted"*) res="$res $src=EPERM" ;;
                *) res="$res $src=error($err)" ;; esac
        fi
done
[ -z "$bad" ] || { echo "ESCAPED wrote a read-only carve-out through a hard link:$bad"; exit 0; }
echo "CONTAINED$res"
