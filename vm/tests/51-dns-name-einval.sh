#!/bin/bash
# xt_dns_name's checkentry trusts nothing from userspace: rules built by the plugin's
# unchecked test variant (--raw-hex fills struct xt_dns_name_mtinfo) are refused with EINVAL
# by iptables-legacy and iptables-nft, IPv4 and IPv6, each with one kernel log line naming the
# problem; a valid raw rule is accepted; rules without -p and with -p tcp are accepted (the
# match checks the protocol itself).
# timeout: 60
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
# hex of the struct (flags, name; zero-padded to 128 bytes) | expected kernel log text
cases=(
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

# add IPT ARGS...: append an OUTPUT rule with the unchecked plugin.
# shellcheck disable=SC2317 # add and einval are called through check
add() {
	local ipt=$1
	shift
	XTABLES_LIBDIR=$DNS_NAME_UNCHECKED:$XTABLES_SYSTEM_DIR "$ipt" -A OUTPUT -p udp -m dns_name "$@" -j DROP
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
	expect_line <(kmsg_since) "$desc: kernel log says '$log'" "xt_dns_name: $log"
}

first=true
for b in "${dns_backends[@]}"; do
	for ipt in "$(dns_ipt "$b" 4)" "$(dns_ipt "$b" 6)"; do
		for c in "${cases[@]}"; do
			hex=${c%%|*}
			log=${c#*|}
			$first || log=
			refused "$ipt --raw-hex ${hex:0:30}" "$log" "$ipt" --raw-hex "$hex"
		done
		$first && lg="bad name: name has a character" || lg=
		refused "$ipt unchecked --domain A..b" "$lg" "$ipt" --domain A..b
		first=false
		check_not "$ipt: no rule was added" grep -q dns_name <<<"$("$ipt" -S OUTPUT)"
		check "$ipt: a valid raw rule is accepted" add "$ipt" --raw-hex "01$example"
		expect_line <("$ipt" -S OUTPUT) "$ipt: ... and listed as example.com" \
			'dns_name --domain example.com'
		"$ipt" -F OUTPUT
		check "$ipt: accepted without -p" "$ipt" -A OUTPUT -m dns_name --domain example.com -j DROP
		check "$ipt: accepted with -p tcp" "$ipt" -A OUTPUT -p tcp -m dns_name --domain example.com -j DROP
		"$ipt" -F OUTPUT
	done
done

dns_name_unload
tap_done
