#!/bin/bash
# Guest side of dns-name's checks (vm/checks/dns-name/rubric): the student's module and plugin,
# the reference ones to isolate each TODO, a DNS server on loopback, dig, packets as hex.
# Usage: guest.sh CHECK
# Env: KLAB_LIB; KLAB_EX, the folder with: xt_dns_name.ko and xtables/ (the student's),
#   ref/xt_dns_name.ko and ref/xtables/ (the reference), unchecked/ (the reference plugin's
#   unchecked test variant: --raw-hex).
# Exit: 0 pass, 1 fail, 2 no such check.
set -uo pipefail
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/checks/lib.sh
. "$KLAB_LIB/check.sh"

# iptables with the student's plugin, the reference one, or the unchecked test variant.
student_ipt() { XTABLES_LIBDIR=$KLAB_EX/xtables:$XTABLES_SYSTEM_DIR iptables "$@"; }
ref_ipt() { XTABLES_LIBDIR=$KLAB_EX/ref/xtables:$XTABLES_SYSTEM_DIR iptables "$@"; }
raw_ipt() { XTABLES_LIBDIR=$KLAB_EX/unchecked:$XTABLES_SYSTEM_DIR iptables "$@"; }

H1=123401000001000000000000 # a query header: id, RD, QDCOUNT 1
H2=123401000002000000000000 # QDCOUNT 2
EX=076578616d706c6503636f6d00 # example.com in wire format
ORG=076578616d706c65036f726700 # example.org
TC=00010001 # QTYPE A, QCLASS IN
payload=$(mktemp)
dnsmasq_pid=

cleanup() {
	[ -z "$dnsmasq_pid" ] || kill "$dnsmasq_pid" 2>/dev/null
	iptables -F OUTPUT 2>/dev/null
	rm -f "$payload"
}
trap cleanup EXIT

# use_module student|ref: an empty OUTPUT chain and only that xt_dns_name.ko loaded.
use_module() {
	local ko=$KLAB_EX/xt_dns_name.ko out
	[ "$1" = ref ] && ko=$KLAB_EX/ref/xt_dns_name.ko
	ip link set lo up
	# insmod resolves no dependency: x_tables first (a module on Debian's kernel)
	modprobe -q x_tables 2>/dev/null
	iptables -F OUTPUT
	# nft_compat drops its module reference after the transaction: allow a moment
	for _ in $(seq 30); do
		grep -q '^xt_dns_name ' /proc/modules || break
		rmmod xt_dns_name 2>/dev/null && break
		sleep 0.1
	done
	kmsg_mark
	out=$(insmod "$ko" 2>&1) || fail "insmod ${ko#"$KLAB_EX"/} failed: $(one_line "$out")" \
		"the kernel log said: $(one_line "$(kmsg_lines | tail -n 3)")"
}

dns_server() {
	local pidfile
	pidfile=$(mktemp)
	dnsmasq --address=/#/192.0.2.1 --no-resolv --no-hosts --port=53 --listen-address=127.0.0.1 \
		--bind-interfaces --pid-file="$pidfile" --user=root --group=root ||
		fail "dnsmasq did not start"
	dnsmasq_pid=$(cat "$pidfile")
	for _ in $(seq 50); do answered ready.test && break; sleep 0.1; done
}

# answered NAME: dig gets the server's address back (one try: a drop is one packet).
answered() { dig @127.0.0.1 +tries=1 +time=1 +short A "$1" | grep -qx 192.0.2.1; }

# send_udp PORT HEX: one datagram to 127.0.0.1:PORT (dd: a single write()).
send_udp() {
	printf '%s' "$2" | sed 's/../\\x&/g' | { read -r esc; printf '%b' "$esc"; } >"$payload"
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash -c 'exec 3<>"/dev/udp/127.0.0.1/$0" && dd if="$1" bs=65536 count=1 status=none >&3' "$1" "$payload"
}

# counters: the packet counters of OUTPUT's rules, "N N ...".
counters() { ref_ipt -L OUTPUT -v -x -n | awk 'NR > 2 { printf "%s ", $1 }' | sed 's/ $//'; }

# rep HEX N: HEX N times.
rep() { local i; for ((i = 0; i < $2; i++)); do printf '%s' "$1"; done; }

check_loads() {
	local out
	use_module student
	out=$(ref_ipt -A OUTPUT -m dns_name --domain example.com -j DROP 2>&1) ||
		fail "xt_dns_name.ko loaded, but an OUTPUT rule with -m dns_name cannot be added: $(one_line "$out")"
	iptables -F OUTPUT
	for _ in $(seq 30); do rmmod xt_dns_name 2>/dev/null && break; sleep 0.1; done
	out=$(grep '^xt_dns_name ' /proc/modules) && fail "rmmod xt_dns_name failed: $out"
	pass "xt_dns_name.ko loaded, took an OUTPUT rule, and unloaded"
}

check_help() {
	local out
	out=$(student_ipt -m dns_name --help 2>&1) || fail "iptables -m dns_name --help failed: $(one_line "$(tail -n 3 <<<"$out")")"
	grep -q -- '--domain' <<<"$out" || fail "the help names no --domain: $(one_line "$(tail -n 5 <<<"$out")")"
	pass "the help names --domain"
}

check_domain-required() {
	local out rc=0
	use_module ref
	out=$(student_ipt -A OUTPUT -m dns_name -j DROP 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "a rule without --domain was accepted: $(one_line "$(iptables -S OUTPUT)")"
	! iptables -S OUTPUT | grep -q dns_name || fail "iptables failed, yet a dns_name rule is there"
	pass "refused: $(one_line "$(head -n 1 <<<"$out")")"
}

# readback ARGS... WANT: the student's plugin adds "-A OUTPUT -m dns_name ARGS -j DROP"; the
# reference plugin must read it back as "-m dns_name WANT".
readback() {
	local want=${*: -1} out rc=0 got
	set -- "${@:1:$#-1}"
	ref_ipt -F OUTPUT
	out=$(student_ipt -A OUTPUT -m dns_name "$@" -j DROP 2>&1) || rc=$?
	[ "$rc" -eq 0 ] || fail "your plugin: iptables -A OUTPUT -m dns_name $* -j DROP failed (exit $rc): $(one_line "$out")"
	got=$(ref_ipt -S OUTPUT | grep dns_name)
	grep -qx -- "-A OUTPUT -m dns_name $want -j DROP" <<<"$got" ||
		fail "your plugin's \"$*\" reached the kernel as a rule the reference plugin reads as: $(one_line "${got:-nothing}") (want: -m dns_name $want)"
	observe "\"$*\" reads back as \"$want\""
}

check_parse() {
	use_module ref
	readback --domain example.com "--domain example.com"
	readback ! --domain example.com "! --domain example.com"
	readback --domain Example.COM "--domain example.com"
	pass
}

# two_rules: a plain and an inverted rule for example.com, added by the reference plugin.
two_rules() {
	ref_ipt -A OUTPUT -m dns_name --domain example.com -j DROP || fail "the reference plugin cannot add the plain rule"
	ref_ipt -A OUTPUT -m dns_name ! --domain example.com -j DROP || fail "the reference plugin cannot add the inverted rule"
}

# list and save read rules of the student's module: revision 0, the only one their plugin
# has (on the reference module, the reference plugin would add its newest revision).
check_list() {
	local out plain inv
	use_module student
	two_rules
	out=$(student_ipt -L OUTPUT -n 2>&1) || fail "iptables -L OUTPUT -n failed: $(one_line "$out")"
	plain=$(sed -n 3p <<<"$out") inv=$(sed -n 4p <<<"$out")
	grep -q 'example\.com' <<<"$plain" || fail "the plain rule is listed without its name: $plain"
	grep -q 'example\.com' <<<"$inv" || fail "the inverted rule is listed without its name: $inv"
	grep -q '!' <<<"$inv" || fail "the inverted rule is listed without \"!\": $inv"
	! grep -q '!' <<<"$plain" || fail "the plain rule is listed with \"!\": $plain"
	pass "-L lists: $(one_line "$plain") / $(one_line "$inv")"
}

check_save() {
	local out
	use_module student
	two_rules
	out=$(student_ipt -S OUTPUT 2>&1) || fail "iptables -S OUTPUT failed: $(one_line "$out")"
	grep -qx -- '-A OUTPUT -m dns_name --domain example.com -j DROP' <<<"$out" ||
		fail "the plain rule is saved as: $(one_line "$(grep dns_name <<<"$out" | head -n 1)")"
	grep -qx -- '-A OUTPUT -m dns_name ! --domain example.com -j DROP' <<<"$out" ||
		fail "the inverted rule is saved as: $(one_line "$(grep dns_name <<<"$out" | sed -n 2p)")"
	pass "-S shows both rules as they are typed"
}

check_checkentry() {
	local a63 a62 c hex why out rc accepted=()
	use_module student
	a63=$(rep 61 63) a62=$(rep 61 62)
	# hex of struct xt_dns_name_mtinfo (flags, then the name; zero-padded) | what is wrong
	for c in "81$EX|an unknown flag (0x80)" "00$EX|no XT_DNS_NAME flag" "01|an empty name" \
		"01074578616d706c6503636f6d00|an upper-case character" "010b6578616d706c652e636f6d00|a dot inside a label" \
		"0103777777c00c|a compression pointer" "013f${a63}3e${a62}|no root label in the field" \
		"01${EX}0001|bytes after the name"; do
		hex=${c%%|*} why=${c#*|}
		rc=0
		out=$(raw_ipt -A OUTPUT -m dns_name --raw-hex "$hex" -j DROP 2>&1) || rc=$?
		if [ "$rc" -eq 0 ]; then
			accepted+=("$why (--raw-hex ${hex:0:32})")
			iptables -F OUTPUT
		elif ! grep -q 'Invalid argument' <<<"$out"; then
			accepted+=("$why: refused, but not with EINVAL: $(one_line "$out")")
		fi
	done
	[ ${#accepted[@]} -eq 0 ] || fail "accepted malformed rules: $(printf '%s; ' "${accepted[@]}")"
	rc=0
	out=$(raw_ipt -A OUTPUT -m dns_name --raw-hex "01$EX" -j DROP 2>&1) || rc=$?
	[ "$rc" -eq 0 ] || fail "the malformed rules were refused, but so was a valid one (example.com): $(one_line "$out")"
	pass "8 malformed rules refused with EINVAL, a valid one accepted"
}

# zero_send PORT HEX: send one datagram with counters reset; print the counters.
zero_send() {
	iptables -Z OUTPUT
	send_udp "$1" "$2"
	sleep 0.2
	counters
}

check_requests-only() {
	local got wrong=()
	use_module student
	dns_server
	# counting rules only: the traffic goes on
	ref_ipt -A OUTPUT -m dns_name --domain example.com || fail "the reference plugin cannot add a rule"
	ref_ipt -A OUTPUT -m dns_name ! --domain example.com
	iptables -Z OUTPUT
	dig @127.0.0.1 +tcp +tries=1 +time=2 +short A example.com >/dev/null
	got=$(counters)
	[ "$got" = "0 0" ] || wrong+=("TCP to port 53 (dig +tcp example.com): $got")
	got=$(zero_send 5353 "$H1$EX$TC")
	[ "$got" = "0 0" ] || wrong+=("UDP to port 5353, a query for example.com: $got")
	got=$(zero_send 53 "123481800001000000000000$EX$TC")
	[ "$got" = "0 0" ] || wrong+=("a response (QR=1) for example.com to port 53: $got")
	got=$(zero_send 53 "123420000001000000000000$EX$TC")
	[ "$got" = "0 0" ] || wrong+=("a NOTIFY (OPCODE 4) for example.com to port 53: $got")
	[ ${#wrong[@]} -eq 0 ] || fail "matched (plain inverted): $(printf '%s; ' "${wrong[@]}")"
	got=$(zero_send 53 "$H1$ORG$TC")
	[ "$got" = "0 1" ] || [ "$got" = "1 0" ] ||
		fail "nothing else was matched, but neither was a query to port 53 by exactly one rule (plain inverted: $got)"
	pass "TCP/53, UDP/5353, a response, a NOTIFY: matched by neither rule; a query: by one"
}

check_questions() {
	local n got wrong=()
	use_module student
	dns_server
	ref_ipt -A OUTPUT -m dns_name --domain example.com -j DROP || fail "the reference plugin cannot add the rule"
	for n in example.com EXAMPLE.COM; do answered "$n" && wrong+=("$n answered"); done
	for n in example.org www.example.com notexample.com; do answered "$n" || wrong+=("$n blocked"); done
	[ ${#wrong[@]} -eq 0 ] || fail "with a DROP rule for example.com: $(printf '%s; ' "${wrong[@]}")"
	ref_ipt -F OUTPUT
	# queries only (-p udp --dport 53): dnsmasq's answer carries the same questions, and
	# counting it would cost this check points for TODO 5's port and QR tests
	ref_ipt -A OUTPUT -p udp --dport 53 -m dns_name --domain example.com
	got=$(zero_send 53 "${H2}03616263036f726700$TC$EX$TC")
	[ "$got" = 1 ] || fail "a query for abc.org and then example.com: matched $got times, want 1"
	got=$(zero_send 53 "${H2}03616263036f726700$TC$ORG$TC")
	[ "$got" = 0 ] || fail "a query for abc.org and then example.org: matched $got times, want 0"
	pass "example.com and EXAMPLE.COM blocked; example.org, www.example.com, notexample.com answered; a second question matched"
}

check_no-splat() {
	local l63 n255 n256 c got
	use_module student
	ref_ipt -A OUTPUT -m dns_name --domain example.com || fail "the reference plugin cannot add a rule"
	ref_ipt -A OUTPUT -m dns_name ! --domain example.com
	l63=3f$(rep 61 63)
	n255=$l63$l63$l63"3d$(rep 62 61)00"
	n256=$l63$l63$l63"3e$(rep 62 62)00"
	for c in "" 1234 1234010000010000000000 "$H1" "$H1$EX" "${H1}076578616d706c6503636f6d" \
		"${H1}c00c$TC" "${H1}c012$TC$EX" "${H1}476578616d706c6503636f6d00$TC" \
		"${H1}876578616d706c6503636f6d00$TC" "${H2}c00c$TC$EX$TC" "$H2$n256$TC$EX$TC" \
		"$H2$n255$TC$EX$TC" "12340100ffff000000000000$EX$TC" "${H1}03777777$EX$TC$(rep 00 19960)"; do
		send_udp 53 "$c"
	done
	sleep 0.2
	got=$(zero_send 53 "$H1$EX$TC")
	[ "$got" = "1 0" ] || fail "after the malformed queries, a valid query for example.com was matched as (plain inverted) $got, want 1 0"
	pass "15 malformed queries, no splat; a valid query still matched"
}

check_lab-command() {
	local out wrong=() n
	use_module student
	dns_server
	out=$(XTABLES_LIBDIR=$KLAB_EX/xtables:$XTABLES_SYSTEM_DIR iptables -m dns_name -I OUTPUT --domain example.com -j DROP 2>&1) ||
		fail "the lab's command failed: $(one_line "$out")"
	answered example.com && wrong+=("example.com answered")
	for n in example.org www.example.com; do answered "$n" || wrong+=("$n blocked"); done
	[ ${#wrong[@]} -eq 0 ] || fail "$(printf '%s; ' "${wrong[@]}")"
	pass "example.com blocked; example.org and www.example.com answered"
}

run_check "$@"
