#!/bin/sh
# Attack: change the firewall from inside: nft and iptables (absent from the image, which an agent
# can work around), and the nftables netlink batch itself (delete table inet rcc), in the session's
# namespace and in a user+network namespace of its own. Whatever the kernel answers, the runner
# compares the host's table before and after. Usage: nft.sh PROBE
probe=$1
[ -x "$probe" ] || { echo "BROKEN no probe at $probe"; exit 0; }
res=""
for tool in nft iptables ip6tables; do
        if command -v $tool >/dev/null 2>&1; then
                e=$($tool -F 2>&1 || true)
                res="$res $tool:${e:-ran}"
        else
                res="$res $tool=absent"
        fi
done
here=$("$probe" nftdel inet rcc)
own=$(unshare -r -n "$probe" nftdel inet rcc 2>&1 | tr '\n' ' ')
case $here in deleted) echo "ESCAPED deleted table inet rcc from the session's namespace"; exit 0 ;;
EPERM | ENOENT) ;; *) echo "BROKEN the netlink batch got no usable answer: $here"; exit 0 ;; esac
echo "CONTAINED$res; netlink delete table inet rcc=$here; in an own user+net namespace=${own% }"
