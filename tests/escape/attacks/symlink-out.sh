#!/bin/sh
# Attack: symlinks and '..' out of the project. Links in /workspace to host paths (a host secret,
# /etc/shadow, the host's project root) resolve inside the container, where those paths are not;
# `cd /workspace/../..` ends at the container's root. The runner then asks rcc-shell on the host
# for a session whose project is the agent's link (it must refuse), and checks the links did not
# make any host file readable. Last, it tries to make .envrc (a read-only carve-out the project
# does not have) a link to HOST-FILE; rcc-shell holds a read-only placeholder there, so this should
# fail. The runner plants that link itself if it did (a cloned repository may carry one) and
# checks the next session does not mount what it points to.
# Usage: symlink-out.sh MARKER HOST-SECRET HOST-PROJECT HOST-FILE
m=$1 secret=$2 hostproj=$3 hostfile=$4
cd /workspace || { echo "BROKEN no /workspace"; exit 0; }
ln -sfn "$secret" rcc-escape-link-secret && ln -sfn /etc/shadow rcc-escape-link-shadow &&
        ln -sfn "$(dirname "$secret")" rcc-escape-link-dir && ln -sfn / rcc-escape-link-root ||
        { echo "BROKEN cannot create symlinks in /workspace"; exit 0; }
seen=""
for p in rcc-escape-link-secret rcc-escape-link-shadow rcc-escape-link-dir/$(basename "$secret") \
        "rcc-escape-link-root$secret" "/workspace/../..$secret" "/workspace/../../$hostproj/MARKER"; do
        if out=$(cat "$p" 2>/dev/null); then
                case $out in *"$m"*) echo "ESCAPED read the host secret through $p"; exit 0 ;; esac
                seen="$seen $p=readable-without-marker"
        else
                seen="$seen $p=unreadable"
        fi
done
top=$(cd /workspace/../.. && pwd && ls | tr '\n' ' ')
case $top in "/"*" workspace "*) ;; *) echo "ESCAPED cd /workspace/../.. is not the container's root: $top"; exit 0 ;; esac
if err=$(ln -sfn "$hostfile" .envrc 2>&1); then
        envrc=".envrc -> $hostfile planted"
else
        envrc=".envrc not plantable (read-only placeholder): $err"
fi
echo "CONTAINED links resolve in the container:$seen; /workspace/../.. = container root; $envrc"
