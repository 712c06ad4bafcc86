#!/bin/bash
# The lab's iptables primer: log the TCP packets that root's sockets send from an ephemeral
# source port, with the prefix "TCP_LOG: " (see them with `dmesg | grep TCP_LOG`).
# Usage: tcp_log.sh [add|del|show]   (default: add; adding twice keeps one rule)
set -euo pipefail

read -r low high </proc/sys/net/ipv4/ip_local_port_range
rule=(OUTPUT -p tcp -m multiport --sports "$low:$high" -m owner --uid-owner 0
	-j LOG --log-prefix "TCP_LOG: ")

case ${1:-add} in
add) iptables -C "${rule[@]}" 2>/dev/null || iptables -A "${rule[@]}" ;;
del) iptables -D "${rule[@]}" ;;
show) echo "iptables -A ${rule[*]}" ;;
*) echo "usage: tcp_log.sh [add|del|show]" >&2; exit 2 ;;
esac
