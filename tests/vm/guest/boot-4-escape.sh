# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rcc VM scenarios of the fourth boot (uninstall, the escape suite):
# their functions and the values they share, sourced by scenarios.sh, which runs them.

# ----------------------------------------------------------------------------- fourth boot: escape suite

# The admin takes rcc off again: `rcc-setup uninstall` (the account's user manager, kept by
# lingering, is running: uninstall must stop it), then the files `meson install` put there. The
# files install edited must be as they were before it; and nothing of rcc may be left for the
# escape suite's own install to trip over.
sc_uninstall() {
        local f diffs=()
        step "$SETUP" --yes uninstall || return 1
        for f in "${ETC_FILES[@]}"; do
                if [ -e "$ETC_BEFORE/${f//\//_}" ]; then
                        cmp -s "$ETC_BEFORE/${f//\//_}" "$f" || diffs+=("$f")
                elif [ -e "$f" ]; then
                        diffs+=("$f (new)")
                fi
        done
        for f in "${diffs[@]}"; do note "$(diff -u "$ETC_BEFORE/${f//\//_}" "${f% (new)}" | tail -n +3 | head -n 6)"; done
        # As an admin removes a meson install: what it installed, by its own list.
        meson introspect --installed "$RCC_VM_BUILD" |
                python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin).values()))' |
                while IFS= read -r f; do rm -f -- "$f"; done
        rm -rf /etc/rcc /var/lib/rcc
        local left
        left=$(id rcc 2>&1 | grep -v 'no such user'; id rcc-bob 2>&1 | grep -v 'no such user'
                ls -d /usr/bin/rcc-shell /usr/sbin/rcc-setup /etc/ssh/sshd_config.d/rcc.conf /etc/sudoers.d/rcc* \
                        /etc/apparmor.d/rcc-* 2>/dev/null)
        MSG="uninstall exit 0; ${#ETC_FILES[@]} files compared with before install"
        if [ ${#diffs[@]} -gt 0 ] || [ -n "$left" ]; then
                MSG="$MSG: differ: ${diffs[*]:-none}; left behind: ${left//$'\n'/ }"
                return 1
        fi
}

# The escape suite (tests/escape/run-escapes.sh), run here as CI runs it on a build machine: it
# installs the build itself (meson install, rcc-setup install for an account of its own, which
# loads the AppArmor profiles here), and every attack must be contained. Meanwhile a sampler
# records the AppArmor labels of every process of the machine (attr/current: AppArmor is the
# only LSM here that has one), to show which profiles the sessions actually ran under.
sc_escape_suite() {
        local out rc labels="$STATE/labels" summary
        : >"$labels"
        sample_labels "$labels" &
        local sampler=$!
        out=$(timeout 1500 bash "$RCC_VM_SOURCE/tests/escape/run-escapes.sh" "$RCC_VM_BUILD" 2>&1)
        rc=$?
        kill "$sampler" 2>/dev/null
        wait "$sampler" 2>/dev/null
        printf '%s\n' "--- run-escapes.sh: rc=$rc" "$out"
        summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -1)
        local seen
        seen=$(sort -u "$labels" | grep '^rcc-' | tr '\n' ' ')
        MSG="${summary:-no summary (exit $rc)}; AppArmor labels seen: ${seen:-none}"
        note "$(grep -E '^not ok ' <<<"$out")"
        [ -z "$summary" ] && note "$(tail -n 12 <<<"$out")"
        [ "$rc" = 0 ] && [[ $summary == *" 0 failed" ]] && [[ $seen == *rcc-shell* ]] && [[ $seen == *rcc-container* ]]
}

# sample_labels FILE: every half second, the AppArmor label of every process (mode stripped),
# appended to FILE when new.
sample_labels() {
        local f l
        declare -A seen=()
        while :; do
                for f in /proc/[0-9]*/attr/current; do
                        l=""
                        read -r l 2>/dev/null <"$f" # (false at a missing newline, with l set)
                        l=${l% (*)}
                        [ -n "$l" ] || continue
                        [ -n "${seen[$l]-}" ] && continue
                        seen[$l]=1
                        echo "$l" >>"$1"
                done
                sleep 0.5
        done
}

# The project swap race (issue 12) and the homes of two humans and two projects (issue 14), on
# this target, as the build machines run them: each installs the build itself, as the escape suite
# does. The race runs 10 sessions on each entry path here (20 on the build machines).
run_host_test() { # run_host_test SCRIPT: MSG is its summary; 0 when it passed.
        local out rc
        out=$(RCC_RACE_ROUNDS=10 timeout 1200 bash "$RCC_VM_SOURCE/tests/integration/$1" "$RCC_VM_BUILD" 2>&1)
        rc=$?
        printf '%s\n' "--- $1: rc=$rc" "$out"
        MSG="$(grep -cE '^ok ' <<<"$out") ok, $(grep -cE '^not ok ' <<<"$out") not ok (exit $rc)"
        note "$(grep -E '^not ok |swap lost|swap struck' <<<"$out")"
        [ "$rc" = 0 ]
}
sc_project_race() { run_host_test test-project-race.sh; }
sc_homes() { run_host_test test-homes.sh; }
