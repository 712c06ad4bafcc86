#!/usr/bin/env bash
# `make check`: grade a student's exercises. Builds their code against the selected kernel,
# runs each exercise's checks in throw-away snapshot VMs (run-vm.sh --exec --share: the
# student's files never enter the disk image), prints one PASS/FAIL line per check and
# "score: X/Y".
#
# Usage: tools/student/check.sh [--ex NAME] [--src DIR | --ref] [--json FILE]
#        tools/student/check.sh --list [--ex NAME]   the checks, one a line: EXERCISE CHECK TODO POINTS
#   --ex NAME    only this exercise (env EX); default: every exercise folder SRC holds
#   --src DIR    the student's folder as make skels writes it (env SRC; default: DEST, else
#                student/ in the checkout)
#   --ref        grade the reference solutions instead (env REF=1): make skels --strip none
#                writes them as a student's folder under BUILD_DIR/check/
#   --json FILE  also write the results as JSON for an automated grader (env CHECK_JSON)
# Env: BUILD_DIR, KERNEL (lab|debian), ACCEL; paths from tools/lib/paths.sh.
#
# The checks of exercise E are the records of vm/checks/E/rubric:
#   check    its name                      todo     the TODO it grades; "given": code handed
#   points   what a PASS earns                      out done; "all": the TODOs together (0 points)
#   expect   what is expected              hint     what to do about a FAIL
#   needs    (optional) another check of E: when that one crashed the kernel (for a host
#            check: did not pass), this one is not run and fails
#   timeout  (optional) seconds under KVM, default 60; x3 under TCG
#   side     (optional) guest (default: vm/checks/E/guest.sh NAME runs in the VM) or host
#            (vm/checks/E/host.sh NAME runs here after the VMs, with the kernel log of the
#            check it needs)
#   splat    (optional) expected: the kernel crash this check provokes is not a failure
# Boots: the checks of every exercise share one VM (those with splat: expected last); a check
# that crashes the kernel (an oops, even one the kernel survives) fails, with the crash
# resolved to the student's file:line by oops-decode, and the checks after it run in a fresh
# VM; a check stuck past its timeout ends its VM. A build error fails every check of that
# exercise, with the compiler's first errors (the student's file:line).
# Logs: BUILD_DIR/logs/check/KERNEL/: build logs, boot-N.serial.log, CHECK.log per check.
# Exit: 0 full marks; 1 any point missing; 2 bad usage or setup error (no image, no folder).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

setup_error() {
	printf 'check.sh: %s\n' "$*" >&2
	exit 2
}

ex_only=${EX:-} src=${SRC:-} ref=${REF:-0} json=${CHECK_JSON:-} list=false
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=true ;;
	--ex) ex_only=${2:?--ex needs a name}; shift ;;
	--src) src=${2:?--src needs a folder}; shift ;;
	--ref) ref=1 ;;
	--json) json=${2:?--json needs a file}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $ref =~ ^[01]$ ]] || setup_error "REF takes 0 or 1, not '$ref'"
[ "$ref" = 0 ] || [ -z "$src" ] || setup_error "give SRC or REF=1, not both"
[ -z "$json" ] || json=$(realpath -m "$json")

checks_dir=$KLAB_ROOT/vm/checks
all=$("$KLAB_ROOT/tools/student/skels.sh" --list)
if [ -n "$ex_only" ] && ! grep -qx -- "$ex_only" <<<"$all"; then
	setup_error "no exercise '$ex_only'; the exercises: ${all//$'\n'/ }"
fi
# --- the rubrics
# rubric EX: EX's records, one line each, tab-separated: ex name todo points side needs
# timeout splat expect hint (defaults filled in); a malformed record is a setup error.
rubric() {
	awk -v ex="$1" -v file="$checks_dir/$1/rubric" '
	function bad(msg) { printf "%s:%d: %s\n", file, FNR, msg > "/dev/stderr"; err = 1; exit 2 }
	function flush() {
		if (!("check" in f)) { delete f; return }
		if (!("todo" in f) || !("points" in f) || !("expect" in f) || !("hint" in f))
			bad("check " f["check"] ": needs todo, points, expect and hint")
		if (f["todo"] !~ /^([0-9]+|given|all)$/) bad("check " f["check"] ": todo is a number, \"given\" or \"all\"")
		if (f["todo"] == "all" && f["points"] != 0) bad("check " f["check"] ": a check of all TODOs carries 0 points")
		if (f["points"] !~ /^[0-9]+$/) bad("check " f["check"] ": points is a number")
		if (!("side" in f)) f["side"] = "guest"
		if (f["side"] !~ /^(guest|host)$/) bad("check " f["check"] ": side is guest or host")
		if (!("timeout" in f)) f["timeout"] = 60
		if (f["timeout"] !~ /^[0-9]+$/) bad("check " f["check"] ": timeout is a number")
		if (!("needs" in f)) f["needs"] = "-"
		if (!("splat" in f)) f["splat"] = "-"
		if (f["splat"] !~ /^(-|expected)$/) bad("check " f["check"] ": splat is \"expected\" or absent")
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ex, f["check"], f["todo"], f["points"],
			f["side"], f["needs"], f["timeout"], f["splat"], f["expect"], f["hint"]
		delete f
	}
	/^[ \t]*#/ { next }
	/^[ \t]*$/ { flush(); next }
	{
		if (!match($0, /^[a-z]+:/)) bad("not a \"key: value\" line")
		k = substr($0, 1, RLENGTH - 1); v = substr($0, RLENGTH + 1)
		sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); gsub(/\t/, " ", v)
		if (k !~ /^(check|todo|points|side|needs|timeout|splat|expect|hint)$/) bad("unknown key " k)
		if (k == "check" && ("check" in f)) bad("no blank line before check " v)
		f[k] = v
	}
	END { if (!err) flush() }' "$checks_dir/$1/rubric"
}

if $list; then
	for e in ${ex_only:-$all}; do
		rubric "$e" | awk -F'\t' '{ print $1, $2, $3, $4 }' || exit 2
	done
	exit 0
fi

work=$BUILD_DIR/check/$KERNEL
logdir=$LOG_DIR/check/$KERNEL
share=$work/share
rm -rf "$work" "$logdir"
mkdir -p "$work" "$logdir" "$share/lib" "$share/ex" "$share/tests"

if [ "$ref" = 1 ]; then
	src=$BUILD_DIR/check/reference
	rm -rf "$src" # what make skels holds back must not linger from an earlier run
	"$KLAB_ROOT/tools/student/skels.sh" --strip none --force --dest "$src" >"$logdir/reference.log" 2>&1 ||
		setup_error "cannot write the reference solutions (log: $logdir/reference.log)"
fi
src=$(realpath -m "${src:-${DEST:-$KLAB_ROOT/student}}")
[ -d "$src" ] || setup_error "no folder $src: run 'make skels' first (or give SRC=your folder)"

exercises=()
if [ -n "$ex_only" ]; then
	if [ ! -d "$src/$ex_only" ] && [ "$ref" = 1 ]; then
		setup_error "no reference for $ex_only: make skels holds it back ($(grep -m 1 "$ex_only" "$logdir/reference.log" || echo "see $logdir/reference.log"))"
	fi
	[ -d "$src/$ex_only" ] || setup_error "no folder $src/$ex_only: run 'make skels EX=$ex_only'"
	exercises=("$ex_only")
else
	for e in $all; do [ ! -d "$src/$e" ] || exercises+=("$e"); done
	[ ${#exercises[@]} -gt 0 ] || setup_error "no exercise folder in $src: run 'make skels'"
fi
[ -f "$KIMAGE" ] || setup_error "no kernel at $KIMAGE: run 'make check' (it builds what is missing) or 'make kernel'"
[ -f "$IMAGE" ] || setup_error "no disk image at $IMAGE: run 'make image'"
[ -f "$KOUT/Module.symvers" ] || setup_error "no kernel build at $KOUT: run 'make kernel'"
crash_reports /dev/null || exit 2 # builds oops-decode, the crash classifier, before any VM

# Per check (key EX/NAME): the rubric fields, then the verdict.
declare -A todo points side needs timeout splat expect hint result observed crashed evidence wrapper
keys=()
for e in "${exercises[@]}"; do
	[ -f "$checks_dir/$e/rubric" ] || setup_error "no rubric for $e in $checks_dir/$e"
	lines=$(rubric "$e") || exit 2
	while IFS=$'\t' read -r r_ex r_name r_todo r_points r_side r_needs r_timeout r_splat r_expect r_hint; do
		k=$r_ex/$r_name
		keys+=("$k")
		todo[$k]=$r_todo points[$k]=$r_points side[$k]=$r_side needs[$k]=$r_needs
		timeout[$k]=$r_timeout splat[$k]=$r_splat expect[$k]=$r_expect hint[$k]=$r_hint
	done <<<"$lines"
done

# verdict KEY pass|fail OBSERVED...: record a check's result.
verdict() {
	local k=$1 v=$2
	shift 2
	result[$k]=$v
	observed[$k]=$(printf '%s\n' "$@" | sed '/^$/d')
}

# --- building the student's code (into $work/EX; what the guest needs into $share/ex/EX)
# show_build_errors LOG BUILT SRCDIR: the first compiler errors of LOG, with paths of the
# build copy BUILT shown as the student's SRCDIR.
show_build_errors() {
	local errs
	# the compiler's (or bash's) FILE:LINE lines first; else modpost's and make's complaints
	errs=$(grep -E '^[^ :]+:[0-9]+(:[0-9]+)?: (fatal )?error|^[^ :]+: line [0-9]+: ' "$1" | head -n 8 || true)
	[ -n "$errs" ] || errs=$(grep -E '^ERROR: |No rule to make|\*\*\* ' "$1" | head -n 8 || true)
	[ -n "$errs" ] || errs=$(tail -n 8 "$1")
	printf '%s\n' "$errs" | sed -e "s|$2/|$3/|g" -e "s|^\./|$3/|"
}

# copy_folder FROM TO: the student's files (not build outputs), mtimes kept.
copy_folder() {
	mkdir -p "$2"
	rsync -a --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' --exclude '*.mod*' \
		--exclude '*.so' --exclude 'modules.order' --exclude 'Module.symvers' --exclude '.skels' "$1/" "$2/"
}

# lab_make NAME DIR [TARGET...]: build DIR as the lab does, with its own Makefile:
# make KDIR=<kernel build dir>. The caller's make variables (make check SRC=...) stay out.
lab_make() {
	local name=$1 dir=$2
	shift 2
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u MAKEOVERRIDES \
		make -C "$dir" KDIR="$KOUT" "$@" >>"$logdir/$name-build.log" 2>&1
}

build_first-module() {
	local b=$work/first-module
	copy_folder "$src/first-module" "$b"
	if ! lab_make first-module "$b" || [ ! -f "$b/test.ko" ]; then
		show_build_errors "$logdir/first-module-build.log" "$b" "$src/first-module"
		return 1
	fi
	cp "$b/test.ko" "$share/ex/first-module/"
}

# oops: the student's first-module with add_bug.patch, or the patched copy they put in oops/
# (with first-module's other files under it).
build_oops() {
	local b=$work/oops out from=$src/oops
	[ ! -d "$src/first-module" ] || copy_folder "$src/first-module" "$b"
	copy_folder "$src/oops" "$b"
	if [ ! -f "$src/oops/my_first_module.c" ]; then
		[ -f "$src/first-module/my_first_module.c" ] ||
			{ echo "no my_first_module.c in $src/oops or $src/first-module: the oops needs your module"; return 1; }
		from=$src/first-module
		if ! out=$(patch -p1 --fuzz=0 --no-backup-if-mismatch -d "$b" <"$src/oops/add_bug.patch" 2>&1); then
			rm -f "$b"/*.rej
			cp "$src/first-module/my_first_module.c" "$b/"
			if ! patch -p1 -R --dry-run --fuzz=0 -d "$b" <"$src/oops/add_bug.patch" >/dev/null 2>&1; then
				echo "oops/add_bug.patch does not apply to first-module/my_first_module.c:"
				printf '%s\n' "$out" | head -n 4
				echo "apply it by hand to a copy of your module and put that my_first_module.c into oops/"
				return 1
			fi
			# already applied to the student's module: use it as it is
		fi
	fi
	if ! lab_make oops "$b" || [ ! -f "$b/test.ko" ]; then
		show_build_errors "$logdir/oops-build.log" "$b" "$from"
		return 1
	fi
	cp "$b/test.ko" "$share/ex/oops/"
}

build_tcp-log() {
	local b=$work/tcp-log
	copy_folder "$src/tcp-log" "$b"
	[ -f "$b/tcp_log.sh" ] || { echo "no tcp_log.sh in $src/tcp-log"; return 1; }
	bash -n "$b/tcp_log.sh" 2>"$logdir/tcp-log-build.log" || {
		show_build_errors "$logdir/tcp-log-build.log" "$b" "$src/tcp-log"
		return 1
	}
	cp "$b/tcp_log.sh" "$share/ex/tcp-log/"
}

# dns-name: the student's module and plugin (their Makefile: make KDIR=...), and beside them
# the reference's (modules/xt_dns_name, built incrementally under BUILD_DIR/check/) with its
# unchecked test plugin: the checks of one side's TODOs use the other side's reference.
build_dns-name() {
	local b=$work/dns-name ref=$BUILD_DIR/check/reference-$KERNEL x=$share/ex/dns-name f
	copy_folder "$src/dns-name" "$b"
	if ! lab_make dns-name "$b" || [ ! -f "$b/xt_dns_name.ko" ] || [ ! -f "$b/libxt_dns_name.so" ]; then
		show_build_errors "$logdir/dns-name-build.log" "$b" "$src/dns-name"
		return 1
	fi
	if ! env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u MAKEOVERRIDES make -C "$KLAB_ROOT/modules/xt_dns_name" \
		BUILD_DIR="$ref" KDIR="$KOUT" module plugin >"$logdir/dns-name-reference.log" 2>&1; then
		echo "the reference modules/xt_dns_name does not build (log: $logdir/dns-name-reference.log)"
		return 2
	fi
	mkdir -p "$x/xtables" "$x/ref/xtables" "$x/unchecked"
	cp "$b/xt_dns_name.ko" "$x/"
	cp "$b/libxt_dns_name.so" "$x/xtables/"
	cp "$ref/modules/xt_dns_name/xt_dns_name.ko" "$x/ref/"
	for f in "$ref"/xtables/*.so; do cp "$f" "$x/ref/xtables/"; done
	for f in "$ref"/xtables-unchecked/*.so; do cp "$f" "$x/unchecked/"; done
}

# --- crashes: a kernel report resolved with the student's objects
# crash_summary LOG EX: the first crash report of LOG in a few lines, module frames resolved
# to the student's file:line.
crash_summary() {
	local log=$1 e=$2 out args=()
	args=(--modules "$work/$e")
	[ ! -f "$VMLINUX" ] || args+=(--vmlinux "$VMLINUX")
	out=$("$BIN_DIR/oops-decode" "${args[@]}" "$log" 2>/dev/null) || true
	[ -n "$out" ] || { crash_reports "$log" | head -n 1 | cut -f2; return; }
	awk '
		/^Header:/ { sub(/^Header: */, ""); print "the kernel crashed: " $0; next }
		/^Fault:/ { sub(/^Fault: */, ""); print "fault: " $0; next }
		/^ *source:/ { sub(/^ *source: */, ""); print "at " $0; next }
		/^Call Trace:/ { trace = 1; n = 0; next }
		trace && /^  [^ ]/ && n < 3 { sub(/^ +/, ""); print "called from " $0; n++; next }
		/^[A-Z][a-z]+:/ { trace = 0 }
	' <<<"$out" | sed "s|$work/$e/|$src/$e/|g"
}

# --- the guest side: wrappers for guest-side.sh, one per check
cp "$KLAB_ROOT/vm/test-runner/guest-side.sh" "$share/"
cp "$KLAB_ROOT/tests/lib/tap.sh" "$KLAB_ROOT/vm/tests/lib/guest.sh" "$share/lib/"
cp "$checks_dir/lib.sh" "$share/lib/check.sh"
release=$(cat "$KOUT/include/config/kernel.release" 2>/dev/null || echo unknown)
printf 'KLAB_KERNEL=%s\nKLAB_KERNEL_RELEASE=%s\n' "$KERNEL" "$release" >"$share/env"
# A check that finds the kernel already oopsed (taint flag D) does not run: exit 99 puts it
# into the next, fresh VM.
EXIT_NOT_RUN=99

accel=$("$KLAB_ROOT/tools/host/accel.sh")
case $accel in tcg*) scale=3 ;; *) scale=1 ;; esac
echo "==> make check: ${exercises[*]} from $src (KERNEL=$KERNEL, ${accel%% *}; logs in $logdir)"

declare -A built
number=0
queue=() expected_last=() host_checks=()
for e in "${exercises[@]}"; do
	mkdir -p "$share/ex/$e"
	rc=0
	out=$("build_$e" 2>&1) || rc=$?
	[ "$rc" -ne 2 ] || setup_error "$out"
	if [ "$rc" -eq 0 ]; then
		built[$e]=1
	else
		built[$e]=0
		printf '%s: your code does not build:\n' "$e"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	[ -f "$checks_dir/$e/guest.sh" ] && cp "$checks_dir/$e/guest.sh" "$share/ex/$e/"
	for k in "${keys[@]}"; do
		[ "${k%%/*}" = "$e" ] || continue
		if [ "${built[$e]}" = 0 ]; then
			verdict "$k" fail "not run: the exercise does not build (log: $logdir/$e-build.log)"
			continue
		fi
		if [ "${side[$k]}" = host ]; then
			host_checks+=("$k")
			continue
		fi
		number=$((number + 1))
		w=$(printf '%02d-%s.%s' "$number" "$e" "${k#*/}")
		cat >"$share/tests/$w" <<-EOF
			#!/bin/bash
			# $k (vm/checks/$e/rubric), run by guest-side.sh
			if [ \$((\$(cat /proc/sys/kernel/tainted) & 128)) -ne 0 ]; then
			    echo "not run: the kernel oopsed earlier in this boot"
			    exit $EXIT_NOT_RUN
			fi
			export KLAB_EX=/mnt/host/ex/$e
			exec bash /mnt/host/ex/$e/guest.sh ${k#*/}
		EOF
		chmod +x "$share/tests/$w"
		wrapper[$k]=$w
		# a check that crashes the kernel on purpose goes last: what follows needs a fresh VM
		if [ "${splat[$k]}" = expected ]; then expected_last+=("$k"); else queue+=("$k"); fi
	done
done
queue+=("${expected_last[@]}")

# --- the boots
boot=0
while [ ${#queue[@]} -gt 0 ]; do
	batch=()
	for k in "${queue[@]}"; do
		n=${needs[$k]}
		if [ "$n" != - ] && [ "${crashed[${k%%/*}/$n]:-0}" = 1 ]; then
			verdict "$k" fail "not run: it needs check $n, which crashed the kernel"
			continue
		fi
		batch+=("$k")
	done
	queue=()
	[ ${#batch[@]} -gt 0 ] || break
	limit=$((90 * scale))
	args=()
	for k in "${batch[@]}"; do
		limit=$((limit + (${timeout[$k]} + 10) * scale))
		args+=("${wrapper[$k]}:$((${timeout[$k]} * scale))")
	done
	boot=$((boot + 1))
	serial=$logdir/boot-$boot.serial.log
	printf '    VM %d: %d check(s), from %s\n' "$boot" "${#batch[@]}" "${batch[0]}"
	rm -rf "$share/results" "$share"/*.out "$share"/*.dmesg "$share/claimed"
	rc=0 hung=
	nice -n 10 "$KLAB_ROOT/run-vm.sh" --share "$share" --timeout "$limit" --log "$serial" \
		--exec "/mnt/host/guest-side.sh /mnt/host /mnt/host ${args[*]}" >/dev/null 2>"$logdir/boot-$boot.run-vm.err" &
	vm=$!
	# Per-check watchdog: a check that runs past its time + 60 s (a kernel stuck in the
	# student's code; the guest's own timeout cannot kill that) ends the VM now, not when
	# the whole boot's limit runs out.
	current='' since=0 boot_start=$SECONDS
	while kill -0 "$vm" 2>/dev/null; do
		sleep 1
		last=$(tail -n 1 "$share/results" 2>/dev/null || true)
		case $last in
		"begin "*)
			[ "$current" = "${last#begin }" ] || { current=${last#begin } since=$SECONDS; }
			for k in "${batch[@]}"; do
				[ "${wrapper[$k]}" = "$current" ] || continue
				if [ $((SECONDS - since)) -gt $((${timeout[$k]} * scale + 60)) ]; then
					hung=$current
					kill "$vm" 2>/dev/null || true
				fi
			done
			;;
		"")
			# no check has begun: the boot itself may be stuck
			if [ "$SECONDS" -gt $((boot_start + 120 * scale)) ]; then
				hung=boot
				kill "$vm" 2>/dev/null || true
			fi
			;;
		*) current='' ;;
		esac
	done
	wait "$vm" || rc=$?
	[ -z "$hung" ] || rc=124
	not_run=()
	started=0
	for k in "${batch[@]}"; do
		w=${wrapper[$k]} e=${k%%/*}
		out=$share/$w.out dmesg=$share/$w.dmesg
		end=$(grep -s "^end $w " "$share/results" | cut -d' ' -f3 || true)
		if [ -n "$end" ] || grep -qsx "begin $w" "$share/results"; then started=1; fi
		if [ "$end" = "$EXIT_NOT_RUN" ]; then
			not_run+=("$k")
			continue
		fi
		if [ -n "$end" ] || grep -qsx "begin $w" "$share/results"; then
			{ cat "$out"; echo "--- kernel log during the check ---"; cat "$dmesg"; } >"$logdir/$e.${k#*/}.log" 2>/dev/null || true
		fi
		said=$(sed -n 's/^observed: //p' "$out" 2>/dev/null || true)
		if [ -n "$end" ]; then
			reports=$(crash_reports "$dmesg" || true)
			evidence[$k]=$logdir/$e.${k#*/}.log
			if [ -n "$reports" ] && [ "${splat[$k]}" != expected ]; then
				crashed[$k]=1
				verdict "$k" fail "$said" "$(crash_summary "$dmesg" "$e")"
			elif [ "$end" = 0 ]; then
				verdict "$k" pass "$said"
			elif [ "$end" = 124 ] || [ "$end" = 137 ]; then
				verdict "$k" fail "$said" "timed out after $((${timeout[$k]} * scale)) s"
			else
				verdict "$k" fail "${said:-$(tail -n 5 "$out" 2>/dev/null)}"
			fi
		elif grep -qsx "begin $w" "$share/results"; then
			# the VM died or hung during this check
			cp "$serial" "$logdir/$e.${k#*/}.serial.log"
			evidence[$k]=$logdir/$e.${k#*/}.serial.log
			reports=$(crash_reports "$serial" || true)
			if [ -n "$reports" ] && [ "${splat[$k]}" = expected ]; then
				verdict "$k" pass "the kernel crashed: $(head -n 1 <<<"$reports" | cut -f2)"
			elif [ -n "$reports" ]; then
				crashed[$k]=1
				verdict "$k" fail "$said" "$(crash_summary "$serial" "$e")"
			elif [ "$rc" -eq 124 ]; then
				crashed[$k]=1
				verdict "$k" fail "$said" "the VM hung: the check ran past its $((${timeout[$k]} * scale)) s and the kernel did not stop it"
			else
				crashed[$k]=1
				verdict "$k" fail "$said" "the VM stopped during the check (run-vm.sh exit $rc; $serial)"
			fi
		else
			not_run+=("$k")
		fi
	done
	if [ "$started" = 0 ]; then
		# not even the first check started: the boot itself failed; do not loop
		for k in "${not_run[@]}"; do
			verdict "$k" fail "not run: the VM did not start the checks (run-vm.sh exit $rc; $logdir/boot-$boot.run-vm.err)"
		done
		tail -n 5 "$logdir/boot-$boot.run-vm.err" >&2 || true
		not_run=()
	fi
	queue=("${not_run[@]}")
done

# --- host checks: after the VMs, with the evidence of the check they need
for k in "${host_checks[@]}"; do
	e=${k%%/*} n=${needs[$k]}
	if [ "$n" != - ] && [ "${result[$e/$n]:-}" != pass ]; then
		verdict "$k" fail "not evaluated: it needs check $n, which did not pass"
		continue
	fi
	rc=0
	out=$(KLAB_EX=$work/$e KLAB_EX_SRC=$src/$e KLAB_EVIDENCE=${evidence[$e/$n]:-} \
		bash "$checks_dir/$e/host.sh" "${k#*/}" 2>&1) || rc=$?
	printf '%s\n' "$out" >"$logdir/$e.${k#*/}.log"
	said=$(sed -n 's/^observed: //p' <<<"$out")
	if [ "$rc" -eq 0 ]; then verdict "$k" pass "$said"; else verdict "$k" fail "${said:-$(tail -n 5 <<<"$out")}"; fi
done

# --- the report
json_str() {
	local s=$1
	s=${s//\\/\\\\} s=${s//\"/\\\"} s=${s//$'\n'/\\n} s=${s//$'\t'/\\t} s=${s//$'\r'/}
	printf '"%s"' "$s"
}
total=0 max=0
json_ex=()
for e in "${exercises[@]}"; do
	lab=$(awk -v e="$e" '$1 == e { print $2; exit }' "$KLAB_ROOT/tools/student/exercises")
	echo
	echo "== $e (lab $lab): $src/$e"
	got_e=0 max_e=0 json_checks=()
	for k in "${keys[@]}"; do
		[ "${k%%/*}" = "$e" ] || continue
		p=${points[$k]} t=${todo[$k]}
		case $t in given) label=given ;; all) label="all" ;; *) label="TODO $t" ;; esac
		got=0
		[ "${result[$k]:-fail}" != pass ] || got=$p
		got_e=$((got_e + got)) max_e=$((max_e + p))
		if [ "${built[$e]}" = 0 ]; then
			printf 'FAIL  %d/%d  %-7s  %s: not run, the exercise does not build\n' "$got" "$p" "$label" "${k#*/}"
		elif [ "${result[$k]:-fail}" = pass ]; then
			printf 'PASS  %d/%d  %-7s  %s: %s\n' "$got" "$p" "$label" "${k#*/}" "${expect[$k]}"
		else
			printf 'FAIL  %d/%d  %-7s  %s\n' "$got" "$p" "$label" "${k#*/}"
			printf '      expected: %s\n' "${expect[$k]}"
			printf '%s\n' "${observed[$k]:-nothing}" | sed '1s/^/      observed: /; 2,$s/^/                /'
			printf '      hint:     %s: %s\n' "$label" "${hint[$k]}"
		fi
		json_checks+=("{\"check\":$(json_str "${k#*/}"),\"todo\":$(json_str "$t"),\"points\":$got,\"max\":$p,\"result\":\"${result[$k]:-fail}\",\"expected\":$(json_str "${expect[$k]}"),\"observed\":$(json_str "${observed[$k]:-}"),\"hint\":$(json_str "${hint[$k]}")}")
	done
	echo "$e: $got_e/$max_e"
	total=$((total + got_e)) max=$((max + max_e))
	json_ex+=("{\"exercise\":$(json_str "$e"),\"lab\":$(json_str "$lab"),\"built\":$([ "${built[$e]}" = 1 ] && echo true || echo false),\"score\":$got_e,\"max\":$max_e,\"checks\":[$(IFS=,; echo "${json_checks[*]}")]}")
done
echo
echo "score: $total/$max"
if [ -n "$json" ]; then
	mkdir -p "$(dirname "$json")"
	printf '{"kernel":%s,"source":%s,"score":%d,"max":%d,"exercises":[%s]}\n' "$(json_str "$KERNEL")" \
		"$(json_str "$src")" "$total" "$max" "$(IFS=,; echo "${json_ex[*]}")" >"$json"
	echo "results: $json"
fi
[ "$total" -eq "$max" ]
