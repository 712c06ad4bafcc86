#!/bin/bash
# Guest half of bench/match-cost (the host wrapper runs it through run-vm.sh --exec): the
# per-rule cost of 100 non-matching rules in OUTPUT on a UDP/53 flood to loopback, for no
# rule, the floor (-m udp --sport 9: the cheapest match that never matches), -m string (bm,
# kmp) and -m dns_name (revision 1: --domain, --domain-suffix, --domain with --qtype), with
# a plain and a ~500-byte padded query. Every rule says -p udp.
# The flood asks for www.example.org; every rule looks for example.com, so none matches, and
# a last rule drops the packet (the flood ignores sendto's EPERM).
# usage: match-cost.guest.sh DIR    DIR holds match-cost-flood, guest.sh and timing.sh
# env: COUNT, REPS (rounds), CONFIGS (a subset of: none floor string-bm string-kmp dns_name
#      dns_name-suffix dns_name-qtype; none and floor first)
set -euo pipefail
dir=$1
count=${COUNT:-20000} reps=${REPS:-5}
# shellcheck source=vm/tests/lib/guest.sh
. "$dir/guest.sh"
# shellcheck source=bench/lib/timing.sh
. "$dir/timing.sh"
export XTABLES_LIBDIR=$LAB_DIR/xtables:$XTABLES_SYSTEM_DIR
ipt=iptables-legacy

read -ra order <<<"${CONFIGS:-none floor string-bm string-kmp dns_name dns_name-suffix dns_name-qtype}"
ip link set lo up
# x_tables first: Debian's kernel has it as a module, and insmod resolves no dependency.
modprobe x_tables 2>/dev/null || true
if [[ " ${order[*]} " == *" dns_name"* ]] && ! grep -q '^xt_dns_name ' /proc/modules; then
	insmod "$LAB_DIR/modules/xt_dns_name/xt_dns_name.ko"
fi
modprobe -a xt_string ts_bm ts_kmp 2>/dev/null || true

declare -A match=(
	[none]=""
	[floor]="-m udp --sport 9"
	[string-bm]="-m string --algo bm --hex-string |07|example|03|com|00|"
	[string-kmp]="-m string --algo kmp --hex-string |07|example|03|com|00|"
	[dns_name]="-m dns_name --domain example.com"
	[dns_name-suffix]="-m dns_name --domain-suffix example.com"
	[dns_name-qtype]="-m dns_name --domain example.com --qtype AAAA"
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

# flood PAD: one flood of COUNT packets, in ns per packet.
flood() { "$dir/match-cost-flood" 127.0.0.1 "$count" "$1"; }

# line LABEL RATIO GOAL: one ratio line, with its goal when there is one.
line() { printf '%-44s %6s%s\n' "$1" "$2" "${3:+  (goal $3)}"; }

echo "# match-cost: $count packets x $reps rounds per point (the fastest counts), $ipt, kernel $(uname -r)"
# Rounds go over every configuration in turn, so that a busy host slows all of them alike.
declare -A best=()
for ((r = 0; r < reps; r++)); do
	for c in "${order[@]}"; do
		load "$c"
		"$dir/match-cost-flood" 127.0.0.1 500 0 >/dev/null	# warm up
		for pad in 0 470; do
			t=$(flood "$pad")
			if [ -z "${best[$pad/$c]:-}" ] ||
				awk -v a="$t" -v b="${best[$pad/$c]}" 'BEGIN { exit !(a < b) }'; then
				best[$pad/$c]=$t
			fi
		done
	done
done
printf '%-8s %-16s %12s %14s\n' query config ns/packet ns/rule
declare -A cost=()
for pad in 0 470; do
	[ "$pad" = 0 ] && q=plain || q=padded
	base=${best[$pad/${order[0]}]}
	for c in "${order[@]}"; do
		t=${best[$pad/$c]}
		cost[$q/$c]=$(awk -v t="$t" -v b="$base" 'BEGIN { printf "%.1f", (t - b) / 100 }')
		printf '%-8s %-16s %12s %14s\n' "$q" "$c" "$t" "${cost[$q/$c]}"
	done
done
# per-rule cost A over B, when both were measured.
have() { [ -n "${cost[$1]:-}" ] && [ -n "${cost[$2]:-}" ]; }
for q in plain padded; do
	for c in string-bm string-kmp; do
		have "$q/$c" "$q/dns_name" || continue
		line "ratio $q $c / dns_name" "$(ratio "${cost[$q/$c]}" "${cost[$q/dns_name]}")"
	done
	for c in dns_name dns_name-suffix dns_name-qtype; do
		have "$q/$c" "$q/floor" || continue
		line "ratio $q $c / floor" "$(ratio "${cost[$q/$c]}" "${cost[$q/floor]}")" "<= 2"
	done
	for c in dns_name-suffix dns_name-qtype; do
		have "$q/$c" "$q/dns_name" || continue
		line "ratio $q $c / dns_name" "$(ratio "${cost[$q/$c]}" "${cost[$q/dns_name]}")" "<= 1"
	done
done
# A question parser should not grow with the packet.
for c in dns_name dns_name-suffix dns_name-qtype; do
	have "padded/$c" "plain/$c" || continue
	line "ratio $c padded / plain" "$(ratio "${cost[padded/$c]}" "${cost[plain/$c]}")" "<= 1.1"
done
"$ipt" -F OUTPUT
