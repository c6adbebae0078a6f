#!/bin/sh
# Attack: TIOCSTI keystroke injection into the invoking terminal. Pushes TEXT (a command line) into
# every terminal the session holds or can open. On a tty session the container has a pty of its
# own, so what lands there is read by the session itself, never the human's terminal; the runner
# reads the invoking terminal after the session to see that nothing arrived.
# Usage: tiocsti.sh PROBE TEXT
probe=$1 text=$2
[ -x "$probe" ] || { echo "BROKEN no probe at $probe"; exit 0; }
tty=$(tty 2>/dev/null || echo none)
r=$("$probe" tiocsti "$text
")
# What this shell does not read stays in its own pty; drop it, so the session ends cleanly.
[ "$tty" != none ] && { stty -echo 2>/dev/null; while read -t 0.2 -r _; do :; done; stty echo 2>/dev/null; }
echo "CONTAINED tty=$tty; $r"
