#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pam_rcc, the session gate, in the real sshd and sudo stacks that `rcc-setup install` wired
# (session-env.sh sets up the world): no sandbox session starts unless the policy loads, the
# firewall table is loaded and current, the human is one of the account's users and the project
# is theirs; everyone else's ssh and sudo are untouched even while the gate is refusing; every
# start, end and refusal leaves a record, and the session record rcc-shell trusts cannot be
# forged from the client's side.
#
# Usage: test-pam-gate.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u
T_TAG=rccpg
# shellcheck source=tests/integration/session-env.sh
. "$(dirname "$0")/session-env.sh"

REFUSED="rcc: session of '$ACCT' refused:"
# The sshd client shows PAM's messages (sent as a banner) at log level INFO.
SSH_LOGLEVEL=INFO

# sudo_refused DIR DESC PATTERN: alice's `sudo -u ACCOUNT claude` from DIR is refused by PAM,
# saying PATTERN, and nothing runs as the account (sudo carries on after some PAM failures, and
# rcc-shell would then refuse on its own: that must not be what this sees).
sudo_refused() {
        rsudo "$ALICE" "$1" -u "$ACCT" claude --version
        if [ "$RC" = 1 ] && [[ $OUT == *"$REFUSED "$3* ]] && [[ $OUT != *rcc-shell* ]]; then ok "sudo: $2"; else
                not_ok "sudo: $2 (exit $RC)"
                t_show_output "$OUT" 12
        fi
}
# both_refused DESC PATTERN: an ssh login and a sudo session are both refused, saying PATTERN.
both_refused() {
        rssh alice "$ACCT" "${SETENV[@]}" -- 'cat /workspace/MARKER'
        expect "ssh: $1" 255 "*$REFUSED $2*"
        sudo_refused "$PROJ" "$1" "$2"
}
both_allowed() {
        rssh alice "$ACCT" "${SETENV[@]}" -- 'cat /workspace/MARKER'
        expect "ssh: $1" 0 "*alice-project"
        rsudo "$ALICE" "$PROJ" -u "$ACCT" claude --version
        expect "sudo: $1" 0 "claude-stand-in*"
}
# Other users are not the gate's business: bob's ssh login to his own account and root's sudo to
# bob work whatever state rcc is in.
others_unaffected() {
        rssh bob "$BOB" -- 'echo host-shell'
        expect "$1: another user's ssh login is unaffected" 0 "*host-shell"
        OUT=$(in_h sudo -n -u "$BOB" echo sudo-ok 2>&1)
        RC=$?
        expect "$1: another user's sudo is unaffected" 0 "sudo-ok"
}
# logged PATTERN DESC: a syslog line since the last mark matches the extended regexp PATTERN.
MARK=0
mark() { MARK=$(wc -l <"$T/syslog"); }
logged() {
        sleep 0.2
        if tail -n "+$((MARK + 1))" "$T/syslog" | grep -qE "$1"; then ok "$2"; else
                not_ok "$2: no syslog line matches /$1/"
                t_show_output "$(tail -n "+$((MARK + 1))" "$T/syslog")" 10
        fi
}


# ----------------------------------------------------------------------------- the wiring

for stack in sshd sudo; do
        grep -q "^account[[:space:]]\+requisite[[:space:]]\+$(cfg RCC_PAM_MODULE)\$" "/etc/pam.d/$stack" &&
                ok "install wired pam_rcc into /etc/pam.d/$stack" || not_ok "pam_rcc is not in /etc/pam.d/$stack"
done

# ----------------------------------------------------------------------------- kernel audit

# Auditing on for the duration (put back as it was), and a reader of the kernel's audit multicast
# group (what journald reads; it needs neither auditd nor the rate-limited kernel log), so that
# pam_rcc's records can be checked on any machine with kernel audit.
AUDIT=
if [ -z "${RCC_AUDIT_SWITCH:-}" ]; then
        t_log "built without libaudit: audit records not checked (syslog records are)"
elif ! audit_before=$("$RCC_AUDIT_SWITCH" 2>"$T/audit.err"); then
        t_log "no kernel audit here ($(cat "$T/audit.err")): audit records not checked (syslog records are)"
else
        python3 -c '
import os, socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)  # NETLINK_AUDIT
s.bind((0, 1))                                            # AUDIT_NLGRP_READLOG
open(sys.argv[2], "w").close()
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        data, off = s.recv(1 << 16), 0
        while off + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, off)
            if length < 16:
                break
            f.write(b"type=%d %s\n" % (kind, data[off + 16:off + length].rstrip(b"\0")))
            off += (length + 3) & ~3
' "$T/audit.log" "$T/audit.ready" &
        t_add_cleanup "kill $! 2>/dev/null"
        for ((i = 0; i < 50; i++)); do [ -e "$T/audit.ready" ] && break; sleep 0.1; done
        t_add_cleanup "'$RCC_AUDIT_SWITCH' $([ "$audit_before" = 1 ] && echo on || echo off)"
        if [ -e "$T/audit.ready" ] && t_check "kernel audit turned on for this test" "$RCC_AUDIT_SWITCH" on; then
                AUDIT=yes
        else
                t_log "cannot read the audit multicast group: audit records not checked (syslog records are)"
        fi
fi
# audited TYPE PATTERN DESC: an audit record of TYPE (1105 USER_START, 1106 USER_END, 1109 USER_ERR)
# for this test's account whose text matches the extended regexp PATTERN.
audited() {
        [ -n "$AUDIT" ] || return 0
        if grep -qE "type=$1 .*op=rcc-session acct=\"$ACCT\" $2" "$T/audit.log"; then ok "$3"; else
                not_ok "$3: no audit record of type $1 matches /$2/"
                t_show_output "$(grep -E 'op=rcc-session' "$T/audit.log" | tail -5)"
        fi
}

# ----------------------------------------------------------------------------- allowed

mark
both_allowed "with policy, firewall and grants in order, the session starts"
others_unaffected "all in order"
logged "pam_rcc\(sshd:session\): session start: account=$ACCT invoker=$ALICE via=ssh" \
        "syslog: the ssh session's start"
logged "pam_rcc\(sshd:session\): session end: account=$ACCT invoker=$ALICE via=ssh" \
        "syslog: the ssh session's end"
logged "pam_rcc\(sudo:session\): session start: account=$ACCT invoker=$ALICE via=sudo project=$PROJ" \
        "syslog: the sudo session's start, with its project"
[ -z "$(ls -A /run/rcc/session 2>/dev/null)" ] && ok "no session record is left once the sessions ended" ||
        not_ok "session records left: $(ls /run/rcc/session)"

# ----------------------------------------------------------------------------- the firewall

t_check "rcc-firewall remove" ip netns exec "$H" "$FIREWALL" remove
mark
both_refused "firewall removed: refused" "the firewall table inet rcc is not loaded*rcc-setup apply"
# Under sshd the key is known only in the session phase, so the account-phase refusal cannot name
# the human; sudo's can.
logged "sshd:account\): session refused \(firewall-not-loaded\): account=$ACCT invoker=- " "syslog: the refusal and its reason"
logged "sudo:[a-z]+\): session refused \(firewall-not-loaded\): account=$ACCT invoker=$ALICE via=sudo" \
        "syslog: a refusal before the human is checked still names them where they are known"
others_unaffected "firewall removed"
t_check "rcc-firewall apply" ip netns exec "$H" "$FIREWALL" apply
both_allowed "firewall applied again: the same sessions start"
# rcc-firewalld holds the table (the kernel's owner flag): not even root edits it by hand.
t_check_fail "nft: a hand edit of table inet rcc is refused" ip netns exec "$H" nft add counter inet rcc rcc_test_extra
both_allowed "after the refused hand edit: the same sessions start"
# The service stopped: the table may stay (persist), but nobody would hold a session's network
# if it were lost.
FWD=$(sed -n 's/^pid=//p' /run/rcc/firewall.state)
t_check "rcc-firewalld runs (pid $FWD)" test -n "$FWD"
kill "$FWD"
for ((i = 0; i < 50; i++)); do kill -0 "$FWD" 2>/dev/null || break; sleep 0.1; done
mark
both_refused "rcc-firewalld stopped: refused" "the firewall table inet rcc is not held by rcc-firewalld*systemctl restart rcc-firewall"
logged "session refused \(firewall-no-service\)" "syslog: 'not held' refusal"
t_check "rcc-firewalld --background starts again" h_exec "$SBIN/rcc-firewalld" --background
both_allowed "rcc-firewalld back: the same sessions start"
# The service that started anew knows the policy before the first session registers: the
# session has its denials file (docs/network.md).
rssh alice "$ACCT" "${SETENV[@]}" -- 'head -1 /run/rcc/denials'
expect "ssh: rcc-firewalld back: the session has its denials file" 0 "*# What the network policy refused*"

# ----------------------------------------------------------------------------- the policy

cp "$CONFIG_DIR/rcc.yaml" "$T/rcc.yaml.good"
cat >>"$CONFIG_DIR/accounts.d/$ACCT.yaml" <<EOF2
network:
  allow:
    - cidr: 10.20.0.0/16
      ports: [8080]
EOF2
mark
both_refused "policy edited, not applied: refused" "the firewall table inet rcc is not current*rcc-setup apply"
logged "session refused \(firewall-not-current\)" "syslog: 'not current' refusal"
t_check "rcc-firewall apply of the edited policy" ip netns exec "$H" "$FIREWALL" apply
both_allowed "edited policy applied: allowed"

printf 'version: 1\nnetwork: [\n' >"$CONFIG_DIR/rcc.yaml"
mark
both_refused "broken policy: refused" "the policy does not load*$CONFIG_DIR/rcc.yaml:*"
logged "session refused \(policy\)" "syslog: 'policy does not load' refusal"
others_unaffected "broken policy"
cp "$T/rcc.yaml.good" "$CONFIG_DIR/rcc.yaml"

# ----------------------------------------------------------------------------- rcc-setup apply

# The admin grants bob a project: the policy, bob's key, and one rcc-setup apply. The dry run
# before it lists what apply will change and changes nothing.
PROJB="$HB/work/projb"
apply_state() { # what apply may change: the drop-ins, the project's ACLs, the manifest, the table
        cat /etc/sudoers.d/rcc /etc/ssh/sshd_config.d/rcc.conf 2>&1
        getfacl -p "$PROJB" 2>&1
        cat "$STATE_DIR/installed" 2>&1
        ip netns exec "$H" nft list table inet rcc 2>&1 | grep -v 'packets [1-9]'
}
bob_session() { # bob's ssh and sudo into his project: OUT and RC of each in SSH_RC, SUDO_RC
        rssh bob "$ACCT" -o "SetEnv=RCC_PROJECT=$PROJB" -- 'cat /workspace/MARKER'
        SSH_RC=$RC SSH_OUT=$OUT
        rsudo "$BOB" "$PROJB" -u "$ACCT" claude --version
        SUDO_RC=$RC SUDO_OUT=$OUT
}
cp "$CONFIG_DIR/rcc.yaml" "$T/rcc.yaml.alice"
printf '  %s: { projects: ["%s/work/*"] }\n' "$BOB" "$HB" >>"$CONFIG_DIR/rcc.yaml"
t_check "rcc-setup key add for bob, once the policy names him" \
        "$SETUP" key add "$ACCT" "$T/bob.key.pub" --user "$BOB"
apply_state >"$T/apply.before"
OUT=$(h_exec "$SETUP" apply --dry-run 2>&1)
RC=$?
expect "apply --dry-run lists bob's project ACL and the sudoers drop-in" 0 \
        "*change*acl: share $PROJB with $ACCT for $BOB*sudoers: rewrite /etc/sudoers.d/rcc*"
apply_state >"$T/apply.after-dry-run"
t_check "apply --dry-run changed nothing" cmp -s "$T/apply.before" "$T/apply.after-dry-run"
bob_session
[ "$SSH_RC" != 0 ] && [ "$SUDO_RC" != 0 ] && ok "before apply: bob's ssh and sudo are refused" ||
        not_ok "before apply: bob got in (ssh $SSH_RC, sudo $SUDO_RC)"
OUT=$(h_exec "$SETUP" apply 2>&1)
RC=$?
expect "rcc-setup apply grants bob" 0 "*acl: share $PROJB*rcc-setup apply: done;*"
t_log "apply printed: $(grep -E '^rcc-setup apply|^  [a-z]+: ' <<<"$OUT" | head -8 | tr '\n' '|')"
bob_session
RC=$SSH_RC OUT=$SSH_OUT expect "after apply: bob's ssh session sees his project" 0 "*bob-project"
RC=$SUDO_RC OUT=$SUDO_OUT expect "after apply: bob's sudo session starts" 0 "claude-stand-in*"
OUT=$(h_exec "$SETUP" apply --dry-run 2>&1)
RC=$?
expect "after apply, apply --dry-run finds nothing to change" 0 "*nothing would change*"

# The admin takes bob out again: one apply, and he is refused on both paths, his ACLs gone.
cp "$T/rcc.yaml.alice" "$CONFIG_DIR/rcc.yaml"
OUT=$(h_exec "$SETUP" apply 2>&1)
RC=$?
expect "rcc-setup apply revokes bob" 0 "*acl: take $ACCT's ACLs off $PROJB*rcc-setup apply: done;*"
bob_session
[ "$SSH_RC" != 0 ] && [ "$SUDO_RC" != 0 ] && ok "bob removed and applied: his ssh and sudo are refused" ||
        not_ok "bob removed and applied: bob still got in (ssh $SSH_RC, sudo $SUDO_RC)"
if getfacl -p "$PROJB" 2>/dev/null | grep -q "user:$ACCT:"; then
        not_ok "bob removed and applied: $ACCT still has an ACL on $PROJB"
else
        ok "bob removed and applied: no ACL of $ACCT on $PROJB"
fi
both_allowed "alice is untouched by bob's grant and its revocation"

# ----------------------------------------------------------------------------- who and where

mark
sudo_refused "$T/outside" "from a directory outside the grants: refused" \
        "'$T/outside' is not in a project granted to '$ALICE'*"
sudo_refused "$PROJ/link-outside" "from a symlink out of a granted directory: refused" \
        "'$T/outside' is not in a project granted*"
rsudo "$ALICE" "$PROJ/sub/dir" -u "$ACCT" claude --version
expect "sudo: from inside the grants: let in, in that directory" 0 "*cwd=/workspace/sub/dir*"
logged "session refused \(project\): account=$ACCT invoker=$ALICE via=sudo" "syslog: the project refusal names the human"

# sudo runs no account phase for root: the session phase must hold the line on its own.
OUT=$(cd "$PROJ" && in_h timeout 60 sudo -n -u "$ACCT" "$SHIM_DIR/claude" --version 2>&1 </dev/null)
RC=$?
if [ "$RC" = 1 ] && [[ $OUT == *"$REFUSED 'root' may not use this account"* ]] && [[ $OUT != *rcc-shell* ]]; then
        ok "sudo: root, not one of the account's users, is refused in the session phase"
else
        not_ok "sudo: root's session (exit $RC)"
        t_show_output "$OUT"
fi

# bob's key is not in the account's keys file: sshd's publickey check already refuses it, so
# make the human unknown to the policy instead: a key the keys file gives to someone not in users.
sed -i "s/rcc-invoker=$ALICE\$/rcc-invoker=${ALICE}x/" "$CONFIG_DIR/keys/$ACCT"
rssh alice "$ACCT" "${SETENV[@]}" -- 'true'
# sshd names the key to PAM only when the session opens, and ends a session PAM refuses there with
# 254, after showing the refusal.
expect "ssh: a key of a human who is not one of the account's users: refused" 254 \
        "*$REFUSED '${ALICE}x' may not use this account*"
sed -i "s/rcc-invoker=${ALICE}x\$/rcc-invoker=$ALICE/" "$CONFIG_DIR/keys/$ACCT"

# ----------------------------------------------------------------------------- the session record

# The client cannot hand rcc-shell a record: sshd accepts no RCC_SESSION, and PAM's value wins.
rssh alice "$ACCT" -o "SetEnv=RCC_SESSION=00000000000000000000000000000000 RCC_PROJECT=$PROJ" -- 'cat /workspace/MARKER'
expect "ssh: a client's RCC_SESSION changes nothing" 0 "*alice-project"
# Nor can anything that reaches the account without PAM (su, runuser, a cron job): no record.
OUT=$(cd / && in_h setpriv --reuid="$ACCT" --regid="$ACCT" --init-groups env -i \
        RCC_SESSION=00000000000000000000000000000000 "$SHELL_PATH" -c true 2>&1)
RC=$?
expect "rcc-shell without pam_rcc's record: refused" 1 "*no record of this session*"
OUT=$(cd / && in_h setpriv --reuid="$ACCT" --regid="$ACCT" --init-groups env -i "$SHELL_PATH" -c true 2>&1)
RC=$?
expect "rcc-shell started without PAM at all: refused" 1 "*did not pass rcc's PAM gate*"
[ "$(stat -c '%U %a' /run/rcc/session 2>&1)" = "root 711" ] && ok "the record directory is root's and cannot be listed" ||
        not_ok "/run/rcc/session: $(stat -c '%U %a' /run/rcc/session 2>&1)"

# ----------------------------------------------------------------------------- the audit log

audited 1105 "invoker=\"$ALICE\" via=\"ssh\" .*res=success" "audit: USER_START of an ssh session, naming the human"
audited 1106 "invoker=\"$ALICE\" via=\"sudo\" project=\"$PROJ\".*res=success" "audit: USER_END of a sudo session, with its project"
audited 1109 "invoker=\"-\" .*reason=\"firewall-not-loaded\".*res=failed" "audit: USER_ERR of the refusal with the firewall removed"
audited 1109 "invoker=\"$ALICE\" via=\"sudo\" project=\"-\" reason=\"project\".*res=failed" "audit: USER_ERR of the refusal outside the grants"

t_finish
