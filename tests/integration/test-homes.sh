#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Session state belongs to one human and one project (issue 14): two humans on one account and one
# human with two projects, on both entry paths, each session writing a marker to its home, a login
# (Claude Code's ~/.claude/.credentials.json), a transcript and a hook; each later session sees
# its own and none of the others', but the human's login, which follows them to their other
# project and never to anyone else. The project files the human's own tools run cannot be written,
# even where they did not exist. Then `rcc-setup state list` and `state remove`, and a human
# removed from the account's users: their homes retired.
#
# Usage: test-homes.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u
T_TAG=rcchm
# shellcheck source=tests/integration/session-env.sh
. "$(dirname "$0")/session-env.sh"

# bob shares the account, with a project of his own and his key; alice has a second project. The
# read-only carve-outs are rcc's defaults.
sed -i "s|^users:|users:\n  $BOB: { projects: [\"$HB/work/*\"] }|" "$CONFIG_DIR/rcc.yaml"
sed -i 's|^  readonly: .*|  readonly: [.git, .envrc, .claude/settings.json, .claude/settings.local.json, .mcp.json, .vscode/tasks.json, .pre-commit-config.yaml]|' "$CONFIG_DIR/rcc.yaml"
PROJ2="$HA/src/proj2"
mkdir -p "$PROJ2"
echo "alice-project-2" >"$PROJ2/MARKER"
chown -R "$ALICE:" "$PROJ2"
t_check "rcc-setup install with bob granted too" h_exec "$SETUP" --account "$ACCT" install
t_check "rcc-setup key add for bob" "$SETUP" key add "$ACCT" "$T/bob.key.pub" --user "$BOB"
PB="$HB/work/projb"

# in_session VIA HUMAN PROJECT CMD: CMD in a session of HUMAN's, over ssh or sudo; OUT and RC.
in_session() {
        local via="$1" human="$2" project="$3" cmd="$4" key
        if [ "$via" = ssh ]; then
                [ "$human" = "$ALICE" ] && key=alice || key=bob
                rssh "$key" "$ACCT" -o "SetEnv=RCC_PROJECT=$project" -- "$cmd"
        else
                rsudo "$human" "$project" -u "$ACCT" claude --rcc-test-sh "$cmd"
        fi
}
# What a session finds of everyone's state: its markers, its login, transcripts and a hook.
LOOK='cd "$HOME"; ls marker-* 2>/dev/null | tr "\n" " "; echo; cat .claude/.credentials.json 2>/dev/null || echo no-login; cat .claude/projects/*/transcript.jsonl 2>/dev/null | tr "\n" " "; echo; grep -l planted-hook .claude/settings.json 2>/dev/null || echo no-hook'
# leave MARKER TOKEN: what a session leaves in its home.
leave() {
        printf 'touch "$HOME/marker-%s"; mkdir -p "$HOME/.claude/projects/-workspace"; echo %s >"$HOME/.claude/.credentials.json"; cat /workspace/MARKER >>"$HOME/.claude/projects/-workspace/transcript.jsonl"' "$1" "$2"
}

in_session ssh "$ALICE" "$PROJ" "$(leave alice-proj alice-token); $LOOK"
expect "ssh: alice's first session of proj has its own marker, login and transcript" 0 \
        $'marker-alice-proj \nalice-token\nalice-project \nno-hook'
# bob's agent plants a hook in his home, as it could in the account's one home before.
in_session ssh "$BOB" "$PB" "$LOOK; $(leave bob-projb bob-token); mkdir -p \$HOME/.claude; echo '{\"hooks\":{\"SessionStart\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"echo planted-hook\"}]}]}}' >\$HOME/.claude/settings.json"
expect "ssh: bob sees nothing of alice's: no marker, no login, no transcript" 0 $'\nno-login\n\nno-hook'
in_session sudo "$ALICE" "$PROJ2" "$LOOK; $(leave alice-proj2 alice-token-2)"
expect "sudo: alice's other project: no marker or transcript of proj, but her login; no hook" 0 \
        $'\nalice-token\n\nno-hook'
in_session sudo "$ALICE" "$PROJ" "$LOOK"
expect "sudo: alice back in proj: her marker and transcript; the login her other project refreshed" 0 \
        $'marker-alice-proj \nalice-token-2\nalice-project \nno-hook'
in_session sudo "$BOB" "$PB" "$LOOK"
expect "sudo: bob back in his project: his marker, login, transcript and hook, nothing of alice's" 0 \
        $'marker-bob-projb \nbob-token\nbob-project \n.claude/settings.json'
in_session ssh "$ALICE" "$PROJ2" "$LOOK"
expect "ssh: alice's other project: its own marker and transcript, her login" 0 \
        $'marker-alice-proj2 \nalice-token-2\nalice-project-2 \nno-hook'

# The login as the human sees it kept, outside every session's reach: one per human.
STORE="$STATE_DIR/storage/$(id -u "$ACCT")/homes"
t_check_eq "the logins kept: one per human" "alice-token-2 bob-token" \
        "$(cat "$STORE/$ALICE/credentials.json" "$STORE/$BOB/credentials.json" | tr '\n' ' ' | sed 's/ $//')"

# ----------------------------------------------------------------------------- what the human's tools run

# Claude Code's project settings and MCP servers, VS Code's tasks, pre-commit's configuration:
# read-only in the session also where they did not exist (placeholders, removed after it).
rm -f "$PROJ2"/.mcp.json
in_session ssh "$ALICE" "$PROJ2" 'for f in .claude/settings.json .claude/settings.local.json .mcp.json .vscode/tasks.json .pre-commit-config.yaml; do (echo planted >"/workspace/$f") 2>/dev/null && echo "wrote $f"; done; cat /workspace/.mcp.json; mkdir /workspace/.claude/commands && echo commands-ok'
expect "ssh: the files the human's tools run are read-only, also where they did not exist" 0 \
        $'{}\ncommands-ok'
left=$(cd "$PROJ2" && ls -A | LC_ALL=C sort | tr '\n' ' ')
[ "$left" = ".claude MARKER " ] && [ "$(ls -A "$PROJ2/.claude")" = commands ] &&
        ok "after the session only what the agent made is left: $left(.claude/commands)" ||
        not_ok "after the session the project holds: $left"
rm -rf "$PROJ2/.claude"

# ----------------------------------------------------------------------------- state list and remove

OUT=$("$SETUP" --account "$ACCT" state list 2>&1)
RC=$?
printf '%s\n' "$OUT" | sed 's/^/# /'
[ "$RC" = 0 ] && [ "$(grep -c "^$ACCT " <<<"$OUT")" = 3 ] && grep -q "$ALICE .*$PROJ " <<<"$OUT" &&
        grep -q "$ALICE .*$PROJ2 " <<<"$OUT" && grep -q "$BOB .*$PB " <<<"$OUT" &&
        ok "state list: one line per home: alice's two projects and bob's" ||
        not_ok "state list (exit $RC)"

# bob leaves the account: his homes are retired (kept, listed) and his sessions refused.
sed -i "/^  $BOB: /d" "$CONFIG_DIR/rcc.yaml"
t_check "rcc-setup install with bob no longer granted" h_exec "$SETUP" --account "$ACCT" install
OUT=$("$SETUP" --account "$ACCT" state list 2>&1)
grep -q "$BOB .*$PB .*(retired)" <<<"$OUT" && ok "state list: bob's home retired" ||
        { not_ok "bob's home is not listed as retired"; t_show_output "$OUT"; }
[ ! -e "$STORE/$BOB" ] && ok "bob's homes are out of the account's homes" || not_ok "bob's homes are still there"
t_check "state remove --user bob" "$SETUP" --account "$ACCT" state remove --user "$BOB"
OUT=$("$SETUP" --account "$ACCT" state list 2>&1)
grep -q "$BOB" <<<"$OUT" && not_ok "bob's home is still listed after state remove" || ok "state remove: bob's homes are gone"
t_check "state remove --user alice --project proj2" "$SETUP" --account "$ACCT" state remove --user "$ALICE" \
        --project "$PROJ2"
OUT=$("$SETUP" --account "$ACCT" state list 2>&1)
[ "$(grep -c "^$ACCT " <<<"$OUT")" = 1 ] && grep -q "$ALICE .*$PROJ " <<<"$OUT" &&
        ok "state remove --project: that home only" || { not_ok "state list after removing one home"; t_show_output "$OUT"; }
in_session sudo "$ALICE" "$PROJ" 'cat "$HOME/.claude/.credentials.json"'
expect "sudo: alice's login is kept while she has a home" 0 "alice-token-2"

t_finish
