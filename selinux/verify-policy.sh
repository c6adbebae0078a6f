#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Check what the rcc module says inside Debian's whole policy, without SELinux running: build
# Debian's default policy (selinux-policy-default, fetched with apt-get download) in a private
# store under a temporary root, once without and once with rcc.pp, and ask the compiled kernel
# policies (sesearch, seinfo) and file contexts (selabel_lookup). Needs root (semodule), setools,
# semodule-utils, policycoreutils, selinux-utils and selinux-policy-dev. Touches nothing outside
# the temporary directory. Prints one line per claim and exits 1 if any fails.
#
#   selinux/verify-policy.sh [SRCDIR]
set -eu

src=$(cd "${1:-$(dirname "$0")}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

"$src/build-test.sh" "$src" "$tmp/rcc.pp" >/dev/null
(cd "$tmp" && apt-get download -q selinux-policy-default >/dev/null 2>&1)
dpkg-deb -x "$tmp"/selinux-policy-default_*.deb "$tmp/deb"
echo "policy: $(dpkg-deb -f "$tmp"/selinux-policy-default_*.deb Package Version | tr '\n' ' ')"

# A store per policy: Debian's modules as its postinst would install them, then (with) rcc.pp.
for root in without with; do
        mkdir -p "$tmp/$root/etc/selinux" "$tmp/$root/var/lib/selinux"
        cp -r "$tmp/deb/etc/selinux/default" "$tmp/$root/etc/selinux/"
        printf 'module-store = direct\nexpand-check = 1\n' >"$tmp/$root/etc/selinux/semanage.conf"
        (cd "$tmp/deb/usr/share/selinux/default" &&
         semodule -p "$tmp/$root" -s default -X 100 -i ./*.pp.bz2 2>&1 | grep -v 'not in password file' || true)
done
semodule -p "$tmp/with" -s default -i "$tmp/rcc.pp"
A=$tmp/without/etc/selinux/default/policy/policy.33
B=$tmp/with/etc/selinux/default/policy/policy.33
FC=$tmp/with/etc/selinux/default/contexts/files/file_contexts

allowed() { # SOURCE TARGET CLASS PERM: is PERM granted (by any rule, attributes expanded)?
        sesearch -A -s "$1" -t "$2" -c "$3" -p "$4" "$B" | grep -q .
}
label() { selabel_lookup -b file -k "$1" -f "$FC" | sed 's/.*:object_r:\([^:]*\):.*/\1/'; }

# The login: user_u may take user_r, whose domain is user_t, and sshd starts it there.
seinfo -u user_u -x "$B" | grep -q 'roles user_r' && ok "user_u has role user_r" || bad "user_u lacks user_r"
grep -q 'sshd_t:s0.*user_r:user_t' "$tmp/with/etc/selinux/default/contexts/users/user_u" &&
        ok "sshd logins of user_u land in user_r:user_t" || bad "no sshd context for user_u"

# The labels.
for p in /etc/rcc /etc/rcc/rcc.yaml /etc/rcc/keys/rcc; do
        [ "$(label $p)" = rcc_conf_t ] && ok "$p is rcc_conf_t" || bad "$p is $(label $p)"
done
[ "$(label /var/lib/rcc/home/rcc/.local)" = user_home_t ] && ok "the sandbox home's content is user_home_t" ||
        bad "/var/lib/rcc/home/rcc/.local is $(label /var/lib/rcc/home/rcc/.local)"

# A project as rcc-setup labels it (semanage fcontext -a -t rcc_project_t 'PATH(/.*)?'), through
# the same store mechanism: a local file context, then a rebuild that validates it.
printf '/home/alice/src/proj(/.*)?    system_u:object_r:rcc_project_t:s0\n' \
        >"$tmp/with/var/lib/selinux/default/active/file_contexts.local"
semodule -p "$tmp/with" -s default -B 2>&1 | grep -v 'not in password file' || true
[ "$(label /home/alice/src/proj/main.c)" = rcc_project_t ] && ok "a project's files are rcc_project_t" ||
        bad "/home/alice/src/proj/main.c is $(label /home/alice/src/proj/main.c)"

# What user_t may do there.
for perm in read write create unlink; do
        allowed user_t rcc_project_t file $perm && ok "user_t may $perm rcc_project_t files" ||
                bad "user_t may not $perm rcc_project_t files"
done
allowed user_t rcc_conf_t file read && ok "user_t may read rcc_conf_t files" || bad "user_t may not read rcc_conf_t"
for perm in write append create unlink rename setattr relabelfrom relabelto; do
        allowed user_t rcc_conf_t file $perm && bad "user_t may $perm rcc_conf_t files" ||
                ok "user_t may not $perm rcc_conf_t files"
done
for perm in write add_name remove_name rmdir setattr relabelfrom; do
        allowed user_t rcc_conf_t dir $perm && bad "user_t may $perm rcc_conf_t dirs" ||
                ok "user_t may not $perm rcc_conf_t dirs"
done
allowed sshd_t rcc_conf_t file read && ok "sshd_t (pam_rcc, AuthorizedKeysFile) may read rcc_conf_t" ||
        bad "sshd_t may not read rcc_conf_t"
allowed sudodomain rcc_conf_t file read && ok "sudo domains (pam_rcc) may read rcc_conf_t" ||
        bad "sudo domains may not read rcc_conf_t"

# The enforcement files: their labels, and user_t may write none of them.
for p in /etc/pam.d/sshd /etc/ssh/sshd_config.d/rcc.conf /etc/sudoers.d/rcc \
        /usr/lib/x86_64-linux-gnu/security/pam_rcc.so /usr/sbin/rcc-firewall /usr/bin/rcc-shell; do
        t=$(label $p)
        allowed user_t "$t" file write && bad "user_t may write $p ($t)" || ok "user_t may not write $p ($t)"
done

# Everything the module adds to the kernel policy: every allow rule of the linked policy, with and
# without rcc, compared. Each added rule must have one of the module's own targets, or be one of
# the listed rootless-podman grants to user_t, or one of the named grants: mount_t mounting the
# accounts' storage with context=user_home_t (relabelfrom on that file system type), sshd_t's
# netfilter netlink socket and net_admin (pam_rcc asks the kernel whether table inet rcc is loaded),
# pam_rcc and rcc-shell reaching rcc-firewalld (initrc_t): signull, and connecting to it;
# rcc-shell's syslog socket; the user bus's ready notice to the account's user manager; and what
# podman and rcc-stage do in their own namespaces (nsfs, mounts, whiteouts, fuse-overlayfs); and
# podman and crun asking the account's user manager for the session's scope.
sesearch -A "$A" | sort >"$tmp/rules.without"
sesearch -A "$B" | sort >"$tmp/rules.with"
comm -13 "$tmp/rules.without" "$tmp/rules.with" >"$tmp/added"
comm -23 "$tmp/rules.without" "$tmp/rules.with" >"$tmp/changed"
echo "the module adds or widens $(wc -l <"$tmp/added") allow rules:"
sed 's/^/     /' "$tmp/added"
stray=$(grep -v -E '^allow [a-z_]+ (rcc_conf_t|rcc_project_t|rcc_storage_image_t|rcc_runtime_t):' "$tmp/added" |
        grep -v -E '^allow sshd_t initrc_t:process (signull|[{] sigchld signull [}]);$' |
        grep -v -E '^allow user_t initrc_t:unix_stream_socket connectto;$' |
        grep -v -E '^allow mount_t user_home_t:filesystem relabelfrom;$' |
        grep -v -E '^allow user_t (syslogd_runtime_t:dir|devlog_t:(lnk_file|sock_file)|syslogd_t:unix_dgram_socket) ' |
        grep -v -E '^allow user_t (nsfs_t:file|user_home_t:(chr_file|filesystem)|sysctl_fs_t:(dir|file)|fusefs_t:dir|user_tmpfs_t:file|user_tmp_t:file|user_t:fifo_file|cgroup_t:(dir|file|lnk_file|filesystem)) ' |
        grep -v -E '^allow user_t root_t:dir mounton;$' |
        grep -v -E '^allow user_t fs_t:filesystem [{] mount remount unmount [}];$' |
        grep -v -E '^allow (user_t user_systemd_t:(dbus|system)|user_systemd_t user_t:dbus|unconfined_t user_systemd_t:system) ' |
        grep -v -E '^allow user_dbusd_t (systemd_user_runtime_t:dir|systemd_user_runtime_notify_t:sock_file|user_systemd_t:unix_dgram_socket) ' |
        grep -v -E '^allow sshd_t sshd_t:netlink_netfilter_socket ' |
        grep -v -E '^allow sshd_t sshd_t:capability ' |
        grep -v -E '^allow user_t (user_t:(cap_userns|capability|tun_socket)|(proc_t|sysfs_t|tmpfs_t|devpts_t|fusefs_t):filesystem|(user_home_t|tmpfs_t):dir|(fuse_device_t|tun_tap_device_t):chr_file) ' || true)
[ -z "$stray" ] && ok "every added rule targets one of the module's own types, or is a listed grant" ||
        bad "unexpected rules: $stray"
# sshd_t's capabilities: widened by net_admin alone.
sshd_caps=$(grep -E '^allow sshd_t sshd_t:capability ' "$tmp/added" || true)
if [ -n "$sshd_caps" ]; then
        grep -qxF "$(printf '%s\n' "$sshd_caps" | sed 's/ net_admin//')" "$tmp/rules.without" &&
                ok "sshd_t's capabilities are widened by net_admin alone" ||
                bad "sshd_t's capabilities are widened by more than net_admin: $sshd_caps"
fi
# user_t's capabilities: widened by setuid and dac_override alone (newuidmap).
user_caps=$(grep -E '^allow user_t user_t:capability ' "$tmp/added" || true)
if [ -n "$user_caps" ]; then
        grep -qxF "$(printf '%s\n' "$user_caps" | sed 's/ setuid//; s/ dac_override//')" "$tmp/rules.without" &&
                ok "user_t's capabilities are widened by setuid and dac_override alone" ||
                bad "user_t's capabilities are widened by more than setuid and dac_override: $user_caps"
fi
for t in etc_t lib_t bin_t shadow_t sshd_key_t security_t policy_config_t; do
        grep -q -E "^allow [a-z_]+ $t:" "$tmp/added" && bad "the module grants something on $t" ||
                ok "the module grants nothing on $t"
done
exit $fail
