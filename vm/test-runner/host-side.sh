#!/usr/bin/env bash
# Host side of `make test-in-guest`: run the guest tests in VMs booted in snapshot mode and
# report each as a TAP line, then "N passed, N failed, N skipped".
#
# Usage: vm/test-runner/host-side.sh [--tests-dir DIR] [NAME...]   (NAME, or env T: only that test)
# A guest test is an executable in DIR (default vm/tests). Header comments it may carry:
#   # timeout: SECONDS      its limit under KVM (default 60); scaled up under TCG
#   # may-crash: yes        it gets a boot of its own
#   # expect-splat: REGEX   crash reports whose first line matches REGEX are expected, not failures
#   # kernels: lab          the kernels it applies to; elsewhere it is skipped, with the reason
# Tests that cannot crash share one boot; when the kernel dies during a test, that test is
# reported (# oops, # panic, # timeout, ...) and the tests after it run in a fresh boot. What
# counts as a kernel crash is oops-decode's classification (crash_reports, tools/lib/common.sh):
# a report in the kernel log fails the test ("# unexpected kernel splat" for a warning, else
# "# KIND": oops, bug, kasan, lockup, ...) unless expect-splat matches its first line.
# Tests source the helpers in KLAB_LIB: tests/lib/tap.sh and vm/tests/lib/*.sh.
# Logs: BUILD_DIR/logs/test-in-guest/KERNEL/NAME.log (output + kernel log), boot-N.serial.log.
# Exit: 0 all passed (or skipped), 1 a test failed, 2 setup error.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

tests_dir=$KLAB_ROOT/vm/tests
names=()
while [ $# -gt 0 ]; do
	case $1 in
	--tests-dir) tests_dir=$(cd "$2" && pwd); shift ;;
	-h | --help) usage; exit 0 ;;
	*) names+=("$1") ;;
	esac
	shift
done
[ -z "${T:-}" ] || names+=("$T")

header() { sed -n "s/^# $2: *//p" "$1" | head -n 1; }

all=()
for t in "$tests_dir"/*; do
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
	n=$(basename "$t")
	if [ ${#names[@]} -gt 0 ]; then
		keep=false
		for want in "${names[@]}"; do
			case $want in "$n" | "${n%.sh}" | "${n#[0-9][0-9]-}" | "$(basename "${n#[0-9][0-9]-}" .sh)") keep=true ;; esac
		done
		$keep || continue
	fi
	all+=("$n")
done
if [ ${#all[@]} -eq 0 ]; then
	echo "${0##*/}: no guest test matches '${names[*]:-}' in $tests_dir" >&2
	exit 2
fi

accel=$("$KLAB_ROOT/tools/host/accel.sh")
crash_reports /dev/null || exit 2 # builds the classifier once, before any VM runs
case $accel in tcg*) scale=3 ;; *) scale=1 ;; esac
logdir=$LOG_DIR/test-in-guest/$KERNEL
rm -rf "$logdir"
mkdir -p "$logdir"
echo "# guest tests: ${#all[@]} on KERNEL=$KERNEL, accelerator ${accel%% *} (timeouts x$scale); logs in $logdir"

share=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab-tests.XXXXXX")
trap 'rm -rf "$share"' EXIT
mkdir -p "$share/tests" "$share/lib"
cp "$KLAB_ROOT/vm/test-runner/guest-side.sh" "$share/"
cp "$KLAB_ROOT/tests/lib/tap.sh" "$KLAB_ROOT"/vm/tests/lib/*.sh "$share/lib/"
release=$(cat "$KOUT/include/config/kernel.release" 2>/dev/null || cat "$KOUT/release" 2>/dev/null || echo unknown)
printf 'KLAB_KERNEL=%s\nKLAB_KERNEL_RELEASE=%s\nKLAB_HOST_RELEASE=%s\n' "$KERNEL" "$release" "$(uname -r)" >"$share/env"
for n in "${all[@]}"; do cp -p "$tests_dir/$n" "$share/tests/"; done

passed=0 failed=0 skipped=0 number=0
report() { # report NAME ok|not-ok DIRECTIVE [DIAGNOSTIC-FILE...]
	local name=$1 verdict=$2 directive=$3 f
	shift 3
	number=$((number + 1))
	case $verdict in
	ok)
		if [[ $directive == SKIP* ]]; then skipped=$((skipped + 1)); else passed=$((passed + 1)); fi
		echo "ok $number - $name${directive:+ # $directive}"
		;;
	*)
		failed=$((failed + 1))
		echo "not ok $number - $name${directive:+ # $directive}"
		for f in "$@"; do [ -s "$f" ] && tail -n 40 "$f" | sed 's/^/#   /'; done
		;;
	esac
}

# Crash reports in the kernel log FILE that the test did not declare ("KIND<TAB>first line").
unexpected_reports() {
	local file=$1 expected=$2 kind line
	crash_reports "$file" | while IFS=$'\t' read -r kind line; do
		[ -n "$expected" ] && grep -qE -- "$expected" <<<"$line" && continue
		printf '%s\t%s\n' "$kind" "$line"
	done
}

# directive KIND: how a test that met a report of KIND is reported.
directive() {
	case $1 in
	warning) echo "unexpected kernel splat" ;;
	*) echo "$1" ;;
	esac
}

# Classify a test that ran to its end inside the guest.
classify_finished() {
	local n=$1 status=$2 out dmesg expected first kind
	out=$share/$n.out dmesg=$share/$n.dmesg
	expected=$(header "$tests_dir/$n" expect-splat)
	{ cat "$out" 2>/dev/null; echo "--- kernel log during the test ---"; cat "$dmesg" 2>/dev/null; } >"$logdir/${n%.sh}.log"
	first=$(unexpected_reports "$dmesg" "$expected" | head -n 1)
	if [ -n "$first" ]; then
		# The first unexpected report with the lines that follow it.
		kind=${first%%$'\t'*}
		grep -aF -A 25 -m 1 -- "${first#*$'\t'}" "$dmesg" >"$share/$n.splats"
		report "$n" not-ok "$(directive "$kind")" "$share/$n.out" "$share/$n.splats"
	elif [ "$status" -eq 0 ]; then
		report "$n" ok ""
	elif [ "$status" -eq 77 ]; then
		# skip_all's plan line carries the reason
		report "$n" ok "SKIP $(sed -n 's/^1\.\.0 # SKIP //p' "$out" 2>/dev/null | tail -n 1)"
	elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		report "$n" not-ok "timeout" "$out"
	else
		report "$n" not-ok "exit $status" "$out"
	fi
}

# Boots: consecutive tests that cannot crash share one; a may-crash test gets its own.
queue=()
for n in "${all[@]}"; do
	kernels=$(header "$tests_dir/$n" kernels)
	if [ -n "$kernels" ] && [[ " $kernels " != *" $KERNEL "* ]]; then
		report "$n" ok "SKIP only for KERNEL=$kernels"
	else
		queue+=("$n")
	fi
done

boot=0
while [ ${#queue[@]} -gt 0 ]; do
	batch=("${queue[0]}")
	if [ "$(header "$tests_dir/${queue[0]}" may-crash)" != yes ]; then
		for n in "${queue[@]:1}"; do
			[ "$(header "$tests_dir/$n" may-crash)" != yes ] || break
			batch+=("$n")
		done
	fi
	queue=("${queue[@]:${#batch[@]}}")
	limit=$((90 * scale))
	guest_tests=()
	for n in "${batch[@]}"; do
		t=$(header "$tests_dir/$n" timeout)
		limit=$((limit + (${t:-60} + 10) * scale))
		guest_tests+=("/mnt/host/tests/$n:$((${t:-60} * scale))")
	done
	boot=$((boot + 1))
	serial=$logdir/boot-$boot.serial.log
	rm -f "$share/results"
	rc=0
	"$KLAB_ROOT/run-vm.sh" --share "$share" --timeout "$limit" --log "$serial" \
		--exec "/mnt/host/guest-side.sh /mnt/host ${guest_tests[*]}" >/dev/null 2>"$share/run-vm.err" || rc=$?
	not_run=()
	for n in "${batch[@]}"; do
		end=$(grep -s "^end $n " "$share/results" | cut -d' ' -f3 || true)
		if [ -n "$end" ]; then
			classify_finished "$n" "$end"
		elif grep -qsx "begin $n" "$share/results"; then
			# The VM died or hung during this test.
			{ cat "$share/$n.out" 2>/dev/null; echo "--- serial console ---"; cat "$serial"; } >"$logdir/${n%.sh}.log"
			reports=$(crash_reports "$serial")
			first=$(head -n 1 <<<"$reports")
			[ -z "$first" ] || grep -aF -A 30 -m 1 -- "${first#*$'\t'}" "$serial" >"$share/$n.splats" || true
			if [ "$rc" -eq 124 ]; then
				report "$n" not-ok "timeout (the VM hung; killed after ${limit}s)" "$share/$n.out" "$share/$n.splats"
			elif grep -q '^panic' <<<"$reports"; then
				report "$n" not-ok panic "$share/$n.splats"
			elif [ -n "$first" ]; then
				report "$n" not-ok "$(directive "${first%%$'\t'*}")" "$share/$n.splats"
			else
				report "$n" not-ok "the VM stopped (run-vm.sh exit $rc)" "$share/run-vm.err" "$serial"
			fi
		else
			not_run+=("$n")
		fi
	done
	if [ ${#not_run[@]} -eq ${#batch[@]} ]; then
		# Not even the first test started: the boot itself failed; do not loop.
		for n in "${not_run[@]}"; do
			report "$n" not-ok "the VM did not start the tests (run-vm.sh exit $rc; $serial)" "$share/run-vm.err" "$serial"
		done
		not_run=()
	fi
	queue=("${not_run[@]}" "${queue[@]}")
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
