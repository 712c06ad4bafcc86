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
# shellcheck source=tests/lib/tap.sh
. "$KLAB_LIB/tap.sh"
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/tests/lib/dns_name.sh
. "$KLAB_LIB/dns_name.sh"

dns_name_setup perl

L63=3f$(rep 61 63)
N255=$L63$L63$L63"3d$(rep 62 61)00"	# 255 octets in wire format
N256=$L63$L63$L63"3e$(rep 62 62)00"	# 256: malformed
PAD=$(rep 00 19960)

# description | port | payload hex | plain rule counter | inverted rule counter
cases=(
	"query|53|$DNS_H1$DNS_EX$DNS_TC|1|0"
	"mixed case ExAmPlE.CoM|53|${DNS_H1}074578416d506c4503436f4d00$DNS_TC|1|0"
	"subdomain www.example.com|53|${DNS_H1}03777777$DNS_EX$DNS_TC|0|1"
	"superstring notexample.com|53|${DNS_H1}0a6e6f746578616d706c6503636f6d00$DNS_TC|0|1"
	"label containing a dot|53|${DNS_H1}0b6578616d706c652e636f6d00$DNS_TC|0|1"
	"NUL inside a label|53|${DNS_H1}0765786100706c6503636f6d00$DNS_TC|0|1"
	"empty label ends the name|53|${DNS_H1}076578616d706c650003636f6d00$DNS_TC|0|1"
	"no root label|53|${DNS_H1}076578616d706c6503636f6d|0|1"
	"no QTYPE and QCLASS|53|$DNS_H1$DNS_EX|0|1"
	"header cut short (11 bytes)|53|1234010000010000000000|0|0"
	"header only|53|$DNS_H1|0|1"
	"QDCOUNT 0|53|$DNS_H0$DNS_EX$DNS_TC|0|1"
	"QDCOUNT 2, second matches|53|${DNS_H2}03616263036f726700$DNS_TC$DNS_EX$DNS_TC|1|0"
	"QDCOUNT 2, first malformed|53|${DNS_H2}c00c$DNS_TC$DNS_EX$DNS_TC|0|1"
	"response (QR=1)|53|123481800001000000000000$DNS_EX$DNS_TC|0|0"
	"opcode NOTIFY|53|123420000001000000000000$DNS_EX$DNS_TC|0|0"
	"opcode UPDATE|53|123428000001000000000000$DNS_EX$DNS_TC|0|0"
	"self pointer|53|${DNS_H1}c00c$DNS_TC|0|1"
	"forward pointer|53|${DNS_H1}c012$DNS_TC$DNS_EX|0|1"
	"reserved label type 01|53|${DNS_H1}476578616d706c6503636f6d00$DNS_TC|0|1"
	"reserved label type 10|53|${DNS_H1}876578616d706c6503636f6d00$DNS_TC|0|1"
	"EDNS OPT record|53|123401200001000000000001$DNS_EX${DNS_TC}0000291000000000000000|1|0"
	"trailing data|53|$DNS_H1$DNS_EX${DNS_TC}deadbeefc00c|1|0"
	"255-octet name, then example.com|53|$DNS_H2$N255$DNS_TC$DNS_EX$DNS_TC|1|0"
	"256-octet name, then example.com|53|$DNS_H2$N256$DNS_TC$DNS_EX$DNS_TC|0|1"
	"query to port 5353|5353|$DNS_H1$DNS_EX$DNS_TC|0|0"
	"20000-byte query (non-linear skb)|53|$DNS_H1$DNS_EX$DNS_TC$PAD|1|0"
	"20000-byte query for www.example.com|53|${DNS_H1}03777777$DNS_EX$DNS_TC$PAD|0|1"
)

# rules IPT: the four dns_name rules (plain and inverted, with -p udp and without), then a
# rule counting the packets sent (RULE...).
rules() {
	local ipt=$1
	shift
	"$ipt" -F OUTPUT
	check "$ipt: plain rule" "$ipt" -A OUTPUT -p udp -m dns_name --domain example.com
	check "$ipt: inverted rule" "$ipt" -A OUTPUT -p udp -m dns_name ! --domain example.com
	check "$ipt: plain rule without -p" "$ipt" -A OUTPUT -m dns_name --domain example.com
	check "$ipt: inverted rule without -p" "$ipt" -A OUTPUT -m dns_name ! --domain example.com
	check "$ipt: rule counting the packets sent" "$ipt" -A OUTPUT "$@"
}

for b in "${dns_backends[@]}"; do
	for fam in 4 6; do
		ipt=$(dns_ipt "$b" "$fam")
		if [ "$fam" = 4 ]; then host=127.0.0.1; else host=::1; fi
		rules "$ipt" -p udp
		for c in "${cases[@]}"; do
			IFS='|' read -r desc port hex plain inv <<<"$c"
			"$ipt" -Z OUTPUT
			send_udp "$host" "$port" "$hex"
			expect_eq "$ipt: $desc: plain $plain, inverted $inv, the same without -p, sent 1" \
				"$plain $inv $plain $inv 1 " "$(counters "$ipt" OUTPUT)"
		done
		"$ipt" -F OUTPUT
	done
done

Q=$DNS_H1$DNS_EX$DNS_TC
W=${DNS_H1}03777777$DNS_EX$DNS_TC
# description | family | packet hex | plain | inverted
raw_cases=(
	"v4 query|4|$(pkt_v4 11 0000 "$(pkt_udp 53 "$Q")")|1|0"
	"v4 options|4|$(pkt_v4 11 0000 "$(pkt_udp 53 "$Q")" 0707040000000001)|1|0"
	"v4 first fragment|4|$(pkt_v4 11 2000 "$(pkt_udp 53 "$Q")")|1|0"
	"v4 later fragment that looks like a query|4|$(pkt_v4 11 0003 "$(pkt_udp 53 "$Q")")|0|0"
	"v4 TCP to port 53, UDP-shaped|4|$(pkt_v4 06 0000 "$(pkt_udp 53 "$Q")")|0|0"
	"v4 subdomain|4|$(pkt_v4 11 0000 "$(pkt_udp 53 "$W")")|0|1"
	"v6 hop-by-hop|6|$(pkt_v6 00 "$(ext_opt 11)$(pkt_udp 53 "$Q")")|1|0"
	"v6 destination options|6|$(pkt_v6 3c "$(ext_opt 11)$(pkt_udp 53 "$Q")")|1|0"
	"v6 routing header|6|$(pkt_v6 2b "$(ext_rh 11)$(pkt_udp 53 "$Q")")|1|0"
	"v6 hop-by-hop, routing, dest options, subdomain|6|$(pkt_v6 00 "$(ext_opt 2b)$(ext_rh 3c)$(ext_opt 11)$(pkt_udp 53 "$W")")|0|1"
	"v6 hop-by-hop, routing, dest options|6|$(pkt_v6 00 "$(ext_opt 2b)$(ext_rh 3c)$(ext_opt 11)$(pkt_udp 53 "$Q")")|1|0"
	"v6 AH|6|$(pkt_v6 33 "$(ext_ah 11)$(pkt_udp 53 "$Q")")|1|0"
	"v6 first fragment|6|$(pkt_v6 2c "$(ext_frag 11 0 1)$(pkt_udp 53 "$Q")")|1|0"
	"v6 later fragment that looks like a query|6|$(pkt_v6 2c "$(ext_frag 11 3 0)$(pkt_udp 53 "$Q")")|0|0"
	"v6 hop-by-hop, later fragment|6|$(pkt_v6 00 "$(ext_opt 2c)$(ext_frag 11 3 1)$(pkt_udp 53 "$Q")")|0|0"
	"v6 hop-by-hop, port 5353|6|$(pkt_v6 00 "$(ext_opt 11)$(pkt_udp 5353 "$Q")")|0|0"
	"v6 hop-by-hop, TCP, UDP-shaped|6|$(pkt_v6 00 "$(ext_opt 06)$(pkt_udp 53 "$Q")")|0|0"
	"v6 ESP|6|$(pkt_v6 32 "00000001000000010000$(pkt_udp 53 "$Q")")|0|0"
	"v6 no next header|6|$(pkt_v6 00 "$(ext_opt 3b)$(pkt_udp 53 "$Q")")|0|0"
)

for b in "${dns_backends[@]}"; do
	for fam in 4 6; do
		ipt=$(dns_ipt "$b" "$fam")
		rules "$ipt" -m mark --mark 0x5eed
		for c in "${raw_cases[@]}"; do
			IFS='|' read -r desc f hex plain inv <<<"$c"
			[ "$f" = "$fam" ] || continue
			"$ipt" -Z OUTPUT
			check "$ipt: raw $desc: sent" send_raw "$fam" "$hex"
			expect_eq "$ipt: raw $desc: plain $plain, inverted $inv, the same without -p" \
				"$plain $inv $plain $inv 1 " "$(counters "$ipt" OUTPUT)"
		done
		"$ipt" -F OUTPUT
	done
done

dns_name_unload
tap_done
