#!/usr/bin/env bash
# oops-decode --classify on real logs: every log of the shared oops corpus gets the reports
# (kinds, in log order) read from it by hand below, its first report's line is the corpus'
# header_line, and excerpts of those logs check the rules: die()'s line joins the report
# before it, a panic is its own report, reports of two logs follow in order, untimestamped
# lines of a timestamped log are user space, no report gives 'none' and exit status 1.
# Kinds no real log covers yet are listed as skipped checks.
# Env: BUILD_DIR. Exit: 0 all passed or skipped, 1 not.
set -euo pipefail
# shellcheck source=tests/host/oops-decode-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/oops-decode-lib.sh"

W=$BUILD_DIR/tests/oops-decode-classify

# The reports of each corpus log, as read in the log (header lines in brackets).
declare -A KINDS=(
	[02-x86_64-kernel-bug-3.6-module-wl-oldformat]="bug"            # kernel BUG at + invalid opcode
	[03-x86_64-kernel-bug-4.0-module-radeon-no-timestamps]="bug"    # the same, no timestamps
	[04-x86_64-warning-3.2-module-mac80211-old-warning-at]="warning"
	[05-x86_64-kasan-oob-in-module-test_kasan]="kasan"
	[06-x86_64-ubsan-in-module-lkdtm]="ubsan"
	[07-x86_64-null-deref-4.1-ip-null-oldformat]="oops panic"       # BUG: unable to handle + Oops
	[08-x86_64-null-deref-4.15-ip-func-interleaved-userlog]="oops panic"
	[10-x86_64-null-deref-5.6-bad-rip-all-questionable]="oops panic" # BUG: kernel NULL ... + Oops
	[12-x86_64-gpf-4.16-kasan-many-questionable]="oops panic"      # general protection fault
	[13-x86_64-kasan-use-after-free-5.17]="kasan"
	[15-x86_64-kernel-bug-fortify-5.9]="bug"                       # cut here, kernel BUG at, invalid opcode
	[16-x86_64-soft-lockup-4.17-irq-stamps]="lockup"               # watchdog: BUG: soft lockup
	[17-x86_64-rcu-stall-4.x-irq-rip-midtrace]="lockup"            # INFO: rcu_sched detected stalls
	[18-x86_64-divide-error-5.9-irq-cpu-context]="oops"            # divide_error:
	[19-x86_64-panic-vfs-unable-to-mount-root]="panic"
	[20-x86_64-panic-stack-protector-4.4-oldformat]="panic"
	[21-x86_64-panic-kill-init-interleaved]="panic"                # user space's "INIT: PANIC:" is not one
	[22-arm64-internal-error-boot-qemu-virt]="oops panic"          # Internal error:
	[23-arm64-paging-request-two-cpus-interleaved]="oops oops panic" # two tasks, one Internal error
	[24-arm64-null-deref-presymbolized-no-timestamps]="oops"       # Unable to handle + Internal error
	[25-arm32-null-deref-pc-is-at-backtrace]="oops panic"
	[26-arm32-null-deref-3.17-no-timestamps]="oops"
	[27-riscv-warning-new-2025-format]="warning"                   # WARNING: [cond] file:line at
	[28-i686-soft-lockup-3.15-eip-module-nouveau]="lockup"         # BUG: soft lockup, no watchdog:
)

# classify FILE|-: sets out (the output) and rc (the exit status).
classify() {
	rc=0
	out=$("$BIN" --classify "$1" 2>&1) || rc=$?
}
kinds_of() { cut -f1 <<<"$out" | tr '\n' ' ' | sed 's/ $//'; }

# expect_classified DESC WANT-KINDS: the last classify found exactly WANT-KINDS.
expect_classified() {
	if [ "$rc" -eq 0 ] && [ "$(kinds_of)" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "want kinds: $2 (exit 0)" "got (exit $rc):" "$out"
	fi
}

build_oops_decode all
rm -rf "$W"
mkdir -p "$W"

if have_corpus "--classify on the oops corpus"; then
	declare -A covered=()
	for log in "$CORPUS"/*.log; do
		name=$(basename "$log" .log)
		if [ -z "${KINDS[$name]-}" ]; then
			not_ok "--classify $name" "no expected kinds for this corpus log: read it and add them"
			continue
		fi
		classify "$log"
		expect_classified "--classify $name: ${KINDS[$name]}" "${KINDS[$name]}"
		header=$(sed -n 's/^header_line: //p' "$CORPUS/$name.expected")
		expect_eq "--classify $name: the first report's line is the header_line" \
			"$header" "$(head -n 1 <<<"$out" | cut -f2-)"
		for k in ${KINDS[$name]}; do covered[$k]=1; done
	done

	log10=$(echo "$CORPUS"/10-*.log)
	head -n 5 "$log10" >"$W/bug-oops.log"
	classify "$W/bug-oops.log"
	expect_classified "'BUG: kernel NULL pointer dereference' then 'Oops:' is one report" oops

	head -n 3 "$(echo "$CORPUS"/02-*.log)" >"$W/kernel-bug.log"
	classify "$W/kernel-bug.log"
	expect_classified "'kernel BUG at' then 'invalid opcode:' is one report, kind bug" bug

	sed -n 3p "$(echo "$CORPUS"/12-*.log)" >"$W/gpf.log"
	classify "$W/gpf.log"
	expect_classified "'general protection fault' alone is an oops" oops

	grep -h 'Kernel panic - not syncing' "$(echo "$CORPUS"/07-*.log)" >"$W/panic.log"
	classify "$W/panic.log"
	expect_classified "a 'Kernel panic - not syncing' line alone is a panic" panic

	cat "$(echo "$CORPUS"/04-*.log)" "$log10" "$(echo "$CORPUS"/16-*.log)" >"$W/three.log"
	classify "$W/three.log"
	expect_classified "three logs in a row: their reports in log order" "warning oops panic lockup"

	classify - <"$log10"
	expect_classified "'-' reads standard input" "oops panic"

	# 22's boot lines without its report, then 10's header without its timestamp: user space
	head -n 3 "$(echo "$CORPUS"/22-*.log)" >"$W/userspace.log"
	head -n 1 "$log10" | sed 's/^\[[^]]*\]\[[^]]*\] //' >>"$W/userspace.log"
	classify "$W/userspace.log"
	expect_eq "a header without timestamp in a timestamped log is user space: 'none', exit 1" \
		"none 1" "$out $rc"

	# every kind --help lists and no corpus log has
	while read -r kind; do
		[ -n "${covered[$kind]-}" ] ||
			skip "--classify on a real $kind report" "no real log of this kind yet"
	done < <("$BIN" --help | sed -n '/^Kinds and headers:/,$s/^  \([a-z-]\{1,\}\) .*/\1/p')
fi

: >"$W/empty.log"
classify "$W/empty.log"
expect_eq "empty log: 'none', exit 1" "none 1" "$out $rc"
classify "$W/no-such.log"
expect_eq "unreadable log: exit 2 with a message" \
	"2 oops-decode: cannot open $W/no-such.log: No such file or directory" "$rc $out"
tap_done
