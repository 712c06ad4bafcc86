#!/bin/bash
# xt_dns_name in FORWARD: a client namespace queries dnsmasq in a server namespace through
# this one (the router), IPv4 and IPv6, iptables-legacy and iptables-nft, rules with and
# without -p udp. Then fragments: the client's small MTU splits a big query in three; only the
# first fragment can match, even when the second one starts with bytes that look like a UDP
# header and a DNS query, with -p udp and without (IPv6: the fragment header is an extension
# header the match walks itself). Revision 1's --domain-suffix over UDP and TCP in FORWARD.
# timeout: 400
set -uo pipefail
# shellcheck source=tests/lib/tap.sh
. "$KLAB_LIB/tap.sh"
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/tests/lib/dns_name.sh
. "$KLAB_LIB/dns_name.sh"

cli=dnsn-cli srv=dnsn-srv
ip netns del "$cli" 2>/dev/null
ip netns del "$srv" 2>/dev/null
dns_name_setup dnsmasq dig

# Documentation prefixes only; every address lives inside this guest.
if ! ip netns add "$cli" || ! ip netns add "$srv"; then skip_all "no network namespaces"; fi
dns_name_on_exit ip netns del "$cli"
dns_name_on_exit ip netns del "$srv"
ip link add c1 type veth peer name c0 netns "$cli" || skip_all "no veth (CONFIG_VETH)"
ip link add s1 type veth peer name s0 netns "$srv"
ip addr add 198.51.100.1/24 dev c1
ip addr add 2001:db8:1::1/64 dev c1 nodad
ip addr add 203.0.113.1/24 dev s1
ip addr add 2001:db8:2::1/64 dev s1 nodad
ip link set c1 up
ip link set s1 up
ip -n "$cli" addr add 198.51.100.2/24 dev c0
ip -n "$cli" addr add 2001:db8:1::2/64 dev c0 nodad
ip -n "$srv" addr add 203.0.113.2/24 dev s0
ip -n "$srv" addr add 2001:db8:2::2/64 dev s0 nodad
ip -n "$cli" link set lo up
ip -n "$cli" link set c0 up
ip -n "$srv" link set lo up
ip -n "$srv" link set s0 up
ip -n "$cli" route add default via 198.51.100.1
ip -n "$cli" -6 route add default via 2001:db8:1::1
ip -n "$srv" route add default via 203.0.113.1
ip -n "$srv" -6 route add default via 2001:db8:2::1
sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

DNS_NETNS=$srv dnsmasq_start 203.0.113.2 2001:db8:2::2
# The client asks and sends.
DNS_NETNS=$cli
# IPv6 routes work only once the addresses have settled: wait for both families.
for _ in $(seq 100); do
	answered 203.0.113.2 ready.test && answered 2001:db8:2::2 ready.test && break
	sleep 0.1
done
check "client reaches the server over IPv4" answered 203.0.113.2 example.com
check "client reaches the server over IPv6" answered 2001:db8:2::2 example.com

for b in "${dns_backends[@]}"; do
	for fam in 4 6; do
		ipt=$(dns_ipt "$b" "$fam")
		if [ "$fam" = 4 ]; then dst=203.0.113.2; else dst=2001:db8:2::2; fi
		for p in "" "-p udp "; do
			t="$ipt${p:+ $p}"
			# shellcheck disable=SC2086 # $p is zero or two words
			check "$t: FORWARD rule" "$ipt" -A FORWARD $p-m dns_name --domain example.com -j DROP
			check "$t: FORWARD: example.com blocked" blocked "$dst" example.com
			check "$t: FORWARD: eXample.com blocked" blocked "$dst" eXample.com
			check "$t: FORWARD: example.org answered" answered "$dst" example.org
			expect_eq "$t: FORWARD: two queries dropped" "2 " "$(counters "$ipt" FORWARD)"
			"$ipt" -F FORWARD
		done
		# Revision 1: a suffix, over UDP and TCP.
		t="$ipt --domain-suffix"
		check "$t: FORWARD rule" "$ipt" -A FORWARD -m dns_name --domain-suffix example.com -j DROP
		check "$t: FORWARD: www.example.com blocked" blocked "$dst" www.example.com
		check "$t: FORWARD: www.example.com over TCP blocked" blocked "$dst" www.example.com +tcp
		check "$t: FORWARD: example.org over TCP answered" answered "$dst" example.org +tcp
		check "$t: FORWARD: notexample.com answered" answered "$dst" notexample.com
		"$ipt" -F FORWARD
	done
done

# Fragments.
FAKE=c350003501000000$DNS_H1$DNS_EX$DNS_TC	# a UDP header to port 53 and a query for example.com
# MTU 1280 (below it IPv6 would drop its addresses): 3000-byte queries leave in three
# fragments; the 2nd fragment starts at UDP payload byte $split.
ip -n "$cli" link set c0 mtu 1280
for fam in 4 6; do
	if [ "$fam" = 4 ]; then
		split=$(((1280 - 20) / 8 * 8 - 8)) dst=203.0.113.2
	else
		split=$(((1280 - 48) / 8 * 8 - 8)) dst=2001:db8:2::2
	fi
	size=3000
	hit=$(hex_pad "$(hex_pad "$DNS_H1$DNS_EX$DNS_TC" "$split")$FAKE" "$size")
	miss=$(hex_pad "$(hex_pad "${DNS_H1}03777777$DNS_EX$DNS_TC" "$split")$FAKE" "$size")
	for b in "${dns_backends[@]}"; do
		ipt=$(dns_ipt "$b" "$fam")
		"$ipt" -A FORWARD -p udp -m dns_name --domain example.com
		"$ipt" -A FORWARD -p udp -m dns_name ! --domain example.com
		"$ipt" -A FORWARD -m dns_name --domain example.com
		"$ipt" -A FORWARD -m dns_name ! --domain example.com
		"$ipt" -A FORWARD -p udp
		send_udp "$dst" 53 "$hit"
		got=$(counters "$ipt" FORWARD)
		if [ "$(awk '{ print $5 }' <<<"$got")" = 1 ]; then
			echo "# note: $ipt saw one reassembled packet, not fragments (defrag active?)"
		fi
		expect_eq "$ipt: fragmented query for example.com: plain 1, inverted 0, the same without -p, 3 fragments" \
			"1 0 1 0 3 " "$got"
		"$ipt" -Z FORWARD
		send_udp "$dst" 53 "$miss"
		expect_eq "$ipt: fragmented query for www.example.com: plain 0, inverted 1, the same without -p" \
			"0 1 0 1 3 " "$(counters "$ipt" FORWARD)"
		"$ipt" -F FORWARD
	done
done

dns_name_unload
tap_done
