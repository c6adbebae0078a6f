# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rcc VM scenarios of the third boot (rcc-firewall.service fails):
# their functions and the values they share, sourced by scenarios.sh, which runs them.

# ----------------------------------------------------------------------------- third boot: firewall fails

# The second boot ends by making rcc-firewall.service fail at the next boot: its ExecStart
# replaced by /bin/false (the disk is thrown away afterwards; the third boot removes it anyway).
FAIL_DROPIN_DIR=/etc/systemd/system/rcc-firewall.service.d
prepare_firewall_failure() {
        mkdir -p "$FAIL_DROPIN_DIR" &&
                printf '%s\n' '# tests/vm: rcc-firewall.service fails at the next boot' '[Service]' 'ExecStart=' \
                        'ExecStart=/bin/false' >"$FAIL_DROPIN_DIR/fail.conf"
}

# With rcc-firewall.service failed at boot there is no table inet rcc: pam_rcc refuses alice's
# sandbox sessions on both paths with its line, nothing runs as rcc, and the logins of everyone
# else still work: bob's ssh into his own ordinary account, root's and bob's sudo to alice.
BOB_SUDOERS=/etc/sudoers.d/rcc-vm-test
sc_firewall_fails_at_boot() {
        local fails=() state want since i
        want="rcc: session of 'rcc' refused: the firewall table inet rcc is not loaded"
        # Restart=always tries again until the start limit (5 in a minute) stops it; each try
        # takes seconds under emulation.
        for ((i = 0; i < 60; i++)); do
                state=$(systemctl is-failed rcc-firewall.service)
                [ "$state" = failed ] && break
                sleep 1
        done
        [ "$state" = failed ] || fails+=("rcc-firewall.service is '$state', not failed, a minute after boot")
        if nft list table inet rcc >/dev/null 2>&1; then
                fails+=("the table inet rcc is loaded")
        fi
        since=$(date '+%Y-%m-%d %H:%M:%S')
        sleep 1

        # The banner with pam_rcc's line shows at ssh's log level INFO.
        ssh_as alice rcc -o LogLevel=INFO -o "SetEnv=RCC_PROJECT=$ALICE_PROJ" -- 'cat /workspace/MARKER'
        local ssh_rc=$RC
        if [ "$RC" != 255 ] || [[ $ERR != *"$want"* ]] || [ -n "$OUT" ]; then
                fails+=("alice's ssh to rcc: exit $RC, stdout '$OUT', without pam_rcc's line")
                note "ssh stderr: $ERR"
        fi
        sudo_as alice "$ALICE_PROJ" -u rcc claude --version
        local sudo_rc=$RC
        if [ "$RC" = 0 ] || [[ $ERR != *"$want"* ]] || [ -n "$OUT" ]; then
                fails+=("alice's sudo -u rcc: exit $RC, stdout '$OUT', without pam_rcc's line")
                note "sudo stderr: $ERR"
        fi
        # Nothing ran as rcc: no PAM session was opened for it (pam_unix logs each one).
        local opened
        opened=$(journalctl --since "$since" --no-pager -o cat | grep -E 'session opened for user rcc\(')
        if [ -n "$opened" ]; then
                fails+=("a session was opened for rcc")
                note "$opened"
        fi

        ssh_as bob bob -- 'id -un'
        local bob_ssh="bob's ssh to bob: exit $RC"
        if [ "$RC" != 0 ] || [ "$OUT" != bob ]; then
                fails+=("$bob_ssh, printed '$OUT'")
                note "bob ssh stderr: $ERR"
        fi
        local root_out root_rc
        root_out=$(timeout 60 sudo -n -u alice id -un 2>&1)
        root_rc=$?
        echo "--- root: sudo -u alice id -un: rc=$root_rc: $root_out"
        if [ "$root_rc" != 0 ] || [ "$root_out" != alice ]; then
                fails+=("root's sudo -u alice: exit $root_rc, printed '$root_out'")
        fi
        echo 'bob ALL=(alice) NOPASSWD: /usr/bin/id' >"$BOB_SUDOERS"
        chmod 0440 "$BOB_SUDOERS"
        sudo_as bob /home/bob -u alice /usr/bin/id -un
        if [ "$RC" != 0 ] || [ "$OUT" != alice ]; then
                fails+=("bob's sudo -u alice: exit $RC, printed '$OUT'")
                note "bob sudo stderr: $ERR"
        fi
        rm -f "$BOB_SUDOERS"

        if [ ${#fails[@]} -gt 0 ]; then
                MSG=$(IFS=';' && echo "${fails[*]}")
                return 1
        fi
        MSG="rcc-firewall.service failed, no table inet rcc; alice refused by pam_rcc ('the firewall table inet rcc is not loaded') on ssh (exit $ssh_rc) and sudo (exit $sudo_rc), no session opened for rcc; bob's ssh to bob, root's and bob's sudo -u alice work"
}

# Leave the system sane: the drop-in goes, the unit runs again and loads the table.
restore_firewall() {
        rm -rf "$FAIL_DROPIN_DIR"
        systemctl daemon-reload
        # Restart=always let it fail until the start limit stopped it: that limit is lifted first.
        systemctl reset-failed rcc-firewall.service
        systemctl restart rcc-firewall.service
        echo "after removing the drop-in: rcc-firewall.service $(systemctl is-active rcc-firewall.service);" \
                "table inet rcc: $(nft list table inet rcc >/dev/null 2>&1 && echo loaded || echo missing)"
}
