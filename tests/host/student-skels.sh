#!/usr/bin/env bash
# make skels: the TODO-marker generator (tools/student/skels.sh) on every reference solution and
# on made-up sources: what the skeleton keeps and drops (TODO, NOT IN THE LAB, LAB ONLY), malformed markers named by file:line,
# a student's changes never overwritten (FORCE=1 does), and every TODO of the sources graded by
# a check of its exercise's rubric (and no check grading a TODO the sources lack). When a
# kernel build is there, the generated C skeletons compile against it (-Werror) and the shell
# ones pass shellcheck.
# Env: BUILD_DIR, KERNEL. Exit: 0 all passed, 1 a check failed.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

skels=$KLAB_ROOT/tools/student/skels.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the markers, on made-up sources
cat >"$tmp/a.c" <<'EOF'
int f(void)
{
	int x = 0;
	/* TODO 1: set x */
	x = 1;
	/* TODO 1 end */
	/*
	 * TODO 2: a task on
	 * two lines
	 */
	x += 2;
	x += 3;
	/* TODO 2 end */
	// TODO 1: again, a second block of TODO 1
	x *= 7;
	// TODO 1 end
	return x;
}
EOF
cat >"$tmp/a.sh" <<'EOF'
x=0
# TODO 3: a shell task
#   continued here
x=3
# TODO 3 end
echo "$x"
EOF
expect_eq "C skeleton: tasks kept, solutions and end markers gone" \
	"$(printf '%s\n' 'int f(void)' '{' '	int x = 0;' '	/* TODO 1: set x */' '	/*' '	 * TODO 2: a task on' \
		'	 * two lines' '	 */' '	// TODO 1: again, a second block of TODO 1' '	return x;' '}')" \
	"$("$skels" --file "$tmp/a.c")"
expect_eq "--strip none: the solution without end markers" \
	"$(grep -v ' end ' "$tmp/a.c" | grep -v 'TODO 1 end')" "$("$skels" --file "$tmp/a.c" --strip none)"
expect_eq "--strip 1: only TODO 1's blocks (both) undone" \
	"$(grep -vE 'x = 1;|x \*= 7;|TODO [12] end' "$tmp/a.c")" "$("$skels" --file "$tmp/a.c" --strip 1)"
# shellcheck disable=SC2016 # a literal $x
expect_eq "shell: a # task continues on the following # lines" \
	"$(printf '%s\n' 'x=0' '# TODO 3: a shell task' '#   continued here' 'echo "$x"')" "$("$skels" --file "$tmp/a.sh")"

cat >"$tmp/lab.c" <<'EOF'
static const int reg[] = {
	4,
	/* LAB ONLY: 44, */
	/* NOT IN THE LAB: IPv6 */
	6,
	/* NOT IN THE LAB end */
};
int g(void)
{
	/* TODO 2: two */
	a();
	/* NOT IN THE LAB: revision 1 */
	b();
	/* NOT IN THE LAB end */
	/* LAB ONLY: c(); */
	/* TODO 2 end */
	return 0;
}
EOF
want_lab=$(printf '%s\n' 'static const int reg[] = {' '	4,' '	44,' '};' 'int g(void)' '{' '	/* TODO 2: two */')
expect_eq "NOT IN THE LAB blocks are never handed out, LAB ONLY lines always are (skeleton)" \
	"$(printf '%s\n' "$want_lab" '	return 0;' '}')" "$("$skels" --file "$tmp/lab.c")"
expect_eq "... and in the solution (--strip none)" \
	"$(printf '%s\n' "$want_lab" '	a();' '	c();' '	return 0;' '}')" "$("$skels" --file "$tmp/lab.c" --strip none)"

printf '%s\n' 'int h(int r)' '{' '	/* TODO 3: use r */' '	return r + 1;' '	/* TODO 3 stub: (void)r; */' \
	'	/* TODO 3 stub: return 0; */' '	/* TODO 3 end */' '}' >"$tmp/stub.c"
expect_eq "a TODO's stub lines stand in for its solution in the skeleton" \
	"$(printf '%s\n' 'int h(int r)' '{' '	/* TODO 3: use r */' '	(void)r;' '	return 0;' '}')" "$("$skels" --file "$tmp/stub.c")"
expect_eq "... and are not in the solution" \
	"$(printf '%s\n' 'int h(int r)' '{' '	/* TODO 3: use r */' '	return r + 1;' '}')" "$("$skels" --file "$tmp/stub.c" --strip none)"

# malformed BODY WANT: a source made of BODY is refused with a message matching WANT.
malformed() {
	local desc=$1 want=$3 out rc=0
	printf '%s\n' "$2" >"$tmp/bad.c"
	out=$("$skels" --file "$tmp/bad.c" 2>&1) || rc=$?
	if [ "$rc" -eq 1 ] && grep -qE "$want" <<<"$out"; then ok "$desc"; else
		not_ok "$desc" "exit $rc, want 1 and /$want/" "$out"
	fi
}
malformed "an unclosed TODO is refused at its line" $'a\n/* TODO 4: x */\nb' 'bad\.c:2: TODO 4 is not closed'
malformed "nested TODOs are refused" $'/* TODO 1: x */\n/* TODO 2: y */\n/* TODO 2 end */\n/* TODO 1 end */' 'bad\.c:2: .*do not nest'
malformed "an end of another TODO is refused" $'/* TODO 1: x */\na\n/* TODO 2 end */' 'bad\.c:3: "TODO 2 end" inside TODO 1'
malformed "a stray end is refused" $'a\n# TODO 5 end' 'bad\.c:2: .*closes no TODO'
malformed "an unclosed NOT IN THE LAB is refused at its line" $'a\n# NOT IN THE LAB: x\nb' 'bad\.c:2: NOT IN THE LAB block not closed'
malformed "a stray NOT IN THE LAB end is refused" $'a\n/* NOT IN THE LAB end */' 'bad\.c:2: .*closes no NOT IN THE LAB block'

# --- every reference solution
if "$skels" --dest "$tmp/skel" >"$tmp/out" 2>&1; then ok "make skels: every source's markers are well-formed"; else
	not_ok "make skels: every source's markers are well-formed" "$(cat "$tmp/out")"
fi
expect_line "$tmp/out" "the folder is printed at the end" "^==> the exercises are in $tmp/skel\$"
"$skels" --dest "$tmp/solved" --strip none >/dev/null
while read -r ex _ f src; do
	# each TODO's solution is gone from the skeleton, the task line is there
	todos=$(grep -oE '(/\*|//|#|\*)[[:space:]]*TODO [0-9]+:' "$KLAB_ROOT/$src" | grep -oE '[0-9]+' | sort -u | tr '\n' ' ' || true)
	case $src in *.patch) continue ;; esac # handed out as it is
	[ -n "$todos" ] || continue
	check "$ex/$f: the skeleton keeps the TODO lines ($todos)" \
		test "$(grep -cE 'TODO [0-9]+:' "$tmp/skel/$ex/$f")" -eq "$(grep -cE 'TODO [0-9]+:' "$KLAB_ROOT/$src")"
	check_not "$ex/$f: no end marker is handed out" grep -qE 'TODO [0-9]+ end' "$tmp/skel/$ex/$f"
	check "$ex/$f: the skeleton is shorter than the solution" \
		test "$(wc -l <"$tmp/skel/$ex/$f")" -lt "$(wc -l <"$tmp/solved/$ex/$f")"
	# the TODOs of the sources are the TODOs of the rubric
	tr ' ' '\n' <<<"$todos" | sed '/^$/d' >>"$tmp/todos-$ex"
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$KLAB_ROOT/tools/student/exercises")
for ex in $("$skels" --list); do
	touch "$tmp/todos-$ex"
	src_todos=$(sort -un "$tmp/todos-$ex" | tr '\n' ' ')
	if [ -z "$src_todos" ]; then
		check_not "$ex: without TODO markers in its sources, it is not handed out" test -e "$tmp/skel/$ex"
		continue
	fi
	rubric_todos=$("$KLAB_ROOT/tools/student/check.sh" --list --ex "$ex" | awk '$3 ~ /^[0-9]+$/ { print $3 }' | sort -un | tr '\n' ' ')
	expect_eq "$ex: every TODO of the sources has a check, every check's TODO is in the sources" \
		"$src_todos" "$rubric_todos"
done

# --- dns-name (3B) as the lab has it: IPv4, the OUTPUT hook, no .proto; nothing of the
# reference's extras (IPv6, revision 1, DNS over TCP) is handed out, with the skeleton or
# with the solutions
for d in skel solved; do
	dn=$tmp/$d/dns-name
	[ -d "$dn" ] || { not_ok "dns-name is handed out ($d)"; continue; }
	check "dns-name ($d): the match is registered for IPv4's OUTPUT hook only" \
		grep -qE '^[[:space:]]*\.hooks[[:space:]]*= 1 << NF_INET_LOCAL_OUT,' "$dn/xt_dns_name_main.c"
	check_not "dns-name ($d): no .proto restriction (the lab's command has no -p udp)" \
		grep -qE '\.proto[[:space:]]*=' "$dn/xt_dns_name_main.c"
	check_not "dns-name ($d): no IPv6, revision 1 or DNS over TCP" \
		grep -lE 'NFPROTO_IPV6|ipv6|mtinfo1|revision[[:space:]]*= 1|dns_tcp_check|--domain-suffix|--qtype' "$dn"/*.[ch]
	check_not "dns-name ($d): no marker is handed out" grep -lE 'NOT IN THE LAB|LAB ONLY|TODO [0-9]+ (end|stub)' "$dn"/*
done

# --- a student's changes survive make skels
d=$tmp/mine
"$skels" --dest "$d" --ex first-module >/dev/null
echo '/* mine */' >>"$d/first-module/my_first_module.c"
out=$("$skels" --dest "$d" --ex first-module)
check "a second make skels keeps the changed file" grep -q 'mine' "$d/first-module/my_first_module.c"
check "... and says so" grep -q 'kept .*first-module/my_first_module.c' <<<"$out"
rm "$d/first-module/Kbuild"
"$skels" --dest "$d" --ex first-module >/dev/null
check "a deleted file comes back" test -f "$d/first-module/Kbuild"
FORCE=1 "$skels" --dest "$d" --ex first-module >/dev/null
check_not "FORCE=1 regenerates the changed file" grep -q 'mine' "$d/first-module/my_first_module.c"
rc=0
"$skels" --dest "$d" --ex no-such-exercise >"$tmp/out" 2>&1 || rc=$?
expect_eq "an unknown EX is a usage error (exit 2)" 2 "$rc"
check "... naming the exercises" grep -q 'the exercises: first-module' "$tmp/out"

# --- the skeletons as handed out: shellcheck, and C that builds against the kernel
if command -v shellcheck >/dev/null; then
	for f in "$tmp"/skel/*/*.sh; do
		check "shellcheck of the handed-out ${f#"$tmp/skel/"}" shellcheck "$f"
	done
else
	skip "shellcheck of the handed-out scripts" "shellcheck is not installed"
fi
# w1_clean DIR: DIR builds with the kernel's W=1 and prints no warning (what it printed if not).
# shellcheck disable=SC2317 # called through check
w1_clean() {
	local out
	out=$(env -u MAKEFLAGS make -C "$1" KDIR="$KOUT" W=1 clean all 2>&1) || { tail -n 20 <<<"$out"; return 1; }
	! grep -E 'warning:' <<<"$out"
}
if [ -f "$KOUT/Module.symvers" ]; then
	for mk in "$tmp"/skel/*/Makefile; do
		ex=$(basename "$(dirname "$mk")")
		check "the $ex skeleton builds with the lab's command, make KDIR=... ($KERNEL's kernel; -Werror where it has it)" \
			env -u MAKEFLAGS make -C "$tmp/skel/$ex" KDIR="$KOUT"
	done
	check "... first-module into test.ko" test -f "$tmp/skel/first-module/test.ko"
	# the kernel's extra warnings too (W=1: -Wextra and more), which a student may turn on
	check "the dns-name skeleton builds with W=1, without a warning" w1_clean "$tmp/skel/dns-name"
	check "... into xt_dns_name.ko and libxt_dns_name.so" \
		test -f "$tmp/skel/dns-name/xt_dns_name.ko" -a -f "$tmp/skel/dns-name/libxt_dns_name.so"
else
	skip "the skeletons build" "no kernel build at $KOUT (make kernel)"
fi
tap_done
