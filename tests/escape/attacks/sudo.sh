#!/bin/sh
# Attack: sudo. There is none in the image; and a sudo (or any setuid binary) brought along could
# not elevate: no_new_privs is set and no capability is held, permitted or bounding.
st=$(grep -E '^(NoNewPrivs|CapEff|CapPrm|CapBnd|CapAmb|CapInh)' /proc/self/status | tr -d '\t' | tr '\n' ' ')
case $st in *NoNewPrivs:*) ;; *) echo "BROKEN no NoNewPrivs line in /proc/self/status"; exit 0 ;; esac
s=$(command -v sudo || echo none)
for want in NoNewPrivs:1 CapEff:0000000000000000 CapPrm:0000000000000000 CapBnd:0000000000000000 CapAmb:0000000000000000; do
        case " $st" in *" $want "*) ;; *) echo "ESCAPED sudo=$s; $want does not hold: $st"; exit 0 ;; esac
done
echo "CONTAINED sudo=$s; ${st% }"
