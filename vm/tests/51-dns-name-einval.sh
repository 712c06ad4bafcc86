#!/bin/bash
# xt_dns_name's checkentry trusts nothing from userspace: rules built by the plugin's
# unchecked test build (--raw-hex fills struct xt_dns_name_mtinfo) are refused with EINVAL by
# iptables-legacy and iptables-nft, IPv4 and IPv6, each with one kernel log line naming the
# problem; a valid raw rule is accepted; rules without -p and with -p tcp are accepted (the
# match checks the protocol itself).
# timeout: 60
set -uo pipefail
# shellcheck source=vm/guest/testlib.sh
. "$KLAB_TESTLIB"

ko=$LAB_DIR/modules/xt_dns_name/xt_dns_name.ko
unchecked=$LAB_DIR/xtables-unchecked
[ -f "$ko" ] || { echo "missing $ko: run make inject"; exit 1; }
[ -f "$unchecked/libxt_dns_name.so" ] || { echo "missing $unchecked/libxt_dns_name.so"; exit 1; }
sys_xt=/usr/lib/x86_64-linux-gnu/xtables
export XTABLES_LIBDIR=$LAB_DIR/xtables:$sys_xt
backends=(legacy nft)
flush_all() {
	local b
	for b in "${backends[@]}"; do
		iptables-"$b" -F 2>/dev/null
		ip6tables-"$b" -F 2>/dev/null
	done
}
flush_all
rmmod xt_dns_name 2>/dev/null
check "insmod xt_dns_name.ko" insmod "$ko"
trap flush_all EXIT

example=076578616d706c6503636f6d00	# example.com in wire format
a63=$(printf '61%.0s' $(seq 63))
a62=$(printf '61%.0s' $(seq 62))
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

# add IPT ARGS...: append an OUTPUT rule with the unchecked plugin; print its output.
add() {
	local ipt=$1
	shift
	XTABLES_LIBDIR=$unchecked:$sys_xt "$ipt" -A OUTPUT -p udp -m dns_name "$@" -j DROP 2>&1
}
# refused DESC LOG-TEXT IPT ARGS...: the rule is refused with EINVAL (and LOG-TEXT logged).
refused() {
	local desc=$1 log=$2 out rc=0
	shift 2
	kmsg_mark
	out=$(add "$@") || rc=$?
	if [ "$rc" -ne 0 ] && grep -q 'Invalid argument' <<<"$out"; then
		echo "ok - $desc: EINVAL"
	else
		echo "not ok - $desc: EINVAL (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/#   /'
		klab_failures=$((klab_failures + 1))
	fi
	# checkentry logs rate-limited (10 per 5 s per message): check the first round only.
	[ -n "$log" ] || return 0
	check "$desc: kernel log says '$log'" grep -qF "xt_dns_name: $log" <<<"$(kmsg_since)"
}

first=true
for b in "${backends[@]}"; do
	for ipt in iptables-"$b" ip6tables-"$b"; do
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
		check "$ipt: ... and listed as example.com" \
			grep -q 'dns_name --domain example.com' <<<"$("$ipt" -S OUTPUT)"
		"$ipt" -F OUTPUT
		check "$ipt: accepted without -p" "$ipt" -A OUTPUT -m dns_name --domain example.com -j DROP
		check "$ipt: accepted with -p tcp" "$ipt" -A OUTPUT -p tcp -m dns_name --domain example.com -j DROP
		"$ipt" -F OUTPUT
	done
done

flush_all
for _ in $(seq 30); do rmmod xt_dns_name 2>/dev/null && break; sleep 0.1; done
check_not "refused rules left no reference: rmmod works" grep -q '^xt_dns_name ' /proc/modules
finish
