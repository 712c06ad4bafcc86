#!/bin/bash
# xt_dns_name end to end: dnsmasq on loopback answers every name; a DROP rule for example.com
# blocks exactly that name (any case) and "!" inverts it, over IPv4 and IPv6, in OUTPUT and
# INPUT, with iptables-legacy and iptables-nft, each as the lab writes it (no -p) and with
# -p udp; -L, -S, save/restore, counters; -p tcp never matches; the lab's command with the
# default iptables; rmmod after the rules are gone.
# timeout: 420
set -uo pipefail
# shellcheck source=vm/guest/testlib.sh
. "$KLAB_TESTLIB"

ko=$LAB_DIR/modules/xt_dns_name/xt_dns_name.ko
[ -f "$ko" ] || { echo "missing $ko: run make inject"; exit 1; }
command -v dnsmasq >/dev/null || skip "dnsmasq is not installed"
command -v dig >/dev/null || skip "dig is not installed"
export XTABLES_LIBDIR=$LAB_DIR/xtables:/usr/lib/x86_64-linux-gnu/xtables
backends=(legacy nft)

flush_all() {
	local b
	for b in "${backends[@]}"; do
		iptables-"$b" -F 2>/dev/null
		ip6tables-"$b" -F 2>/dev/null
	done
}

ip link set lo up
flush_all
rmmod xt_dns_name 2>/dev/null
check "insmod xt_dns_name.ko" insmod "$ko"

pidfile=$(mktemp)
dnsmasq --address=/#/192.0.2.1 --no-resolv --no-hosts --port=53 \
	--listen-address=127.0.0.1,::1 --bind-interfaces --pid-file="$pidfile" \
	--user=root --group=root
trap 'kill "$(cat "$pidfile")" 2>/dev/null; flush_all' EXIT

# answered SERVER NAME [DIG-OPTION]: dig gets dnsmasq's address back (one try: a drop is one
# packet; +tcp: one connection).
answered() { dig @"$1" +tries=1 +time=1 +short ${3:+"$3"} A "$2" | grep -qx 192.0.2.1; }
# shellcheck disable=SC2317 # called through check
blocked() { ! answered "$@"; }
# The filter table as iptables-save prints it, less comments and chain counters.
# shellcheck disable=SC2317
saved_rules() { "$1"-save -t filter | grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//'; }
for _ in $(seq 50); do answered 127.0.0.1 ready.test && break; sleep 0.1; done
check "dnsmasq answers on 127.0.0.1" answered 127.0.0.1 example.com
check "dnsmasq answers on ::1" answered ::1 example.com

# pkts IPT CHAIN: the packet counter of the chain's only rule.
pkts() { "$1" -L "$2" -v -x -n | awk '/dns_name/ { print $1 }'; }
# check_pkts DESC IPT CHAIN WANT
check_pkts() {
	local got
	got=$(pkts "$2" "$3")
	check "$1: counter is $4 (got ${got:-none})" test "${got:-x}" = "$4"
}

for b in "${backends[@]}"; do
	for fam in 4 6; do
		if [ "$fam" = 4 ]; then ipt=iptables-$b srv=127.0.0.1; else ipt=ip6tables-$b srv=::1; fi
		# The lab's own command first (no -p, the match checks the protocol), then with -p udp.
		for p in "" "-p udp "; do
			t="$ipt${p:+ $p}"
			# shellcheck disable=SC2086 # $p is zero or two words
			check "$t: add OUTPUT rule: $ipt -m dns_name -I OUTPUT $p--domain example.com -j DROP" \
				env XTABLES_LIBDIR="$XTABLES_LIBDIR" "$ipt" -m dns_name -I OUTPUT $p--domain example.com -j DROP
			check "$t: example.com blocked" blocked "$srv" example.com
			check "$t: EXAMPLE.COM blocked" blocked "$srv" EXAMPLE.COM
			check "$t: example.org answered" answered "$srv" example.org
			check "$t: www.example.com answered" answered "$srv" www.example.com
			check "$t: notexample.com answered" answered "$srv" notexample.com
			check "$t: example.com over TCP answered (UDP only)" answered "$srv" example.com +tcp
			check_pkts "$t: two queries dropped" "$ipt" OUTPUT 2
			check "$t: -L shows 'dns_name domain example.com'" \
				grep -q 'dns_name domain example\.com' <<<"$("$ipt" -L OUTPUT -n)"
			check "$t: -S shows the rule" grep -qx -- \
				"-A OUTPUT $p-m dns_name --domain example.com -j DROP" <<<"$("$ipt" -S OUTPUT)"
			check "$t: iptables-save shows the rule" grep -qx -- \
				"-A OUTPUT $p-m dns_name --domain example.com -j DROP" <<<"$(saved_rules "$ipt")"
			check_not "$t: rmmod refused while a rule uses the match" rmmod xt_dns_name
			"$ipt" -F OUTPUT

			# shellcheck disable=SC2086
			check "$t: add inverted OUTPUT rule" "$ipt" -A OUTPUT $p-m dns_name \
				! --domain example.com -j DROP
			check "$t: inverted: example.com answered" answered "$srv" example.com
			check "$t: inverted: Example.Com answered" answered "$srv" Example.Com
			check "$t: inverted: example.org blocked" blocked "$srv" example.org
			check "$t: inverted: www.example.com blocked" blocked "$srv" www.example.com
			check "$t: inverted: example.org over TCP answered" answered "$srv" example.org +tcp
			check_pkts "$t: inverted: two queries dropped" "$ipt" OUTPUT 2
			check "$t: inverted: -L shows 'dns_name domain ! example.com'" \
				grep -q 'dns_name domain ! example\.com' <<<"$("$ipt" -L OUTPUT -n)"
			check "$t: inverted: -S shows '! --domain'" grep -qx -- \
				"-A OUTPUT $p-m dns_name ! --domain example.com -j DROP" <<<"$("$ipt" -S OUTPUT)"

			# save, flush, restore: the same rules, still working.
			saved=$(saved_rules "$ipt")
			check "$t: save has '-m dns_name ! --domain example.com'" \
				grep -q -- '-m dns_name ! --domain example.com' <<<"$saved"
			"$ipt" -F OUTPUT
			check "$t: restore the saved rules" "$ipt"-restore <<<"$saved"
			check "$t: restored rules save identically" \
				test "$(saved_rules "$ipt")" = "$saved"
			check "$t: restored: example.org blocked" blocked "$srv" example.org
			check "$t: restored: example.com answered" answered "$srv" example.com
			"$ipt" -F OUTPUT

			# INPUT: the query leaves, the server never sees it, dig times out.
			# shellcheck disable=SC2086
			check "$t: add INPUT rule" "$ipt" -A INPUT $p-m dns_name \
				--domain example.net -j DROP
			check "$t: INPUT: example.net blocked" blocked "$srv" example.net
			check "$t: INPUT: example.com answered" answered "$srv" example.com
			check_pkts "$t: INPUT: one query dropped" "$ipt" INPUT 1
			"$ipt" -F INPUT
		done

		# -p tcp is accepted now, and a revision-0 rule never matches TCP.
		check "$ipt -p tcp: add OUTPUT rule" "$ipt" -A OUTPUT -p tcp -m dns_name --domain example.com -j DROP
		check "$ipt -p tcp: example.com over TCP answered" answered "$srv" example.com +tcp
		check "$ipt -p tcp: example.com over UDP answered" answered "$srv" example.com
		check_pkts "$ipt -p tcp: nothing dropped" "$ipt" OUTPUT 0
		"$ipt" -F OUTPUT
	done
done

# The lab's command exactly as written, with the distribution's default iptables.
check "iptables -m dns_name -I OUTPUT --domain example.com -j DROP (XTABLES_LIBDIR)" \
	env XTABLES_LIBDIR="$XTABLES_LIBDIR" iptables -m dns_name -I OUTPUT --domain example.com -j DROP
check "iptables: example.com blocked" blocked 127.0.0.1 example.com
check "iptables: example.org answered" answered 127.0.0.1 example.org
check "ip6tables -m dns_name -I OUTPUT --domain example.com -j DROP (XTABLES_LIBDIR)" \
	env XTABLES_LIBDIR="$XTABLES_LIBDIR" ip6tables -m dns_name -I OUTPUT --domain example.com -j DROP
check "ip6tables: example.com blocked" blocked ::1 example.com
check "ip6tables: example.org answered" answered ::1 example.org
iptables -F OUTPUT
ip6tables -F OUTPUT

flush_all
# nft_compat drops its module reference after the transaction: allow a moment.
for _ in $(seq 30); do rmmod xt_dns_name 2>/dev/null && break; sleep 0.1; done
check_not "rmmod xt_dns_name after flushing" grep -q '^xt_dns_name ' /proc/modules
finish
