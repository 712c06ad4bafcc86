# shellcheck shell=bash
# Timing helpers shared by the benchmarks: wall-clock stamps, elapsed seconds, medians, ratios.

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# elapsed START: seconds since START (a value of now), 2 decimals.
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f\n", e - s }'; }

# median: the median of the numbers on standard input, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ratio A B: A/B with 2 decimals ("n/a" when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'; }

# time_cmd CMD...: run CMD (output discarded) and print its wall time in seconds.
time_cmd() {
	local t
	t=$(now)
	"$@" >/dev/null 2>&1 || true
	elapsed "$t"
}
