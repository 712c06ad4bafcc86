#!/bin/bash
# The lab's iptables primer (3A): log the TCP packets that root's sockets send from an
# ephemeral source port, with the prefix "TCP_LOG: " (see them with `dmesg | grep TCP_LOG`).
# Usage: tcp_log.sh [add|del|show]   (default: add; adding twice keeps one rule)
# The rule is written as the arguments of `iptables -A`; `make check EX=tcp-log` runs
# `tcp_log.sh add` as root on an empty filter table and watches what gets logged.
set -euo pipefail

# The ephemeral ports: where the kernel picks the source port of a connect() without bind().
# shellcheck disable=SC2034 # the rule uses them (TODO 1)
read -r low high </proc/sys/net/ipv4/ip_local_port_range
rule=()
# TODO 1: the rule, as iptables arguments: chain OUTPUT, TCP, source port in $low:$high,
# TODO 1: a socket owned by root (match owner), target LOG with --log-prefix "TCP_LOG: "
rule=(OUTPUT -p tcp -m multiport --sports "$low:$high" -m owner --uid-owner 0
	-j LOG --log-prefix "TCP_LOG: ")
# TODO 1 end
[ ${#rule[@]} -gt 0 ] || { echo "tcp_log.sh: no rule yet (TODO 1)" >&2; exit 1; }

case ${1:-add} in
add) iptables -C "${rule[@]}" 2>/dev/null || iptables -A "${rule[@]}" ;;
del) iptables -D "${rule[@]}" ;;
show) echo "iptables -A ${rule[*]}" ;;
*) echo "usage: tcp_log.sh [add|del|show]" >&2; exit 2 ;;
esac
