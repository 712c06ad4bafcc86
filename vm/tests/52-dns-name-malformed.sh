#!/bin/bash
# The parser's edge cases as real packets: each UDP payload below is sent once to port 53
# (bash /dev/udp + dd, one datagram each) past a plain and an inverted dns_name rule in
# OUTPUT, each once with -p udp and once without; their counters must show the expected
# verdicts, the same with and without -p. IPv4 and IPv6, legacy and nft.
# The 20000-byte queries travel in a non-linear skb (data in page fragments).
# Then whole IP packets from a raw socket (perl): IPv4 options and fragments, IPv6 extension
# headers (hop-by-hop, routing, destination options, AH, fragments), where without -p the
# match must find the UDP header itself.
# timeout: 150
set -uo pipefail
# shellcheck source=vm/guest/testlib.sh
. "$KLAB_TESTLIB"

ko=$LAB_DIR/modules/xt_dns_name/xt_dns_name.ko
[ -f "$ko" ] || { echo "missing $ko: run make inject"; exit 1; }
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
payload=$(mktemp)
trap 'flush_all; rm -f "$payload"' EXIT

H1=123401000001000000000000	# id, RD, QDCOUNT 1
H2=123401000002000000000000	# QDCOUNT 2
H0=123401000000000000000000	# QDCOUNT 0
EX=076578616d706c6503636f6d00	# example.com
TC=00010001			# QTYPE A, QCLASS IN
rep() { local i; for ((i = 0; i < $2; i++)); do printf '%s' "$1"; done; }
L63=3f$(rep 61 63)
N255=$L63$L63$L63"3d$(rep 62 61)00"	# 255 octets in wire format
N256=$L63$L63$L63"3e$(rep 62 62)00"	# 256: malformed
PAD=$(rep 00 19960)

# description | port | payload hex | plain rule counter | inverted rule counter
cases=(
	"query|53|$H1$EX$TC|1|0"
	"mixed case ExAmPlE.CoM|53|${H1}074578416d506c4503436f4d00$TC|1|0"
	"subdomain www.example.com|53|${H1}03777777$EX$TC|0|1"
	"superstring notexample.com|53|${H1}0a6e6f746578616d706c6503636f6d00$TC|0|1"
	"label containing a dot|53|${H1}0b6578616d706c652e636f6d00$TC|0|1"
	"NUL inside a label|53|${H1}0765786100706c6503636f6d00$TC|0|1"
	"empty label ends the name|53|${H1}076578616d706c650003636f6d00$TC|0|1"
	"no root label|53|${H1}076578616d706c6503636f6d|0|1"
	"no QTYPE and QCLASS|53|$H1$EX|0|1"
	"header cut short (11 bytes)|53|1234010000010000000000|0|0"
	"header only|53|$H1|0|1"
	"QDCOUNT 0|53|$H0$EX$TC|0|1"
	"QDCOUNT 2, second matches|53|${H2}03616263036f726700$TC$EX$TC|1|0"
	"QDCOUNT 2, first malformed|53|${H2}c00c$TC$EX$TC|0|1"
	"response (QR=1)|53|123481800001000000000000$EX$TC|0|0"
	"opcode NOTIFY|53|123420000001000000000000$EX$TC|0|0"
	"opcode UPDATE|53|123428000001000000000000$EX$TC|0|0"
	"self pointer|53|${H1}c00c$TC|0|1"
	"forward pointer|53|${H1}c012$TC$EX|0|1"
	"reserved label type 01|53|${H1}476578616d706c6503636f6d00$TC|0|1"
	"reserved label type 10|53|${H1}876578616d706c6503636f6d00$TC|0|1"
	"EDNS OPT record|53|123401200001000000000001$EX${TC}0000291000000000000000|1|0"
	"trailing data|53|$H1$EX${TC}deadbeefc00c|1|0"
	"255-octet name, then example.com|53|$H2$N255$TC$EX$TC|1|0"
	"256-octet name, then example.com|53|$H2$N256$TC$EX$TC|0|1"
	"query to port 5353|5353|$H1$EX$TC|0|0"
	"20000-byte query (non-linear skb)|53|$H1$EX$TC$PAD|1|0"
	"20000-byte query for www.example.com|53|${H1}03777777$EX$TC$PAD|0|1"
)

# send HOST PORT HEX: one datagram (dd writes the file in a single write()).
send() {
	printf '%s' "$3" | sed 's/../\\x&/g' | { read -r esc; printf '%b' "$esc"; } >"$payload"
	exec 3<>"/dev/udp/$1/$2" || return 1
	dd if="$payload" bs=65536 count=1 status=none >&3
	exec 3>&-
}
# counters IPT: packet counters of OUTPUT's rules, space separated.
counters() { "$1" -L OUTPUT -v -x -n | awk 'NR > 2 { printf "%s ", $1 }'; }

for b in "${backends[@]}"; do
	for fam in 4 6; do
		if [ "$fam" = 4 ]; then ipt=iptables-$b host=127.0.0.1; else ipt=ip6tables-$b host=::1; fi
		"$ipt" -F OUTPUT
		check "$ipt: plain rule" "$ipt" -A OUTPUT -p udp -m dns_name --domain example.com
		check "$ipt: inverted rule" "$ipt" -A OUTPUT -p udp -m dns_name ! --domain example.com
		check "$ipt: plain rule without -p" "$ipt" -A OUTPUT -m dns_name --domain example.com
		check "$ipt: inverted rule without -p" "$ipt" -A OUTPUT -m dns_name ! --domain example.com
		check "$ipt: rule counting all UDP" "$ipt" -A OUTPUT -p udp
		for c in "${cases[@]}"; do
			IFS='|' read -r desc port hex plain inv <<<"$c"
			"$ipt" -Z OUTPUT
			send "$host" "$port" "$hex"
			got=$(counters "$ipt")
			check "$ipt: $desc: plain $plain, inverted $inv, the same without -p, sent 1 (got: $got)" \
				test "$got" = "$plain $inv $plain $inv 1 "
		done
		"$ipt" -F OUTPUT
	done
done

# Whole packets from a raw socket, marked so that a rule counts exactly them.
# send_raw 4|6 HEX: one IP packet (header included) to the loopback address.
send_raw() {
	perl -e '
		use Socket qw(:DEFAULT inet_pton pack_sockaddr_in6);
		my ($fam, $hex) = @ARGV;
		my ($af, $sa) = $fam == 6
			? (AF_INET6, pack_sockaddr_in6(0, inet_pton(AF_INET6, "::1")))
			: (AF_INET, pack_sockaddr_in(0, inet_aton("127.0.0.1")));
		socket(my $s, $af, SOCK_RAW, 255) or die "socket: $!\n";	# IPPROTO_RAW
		setsockopt($s, SOL_SOCKET, 36, pack("l", 0x5eed)) or die "SO_MARK: $!\n";
		defined send($s, pack("H*", $hex), 0, $sa) or die "send: $!\n";
	' "$1" "$2"
}
LO6=00000000000000000000000000000001
Q=$H1$EX$TC
W=${H1}03777777$EX$TC
# v6 NEXT HEX: IPv6 header ::1 -> ::1, hop limit 64, payload HEX.
v6() { printf '60000000%04x%s40%s%s%s' $((${#2} / 2)) "$1" "$LO6" "$LO6" "$2"; }
# v4 PROTO FRAG HEX [OPTIONS]: IPv4 127.0.0.1 -> 127.0.0.1 (length and checksum: the kernel).
v4() {
	local opt=${4:-}
	printf '4%x0000000001%s40%s00007f0000017f000001%s%s' $((5 + ${#opt} / 8)) "$2" "$1" "$opt" "$3"
}
# udp PORT HEX: a UDP header from port 50000, then HEX.
udp() { printf 'c350%04x%04x0000%s' "$1" $((8 + ${#2} / 2)) "$2"; }
# Extension headers; NEXT is the type of what follows (11 UDP, 06 TCP, 2b routing, 2c
# fragment, 33 AH, 3b none, 3c destination options).
ext_opt() { printf '%s00010400000000' "$1"; }		# hop-by-hop or dest options, PadN
ext_rh() { printf '%s00000000000000' "$1"; }		# routing type 0, no segments left
ext_frag() { printf '%s00%04x00000007' "$1" $(($2 * 8 + $3)); }	# offset (8-byte units), M
ext_ah() { printf '%s0400000000000100000001%s' "$1" "$(rep aa 12)"; }

# description | family | packet hex | plain | inverted
raw_cases=(
	"v4 query|4|$(v4 11 0000 "$(udp 53 "$Q")")|1|0"
	"v4 options|4|$(v4 11 0000 "$(udp 53 "$Q")" 0707040000000001)|1|0"
	"v4 first fragment|4|$(v4 11 2000 "$(udp 53 "$Q")")|1|0"
	"v4 later fragment that looks like a query|4|$(v4 11 0003 "$(udp 53 "$Q")")|0|0"
	"v4 TCP to port 53, UDP-shaped|4|$(v4 06 0000 "$(udp 53 "$Q")")|0|0"
	"v4 subdomain|4|$(v4 11 0000 "$(udp 53 "$W")")|0|1"
	"v6 hop-by-hop|6|$(v6 00 "$(ext_opt 11)$(udp 53 "$Q")")|1|0"
	"v6 destination options|6|$(v6 3c "$(ext_opt 11)$(udp 53 "$Q")")|1|0"
	"v6 routing header|6|$(v6 2b "$(ext_rh 11)$(udp 53 "$Q")")|1|0"
	"v6 hop-by-hop, routing, dest options, subdomain|6|$(v6 00 "$(ext_opt 2b)$(ext_rh 3c)$(ext_opt 11)$(udp 53 "$W")")|0|1"
	"v6 hop-by-hop, routing, dest options|6|$(v6 00 "$(ext_opt 2b)$(ext_rh 3c)$(ext_opt 11)$(udp 53 "$Q")")|1|0"
	"v6 AH|6|$(v6 33 "$(ext_ah 11)$(udp 53 "$Q")")|1|0"
	"v6 first fragment|6|$(v6 2c "$(ext_frag 11 0 1)$(udp 53 "$Q")")|1|0"
	"v6 later fragment that looks like a query|6|$(v6 2c "$(ext_frag 11 3 0)$(udp 53 "$Q")")|0|0"
	"v6 hop-by-hop, later fragment|6|$(v6 00 "$(ext_opt 2c)$(ext_frag 11 3 1)$(udp 53 "$Q")")|0|0"
	"v6 hop-by-hop, port 5353|6|$(v6 00 "$(ext_opt 11)$(udp 5353 "$Q")")|0|0"
	"v6 hop-by-hop, TCP, UDP-shaped|6|$(v6 00 "$(ext_opt 06)$(udp 53 "$Q")")|0|0"
	"v6 ESP|6|$(v6 32 "00000001000000010000$(udp 53 "$Q")")|0|0"
	"v6 no next header|6|$(v6 00 "$(ext_opt 3b)$(udp 53 "$Q")")|0|0"
)
for b in "${backends[@]}"; do
	for fam in 4 6; do
		[ "$fam" = 4 ] && ipt=iptables-$b || ipt=ip6tables-$b
		"$ipt" -F OUTPUT
		"$ipt" -A OUTPUT -p udp -m dns_name --domain example.com
		"$ipt" -A OUTPUT -p udp -m dns_name ! --domain example.com
		"$ipt" -A OUTPUT -m dns_name --domain example.com
		"$ipt" -A OUTPUT -m dns_name ! --domain example.com
		"$ipt" -A OUTPUT -m mark --mark 0x5eed
		for c in "${raw_cases[@]}"; do
			IFS='|' read -r desc f hex plain inv <<<"$c"
			[ "$f" = "$fam" ] || continue
			"$ipt" -Z OUTPUT
			check "$ipt: raw $desc: sent" send_raw "$fam" "$hex"
			got=$(counters "$ipt")
			check "$ipt: raw $desc: plain $plain, inverted $inv, the same without -p (got: $got)" \
				test "$got" = "$plain $inv $plain $inv 1 "
		done
		"$ipt" -F OUTPUT
	done
done
finish
