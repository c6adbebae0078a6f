#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench-session.sh PROJECT [ACCOUNT [RUNS]]: what rcc costs at session start, and what a session's
# memory costs the host, on an installed rcc (tools/quickstart, or rcc-setup install + image).
# sudo is given absolute paths: the sudoers drop-in sets secure_path to the shim directory alone.
# Run as root; root must be one of the account's users with PROJECT granted (tools/quickstart run
# as root grants exactly that).
#
#   start: `sudo -u ACCOUNT rcc-shell -c true` from PROJECT (policy, grants, the hardened podman
#          run, supervision) against a bare `sudo -u ACCOUNT podman run --rm IMAGE true` of the
#          same image by the same user with the same podman configuration; RUNS of each,
#          interleaved; the medians and their ratio.
#   memory: host MemAvailable before a session, while it holds 1 GiB (dd's buffer), and after it
#          has ended.
set -eu

project="${1:?usage: bench-session.sh PROJECT [ACCOUNT [RUNS]]}"
account="${2:-rcc}"
runs="${3:-15}"
shell_path=$(getent passwd "$account" | cut -d: -f7)
home=$(getent passwd "$account" | cut -d: -f6)
[ -x "$shell_path" ] || { echo "bench-session: '$account' has no rcc-shell; install rcc first" >&2; exit 1; }
conf=/etc/rcc/podman
image=$(sed -n 's/^ *image: *//p' /etc/rcc/rcc.yaml | head -1)
image=${image:-localhost/rcc-claude:latest}
cd "$project"

bare() {
        sudo -u "$account" /usr/bin/env -i PATH=/usr/bin:/bin HOME="$home" CONTAINERS_CONF=$conf/containers.conf \
                CONTAINERS_STORAGE_CONF=$conf/storage.conf CONTAINERS_REGISTRIES_CONF=$conf/registries.conf \
                /usr/bin/podman run --rm --pull=never "$image" true
}
rcc() { sudo -u "$account" "$shell_path" -c true; }
ms() { # ms CMD...: wall time of one run in milliseconds; fails if CMD fails
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || return 1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bare >/dev/null 2>&1 || { echo "bench-session: bare podman run of $image as $account fails" >&2; exit 1; }
rcc >/dev/null 2>&1 || { echo "bench-session: rcc-shell -c true fails for $account from $project" >&2; exit 1; }
bare_ms=() rcc_ms=()
for ((i = 0; i < runs; i++)); do
        bare_ms+=("$(ms bare)")
        rcc_ms+=("$(ms rcc)")
done
b=$(printf '%s\n' "${bare_ms[@]}" | median)
r=$(printf '%s\n' "${rcc_ms[@]}" | median)
printf 'session start (%d runs each, medians): bare podman run %s ms, rcc %s ms, ratio %s\n' \
        "$runs" "$b" "$r" "$(awk -v r="$r" -v b="$b" 'BEGIN { printf "%.2f", r / b }')"

avail() { awk '/^MemAvailable:/ { printf "%.0f", $2 / 1024 }' /proc/meminfo; }
before=$(avail)
sudo -u "$account" "$shell_path" -c \
        'dd if=/dev/zero bs=1073741824 count=1 2>/dev/null | { sleep 6; cat >/dev/null; }' &
session=$!
sleep 4
during=$(avail)
wait "$session" || echo "bench-session: the 1 GiB session failed (its rlimits or cgroup limit below 1 GiB?)" >&2
sleep 2
after=$(avail)
printf 'host MemAvailable: before %s MiB, while the session holds 1 GiB %s MiB (-%s), after it ended %s MiB (%+d vs before)\n' \
        "$before" "$during" $((before - during)) "$after" $((after - before))
