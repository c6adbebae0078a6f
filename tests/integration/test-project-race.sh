#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The project swap race (issue 12), as a granted human would run it: alice starts a session of her
# project and, the moment rcc's podman starts, renames the project away and puts a symlink to
# another directory in its place: bob's project on the same account, the account's home, its
# podman storage, /etc. Every session must either be refused or see the directory rcc-shell
# checked; none may see, or write into, the swapped-in one. 20 sessions on each entry path (ssh and
# sudo), the swap timed on either of podman's two starts (`podman unshare rcc-stage` and `podman
# run`), alternately. Then grants that others could swap, and projects in rcc's own directories,
# are refused before any of this can start.
#
# Usage: test-project-race.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u
T_TAG=rccrc
# shellcheck source=tests/integration/session-env.sh
. "$(dirname "$0")/session-env.sh"

ROUNDS=${RCC_RACE_ROUNDS:-20}

# bob shares the account, with a project of his own: the swap's most tempting target.
cat >>"$CONFIG_DIR/rcc.yaml" <<EOF
  $BOB: { projects: ["$HB/work/*"] }
EOF
echo "bob-secret" >"$HB/work/projb/WHO"
chown "$BOB:" "$HB/work/projb/WHO"
t_check "rcc-setup install with bob granted too" h_exec "$SETUP" --account "$ACCT" install
ACCT_UID=$(id -u "$ACCT")
STORAGE="$STATE_DIR/storage/$ACCT_UID/graph"
t_check "the account's storage is in rcc's state directory, root's above the account's part" \
        test "$(stat -c %U:%a "$STATE_DIR/storage/$ACCT_UID")" = root:711 -a "$(stat -c %U "$STORAGE")" = "$ACCT"
TARGETS=("$HB/work/projb" "$ACCT_HOME" "$STORAGE" /etc)

# swapper DIR TARGET TRIGGER: in the background, as alice, wait for a process whose command line
# holds TRIGGER, then rename DIR away and make it a symlink to TARGET. SWAPPER is its pid. The
# trigger is read from a file, so that no command line of the swapper's own holds it.
swapper() {
        printf '%s\n' "$3" >"$T/trigger"
        setpriv --reuid="$ALICE" --regid="$ALICE" --init-groups bash -c '
                for ((i = 0; i < 100000; i++)); do
                        grep -qsF -f "$3" /proc/[0-9]*/cmdline && break
                done
                mv "$1" "$1.real" && ln -s "$2" "$1" && echo swapped >"$1.swapped"' _ "$1" "$2" "$T/trigger" &
        SWAPPER=$!
}

# One round on entry path VIA (ssh, sudo): a fresh project of alice's, its marker and identity,
# the session, the swap. Counts into STARTED, REFUSED, WRONG.
STARTED=0 REFUSED=0 WRONG=0 SWAPPED=0
race_round() {
        local via="$1" i="$2" target="${TARGETS[$(($2 % ${#TARGETS[@]}))]}" trigger
        local dir="$HA/src/race$i" id cmd
        # Odd rounds: as `podman unshare .../rcc-stage stage ...` starts, before rcc-stage opens the
        # project; even rounds: as `podman run` starts, after it was bound. (One argument each: a
        # command line's arguments are NUL-separated.)
        if ((i % 2)); then trigger="/rcc-stage"; else trigger="--default-mounts-file"; fi
        # As `rcc-setup install` shares a project with the account (setup/host/acl.c).
        mkdir -m 0755 "$dir" && echo "checked-$i" >"$dir/WHO" && chown -R "$ALICE:" "$dir" &&
                setfacl -m "u:$ACCT:rwx" "$dir"
        id=$(stat -c %d:%i "$dir")
        cmd="cat /workspace/WHO; stat -c %d:%i /workspace; echo bob-was-here >/workspace/race-$i"
        swapper "$dir" "$target" "$trigger"
        if [ "$via" = ssh ]; then
                rssh alice "$ACCT" -o "SetEnv=RCC_PROJECT=$dir" -- "$cmd"
        else
                rsudo "$ALICE" "$dir" -u "$ACCT" claude --rcc-test-sh "$cmd"
        fi
        kill "$SWAPPER" 2>/dev/null
        wait "$SWAPPER" 2>/dev/null
        [ -e "$dir.swapped" ] && SWAPPED=$((SWAPPED + 1))
        if [[ $OUT == *bob-secret* ]] || [ -e "$target/race-$i" ] || [ -e "$HB/work/projb/race-$i" ]; then
                WRONG=$((WRONG + 1))
                not_ok "$via round $i: the session reached the swapped-in $target (exit $RC)"
                t_show_output "$OUT"
        elif [ "$RC" = 0 ] && [[ $OUT == "checked-$i"$'\n'"$id" ]] && [ -e "${dir}.real/race-$i" -o -e "$dir/race-$i" ]; then
                STARTED=$((STARTED + 1))
        elif [ "$RC" != 0 ] && [[ $OUT == *rcc* ]] && [[ $OUT != *checked-* ]]; then
                REFUSED=$((REFUSED + 1))
                t_log "$via round $i: refused: $(tail -1 <<<"$OUT")"
        else
                WRONG=$((WRONG + 1))
                not_ok "$via round $i: neither the checked directory nor a refusal (exit $RC)"
                t_show_output "$OUT"
        fi
        rm -f "$target/race-$i" 2>/dev/null
        [ -L "$dir" ] && rm -f "$dir"
        [ -d "$dir.real" ] && mv "$dir.real" "$dir"
        rm -rf "$dir" "$dir.swapped"
}

for via in ssh sudo; do
        STARTED=0 REFUSED=0 WRONG=0 SWAPPED=0
        for ((i = 0; i < ROUNDS; i++)); do race_round "$via" "$i"; done
        if [ "$WRONG" = 0 ] && [ $((STARTED + REFUSED)) = "$ROUNDS" ]; then
                ok "$via: the swap lost $ROUNDS times out of $ROUNDS ($STARTED sessions on the checked directory, $REFUSED refused; the swap happened in $SWAPPED)"
        else
                not_ok "$via: $WRONG of $ROUNDS sessions were neither on the checked directory nor refused"
        fi
        # A race that never ran proves nothing: the swapper must have struck during most sessions.
        [ "$SWAPPED" -ge $((ROUNDS / 2)) ] && ok "$via: the swap struck during $SWAPPED of $ROUNDS sessions" ||
                not_ok "$via: the swap struck during only $SWAPPED of $ROUNDS sessions"
done

# ----------------------------------------------------------------------------- grants others could swap

# A directory above the project that someone else may write: anyone there could rename the
# project away. Refused by pam_rcc (sudo) and rcc-shell (ssh), naming the directory and the fix.
chmod 0777 "$HA/src"
rssh alice "$ACCT" "${SETENV[@]}" -- 'cat /workspace/MARKER'
expect "ssh: a project below a directory others can write is refused" 1 \
        "*'$HA/src', above the project, can be written by others (mode 0777)*chmod go-w*"
rsudo "$ALICE" "$PROJ" -u "$ACCT" claude --version
expect "sudo: a project below a directory others can write is refused" 1 \
        "*'$HA/src', above the project, can be written by others (mode 0777)*"
chmod 0755 "$HA/src"
chown "$BOB:" "$HA/src"
rssh alice "$ACCT" "${SETENV[@]}" -- 'cat /workspace/MARKER'
expect "ssh: a project below another user's directory is refused" 1 \
        "*'$HA/src', above the project, belongs to uid $(id -u "$BOB")*"
chown "$ALICE:" "$HA/src"
rssh alice "$ACCT" "${SETENV[@]}" -- 'cat /workspace/MARKER'
expect "ssh: the same project, its directories alice's again, starts" 0 "alice-project"

# ----------------------------------------------------------------------------- rcc's own directories

# A grant wide enough to hold rcc's state directory (the account's home and storage) is refused.
sed -i "s|  $ALICE: { projects: \[\"$HA/src/\*\"\] }|  $ALICE: { projects: [\"$HA/src/*\", \"$(dirname "$STATE_DIR")\"] }|" "$CONFIG_DIR/rcc.yaml"
t_check "rcc-firewall apply of a policy granting alice $(dirname "$STATE_DIR")" h_exec "$FIREWALL" apply
rssh alice "$ACCT" -o "SetEnv=RCC_PROJECT=$(dirname "$STATE_DIR")" -- 'ls /workspace'
expect "ssh: a project that holds rcc's state directory is refused" 1 \
        "*'$(dirname "$STATE_DIR")' cannot be a project: it holds rcc's own directory $STATE_DIR*"

t_finish
