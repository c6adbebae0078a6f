#!/bin/sh
# Attack: setuid binaries and file capabilities. A setuid copy of busybox in the project (mounted
# nosuid) and in the container's /tmp; a security.capability xattr granting CAP_SYS_ADMIN; busybox
# su. With no_new_privs and no capabilities, none of them changes who we are.
# Usage: setuid.sh PROBE
probe=$1
[ -x "$probe" ] || { echo "BROKEN no probe at $probe"; exit 0; }
me=$(id -u)
res="" bad=""
for dir in /workspace/rcc-escape-suid /tmp/rcc-escape-suid; do
        bb=$dir/busybox # busybox picks the applet from its name: keep it "busybox"
        mkdir -p "$dir" && cp /bin/busybox "$bb" && chmod 4755 "$bb" || { echo "BROKEN cannot make $bb"; exit 0; }
        mode=$(stat -c %A "$bb")
        e=$("$bb" sh -c 'id -u; grep -E "^CapEff" /proc/self/status' 2>&1 | tr '\n\t' '  ')
        case $e in
        "$me CapEff: 0000000000000000 ") res="$res $bb($mode)=uid$me,no-caps" ;;
        "0 "* | *CapEff:*[1-9a-f]*) bad="$bad $bb($mode):$e" ;;
        *) echo "BROKEN running $bb said: $e"; exit 0 ;;
        esac
done
fc=$("$probe" setfcap /workspace/rcc-escape-suid/busybox)
[ "$fc" = ok ] && bad="$bad setfcap=ok"
su_out=$(su -c 'id -u' root </dev/null 2>&1 | tr '\n' ' ')
case $su_out in 0*) bad="$bad su=root" ;; esac
[ -z "$bad" ] || { echo "ESCAPED$bad"; exit 0; }
echo "CONTAINED$res; setfcap=$fc; su: ${su_out% }"
