# shellcheck shell=bash
# Shared pieces of the dns_name guest tests (vm/tests/5?-dns-name*.sh); source it after tap.sh
# and guest.sh. The module, the plugin, a DNS server, packets as hex, counters:
#
#   dns_name_setup [CMD...]      skip_all without CMD (dnsmasq, dig, perl); lo up; rules flushed;
#                                the module loaded afresh (one check); cleanup on exit
#   dns_name_on_exit CMD...      run CMD at exit, before the rules are flushed
#   dns_name_flush               flush the filter table of both backends and families
#   dns_name_unload              flush, rmmod (one check: the rules left no reference)
#   dns_ipt BACKEND 4|6          the iptables command of that backend and family
#   dnsmasq_start ADDR...        a DNS server on port 53 answering every name with 192.0.2.1
#                                (A) and 2001:db8::53 (AAAA), over UDP and TCP
#   dns_loopback_server          dnsmasq_start on 127.0.0.1 and ::1, once it answers over UDP
#                                and TCP (three checks)
#   answered SERVER NAME [OPT..] dig gets that address (one try, 1 s, TCP 3 s; OPT: +tcp, AAAA)
#   blocked SERVER NAME [OPT..]  it gets no answer
#   send_udp HOST PORT HEX       one datagram of HEX (a single write(); 20000 bytes work)
#   dns_send 4|6 <LINES          packets to the loopback address, one per line "MARK udp PORT
#                                HEX" (a datagram of HEX) or "MARK raw - HEX" (a whole IP packet),
#                                each with that mark: rules "-m mark --mark MARK" count them
#   counters IPT CHAIN           the packet counters of CHAIN's rules: "N N ... "
#   saved_rules IPT              IPT-save's filter table, less comments and chain counters
#   dns_rev0 CMD...              CMD with the unchecked plugin restricted to revision 0, so that
#                                iptables makes revision-0 rules although the kernel has 1
# DNS_NETNS=NAME makes dnsmasq_start, answered, blocked and send_udp run in that namespace.
# Packet builders (hex in, hex out): rep, hex_pad, pkt_v4, pkt_v6, pkt_udp, pkt_tcp, ext_opt,
# ext_rh, ext_frag, ext_ah; DNS pieces: DNS_H0/H1/H2 (query headers, QDCOUNT 0/1/2), DNS_EX
# (example.com), DNS_TC (QTYPE A, QCLASS IN).

DNS_NAME_KO=$LAB_DIR/modules/xt_dns_name/xt_dns_name.ko
# The unchecked test variant of the plugin (vm/tests/51): no validation, --raw-hex.
# shellcheck disable=SC2034 # for the tests that source this
DNS_NAME_UNCHECKED=$LAB_DIR/xtables-unchecked
export XTABLES_LIBDIR=$LAB_DIR/xtables:$XTABLES_SYSTEM_DIR
dns_backends=(legacy nft)

# shellcheck disable=SC2034
{
	DNS_H0=123401000000000000000000	# id, RD, QDCOUNT 0
	DNS_H1=123401000001000000000000	# QDCOUNT 1
	DNS_H2=123401000002000000000000	# QDCOUNT 2
	DNS_EX=076578616d706c6503636f6d00	# example.com
	DNS_TC=00010001			# QTYPE A, QCLASS IN
}

dns_ipt() { if [ "$2" = 4 ]; then echo "iptables-$1"; else echo "ip6tables-$1"; fi; }

dns_name_flush() {
	local b
	for b in "${dns_backends[@]}"; do
		iptables-"$b" -F 2>/dev/null
		ip6tables-"$b" -F 2>/dev/null
	done
}

dns_name_exit_cmds=()
dns_name_on_exit() { dns_name_exit_cmds+=("$(printf '%q ' "$@")"); }

dns_name_cleanup() {
	local c
	for c in "${dns_name_exit_cmds[@]}"; do eval "$c" 2>/dev/null; done
	dns_name_flush
	rm -f "$dns_payload"
}

dns_rev0() {
	XT_DNS_NAME_TEST_REV=0 XTABLES_LIBDIR=$DNS_NAME_UNCHECKED:$XTABLES_SYSTEM_DIR "$@"
}

dns_name_setup() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip_all "$c is not installed"
	done
	[ -f "$DNS_NAME_KO" ] || bail_out "missing $DNS_NAME_KO: run make inject"
	dns_payload=$(mktemp)
	trap dns_name_cleanup EXIT
	ip link set lo up
	dns_name_flush
	rmmod xt_dns_name 2>/dev/null
	check "insmod xt_dns_name.ko" insmod "$DNS_NAME_KO"
}

dns_name_unload() {
	dns_name_flush
	# nft_compat drops its module reference after the transaction: allow a moment.
	for _ in $(seq 30); do rmmod xt_dns_name 2>/dev/null && break; sleep 0.1; done
	check_not "rmmod xt_dns_name after flushing (no reference left)" \
		grep -q '^xt_dns_name ' /proc/modules
}

dns_in_ns() {
	if [ -n "${DNS_NETNS:-}" ]; then ip netns exec "$DNS_NETNS" "$@"; else "$@"; fi
}

dnsmasq_start() {
	local pidfile addrs=$1 a
	shift
	for a in "$@"; do addrs+=,$a; done
	pidfile=$(mktemp)
	dns_in_ns dnsmasq --address=/#/192.0.2.1 --address=/#/2001:db8::53 --no-resolv --no-hosts --port=53 \
		--listen-address="$addrs" --bind-interfaces --pid-file="$pidfile" \
		--user=root --group=root || bail_out "dnsmasq did not start"
	# shellcheck disable=SC2016 # expanded by sh at exit
	dns_name_on_exit sh -c 'kill "$(cat "$1")"; rm -f "$1"' - "$pidfile"
}

dns_loopback_server() {
	dnsmasq_start 127.0.0.1 ::1
	for _ in $(seq 50); do answered 127.0.0.1 ready.test && break; sleep 0.1; done
	for _ in $(seq 10); do answered 127.0.0.1 ready.test +tcp && break; sleep 0.5; done
	check "dnsmasq answers on 127.0.0.1" answered 127.0.0.1 example.com
	check "dnsmasq answers on ::1" answered ::1 example.com
	check "dnsmasq answers over TCP" answered 127.0.0.1 example.com +tcp
}

answered() {
	local server=$1 name=$2 wait=1
	shift 2
	# dnsmasq forks for each TCP connection: slow under TCG, so TCP gets longer.
	[[ " $* " != *" +tcp "* ]] || wait=3
	# dig asks for A unless OPT names another type.
	dns_in_ns dig @"$server" +tries=1 +time="$wait" +short "$@" "$name" |
		grep -qxE '192\.0\.2\.1|2001:db8::53'
}

blocked() { ! answered "$@"; }

send_udp() {
	printf '%s' "$3" | sed 's/../\\x&/g' | { read -r esc; printf '%b' "$esc"; } >"$dns_payload"
	# shellcheck disable=SC2016 # expanded by the inner bash
	dns_in_ns bash -c 'exec 3<>"/dev/udp/$0/$1" && dd if="$2" bs=65536 count=1 status=none >&3' \
		"$1" "$2" "$dns_payload"
}

# One perl process sends them all: much faster under TCG than a command per packet.
dns_send() {
	perl -e '
		use Socket qw(:DEFAULT inet_pton pack_sockaddr_in6);
		my $fam = shift;
		my $af = $fam == 6 ? AF_INET6 : AF_INET;
		my $host = $fam == 6 ? inet_pton(AF_INET6, "::1") : inet_aton("127.0.0.1");
		while (my $line = <STDIN>) {
			next unless $line =~ /\S/;
			my ($mark, $kind, $port, $hex) = split " ", $line;
			my $raw = $kind eq "raw";
			$port = 0 if $raw;
			my $sa = $fam == 6 ? pack_sockaddr_in6($port, $host)
					   : pack_sockaddr_in($port, $host);
			socket(my $s, $af, $raw ? SOCK_RAW : SOCK_DGRAM, $raw ? 255 : 0)
				or die "socket: $!\n";	# 255: IPPROTO_RAW, header included
			setsockopt($s, SOL_SOCKET, 36, pack("l", $mark)) or die "SO_MARK: $!\n";
			defined send($s, pack("H*", $hex), 0, $sa) or die "send ($line): $!\n";
			close $s;
		}
	' "$1"
}

counters() { "$1" -L "$2" -v -x -n 2>/dev/null | awk 'NR > 2 { printf "%s ", $1 }'; }

saved_rules() { "$1"-save -t filter 2>/dev/null | grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//'; }

# rep HEX N: HEX N times.
rep() { local i; for ((i = 0; i < $2; i++)); do printf '%s' "$1"; done; }
# hex_pad HEX BYTES: HEX padded with zero bytes to BYTES bytes.
hex_pad() {
	local h=$1
	while [ ${#h} -lt $(($2 * 2)) ]; do h+=00000000000000000000000000000000; done
	printf '%s' "${h:0:$(($2 * 2))}"
}
# pkt_v4 PROTO FRAG HEX [OPTIONS]: IPv4 127.0.0.1 -> 127.0.0.1 (dns_send raw: the kernel fills in
# the length and the checksum). FRAG: flags and offset, e.g. 2000 (MF), 0003 (offset 24).
pkt_v4() {
	local opt=${4:-}
	printf '4%x0000000001%s40%s00007f0000017f000001%s%s' $((5 + ${#opt} / 8)) "$2" "$1" "$opt" "$3"
}
# pkt_v6 NEXT HEX: IPv6 ::1 -> ::1, hop limit 64, payload HEX.
pkt_v6() {
	local lo=00000000000000000000000000000001
	printf '60000000%04x%s40%s%s%s' $((${#2} / 2)) "$1" "$lo" "$lo" "$2"
}
# pkt_udp PORT HEX: a UDP header from port 50000 (checksum 0), then HEX.
pkt_udp() { printf 'c350%04x%04x0000%s' "$1" $((8 + ${#2} / 2)) "$2"; }
# pkt_tcp PORT HEX: a 20-byte TCP header from port 50000, PSH+ACK (SYN if HEX is empty).
pkt_tcp() {
	printf 'c350%04x0000000100000000%s%s100000000000%s' "$1" 50 "$([ -n "$2" ] && echo 18 || echo 02)" "$2"
}
# IPv6 extension headers; NEXT is the type of what follows (11 UDP, 06 TCP, 2b routing,
# 2c fragment, 33 AH, 3b none, 3c destination options).
ext_opt() { printf '%s00010400000000' "$1"; }			# hop-by-hop / dest options, PadN
ext_rh() { printf '%s00000000000000' "$1"; }			# routing type 0, no segments left
ext_frag() { printf '%s00%04x00000007' "$1" $(($2 * 8 + $3)); }	# NEXT OFFSET(8-byte units) M
ext_ah() { printf '%s0400000000000100000001%s' "$1" "$(rep aa 12)"; }	# 24 bytes
