#!/bin/bash
# The parser's edge cases as real packets, each sent once in OUTPUT past a plain and an
# inverted dns_name rule, each once with -p udp and once without; their counters must show the
# expected verdicts, the same with and without -p. IPv4 and IPv6, legacy and nft. First UDP
# payloads to port 53 (the 20000-byte queries travel in a non-linear skb, data in page
# fragments), then whole IP packets from a raw socket: IPv4 options and fragments, IPv6
# extension headers (hop-by-hop, routing, destination options, AH, fragments), where without
# -p the match must find the UDP header itself. Revision 0 (made through the test plugin)
# and revision 1 on all of them; then revision 1's own: suffixes, QTYPEs, a 255-octet name,
# DNS over TCP (with -p tcp and without). Every packet carries its own mark, so one ruleset
# and one sender serve all cases.
# timeout: 400
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
udp_cases=(
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

Q=$DNS_H1$DNS_EX$DNS_TC
W=${DNS_H1}03777777$DNS_EX$DNS_TC
# description | family | packet hex | plain | inverted [| -p counters with ip6tables-nft: its
# -p (meta l4proto) stops at AH, so the rule never reaches the match; without -p the match
# walks past AH as ip6_tables does]
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
	"v6 AH|6|$(pkt_v6 33 "$(ext_ah 11)$(pkt_udp 53 "$Q")")|1|0|0 0"
	"v6 first fragment|6|$(pkt_v6 2c "$(ext_frag 11 0 1)$(pkt_udp 53 "$Q")")|1|0"
	"v6 later fragment that looks like a query|6|$(pkt_v6 2c "$(ext_frag 11 3 0)$(pkt_udp 53 "$Q")")|0|0"
	"v6 hop-by-hop, later fragment|6|$(pkt_v6 00 "$(ext_opt 2c)$(ext_frag 11 3 1)$(pkt_udp 53 "$Q")")|0|0"
	"v6 hop-by-hop, port 5353|6|$(pkt_v6 00 "$(ext_opt 11)$(pkt_udp 5353 "$Q")")|0|0"
	"v6 hop-by-hop, TCP, UDP-shaped|6|$(pkt_v6 00 "$(ext_opt 06)$(pkt_udp 53 "$Q")")|0|0"
	"v6 ESP|6|$(pkt_v6 32 "00000001000000010000$(pkt_udp 53 "$Q")")|0|0"
	"v6 no next header|6|$(pkt_v6 00 "$(ext_opt 3b)$(pkt_udp 53 "$Q")")|0|0"
)

# More revision-1 cases: rule options | description | port | payload hex | plain | inverted
EXL=${DNS_EX%00}	# example.com without its root label
rev1_udp=(
	"--domain-suffix example.com|suffix: example.com|53|$DNS_H1$DNS_EX$DNS_TC|1|0"
	"--domain-suffix example.com|suffix: www.example.com|53|${DNS_H1}03777777$DNS_EX$DNS_TC|1|0"
	"--domain-suffix example.com|suffix: a.b.EXAMPLE.com|53|${DNS_H1}01610162074558414d504c4503636f6d00$DNS_TC|1|0"
	"--domain-suffix example.com|suffix: notexample.com|53|${DNS_H1}0a6e6f746578616d706c6503636f6d00$DNS_TC|0|1"
	"--domain-suffix example.com|suffix: its bytes inside one label|53|${DNS_H1}0d58${EXL}00$DNS_TC|0|1"
	"--domain-suffix example.com|suffix: com|53|${DNS_H1}03636f6d00$DNS_TC|0|1"
	"--domain-suffix example.com|suffix: response|53|123481800001000000000000$DNS_EX$DNS_TC|0|0"
	"--domain example.com --qtype AAAA,MX|qtype: A|53|$DNS_H1${DNS_EX}00010001|0|1"
	"--domain example.com --qtype AAAA,MX|qtype: AAAA|53|$DNS_H1${DNS_EX}001c0001|1|0"
	"--domain example.com --qtype AAAA,MX|qtype: MX|53|$DNS_H1${DNS_EX}000f0001|1|0"
	"--domain example.com --qtype AAAA,MX|qtype: A, then AAAA|53|$DNS_H2${DNS_EX}00010001${DNS_EX}001c0001|1|0"
	"--domain example.com --qtype AAAA,MX|qtype: www.example.com AAAA|53|${DNS_H1}03777777${DNS_EX}001c0001|0|1"
	"--domain example.com --qtype AAAA,MX|qtype: ANY (255) is not any type|53|$DNS_H1${DNS_EX}00ff0001|0|1"
	"--domain $(rep a 63).$(rep a 63).$(rep a 63).$(rep b 61)|255-octet name|53|$DNS_H1$N255$DNS_TC|1|0"
	"--domain $(rep a 63).$(rep a 63).$(rep a 63).$(rep b 61)|255-octet name, last label differs|53|$DNS_H1$L63$L63${L63}3d$(rep 62 60)6300$DNS_TC|0|1"
)
R=123481800001000000000000$DNS_EX$DNS_TC	# a response
tcp_cases=(
	"v4 TCP query|4|$(pkt_v4 06 0000 "$(pkt_tcp 53 "001d$Q")")|1|0"
	"v4 TCP subdomain|4|$(pkt_v4 06 0000 "$(pkt_tcp 53 "0021$W")")|0|1"
	"v4 TCP SYN to port 53|4|$(pkt_v4 06 0000 "$(pkt_tcp 53 "")")|0|0"
	"v4 TCP to port 5353|4|$(pkt_v4 06 0000 "$(pkt_tcp 5353 "001d$Q")")|0|0"
	"v4 TCP segment ends in the question|4|$(pkt_v4 06 0000 "$(pkt_tcp 53 "001d${Q:0:40}")")|0|0"
	"v4 TCP message longer than the segment|4|$(pkt_v4 06 0000 "$(pkt_tcp 53 "0100$Q")")|1|0"
	"v4 TCP response|4|$(pkt_v4 06 0000 "$(pkt_tcp 53 "001d$R")")|0|0"
	"v4 TCP in a later fragment|4|$(pkt_v4 06 0003 "$(pkt_tcp 53 "001d$Q")")|0|0"
	"v6 TCP query|6|$(pkt_v6 06 "$(pkt_tcp 53 "001d$Q")")|1|0"
	"v6 hop-by-hop, dest options, TCP query|6|$(pkt_v6 00 "$(ext_opt 3c)$(ext_opt 06)$(pkt_tcp 53 "001d$Q")")|1|0"
	"v6 TCP subdomain|6|$(pkt_v6 06 "$(pkt_tcp 53 "0021$W")")|0|1"
	"v6 TCP in a later fragment|6|$(pkt_v6 2c "$(ext_frag 06 3 0)$(pkt_tcp 53 "001d$Q")")|0|0"
)

# run_cases IPT FAMILY KIND PROTO MATCH CASE...: for each case ([MATCH|]DESC|PORT-OR-FAMILY|HEX|
# PLAIN|INVERTED; MATCH: the dns_name options, when the case names them) five OUTPUT rules for
# its mark: plain and inverted, with -p PROTO and without, then one counting it; one sender
# for all, then one listing of the counters. Rules go in through $restore (env, or dns_rev0
# for revision 0); $rev names the revision.
run_cases() {
	local ipt=$1 fam=$2 kind=$3 proto=$4 match=$5 c desc arg hex plain inv nftp i n=0 lines='' m
	local -a want=() names=() got mopt
	shift 5
	{
		echo '*filter'
		for c in "$@"; do
			m=$match
			[ -n "$m" ] || { m=${c%%|*}; c=${c#*|}; }
			IFS='|' read -r desc arg hex plain inv nftp <<<"$c"
			[ "$kind" = udp ] || [ "$arg" = "$fam" ] || continue
			n=$((n + 1))
			echo "-A OUTPUT -m mark --mark $n -p $proto -m dns_name $m"
			echo "-A OUTPUT -m mark --mark $n -p $proto -m dns_name ! $m"
			echo "-A OUTPUT -m mark --mark $n -m dns_name $m"
			echo "-A OUTPUT -m mark --mark $n -m dns_name ! $m"
			echo "-A OUTPUT -m mark --mark $n"
			read -ra mopt <<<"$m"
			names+=("$desc (${mopt[0]} ${mopt[1]:0:20}${mopt[2]:+ ${mopt[*]:2}})")
			if [ "$ipt" = ip6tables-nft ] && [ -n "$nftp" ]; then
				want+=("$nftp $plain $inv 1")
			else
				want+=("$plain $inv $plain $inv 1")
			fi
			if [ "$kind" = udp ]; then lines+="$n udp $arg $hex"$'\n'; else lines+="$n raw - $hex"$'\n'; fi
		done
		echo COMMIT
	} >"$dns_payload"
	check "$ipt rev $rev: $n rules x 5 for $kind cases" "$restore" "$ipt"-restore "$dns_payload"
	check "$ipt rev $rev: sent $n $kind packets" dns_send "$fam" <<<"$lines"
	read -ra got <<<"$(counters "$ipt" OUTPUT)"
	for ((i = 0; i < n; i++)); do
		expect_eq "$ipt rev $rev: $kind ${names[i]}: plain, inverted, the same without -p $proto, sent" \
			"${want[i]}" "${got[*]:5*i:5}"
	done
	"$ipt" -F OUTPUT
}

for b in "${dns_backends[@]}"; do
	for fam in 4 6; do
		ipt=$(dns_ipt "$b" "$fam")
		# Revision 0, as the test plugin makes it; then revision 1.
		for rev in 0 1; do
			if [ "$rev" = 0 ]; then restore=dns_rev0; else restore="env"; fi
			run_cases "$ipt" "$fam" udp udp "--domain example.com" "${udp_cases[@]}"
			run_cases "$ipt" "$fam" raw udp "--domain example.com" "${raw_cases[@]}"
		done
		run_cases "$ipt" "$fam" udp udp "" "${rev1_udp[@]}"
		run_cases "$ipt" "$fam" raw tcp "--domain example.com" "${tcp_cases[@]}"
	done
done

dns_name_unload
tap_done
