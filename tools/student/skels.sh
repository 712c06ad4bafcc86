#!/usr/bin/env bash
# `make skels`: write the exercises as the lab hands them out, generated from the reference
# solutions by their TODO markers (README, "The exercises"), into DEST/EXERCISE/.
#
# Usage: tools/student/skels.sh [--ex NAME] [--dest DIR] [--force] [--strip WHAT]
#        tools/student/skels.sh --file SOURCE [--strip WHAT]   one file, to standard output
#        tools/student/skels.sh --list                          the exercises, one a line
#   --ex NAME     only this exercise (env EX); default: all of tools/student/exercises
#   --dest DIR    where the exercise folders go (env DEST; default: student/ in the checkout)
#   --force       overwrite files you changed since they were generated (env FORCE=1)
#   --strip WHAT  which TODOs lose their solution: all (default: the handout), none (the
#                 reference solutions as a student's folder), or a number N (only TODO N: the
#                 reference with one TODO undone, for the checker's tests)
# A file is rewritten only while it is exactly as generated (DEST/EXERCISE/.skels records
# what was written); a file you changed is kept and listed. The folder is printed at the end.
# An exercise whose sources have no TODO marker yet is not written (a note says so).
# Exit: 0 done; 1 a source's markers are malformed (FILE:LINE says where) or a file is
#       missing; 2 bad usage.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

manifest=$KLAB_ROOT/tools/student/exercises

# strip_todos SOURCE WHAT: SOURCE with the solutions of the TODOs WHAT selects removed.
# A TODO block is: a line that is a comment starting "TODO N:" (or a " * TODO N:" line of a
# /* comment; the task, kept, with the rest of its comment: up to "*/" for a /* comment, the
# following lines of the same leader and indentation for # and // comments), the solution
# lines, and a comment line "TODO N end" (never kept). Blocks do not nest; every block must
# be closed. A "TODO N stub: CODE" comment line in a block hands out CODE in its place when
# the solution is removed (e.g. a return value, so that the skeleton compiles). Two more markers shape what is handed out whatever WHAT is: a block from a
# "NOT IN THE LAB: why" comment line to a "NOT IN THE LAB end" one is reference code the lab
# does not ask for (never handed out), and a "LAB ONLY: CODE" comment line hands out CODE.
strip_todos() {
	awk -v what="$2" -v file="$1" '
	function fail(msg) { printf "%s:%d: %s\n", file, FNR, msg > "/dev/stderr"; bad = 1; exit 1 }
	# marker(line, kind): the TODO number if line is a "TODO N:" (kind "open") or a
	# "TODO N end" (kind "end") comment line, else -1. Sets lead/indent for "open".
	function marker(line, kind,   m) {
		# a " * TODO N:" line continues a /* comment opened on an earlier line
		if (kind == "open" && match(line, /^[ \t]*(\/\*|\/\/|#|\*)[ \t]*TODO[ \t]+[0-9]+:/)) {
			m = substr(line, 1, RLENGTH)
			indent = m; sub(/[^ \t].*/, "", indent)
			lead = substr(m, length(indent) + 1, 2)
			if (lead ~ /^\*/) lead = "/*"
			else if (lead !~ /^(\/\*|\/\/)$/) lead = "#"
			gsub(/[^0-9]/, "", m); return m + 0
		}
		if (kind == "end" && line ~ /^[ \t]*(\/\*|\/\/|#)[ \t]*TODO[ \t]+[0-9]+[ \t]+end([ \t]*\*\/)?[ \t]*$/) {
			m = line; sub(/^[^0-9]*/, "", m); sub(/[^0-9].*$/, "", m); return m + 0
		}
		return -1
	}
	# stub(line): N if line is a "TODO N stub: CODE" comment line, else -1.
	function stub(line,   m) {
		if (!match(line, /^[ \t]*(\/\*|\/\/|#)[ \t]*TODO[ \t]+[0-9]+[ \t]+stub:/)) return -1
		m = substr(line, 1, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0
	}
	function stub_code(line,   ind, code) {
		ind = line; sub(/[^ \t].*/, "", ind)
		code = line; sub(/^[ \t]*(\/\*|\/\/|#)[ \t]*TODO[ \t]+[0-9]+[ \t]+stub:[ \t]?/, "", code)
		sub(/[ \t]*\*\/[ \t]*$/, "", code)
		return ind code
	}
	# labmark(line): "open"/"end" for the lines around a NOT IN THE LAB block, "only" for a
	# LAB ONLY line, else "".
	function labmark(line) {
		if (line ~ /^[ \t]*(\/\*|\/\/|#)[ \t]*NOT IN THE LAB:/) return "open"
		if (line ~ /^[ \t]*(\/\*|\/\/|#)[ \t]*NOT IN THE LAB end([ \t]*\*\/)?[ \t]*$/) return "end"
		if (line ~ /^[ \t]*(\/\*|\/\/|#)[ \t]*LAB ONLY:/) return "only"
		return ""
	}
	# lab_only(line): the code a LAB ONLY comment line hands out, at its indentation.
	function lab_only(line,   ind, code) {
		ind = line; sub(/[^ \t].*/, "", ind)
		code = line; sub(/^[ \t]*(\/\*|\/\/|#)[ \t]*LAB ONLY:[ \t]?/, "", code)
		sub(/[ \t]*\*\/[ \t]*$/, "", code)
		return ind code
	}
	BEGIN { state = "code" }
	{
		if (state != "task" || lead != "/*") {
			l = labmark($0)
			if (skipping) {
				if (l == "end") skipping = 0
				else if (l == "open") fail("a NOT IN THE LAB block inside the one opened at line " skipfrom ": blocks do not nest")
				next
			}
			if (l != "" && state == "task") state = "solution"
			if (l == "open") { skipping = 1; skipfrom = FNR; next }
			if (l == "end") fail("\"" $0 "\" closes no NOT IN THE LAB block")
			if (l == "only") { if (state == "code" || !strip) print lab_only($0); next }
		}
		if (state == "solution") {
			n = marker($0, "end")
			if (n == todo) { state = "code"; next }
			if (stub($0) == todo) { if (strip) print stub_code($0); next }
			if (n >= 0) fail("\"TODO " n " end\" inside TODO " todo " (opened at line " opened ")")
			if (marker($0, "open") >= 0) fail("a TODO inside TODO " todo " (opened at line " opened "): blocks do not nest")
			if (!strip) print
			next
		}
		if (state == "task") {
			if (lead == "/*") {
				print
				if ($0 ~ /\*\//) state = "solution"
				next
			}
			if (index($0, indent lead) == 1 && marker($0, "end") < 0 && stub($0) < 0) { print; next }
			state = "solution"
			# this line is the first solution line: fall through to handle it
			n = marker($0, "end")
			if (n == todo) { state = "code"; next }
			if (stub($0) == todo) { if (strip) print stub_code($0); next }
			if (!strip) print
			next
		}
		if (marker($0, "end") >= 0) fail("\"" $0 "\" closes no TODO")
		n = marker($0, "open")
		if (n < 0) { print; next }
		todo = n; opened = FNR
		strip = (what == "all" || what == n "")
		print
		if (lead == "/*" && $0 !~ /\*\//) state = "task"
		else if (lead == "/*") state = "solution"
		else state = "task"
	}
	END {
		if (bad) exit 1
		if (skipping) { FNR = skipfrom; fail("NOT IN THE LAB block not closed by a \"NOT IN THE LAB end\" line") }
		if (state != "code") { FNR = opened; fail("TODO " todo " is not closed by a \"TODO " todo " end\" line") }
	}' "$1"
}

# A TODO's task line, in any comment syntax.
TODO_TASK='(/\*|//|#|\*)[[:space:]]*TODO[[:space:]]+[0-9]+:'

# The manifest without comments: EXERCISE LAB FILE SOURCE per line.
manifest_lines() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$manifest"; }
exercises() { manifest_lines | awk '!seen[$1]++ { print $1 }'; }

ex=${EX:-} dest=${DEST:-} force=${FORCE:-0} what=all file='' list=false
while [ $# -gt 0 ]; do
	case $1 in
	--ex) ex=${2:?--ex needs a name}; shift ;;
	--dest) dest=${2:?--dest needs a folder}; shift ;;
	--force) force=1 ;;
	--strip) what=${2:?--strip needs all, none or a number}; shift ;;
	--file) file=${2:?--file needs a path}; shift ;;
	--list) list=true ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $what =~ ^(all|none|[0-9]+)$ ]] || { echo "skels.sh: --strip takes all, none or a number, not '$what'" >&2; exit 2; }
[[ $force =~ ^[01]$ ]] || { echo "skels.sh: FORCE takes 0 or 1, not '$force'" >&2; exit 2; }

if $list; then
	exercises
	exit 0
fi
if [ -n "$file" ]; then
	strip_todos "$file" "$what"
	exit
fi

all=$(exercises)
if [ -n "$ex" ] && ! grep -qx -- "$ex" <<<"$all"; then
	echo "skels.sh: no exercise '$ex'; the exercises: ${all//$'\n'/ }" >&2
	exit 2
fi
dest=$(realpath -m "${dest:-$KLAB_ROOT/student}")

# Generate every file first: a malformed source leaves the student's folder untouched.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r e _ f src; do
	[ -z "$ex" ] || [ "$e" = "$ex" ] || continue
	[ -f "$KLAB_ROOT/$src" ] || die "$src (for $e/$f) is missing"
	mkdir -p "$tmp/$e/$(dirname "$f")"
	case $src in
	*.patch) cp "$KLAB_ROOT/$src" "$tmp/$e/$f" ;; # a patch quotes code, markers and all
	*) strip_todos "$KLAB_ROOT/$src" "$what" >"$tmp/$e/$f" || exit 1 ;;
	esac
	# a script stays executable
	[ ! -x "$KLAB_ROOT/$src" ] || chmod +x "$tmp/$e/$f"
done < <(manifest_lines)

kept=()
for e in $all; do
	[ -d "$tmp/$e" ] || continue
	# An exercise whose sources carry no TODO yet would hand out its solution: held back.
	srcs=()
	while read -r x _ _ f; do [ "$x" != "$e" ] || srcs+=("$KLAB_ROOT/$f"); done < <(manifest_lines)
	if ! grep -qsE "$TODO_TASK" "${srcs[@]}"; then
		note "$e: not handed out: its sources carry no TODO markers yet"
		continue
	fi
	out=$dest/$e
	mkdir -p "$out"
	record=$out/.skels
	new_record=$tmp/$e.skels
	: >"$new_record"
	while IFS= read -r f; do
		f=${f#./}
		want=$tmp/$e/$f
		sum=$(sha256sum <"$want" | cut -d' ' -f1)
		target=$out/$f
		if [ -f "$target" ] && ! cmp -s "$want" "$target"; then
			was=$(awk -v f="$f" '$2 == f { print $1 }' "$record" 2>/dev/null || true)
			have=$(sha256sum <"$target" | cut -d' ' -f1)
			if [ "$have" != "$was" ] && [ "$force" != 1 ]; then
				# changed since generated: yours; the record keeps what was generated then
				kept+=("$e/$f")
				printf '%s %s\n' "${was:-none}" "$f" >>"$new_record"
				continue
			fi
			echo "  updated  $e/$f"
		elif [ -f "$target" ]; then
			echo "  same     $e/$f"
		else
			echo "  new      $e/$f"
		fi
		mkdir -p "$(dirname "$target")"
		cp -p "$want" "$target.tmp"
		mv -f "$target.tmp" "$target"
		printf '%s %s\n' "$sum" "$f" >>"$new_record"
	done < <(cd "$tmp/$e" && find . -type f | sort)
	mv -f "$new_record" "$record"
done
for k in "${kept[@]}"; do
	echo "  kept     $k (you changed it; FORCE=1 regenerates it)"
done
echo "==> the exercises are in $dest"
