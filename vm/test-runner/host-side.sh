#!/usr/bin/env bash
# Host side of `make test-in-guest`: run the guest tests in up to JOBS VMs at once (each -smp 1,
# snapshot mode), report each as a TAP line in the tests' own order, then "N passed, N failed,
# N skipped".
#
# Usage: vm/test-runner/host-side.sh [--tests-dir DIR] [NAME...]   (NAME, or env T: only that test)
# Env: JOBS (VMs at once; default: the number of CPUs), BUILD_DIR, KERNEL.
# A guest test is an executable in DIR (default vm/tests). Header comments it may carry:
#   # timeout: SECONDS      its limit under KVM (default 60); x3 under TCG, x2 on FLAVOR=debug
#   # may-crash: yes        it gets a VM of its own
#   # expect-splat: REGEX   crash reports whose first line matches REGEX are expected, not failures
#   # kernels: lab          the kernels it applies to; elsewhere it is skipped, with the reason
# The tests that cannot crash share VMs: each VM takes the next one from a common queue (in a
# shared 9p folder) until the queue is empty, longest first (the durations of the last run, else
# the timeouts), so JOBS VMs share the work without booting one per test. When the kernel dies
# or hangs during a test, that test is reported (# oops, # panic, # timeout, ...) and the tests
# not yet run go on in other VMs. What counts as a kernel crash is oops-decode's classification
# (crash_reports, tools/lib/common.sh): a report in the kernel log fails the test ("# unexpected
# kernel splat" for a warning, else "# KIND": oops, bug, kasan, lockup, ...) unless expect-splat
# matches its first line.
# Tests source the helpers in KLAB_LIB: tests/lib/tap.sh and vm/tests/lib/*.sh.
# Logs: BUILD_DIR/logs/test-in-guest/KERNEL/NAME.log (output + kernel log), boot-N.serial.log
# (one per VM), durations (seconds per test, for the next run's order).
# Exit: 0 all passed (or skipped), 1 a test failed, 2 setup error.
# (Internal: `host-side.sh --worker SHARE` is one VM slot; the runner starts JOBS of them.)
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

header() { sed -n "s/^# $2: *//p" "$1" | head -n 1; }

# --- results: one verdict file per test, SHARE/verdicts/NAME: "ok|not-ok<TAB>DIRECTIVE", then
# the diagnostic lines. The runner prints them in order, numbered.
verdict() { # verdict NAME ok|not-ok DIRECTIVE [DIAGNOSTIC-FILE...]
	local name=$1 v=$2 directive=$3 f tmp=$share/verdicts/.$1.$$
	shift 3
	{
		printf '%s\t%s\n' "$v" "$directive"
		if [ "$v" = not-ok ]; then
			for f in "$@"; do [ -s "$f" ] && tail -n 40 "$f" | sed 's/^/#   /'; done
		fi
	} >"$tmp"
	mv -f "$tmp" "$share/verdicts/$name"
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

# Classify a test that ran to its end inside the guest (its files are in VMDIR).
classify_finished() {
	local n=$1 status=$2 vmdir=$3 out dmesg expected first kind
	out=$vmdir/$n.out dmesg=$vmdir/$n.dmesg
	expected=$(header "$tests_dir/$n" expect-splat)
	{ cat "$out" 2>/dev/null; echo "--- kernel log during the test ---"; cat "$dmesg" 2>/dev/null; } >"$logdir/${n%.sh}.log"
	first=$(unexpected_reports "$dmesg" "$expected" | head -n 1)
	if [ -n "$first" ]; then
		# The first unexpected report with the lines that follow it.
		kind=${first%%$'\t'*}
		grep -aF -A 25 -m 1 -- "${first#*$'\t'}" "$dmesg" >"$vmdir/$n.splats"
		verdict "$n" not-ok "$(directive "$kind")" "$out" "$vmdir/$n.splats"
	elif [ "$status" -eq 0 ]; then
		verdict "$n" ok ""
	elif [ "$status" -eq 77 ]; then
		# skip_all's plan line carries the reason
		verdict "$n" ok "SKIP $(sed -n 's/^1\.\.0 # SKIP //p' "$out" 2>/dev/null | tail -n 1)"
	elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		verdict "$n" not-ok "timeout" "$out"
	else
		verdict "$n" not-ok "exit $status" "$out"
	fi
}

# Classify a test during which the VM died or hung.
classify_crashed() {
	local n=$1 vmdir=$2 serial=$3 rc=$4 hung=$5 reports first
	{ cat "$vmdir/$n.out" 2>/dev/null; echo "--- serial console ---"; cat "$serial"; } >"$logdir/${n%.sh}.log"
	reports=$(crash_reports "$serial")
	first=$(head -n 1 <<<"$reports")
	[ -z "$first" ] || grep -aF -A 30 -m 1 -- "${first#*$'\t'}" "$serial" >"$vmdir/$n.splats" || true
	if [ -n "$hung" ]; then
		verdict "$n" not-ok "timeout (the VM hung; killed after ${hung}s)" "$vmdir/$n.out" "$vmdir/$n.splats"
	elif grep -q '^panic' <<<"$reports"; then
		verdict "$n" not-ok panic "$vmdir/$n.splats"
	elif [ -n "$first" ]; then
		verdict "$n" not-ok "$(directive "${first%%$'\t'*}")" "$vmdir/$n.splats"
	else
		verdict "$n" not-ok "the VM stopped (run-vm.sh exit $rc)" "$vmdir/run-vm.err" "$serial"
	fi
}

# limit_of NAME: the test's time limit in the guest, in seconds (its timeout header, scaled).
limit_of() {
	local t
	t=$(header "$tests_dir/$1" timeout)
	echo $((${t:-60} * scale))
}

# claim DIR TO: move the first entry of DIR (queue/ or solo/: "RANK-NAME" files holding the test's
# limit) into TO and print its NAME; fails when DIR is empty. A rename is atomic: two VM slots
# never get the same test. (guest-side.sh claims from the queue the same way.)
claim() {
	local e
	for e in "$1"/*; do
		[ -e "$e" ] || return 1
		if mv "$e" "$2/" 2>/dev/null; then
			e=${e##*/}
			echo "${e#[0-9][0-9][0-9]-}"
			return 0
		fi
	done
	return 1
}

# worker: one VM slot. Until no test is left, boot a VM for the next solo (may-crash) test, or a
# VM that takes tests from the queue; then judge what ran in it.
worker() {
	local vmdir n boot serial rc solo vm seen=0 begun hung tested limit failed_boots=0 left end
	while :; do
		# the next test in rank order decides: a solo one, or the queue's
		local next_solo next_queue
		next_solo=$(cd "$share/solo" && find . -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | head -n 1)
		next_queue=$(cd "$share/queue" && find . -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | head -n 1)
		[ -n "$next_solo$next_queue" ] || return 0
		boot=1
		while ! mkdir "$share/vm-$boot" 2>/dev/null; do boot=$((boot + 1)); done
		vmdir=$share/vm-$boot serial=$logdir/boot-$boot.serial.log
		mkdir "$vmdir/claimed"
		solo=''
		if [ -n "$next_solo" ] && { [ -z "$next_queue" ] || [[ $next_solo < $next_queue ]]; }; then
			solo=$(claim "$share/solo" "$vmdir/claimed") || continue
		fi
		# The VM's overall limit is a backstop; a hang is caught per test below.
		limit=$((90 * scale))
		for n in "${all[@]}"; do limit=$((limit + $(limit_of "$n") + 10 * scale)); done
		rc=0 hung=''
		"${die_with_us[@]}" "$KLAB_ROOT/run-vm.sh" --share "$share" --timeout "$limit" --log "$serial" \
			--exec "/mnt/host/guest-side.sh /mnt/host /mnt/host/vm-$boot${solo:+ $solo:$(limit_of "$solo")}" \
			>/dev/null 2>"$vmdir/run-vm.err" &
		vm=$!
		# A hung kernel never ends its test: stop the VM when a test outlives its limit.
		begun='' seen=$SECONDS
		while kill -0 "$vm" 2>/dev/null; do
			sleep 1
			n=$(awk '$1 == "begin" { t = $2 } $1 == "end" && $2 == t { t = "" } END { print t }' \
				"$vmdir/results" 2>/dev/null || true)
			if [ "$n" != "$begun" ]; then begun=$n seen=$SECONDS; fi
			if [ -n "$begun" ] && [ $((SECONDS - seen)) -gt $(($(limit_of "$begun") + 30 * scale)) ]; then
				hung=$((SECONDS - seen))
				kill "$vm" 2>/dev/null || true
				break
			fi
		done
		wait "$vm" || rc=$?
		[ -z "$hung" ] || rc=124
		if ! grep -qsx ready "$vmdir/results"; then
			# Not even the guest side started: the boot itself failed. Once may be bad luck;
			# twice in a row, every test left would fail the same way: report them all.
			failed_boots=$((failed_boots + 1))
			if [ "$failed_boots" -lt 2 ]; then
				[ -z "$solo" ] || mv "$vmdir"/claimed/* "$share/solo/"
				continue
			fi
			left=(${solo:+"$solo"})
			while n=$(claim "$share/solo" "$vmdir/claimed") || n=$(claim "$share/queue" "$vmdir/claimed"); do
				left+=("$n")
			done
			for n in ${left[@]+"${left[@]}"}; do
				verdict "$n" not-ok "the VM did not start the tests (run-vm.sh exit $rc; $serial)" "$vmdir/run-vm.err" "$serial"
			done
			return 0
		fi
		failed_boots=0
		mapfile -t tested < <(awk '$1 == "begin" { print $2 }' "$vmdir/results")
		for n in ${tested[@]+"${tested[@]}"}; do
			end=$(awk -v n="$n" '$1 == "end" && $2 == n { print $3 " " $4 }' "$vmdir/results")
			if [ -n "$end" ]; then
				classify_finished "$n" "${end%% *}" "$vmdir"
				echo "$n ${end#* }" >>"$share/durations"
			else
				classify_crashed "$n" "$vmdir" "$serial" "$rc" "$hung"
			fi
		done
		# Claimed but not begun (the VM died right after taking it): back to where it came from.
		for n in "$vmdir"/claimed/*; do
			[ -e "$n" ] || continue
			if grep -qsx "begin ${n##*/[0-9][0-9][0-9]-}" "$vmdir/results"; then continue; fi
			if [ -n "$solo" ]; then mv "$n" "$share/solo/"; else mv "$n" "$share/queue/"; fi
		done
	done
}

if [ "${1:-}" = --worker ]; then
	share=$2
	# shellcheck disable=SC1091 # written by the runner below
	. "$share/worker.env"
	die_with_us=()
	! setpriv --pdeathsig TERM true 2>/dev/null || die_with_us=(setpriv --pdeathsig TERM --)
	worker
	exit 0
fi

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
# The debug kernel's detectors (KASAN's checks on every access, lockdep) make the same test about
# 2-3 times slower (51-dns-name-einval under TCG: 97 s on the lab kernel, 299 s on the debug one,
# on a busier machine): its limits are doubled.
[ "${FLAVOR:-}" != debug ] || scale=$((scale * 2))
jobs=${JOBS:-$(nproc)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "host-side.sh: JOBS=$jobs is not a number of VMs" >&2; exit 2; }
[ "$jobs" -le ${#all[@]} ] || jobs=${#all[@]}
logdir=$LOG_DIR/test-in-guest/$KERNEL
declare -A last_duration=()
if [ -f "$logdir/durations" ]; then
	while read -r n d; do last_duration[$n]=$d; done <"$logdir/durations"
fi
rm -rf "$logdir"
mkdir -p "$logdir"
echo "# guest tests: ${#all[@]} on KERNEL=$KERNEL${FLAVOR:+ FLAVOR=$FLAVOR}, accelerator ${accel%% *} (timeouts x$scale), up to $jobs VMs at once; logs in $logdir"

share=$(private_dir kernel-lab-tests) || exit 2
workers=()
# shellcheck disable=SC2317 # called by the trap
stop_workers() {
	# TERM: each worker's run-vm.sh (its child, with a parent-death signal) stops its VM
	[ ${#workers[@]} -eq 0 ] || kill "${workers[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$share"
}
trap stop_workers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$share/tests" "$share/lib" "$share/queue" "$share/solo" "$share/verdicts"
cp "$KLAB_ROOT/vm/test-runner/guest-side.sh" "$share/"
cp "$KLAB_ROOT/tests/lib/tap.sh" "$KLAB_ROOT"/vm/tests/lib/*.sh "$share/lib/"
release=$(cat "$KOUT/include/config/kernel.release" 2>/dev/null || cat "$KOUT/release" 2>/dev/null || echo unknown)
printf 'KLAB_KERNEL=%s\nKLAB_KERNEL_RELEASE=%s\nKLAB_HOST_RELEASE=%s\n' "$KERNEL" "$release" "$(uname -r)" >"$share/env"
for n in "${all[@]}"; do cp -p "$tests_dir/$n" "$share/tests/"; done

# The runnable tests, longest first (last run's duration, else the timeout header), into the
# queue or, for a test that may crash, solo/.
runnable=()
for n in "${all[@]}"; do
	kernels=$(header "$tests_dir/$n" kernels)
	if [ -n "$kernels" ] && [[ " $kernels " != *" $KERNEL "* ]]; then
		verdict "$n" ok "SKIP only for KERNEL=$kernels"
	else
		runnable+=("$n")
	fi
done
rank=0
while read -r _ n; do
	rank=$((rank + 1))
	if [ "$(header "$tests_dir/$n" may-crash)" = yes ]; then dir=solo; else dir=queue; fi
	limit_of "$n" >"$share/$dir/$(printf '%03d' "$rank")-$n"
done < <(for n in ${runnable[@]+"${runnable[@]}"}; do
	t=$(header "$tests_dir/$n" timeout)
	echo "${last_duration[$n]:-${t:-60}} $n"
done | sort -k1,1gr -k2,2)

printf '%s\n' "tests_dir=$(printf '%q' "$tests_dir")" "logdir=$(printf '%q' "$logdir")" "scale=$scale" \
	"all=($(printf '%q ' "${all[@]}"))" >"$share/worker.env"
die_with_us=()
! setpriv --pdeathsig KILL true 2>/dev/null || die_with_us=(setpriv --pdeathsig KILL --)
if [ ${#runnable[@]} -gt 0 ]; then
	for _ in $(seq "$jobs"); do
		"${die_with_us[@]}" "${BASH_SOURCE[0]}" --worker "$share" &
		workers+=($!)
	done
fi

# Print the verdicts in the tests' order as they come.
passed=0 failed=0 skipped=0 number=0
for n in "${all[@]}"; do
	while [ ! -f "$share/verdicts/$n" ]; do
		alive=false
		for w in ${workers[@]+"${workers[@]}"}; do kill -0 "$w" 2>/dev/null && alive=true; done
		if ! $alive && [ ! -f "$share/verdicts/$n" ]; then
			verdict "$n" not-ok "the runner lost this test (no VM slot left; see $logdir)"
		fi
		sleep 0.2
	done
	number=$((number + 1))
	IFS=$'\t' read -r v directive <"$share/verdicts/$n"
	if [ "$v" = ok ]; then
		if [[ $directive == SKIP* ]]; then skipped=$((skipped + 1)); else passed=$((passed + 1)); fi
		echo "ok $number - $n${directive:+ # $directive}"
	else
		failed=$((failed + 1))
		echo "not ok $number - $n${directive:+ # $directive}"
		tail -n +2 "$share/verdicts/$n"
	fi
done
wait "${workers[@]}" 2>/dev/null || true
workers=()
[ ! -f "$share/durations" ] || sort "$share/durations" >"$logdir/durations"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
