#!/bin/bash
# Guest half of bench/match-cost (the host wrapper runs it through run-vm.sh --exec): the
# per-rule cost of 100 non-matching rules in OUTPUT on a UDP/53 flood to loopback, for no
# rule, -m string (bm, kmp) and -m dns_name, with a plain and a ~500-byte padded query.
# The flood asks for www.example.org; every rule looks for example.com, so none matches, and
# a last rule drops the packet (the flood ignores sendto's EPERM).
# usage: match-cost.guest.sh DIR    DIR holds match-cost-flood, guest.sh and timing.sh
# env: COUNT, REPS, CONFIGS (a subset of: none string-bm string-kmp dns_name)
set -euo pipefail
dir=$1
count=${COUNT:-20000} reps=${REPS:-3}
# shellcheck source=vm/tests/lib/guest.sh
. "$dir/guest.sh"
# shellcheck source=bench/lib/timing.sh
. "$dir/timing.sh"
export XTABLES_LIBDIR=$LAB_DIR/xtables:$XTABLES_SYSTEM_DIR
ipt=iptables-legacy

read -ra order <<<"${CONFIGS:-none string-bm string-kmp dns_name}"
ip link set lo up
if [[ " ${order[*]} " == *" dns_name "* ]] && ! grep -q '^xt_dns_name ' /proc/modules; then
	insmod "$LAB_DIR/modules/xt_dns_name/xt_dns_name.ko"
fi
modprobe -a xt_string ts_bm ts_kmp 2>/dev/null || true

declare -A match=(
	[none]=""
	[string-bm]="-m string --algo bm --hex-string |07|example|03|com|00|"
	[string-kmp]="-m string --algo kmp --hex-string |07|example|03|com|00|"
	[dns_name]="-m dns_name --domain example.com"
)

# load CONFIG: 100 rules of CONFIG (none for "none"), then the DROP.
load() {
	local i
	{
		echo '*filter'
		if [ -n "${match[$1]}" ]; then
			for ((i = 0; i < 100; i++)); do echo "-A OUTPUT -p udp ${match[$1]}"; done
		fi
		echo '-A OUTPUT -p udp --dport 53 -j DROP'
		echo COMMIT
	} | "$ipt"-restore
}

# best PAD: the fastest of REPS floods, in ns per packet.
best() {
	local r t min=
	"$dir/match-cost-flood" 127.0.0.1 1000 "$1" >/dev/null	# warm up
	for ((r = 0; r < reps; r++)); do
		t=$("$dir/match-cost-flood" 127.0.0.1 "$count" "$1")
		if [ -z "$min" ] || awk -v a="$t" -v b="$min" 'BEGIN { exit !(a < b) }'; then min=$t; fi
	done
	echo "$min"
}

echo "# match-cost: $count packets x $reps runs per point, $ipt, kernel $(uname -r)"
printf '%-8s %-12s %12s %14s\n' query config ns/packet ns/rule
for pad in 0 470; do
	[ "$pad" = 0 ] && q=plain || q=padded
	declare -A per_rule=()
	base=
	for c in "${order[@]}"; do
		load "$c"
		t=$(best "$pad")
		[ -n "$base" ] || base=$t
		per_rule[$c]=$(awk -v t="$t" -v b="$base" 'BEGIN { printf "%.1f", (t - b) / 100 }')
		printf '%-8s %-12s %12s %14s\n' "$q" "$c" "$t" "${per_rule[$c]}"
	done
	for c in string-bm string-kmp; do
		if [ -z "${per_rule[$c]:-}" ] || [ -z "${per_rule[dns_name]:-}" ]; then continue; fi
		awk -v q="$q" -v c="$c" -v s="${per_rule[$c]}" -v d="${per_rule[dns_name]}" \
			'BEGIN { printf "ratio %-7s %-10s / dns_name: %s\n", q, c, (d > 0 ? sprintf("%.2f", s / d) : "n/a") }'
	done
	# A question parser should not grow with the packet: padded/plain per-rule cost <= 1.1.
	[ "$q" = plain ] && plain_dns=${per_rule[dns_name]:-} || padded_dns=${per_rule[dns_name]:-}
	unset per_rule
done
if [ -n "${plain_dns:-}" ] && [ -n "${padded_dns:-}" ]; then
	awk -v p="$plain_dns" -v d="$padded_dns" \
		'BEGIN { printf "ratio dns_name padded / plain: %s (goal <= 1.1)\n", (p > 0 ? sprintf("%.2f", d / p) : "n/a") }'
fi
"$ipt" -F OUTPUT
