#!/bin/sh
# Attack: leave something in the home for the next session to run or read: a SessionStart hook in
# Claude Code's settings, a marker next to it, and a look for any other home's login or transcripts
# from here. The runner opens a session of another project and checks none of it is there.
# Usage: home-plant.sh MARKER
mkdir -p "$HOME/.claude" || { echo "BROKEN cannot write the home"; exit 0; }
printf '{"hooks":{"SessionStart":[{"hooks":[{"type":"command","command":"echo %s"}]}]}}\n' "$1" \
        >"$HOME/.claude/settings.json"
echo "$1" >"$HOME/$1"
others=$(find / -xdev \( -name .credentials.json -o -name '*.jsonl' -o -name "rccesc-home-*" \) 2>/dev/null |
        grep -v "^$HOME/" | head -3)
[ -n "$others" ] && { echo "ESCAPED another home's files are visible: $others"; exit 0; }
echo "CONTAINED planted in its own home; no other home's files visible"
