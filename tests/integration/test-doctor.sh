#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rcc-setup doctor says the cause (issue 18): with sshd installed but not started (its runtime
# directory /run/sshd missing), a warning that names the directory and the command that starts
# sshd, and no failure; with a broken sshd configuration, a failure with sshd's own message. Both
# as text and as the JSON document of --json, which must parse.
#
# It changes nothing on the machine: each case runs doctor (which only reads) in a mount namespace
# of its own, where a tmpfs over /etc/ssh/sshd_config.d holds rcc's drop-in and the broken one,
# and a tmpfs over /run stands for a machine where sshd has not started. Those mounts vanish with
# the namespace however the test ends, so no drop-in is ever seen outside it; the policy is a
# temporary directory (removed on exit) naming the existing unprivileged account nobody, so no
# user is created either.
#
# Usage: test-doctor.sh BUILD-DIR   (or MESON_BUILD_ROOT)

set -u

# ---- inside the mount namespace: test-doctor.sh --in-ns CASE CONFIG-DIR SETUP [--json] ----

if [ "${1:-}" = --in-ns ]; then
        case_name=$2 config=$3 setup=$4
        shift 4
        set -e
        mount -t tmpfs -o mode=0755 rccdoctor /etc/ssh/sshd_config.d
        printf 'Match User nobody\n\tForceCommand /bin/true\n' >/etc/ssh/sshd_config.d/rcc.conf
        mount -t tmpfs -o mode=0755 rccdoctor /run
        case $case_name in
        not-started) ;;
        broken)
                mkdir -m 0755 /run/sshd
                printf 'RccDoctorTestBadOption yes\n' >/etc/ssh/sshd_config.d/broken.conf
                ;;
        probe)
                exec /usr/sbin/sshd -T -C user=nobody,host=localhost,addr=127.0.0.1
                ;;
        esac
        set +e
        "$setup" --config "$config" --account nobody doctor "$@"
        exit 0
fi

T_TAG=rccdr
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD="${1:-${MESON_BUILD_ROOT:-}}"
[ -n "$BUILD" ] || t_die "usage: test-doctor.sh BUILD-DIR"
SETUP="$BUILD/setup/rcc-setup"
SELF="$(readlink -f "$0")"

t_require_root
t_require_cmd unshare util-linux python3 python3
[ -x /usr/sbin/sshd ] || t_skip "needs sshd (Debian package: openssh-server)"
[ -x "$SETUP" ] || t_die "no $SETUP: build first"
getent passwd nobody >/dev/null || t_skip "needs the account nobody"
grep -Eqi '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\.d/\*\.conf' /etc/ssh/sshd_config ||
        t_skip "/etc/ssh/sshd_config does not include sshd_config.d/*.conf"

CONFIG=""
t_make_config_dir CONFIG
printf 'version: 1\n' | t_write_file "$CONFIG/rcc.yaml" 0644
t_write_file "$CONFIG/accounts.d/nobody.yaml" 0644 </dev/null

# in_ns CASE [--json]: doctor's output in that case's mount namespace.
in_ns() { unshare --mount --propagation private bash "$SELF" --in-ns "$1" "$CONFIG" "$SETUP" "${@:2}" 2>&1; }

# json_entries VERDICT NAME < document: the messages of NAME's entries with VERDICT, one a line;
# fails when the document is not valid JSON or not doctor's format.
json_entries() {
        python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["version"] == 1 and set(d["summary"]) == {"ok", "warn", "fail", "skip"}
assert sum(d["summary"].values()) == len(d["checks"])
for c in d["checks"]:
    assert set(c) == {"name", "verdict", "message", "fix"}
    if c["name"] == sys.argv[2] and c["verdict"] == sys.argv[1]:
        print(c["message"], "| fix:", c["fix"])
' "$1" "$2"
}

# ---- sshd installed, not started ----

probe=$(in_ns probe)
if [[ $probe != *"Missing privilege separation directory: /run/sshd"* ]]; then
        t_log "sshd here does not keep its runtime directory in /run: 'not started' is not tested"
        t_show_output "$probe"
else
        out=$(in_ns not-started)
        t_check "not started: a warning naming /run/sshd and how to start sshd" \
                grep -Eq '^warn sshd: not started here: its runtime directory /run/sshd is missing.* — fix: .*(start|enable --now)' <<<"$out"
        t_check_fail "not started: no sshd failure" grep -q '^FAIL sshd' <<<"$out"
        t_show_output "$(grep 'sshd' <<<"$out")"

        json=$(in_ns not-started --json)
        t_check "not started: --json is doctor's document" json_entries warn sshd <<<"$json"
        t_check_eq "not started, --json: one warning naming /run/sshd" 1 \
                "$(json_entries warn sshd <<<"$json" | grep -c '/run/sshd')"
        t_check_eq "not started, --json: no sshd failure" "" "$(json_entries fail sshd <<<"$json")"
fi

# ---- a broken sshd configuration ----

out=$(in_ns broken)
t_check "broken: a failure with sshd's own message" \
        grep -Eq "^FAIL sshd: its configuration is broken: .*broken\.conf.*Bad configuration option: RccDoctorTestBadOption" <<<"$out"
t_check_fail "broken: not taken for 'not started'" grep -q 'not started here' <<<"$out"
t_show_output "$(grep 'sshd' <<<"$out")"

json=$(in_ns broken --json)
t_check_eq "broken, --json: one sshd failure with sshd's message" 1 \
        "$(json_entries fail sshd <<<"$json" | grep -c 'Bad configuration option: RccDoctorTestBadOption')"

# Nothing of the namespaces is seen here.
t_check_fail "the drop-ins stayed in the namespaces" test -e /etc/ssh/sshd_config.d/broken.conf

t_finish
