#!/usr/bin/env bash
# Host side of `make test-in-guest`: run the guest tests in VMs booted in snapshot mode and
# report each as a TAP line, then "N passed, N failed, N skipped".
#
# Usage: vm/run-tests.sh [--tests-dir DIR] [NAME...]    (NAME, or env T: run only that test)
# A guest test is an executable in DIR (default vm/tests). Header comments it may carry:
#   # timeout: SECONDS      its limit under KVM (default 60); scaled up under TCG
#   # may-crash: yes        it gets a boot of its own
#   # expect-splat: REGEX   kernel-log lines matching REGEX are expected, not failures
#   # kernels: lab          the kernels it applies to; elsewhere it is skipped, with the reason
# Tests that cannot crash share one boot; when the kernel dies during a test, that test is
# reported (# oops, # panic, # timeout) and the tests after it run in a fresh boot.
# Logs: BUILD_DIR/logs/test-in-guest/KERNEL/NAME.log (output + kernel log), boot-N.serial.log.
# Exit: 0 all passed (or skipped), 1 a test failed, 2 setup error.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/paths.sh
. "$ROOT/tools/paths.sh"

tests_dir=$ROOT/vm/tests
names=()
while [ $# -gt 0 ]; do
	case $1 in
	--tests-dir) tests_dir=$(cd "$2" && pwd); shift ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) names+=("$1") ;;
	esac
	shift
done
[ -z "${T:-}" ] || names+=("$T")

SPLAT_RE='BUG:|WARNING:|Oops|general protection fault|Kernel panic|soft lockup|rcu.*(stall|self-detected)|kernel BUG at|UBSAN:|KASAN:'

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
	echo "run-tests.sh: no guest test matches '${names[*]:-}' in $tests_dir" >&2
	exit 2
fi

accel=$("$ROOT/tools/accel.sh")
case $accel in tcg*) scale=3 ;; *) scale=1 ;; esac
logdir=$BUILD_DIR/logs/test-in-guest/$KERNEL
rm -rf "$logdir"
mkdir -p "$logdir"
echo "# guest tests: ${#all[@]} on KERNEL=$KERNEL, accelerator ${accel%% *} (timeouts x$scale); logs in $logdir"

share=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab-tests.XXXXXX")
trap 'rm -rf "$share"' EXIT
mkdir -p "$share/tests"
cp "$ROOT/vm/guest/lab-run-tests" "$ROOT/vm/guest/testlib.sh" "$share/"
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

# Splats in FILE that the test did not declare; prints them, returns 1 when there are none.
unexpected_splats() {
	local file=$1 expected=$2
	grep -aE "$SPLAT_RE" "$file" | { if [ -n "$expected" ]; then grep -avE "$expected"; else cat; fi; } | grep -a .
}

# Classify a test that ran to its end inside the guest.
classify_finished() {
	local n=$1 status=$2 out dmesg expected splats
	out=$share/$n.out dmesg=$share/$n.dmesg
	expected=$(header "$tests_dir/$n" expect-splat)
	{ cat "$out" 2>/dev/null; echo "--- kernel log during the test ---"; cat "$dmesg" 2>/dev/null; } >"$logdir/${n%.sh}.log"
	splats=$(unexpected_splats "$dmesg" "$expected" || true)
	if [ -n "$splats" ]; then
		# The first unexpected splat with the report that follows it.
		grep -aF -A 25 -m 1 -- "$(head -n 1 <<<"$splats")" "$dmesg" >"$share/$n.splats"
		case $splats in
		*Oops* | *"BUG:"* | *"general protection"* | *"kernel BUG"*)
			report "$n" not-ok oops "$share/$n.out" "$share/$n.splats" ;;
		*) report "$n" not-ok "unexpected kernel splat" "$share/$n.out" "$share/$n.splats" ;;
		esac
	elif [ "$status" -eq 0 ]; then
		report "$n" ok ""
	elif [ "$status" -eq 77 ]; then
		report "$n" ok "SKIP $(tail -n 1 "$out" 2>/dev/null)"
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
		guest_tests+=("/mnt/host/tests/$n")
	done
	boot=$((boot + 1))
	serial=$logdir/boot-$boot.serial.log
	rm -f "$share/results"
	rc=0
	"$ROOT/run-vm.sh" --share "$share" --timeout "$limit" --log "$serial" \
		--exec "/mnt/host/lab-run-tests /mnt/host $scale ${guest_tests[*]}" >/dev/null 2>"$share/run-vm.err" || rc=$?
	not_run=()
	for n in "${batch[@]}"; do
		end=$(grep -s "^end $n " "$share/results" | cut -d' ' -f3 || true)
		if [ -n "$end" ]; then
			classify_finished "$n" "$end"
		elif grep -qsx "begin $n" "$share/results"; then
			# The VM died or hung during this test.
			{ cat "$share/$n.out" 2>/dev/null; echo "--- serial console ---"; cat "$serial"; } >"$logdir/${n%.sh}.log"
			grep -aE -A 30 "$SPLAT_RE" "$serial" | head -n 60 >"$share/$n.splats" || true
			if [ "$rc" -eq 124 ]; then
				report "$n" not-ok "timeout (the VM hung; killed after ${limit}s)" "$share/$n.out" "$share/$n.splats"
			elif grep -aq 'Kernel panic - not syncing' "$serial"; then
				report "$n" not-ok panic "$share/$n.splats"
			elif grep -aqE "$SPLAT_RE" "$serial"; then
				report "$n" not-ok oops "$share/$n.splats"
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
