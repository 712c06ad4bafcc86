#!/bin/bash
# xt_dns_name's checkentry trusts nothing from userspace: rules built by the plugin's
# unchecked test variant (--raw-hex fills the match data) are refused with EINVAL by
# iptables-legacy and iptables-nft, IPv4 and IPv6, revision 0 and revision 1, each with one
# kernel log line naming the problem; valid raw rules are accepted and listed; rules without
# -p and with -p tcp are accepted (the match checks the protocol itself).
# timeout: 200
set -uo pipefail
# shellcheck source=tests/lib/tap.sh
. "$KLAB_LIB/tap.sh"
# shellcheck source=vm/tests/lib/guest.sh
. "$KLAB_LIB/guest.sh"
# shellcheck source=vm/tests/lib/dns_name.sh
. "$KLAB_LIB/dns_name.sh"

[ -f "$DNS_NAME_UNCHECKED/libxt_dns_name.so" ] ||
	bail_out "missing $DNS_NAME_UNCHECKED/libxt_dns_name.so: run make inject"
# shellcheck disable=SC2119 # it needs no command beyond iptables
dns_name_setup

example=076578616d706c6503636f6d00	# example.com in wire format
a63=$(rep 61 63)
a62=$(rep 61 62)
# Revision 0: hex of the struct (flags, name; zero-padded to 128 bytes) | kernel log text
cases0=(
	"05$example|unknown flags 0x05"
	"00$example|no name to match"
	"01|bad name: empty name"
	"01074578616d706c6503636f6d00|bad name: name has a character other than"
	"010b6578616d706c652e636f6d00|bad name: name has a character other than"
	"0103777777c00c|bad name: compression pointer or reserved label type"
	"01037777774300|bad name: compression pointer or reserved label type"
	"013f${a63}3e${a62}|bad name: name does not end with a root label"
	"01${example}0001|bad name: non-zero bytes after the name"
)
# Revision 1: qtypes[16] (host order), flags, qtype_count, name_len, name[255] | log text
noq=$(rep 0000 16)
aaaa=1c00$(rep 0000 15)
cases1=(
	"${noq}08000d$example|unknown flags 0x08"
	"${noq}00000d$example|need exactly one of XT_DNS_NAME and XT_DNS_NAME_SUFFIX"
	"${noq}05000d$example|need exactly one of XT_DNS_NAME and XT_DNS_NAME_SUFFIX"
	"${noq}010000|bad name: empty name"
	"${noq}01000d074578616d706c6503636f6d00|bad name: name has a character other than"
	"${noq}0100ff3f${a63}3f${a63}3f${a63}3e${a62}|bad name: name does not end with a root label"
	"${noq}01000d${example}0001|bad name: non-zero bytes after the name"
	"${noq}01000c$example|name_len 12, but the name has 13 octets"
	"${noq}01110d$example|qtype_count 17, at most 16"
	"${noq}01010d$example|qtypes[0] is 0 with qtype_count 1"
	"$(rep 0000 3)0500$(rep 0000 12)01000d$example|qtypes[3] is 5 with qtype_count 0"
	"${aaaa}01020d$example|qtypes[1] is 0 with qtype_count 2"
)

# add IPT ARGS...: append an OUTPUT rule with the unchecked plugin, of revision $rev.
# shellcheck disable=SC2317 # add and einval are called through check
add() {
	local ipt=$1
	shift
	XT_DNS_NAME_TEST_REV=$rev XTABLES_LIBDIR=$DNS_NAME_UNCHECKED:$XTABLES_SYSTEM_DIR \
		"$ipt" -A OUTPUT -p udp -m dns_name "$@" -j DROP
}
# einval IPT ARGS...: add fails, and says "Invalid argument".
# shellcheck disable=SC2317
einval() {
	local out rc=0
	out=$(add "$@" 2>&1) || rc=$?
	echo "exit $rc: $out"
	[ "$rc" -ne 0 ] && grep -q 'Invalid argument' <<<"$out"
}
# refused DESC LOG-TEXT IPT ARGS...: the rule is refused with EINVAL (and LOG-TEXT logged).
refused() {
	local desc=$1 log=$2
	shift 2
	kmsg_mark
	check "$desc: EINVAL" einval "$@"
	# checkentry logs rate-limited (10 per 5 s per message): check the first round only.
	[ -n "$log" ] || return 0
	check "$desc: kernel log says '$log'" grep -qF "xt_dns_name: $log" <(kmsg_since)
}

for rev in 0 1; do
	first=true
	# checkentry logs rate-limited (10 per 5 s per call site): start the first round afresh.
	sleep 5
	if [ "$rev" = 0 ]; then cases=("${cases0[@]}"); else cases=("${cases1[@]}"); fi
	for b in "${dns_backends[@]}"; do
		for ipt in "$(dns_ipt "$b" 4)" "$(dns_ipt "$b" 6)"; do
			t="$ipt rev $rev"
			for c in "${cases[@]}"; do
				hex=${c%%|*}
				log=${c#*|}
				$first || log=
				refused "$t --raw-hex ${hex:${#noq}*rev:30}" "$log" "$ipt" --raw-hex "$hex"
			done
			$first && lg="bad name: name has a character" || lg=
			refused "$t unchecked --domain A..b" "$lg" "$ipt" --domain A..b
			first=false
			check_not "$t: no rule was added" grep -q dns_name <<<"$("$ipt" -S OUTPUT)"
			if [ "$rev" = 0 ]; then
				check "$t: a valid raw rule is accepted" add "$ipt" --raw-hex "01$example"
				expect_line <(dns_rev0 "$ipt" -S OUTPUT) "$t: ... and listed as example.com" \
					'-m dns_name --domain example.com -j DROP'
			else
				check "$t: a valid raw rule is accepted" add "$ipt" --raw-hex "${aaaa}06010d$example"
				expect_line <("$ipt" -S OUTPUT) "$t: ... and listed as ! --domain-suffix example.com --qtype AAAA" \
					'-m dns_name ! --domain-suffix example.com --qtype AAAA -j DROP'
			fi
			"$ipt" -F OUTPUT
		done
	done
done

for b in "${dns_backends[@]}"; do
	for ipt in "$(dns_ipt "$b" 4)" "$(dns_ipt "$b" 6)"; do
		check "$ipt: accepted without -p" "$ipt" -A OUTPUT -m dns_name --domain example.com -j DROP
		check "$ipt: accepted with -p tcp" "$ipt" -A OUTPUT -p tcp -m dns_name --domain example.com -j DROP
		check "$ipt: rev 0 accepted with -p tcp" \
			dns_rev0 "$ipt" -A OUTPUT -p tcp -m dns_name --domain example.com -j DROP
		"$ipt" -F OUTPUT
	done
done

dns_name_unload
tap_done
