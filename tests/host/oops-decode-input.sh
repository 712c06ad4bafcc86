#!/usr/bin/env bash
# oops-decode on the bytes real serial logs carry, and on bad options. Every corpus log, with a
# NUL, a space or an escape sequence ("\x1b[0m") before its header line's timestamp, with CR,
# CR LF or CR CR LF line ends, gives the same --parse-only and --classify output as the log
# itself; control bytes of the log reach the output only as \xNN; an option without its
# argument is named ("--vmlinux needs a FILE"), exit status 2, usage lines.
# Env: BUILD_DIR. Exit: 0 all passed or skipped, 1 not.
set -euo pipefail
# shellcheck source=tests/host/oops-decode-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/oops-decode-lib.sh"

W=$BUILD_DIR/tests/oops-decode-input

# both LOG: the --parse-only and --classify output of LOG (stderr and exit status included;
# read from standard input, so that messages do not name the file).
both() {
	local rc=0 rc2=0
	"$BIN" --parse-only - <"$1" 2>&1 || rc=$?
	echo "exit $rc"
	"$BIN" --classify - <"$1" 2>&1 || rc2=$?
	echo "exit $rc2"
}

# same_output DESC SED-SCRIPT [TIMESTAMPED-ONLY]: every corpus log rewritten by
# "sed -z SED-SCRIPT" (the whole log as one string) gives the output of the log itself.
same_output() {
	local desc=$1 script=$2 ts_only=${3:-} log name diag=() n=0
	for log in "$CORPUS"/*.log; do
		name=$(basename "$log" .log)
		if [ -n "$ts_only" ] && ! grep -qE '^\[ *[0-9]+\.[0-9]+\]' "$log"; then
			continue
		fi
		sed -z "$script" "$log" >"$W/$name.log"
		if ! cmp -s <(both "$log") <(both "$W/$name.log"); then
			diag+=("$name: $(diff <(both "$log") <(both "$W/$name.log") | head -n 6 || true)")
		fi
		n=$((n + 1))
	done
	if [ ${#diag[@]} -eq 0 ]; then ok "$desc ($n logs)"; else not_ok "$desc" "${diag[@]}"; fi
}

# usage_error DESC MESSAGE ARGS...: oops-decode ARGS exits 2, says "oops-decode: MESSAGE" and
# then shows the usage lines.
usage_error() {
	local desc=$1 want=$2 got rc=0
	shift 2
	got=$("$BIN" "$@" 2>&1 </dev/null) || rc=$?
	if [ "$rc" -eq 2 ] && [ "$(head -n 1 <<<"$got")" = "oops-decode: $want" ] &&
		grep -q '^Usage: oops-decode ' <<<"$got"; then
		ok "$desc"
	else
		not_ok "$desc" "want exit 2, 'oops-decode: $want', usage lines" "got exit $rc:" "$got"
	fi
}

build_oops_decode all
rm -rf "$W"
mkdir -p "$W"

if have_corpus "stray bytes and line ends on the oops corpus"; then
	for what in 'a NUL:\x00' 'an escape sequence:\x1b[0m' 'a NUL and an escape sequence:\x00\x1b[0m'; do
		same_output "${what%%:*} before every line" "s/^/${what#*:}/;s/\\n/\\n${what#*:}/g"
	done
	same_output "a space before every line's timestamp" 's/^/ /;s/\n/\n /g' timestamped
	same_output "CR as the only line end" 's/\n/\r/g'
	same_output "CR LF line ends" 's/\n/\r\n/g'
	same_output "CR CR LF line ends" 's/\n/\r\r\n/g'
fi

# Control bytes of the log are shown escaped, in all three outputs: 10's header line with a
# colour escape, a BEL and a C1 CSI byte (U+009B) in its message; valid UTF-8 stays.
if have_corpus "control bytes of the log are escaped in the output"; then
	log10=$(echo "$CORPUS"/10-*.log)
	sed '1s/BUG: kernel NULL/BUG: \x1b[31mkernel\x07 \xc2\x9b NULL caf\xc3\xa9/' "$log10" >"$W/escapes.log"
	want='BUG: \x1b[31mkernel\x07 \xc2\x9b NULL café pointer dereference, address: 0000000000000086'
	for mode in --classify --parse-only ""; do
		out=$("$BIN" $mode "$W/escapes.log" 2>&1 || true)
		if grep -qF -- "$want" <<<"$out" && ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n\t' <<<"$out") &&
			! grep -q $'\xc2\x9b' <<<"$out"; then
			ok "oops-decode ${mode:-(report)}: control bytes of the log printed as \\xNN"
		else
			not_ok "oops-decode ${mode:-(report)}: control bytes of the log printed as \\xNN" \
				"want a line with: $want" "got:" "$(cat -v <<<"$out")"
		fi
	done
fi

usage_error "--vmlinux without FILE" "--vmlinux needs a FILE" --vmlinux
usage_error "--vmlinux= (empty FILE)" "--vmlinux needs a FILE" --vmlinux= -
usage_error "--vmlinux followed by another option" "--vmlinux needs a FILE" --vmlinux --modules /
usage_error "--modules without DIR" "--modules needs a DIR" --parse-only --modules
usage_error "--parse-only=1" "--parse-only takes no argument" --parse-only=1 -
usage_error "unknown long option" "unknown option '--no-such-option'" --no-such-option -
usage_error "unknown short option" "unknown option '-x'" -x -
usage_error "two LOGs" "only one LOG may be given" - -
usage_error "--classify with another option" "--classify takes no other option" --classify --parse-only -
usage_error "--disasm without --vmlinux or --modules" "--disasm needs --vmlinux or --modules" --disasm -
tap_done
