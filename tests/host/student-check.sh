#!/usr/bin/env bash
# make check graded on folders whose right score is known, in real VMs:
#   - the reference solutions (REF=1) score full marks, on each kernel of STUDENT_KERNELS;
#   - the skeletons as generated build and score 0 on every coding check, crashing nothing;
#   - for every TODO N, the mutant (the reference with only TODO N undone: skels.sh --strip N,
#     all exercises at once) loses exactly TODO N's points in each exercise, and fails exactly
#     TODO N's checks (a check of all TODOs together, 0 points, may fail too);
#   - a first-module that writes through NULL in init fails with the oops traced to its own
#     file:line, and the checker finishes with a score;
#   - a dns-name whose match writes through NULL: the same, and only the checks that run the
#     match fail (the others pass in the fresh VMs booted after each crash);
#   - a folder with a C and a shell syntax error gets the errors (file:line) and a score, no VM.
# JSON (--json) is what the assertions read. Skeletons and mutants run on KERNEL only.
# Env: BUILD_DIR, KERNEL, STUDENT_KERNELS (default "lab debian": those with a kernel and an
#   image; others are skipped), STUDENT_MUTANTS (the exercises graded as per-TODO mutants;
#   default: all but dns-name, whose six gradings, ~1.5 min each, would push make test past
#   CI's 90 minutes with the debug suite; STUDENT_MUTANTS=all adds them: 12/12 when last run).
# Exit: 0 all passed (or skipped: 77), 1 a check failed.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed (make deps)"
skels=$KLAB_ROOT/tools/student/skels.sh
checker=$KLAB_ROOT/tools/student/check.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ready K: kernel K has a kernel, its build dir and an image.
ready() {
	local v p=()
	# a stale key makes paths.sh derive everything anew for KERNEL=$1
	for v in KIMAGE IMAGE KOUT; do
		p+=("$(KERNEL=$1 KLAB_PATHS_KEY=stale "$KLAB_ROOT/tools/lib/paths.sh" | sed -n "s/^$v=//p")")
	done
	[ -f "${p[0]}" ] && [ -f "${p[1]}" ] && [ -f "${p[2]}/Module.symvers" ]
}
kernels=()
for k in ${STUDENT_KERNELS:-lab debian}; do
	if ready "$k"; then kernels+=("$k"); else skip "make check on KERNEL=$k" "no kernel or image for it (make image KERNEL=$k)"; fi
done
[ ${#kernels[@]} -gt 0 ] || skip_all "no kernel with an image (make image)"
if ready "$KERNEL"; then main=$KERNEL; else main=${kernels[0]}; fi

# grade NAME KERNEL ARGS...: run the checker; its output in $tmp/NAME.out, JSON in
# $tmp/NAME.json, exit status in $rc.
grade() {
	local name=$1 k=$2
	shift 2
	rc=0
	KERNEL=$k nice -n 10 "$checker" --json "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>&1 || rc=$?
	sed 's/^/#   | /' "$tmp/$name.out"
}

# q NAME PYTHON: evaluate PYTHON with r = the JSON results of NAME (prints the value).
q() { python3 -c "import json, sys; r = json.load(open(sys.argv[1])); print($2)" "$tmp/$1.json"; }

# The exercises handed out (make skels holds back those without TODO markers yet).
"$skels" --dest "$tmp/solved" --strip none >/dev/null 2>&1
handed=$(for ex in $("$skels" --list); do [ ! -d "$tmp/solved/$ex" ] || printf '%s ' "$ex"; done)

# --- the reference solutions, on each kernel
for k in "${kernels[@]}"; do
	grade "ref-$k" "$k" --ref
	expect_eq "KERNEL=$k: REF=1 exits 0 (full marks)" 0 "$rc"
	expect_line "$tmp/ref-$k.out" "KERNEL=$k: REF=1 prints score: X/X" '^score: ([0-9]+)/\1$'
	if [ -f "$tmp/ref-$k.json" ]; then
		expect_eq "KERNEL=$k: REF=1: every check passes" "" \
			"$(q "ref-$k" "' '.join(e['exercise'] + '/' + c['check'] for e in r['exercises'] for c in e['checks'] if c['result'] != 'pass')")"
		expect_eq "KERNEL=$k: REF=1 grades every exercise handed out" "$handed" \
			"$(q "ref-$k" "' '.join(e['exercise'] for e in r['exercises']) + ' '")"
	else
		not_ok "KERNEL=$k: REF=1 wrote its JSON"
	fi
done

# --- the skeletons as handed out
"$skels" --dest "$tmp/skel" >/dev/null 2>&1
grade skel "$main" --src "$tmp/skel"
expect_eq "skeletons: make check exits 1 (points missing)" 1 "$rc"
expect_eq "skeletons: every exercise builds" "" "$(q skel "' '.join(e['exercise'] for e in r['exercises'] if not e['built'])")"
expect_eq "skeletons: score 0" 0 "$(q skel "r['score']")"
expect_eq "skeletons: every coding check fails" "" \
	"$(q skel "' '.join(e['exercise'] + '/' + c['check'] for e in r['exercises'] for c in e['checks'] if c['todo'] != 'given' and c['result'] == 'pass')")"
expect_eq "skeletons: the given checks pass (it loads, nothing crashes)" "" \
	"$(q skel "' '.join(e['exercise'] + '/' + c['check'] for e in r['exercises'] for c in e['checks'] if c['todo'] == 'given' and c['result'] != 'pass')")"
check_not "skeletons: no kernel crash outside the oops exercise" grep -q 'the kernel crashed' "$tmp/skel.out"

# --- one mutant per TODO number: each exercise loses exactly that TODO's points
# mutated EX: EX's mutants are graded in this run (STUDENT_MUTANTS).
mutated() {
	case " ${STUDENT_MUTANTS:-all-but-dns-name} " in
	*" all "*) return 0 ;;
	*" all-but-dns-name "*) [ "$1" != dns-name ] ;;
	*" $1 "*) return 0 ;;
	*) return 1 ;;
	esac
}
max_todo=$("$checker" --list | awk '$3 ~ /^[0-9]+$/ && $3 > m { m = $3 } END { print m + 0 }')
for n in $(seq "$max_todo"); do
	"$skels" --dest "$tmp/mutant-$n" --strip "$n" >/dev/null 2>&1
	# only the exercises with a TODO n: the others, the same as solved, would be graded for nothing
	for ex in $handed; do
		if diff -rq -x .skels "$tmp/mutant-$n/$ex" "$tmp/solved/$ex" >/dev/null; then
			rm -rf "${tmp:?}/mutant-$n/$ex"
		elif ! mutated "$ex"; then
			rm -rf "${tmp:?}/mutant-$n/$ex"
			skip "TODO $n undone: $ex" "STUDENT_MUTANTS=${STUDENT_MUTANTS:-all-but-dns-name} leaves it out (=all adds it)"
		fi
	done
	[ -n "$(ls -A "$tmp/mutant-$n")" ] || continue
	grade "mutant-$n" "$main" --src "$tmp/mutant-$n"
	while read -r ex lost failing; do
		want_fail=$("$checker" --list --ex "$ex" | awk -v n="$n" '$3 == n "" { printf "%s,", $2 }')
		want_lost=$("$checker" --list --ex "$ex" | awk -v n="$n" '$3 == n "" { s += $4 } END { print s + 0 }')
		expect_eq "TODO $n undone: $ex loses TODO $n's $want_lost points" "$want_lost" "$lost"
		expect_eq "TODO $n undone: $ex fails exactly TODO $n's checks" "$want_fail" "$failing"
	done < <(q "mutant-$n" "'\\n'.join(e['exercise'] + ' ' + str(e['max'] - e['score']) + ' ' + ''.join(c['check'] + ',' for c in e['checks'] if c['result'] != 'pass' and c['todo'] != 'all') for e in r['exercises'])")
done

# --- a module that writes through NULL in init
"$skels" --dest "$tmp/null" --strip none --ex first-module >/dev/null 2>&1
c=$tmp/null/first-module/my_first_module.c
sed -i 's|^\t/\* TODO 1:.*|&\n\t*((volatile int *)NULL) = 1;|' "$c"
line=$(grep -n 'NULL) = 1;' "$c" | cut -d: -f1)
grade null "$main" --src "$tmp/null"
expect_eq "NULL write: the checker finishes, points missing (exit 1)" 1 "$rc"
expect_line "$tmp/null.out" "NULL write: a score is printed" '^score: 0/[0-9]+$'
expect_line "$tmp/null.out" "NULL write: loads fails" '^FAIL .* loads$'
expect_line "$tmp/null.out" "NULL write: the oops is shown" 'the kernel crashed: BUG: kernel NULL pointer dereference'
expect_line "$tmp/null.out" "NULL write: traced to the mutant's own file:line ($line)" "at $c:$line\$"
expect_line "$tmp/null.out" "NULL write: the checks that need the module are not run" 'not run: it needs check loads, which crashed the kernel'

# --- a dns-name whose match writes through NULL: the oops is traced to the mutant's own
# file:line, and the checks that never run the match (the plugin's, checkentry's) still pass,
# in the fresh VMs the checker boots after each crash
if [[ " $handed " == *" dns-name "* ]]; then
	"$skels" --dest "$tmp/dns-null" --strip none --ex dns-name >/dev/null 2>&1
	c=$tmp/dns-null/dns-name/xt_dns_name_main.c
	# the match's first statement: every packet a student rule sees crashes the kernel
	sed -i '/^static bool dns_name_mt(/,/^}/ s|^\tenum dns_verdict v;$|&\n\t*((volatile int *)NULL) = 1;|' "$c"
	line=$(grep -n 'NULL) = 1;' "$c" | cut -d: -f1)
	grade dns-null "$main" --src "$tmp/dns-null"
	expect_eq "dns-name NULL write: the checker finishes, points missing (exit 1)" 1 "$rc"
	expect_line "$tmp/dns-null.out" "dns-name NULL write: a score is printed" '^score: [0-9]+/[0-9]+$'
	expect_line "$tmp/dns-null.out" "dns-name NULL write: the oops is shown" 'the kernel crashed: BUG: kernel NULL pointer dereference'
	expect_line "$tmp/dns-null.out" "dns-name NULL write: traced to the mutant's own file:line ($line)" "at $c:$line\$"
	if [ -f "$tmp/dns-null.json" ]; then
		# the checks whose packets pass a rule of the student's module, and only those
		expect_eq "dns-name NULL write: exactly the checks that run the match fail" \
			"requests-only questions no-splat lab-command" \
			"$(q dns-null "' '.join(c['check'] for e in r['exercises'] for c in e['checks'] if c['result'] != 'pass')")"
	else
		not_ok "dns-name NULL write: the checker wrote its JSON"
	fi
else
	skip "a dns-name whose match writes through NULL" "dns-name is not handed out"
fi

# --- syntax errors: the compiler's and bash's file:line, a score, no VM
"$skels" --dest "$tmp/syntax" --strip none >/dev/null 2>&1
# only the two broken exercises: any other would build and boot a VM
for ex in "$tmp"/syntax/*; do
	case ${ex##*/} in first-module | tcp-log) ;; *) rm -rf "$ex" ;; esac
done
sed -i 's/return 0;/return 0/' "$tmp/syntax/first-module/my_first_module.c"
printf 'rule=(\n' >>"$tmp/syntax/tcp-log/tcp_log.sh"
cline=$(grep -n 'return 0$' "$tmp/syntax/first-module/my_first_module.c" | cut -d: -f1)
grade syntax "$main" --src "$tmp/syntax"
expect_eq "syntax errors: exit 1, not a checker error" 1 "$rc"
expect_line "$tmp/syntax.out" "syntax errors: the compiler's error at the student's file:line" \
	"$tmp/syntax/first-module/my_first_module\\.c:$cline:[0-9]+: error"
expect_line "$tmp/syntax.out" "syntax errors: bash's error at the student's file" "$tmp/syntax/tcp-log/tcp_log\\.sh: line [0-9]+: "
expect_line "$tmp/syntax.out" "syntax errors: score 0" '^score: 0/[0-9]+$'
check_not "syntax errors: no VM was booted" test -e "$LOG_DIR/check/$main/boot-1.serial.log"
tap_done
