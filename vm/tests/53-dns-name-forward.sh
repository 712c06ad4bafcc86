#!/bin/bash
# xt_dns_name in FORWARD: a client namespace queries dnsmasq in a server namespace through
# this one (the router), IPv4 and IPv6, iptables-legacy and iptables-nft, rules with and
# without -p udp. Then fragments: the client's small MTU splits a big query in three; only the
# first fragment can match, even when the second one starts with bytes that look like a UDP
# header and a DNS query, with -p udp and without (IPv6: the fragment header is an extension
# header the match walks itself).
# timeout: 240
set -uo pipefail
# shellcheck source=vm/guest/testlib.sh
. "$KLAB_TESTLIB"

ko=$LAB_DIR/modules/xt_dns_name/xt_dns_name.ko
[ -f "$ko" ] || { echo "missing $ko: run make inject"; exit 1; }
command -v dnsmasq >/dev/null || skip "dnsmasq is not installed"
command -v dig >/dev/null || skip "dig is not installed"
export XTABLES_LIBDIR=$LAB_DIR/xtables:/usr/lib/x86_64-linux-gnu/xtables
backends=(legacy nft)
cli=dnsn-cli srv=dnsn-srv
flush_all() {
	local b
	for b in "${backends[@]}"; do
		iptables-"$b" -F 2>/dev/null
		ip6tables-"$b" -F 2>/dev/null
	done
}
cleanup() {
	ip netns pids "$srv" 2>/dev/null | xargs -r kill
	ip netns del "$cli" 2>/dev/null
	ip netns del "$srv" 2>/dev/null
	flush_all
	rm -f "$payload"
}
payload=$(mktemp)
trap cleanup EXIT
cleanup
ip link set lo up
rmmod xt_dns_name 2>/dev/null
check "insmod xt_dns_name.ko" insmod "$ko"

# Documentation prefixes only; every address lives inside this guest.
if ! ip netns add "$cli" || ! ip netns add "$srv"; then skip "no network namespaces"; fi
ip link add c1 type veth peer name c0 netns "$cli" || skip "no veth (CONFIG_VETH)"
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

ip netns exec "$srv" dnsmasq --address=/#/192.0.2.1 --no-resolv --no-hosts --port=53 \
	--listen-address=203.0.113.2,2001:db8:2::2 --bind-interfaces --user=root --group=root

answered() { ip netns exec "$cli" dig @"$1" +tries=1 +time=1 +short A "$2" | grep -qx 192.0.2.1; }
# shellcheck disable=SC2317 # called through check
blocked() { ! answered "$@"; }
# IPv6 routes work only once the addresses have settled: wait for both families.
for _ in $(seq 100); do
	answered 203.0.113.2 ready.test && answered 2001:db8:2::2 ready.test && break
	sleep 0.1
done
check "client reaches the server over IPv4" answered 203.0.113.2 example.com
check "client reaches the server over IPv6" answered 2001:db8:2::2 example.com

# counters IPT: packet counters of FORWARD's rules, space separated.
counters() { "$1" -L FORWARD -v -x -n | awk 'NR > 2 { printf "%s ", $1 }'; }

for b in "${backends[@]}"; do
	for fam in 4 6; do
		if [ "$fam" = 4 ]; then ipt=iptables-$b dst=203.0.113.2; else ipt=ip6tables-$b dst=2001:db8:2::2; fi
		for p in "" "-p udp "; do
			t="$ipt${p:+ $p}"
			# shellcheck disable=SC2086 # $p is zero or two words
			check "$t: FORWARD rule" "$ipt" -A FORWARD $p-m dns_name --domain example.com -j DROP
			check "$t: FORWARD: example.com blocked" blocked "$dst" example.com
			check "$t: FORWARD: eXample.com blocked" blocked "$dst" eXample.com
			check "$t: FORWARD: example.org answered" answered "$dst" example.org
			got=$(counters "$ipt")
			check "$t: FORWARD: two queries dropped (got: $got)" test "$got" = "2 "
			"$ipt" -F FORWARD
		done
	done
done

# Fragments. hex_pad HEX BYTES: HEX padded with zero bytes to BYTES bytes.
hex_pad() {
	local h=$1
	while [ ${#h} -lt $(($2 * 2)) ]; do h+=00000000000000000000000000000000; done
	printf '%s' "${h:0:$(($2 * 2))}"
}
# send HOST HEX: one UDP datagram to HOST:53 from the client (dd: a single write()).
send() {
	printf '%s' "$2" | sed 's/../\\x&/g' | { read -r esc; printf '%b' "$esc"; } >"$payload"
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$cli" bash -c 'exec 3<>"/dev/udp/$0/53" &&
		dd if="$1" bs=65536 count=1 status=none >&3' "$1" "$payload"
}
H1=123401000001000000000000
EX=076578616d706c6503636f6d00
TC=00010001
FAKE=c350003501000000$H1$EX$TC	# a UDP header to port 53 and a query for example.com

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
	hit=$(hex_pad "$(hex_pad "$H1$EX$TC" "$split")$FAKE" "$size")
	miss=$(hex_pad "$(hex_pad "${H1}03777777$EX$TC" "$split")$FAKE" "$size")
	for b in "${backends[@]}"; do
		[ "$fam" = 4 ] && ipt=iptables-$b || ipt=ip6tables-$b
		"$ipt" -A FORWARD -p udp -m dns_name --domain example.com
		"$ipt" -A FORWARD -p udp -m dns_name ! --domain example.com
		"$ipt" -A FORWARD -m dns_name --domain example.com
		"$ipt" -A FORWARD -m dns_name ! --domain example.com
		"$ipt" -A FORWARD -p udp
		send "$dst" "$hit"
		got=$(counters "$ipt")
		if [ "$(awk '{ print $5 }' <<<"$got")" = 1 ]; then
			echo "note: $ipt saw one reassembled packet, not fragments (defrag active?)"
		fi
		check "$ipt: fragmented query for example.com: plain 1, inverted 0, the same without -p, 3 fragments (got: $got)" \
			test "$got" = "1 0 1 0 3 "
		"$ipt" -Z FORWARD
		send "$dst" "$miss"
		got=$(counters "$ipt")
		check "$ipt: fragmented query for www.example.com: plain 0, inverted 1, the same without -p (got: $got)" \
			test "$got" = "0 1 0 1 3 "
		"$ipt" -F FORWARD
	done
done
finish
