# shellcheck shell=bash
# Helpers shared by the lab's shell scripts: usage text, messages, stage headings, logged steps,
# and the kernel-crash classifier. Source it after tools/lib/paths.sh.

# usage: print the calling script's header comment (from line 2 to the first non-comment line).
usage() {
	sed -n '2,/^[^#]/{/^#/!d;s/^# \{0,1\}//;p}' "$0"
}

die() {
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# stage "what" "how long it takes cold": the one-line heading of a long step.
stage() {
	printf '==> %s%s\n' "$1" "${2:+ (cold: $2)}"
}

# run_logged LOGNAME CMD...: run CMD with its output in LOG_DIR/LOGNAME.log.
# While it runs, a line every minute says it is alive; on failure the last 30 lines
# and the log's path are shown, and the command's status is returned.
run_logged() {
	local name=$1 log ticker start rc=0
	shift
	mkdir -p "$LOG_DIR"
	log=$LOG_DIR/$name.log
	start=$SECONDS
	# The sleep is killed with the ticker: an orphaned sleep would hold our stdout and locks.
	(
		trap 'kill "$nap" 2>/dev/null; exit 0' TERM
		while :; do
			sleep 60 >/dev/null 2>&1 &
			nap=$!
			wait "$nap"
			printf '    ... %dm elapsed (%s)\n' $(((SECONDS - start) / 60)) "$log"
		done
	) &
	ticker=$!
	"$@" >"$log" 2>&1 || rc=$?
	kill "$ticker" 2>/dev/null
	wait "$ticker" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		printf '%s: %s failed (exit %d); last 30 lines of %s:\n' "${0##*/}" "$name" "$rc" "$log" >&2
		tail -n 30 "$log" >&2
		printf '%s: full log: %s\n' "${0##*/}" "$log" >&2
	fi
	return "$rc"
}

# crash_reports LOG: the kernel crash reports in a console log, one "KIND<TAB>first line" per
# report (KIND: see oops-decode --help), nothing when there is none. What counts as a crash is
# defined once, in oops-decode (tools/oops-decode/kpatterns.c); it is built here on first use.
crash_reports() {
	local out rc=0
	make -s -C "$KLAB_ROOT/tools/oops-decode" BUILD_DIR="$BUILD_DIR" >&2 ||
		{ note "cannot build oops-decode, the crash classifier (run 'make deps')"; return 2; }
	out=$("$BIN_DIR/oops-decode" --classify "$1") || rc=$?
	case $rc in
	0) printf '%s\n' "$out" ;;
	1) ;; # no report
	*) return "$rc" ;;
	esac
}

# private_dir PREFIX: create a fresh folder ${TMPDIR:-/tmp}/PREFIX.XXXXXX and print its path.
# It records its owner (the calling script: PID and start time) in it, so that a later run can
# tell it is stale: a script killed with SIGKILL cannot clean up after itself. First, this
# user's PREFIX.* folders whose owner is gone are removed (sweep_stale_dirs).
private_dir() {
	local dir
	sweep_stale_dirs "$1"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || return 1
	echo "$$ $(proc_start_time $$)" >"$dir/owner"
	printf '%s\n' "$dir"
}

# proc_start_time PID: the process's start time (clock ticks since boot; with the PID, an
# identity that survives PID reuse); fails when there is no such process.
proc_start_time() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	# shellcheck disable=SC2086 # the fields after "(comm) "; start time is field 22
	set -- ${stat##*) }
	echo "${20}"
}

# sweep_stale_dirs PREFIX: remove this user's ${TMPDIR:-/tmp}/PREFIX.* folders whose recorded
# owner has exited. A QEMU that recorded its PID there (-pidfile FOLDER/qemu.pid) and still runs
# with FOLDER on its command line is killed first. A folder without an owner record (being
# created, or from an older version) is left alone while any process names it on its command line.
sweep_stale_dirs() {
	local dir pid start qpid
	for dir in "${TMPDIR:-/tmp}/$1".*; do
		if [ ! -d "$dir" ] || [ ! -O "$dir" ]; then continue; fi
		if [ -f "$dir/owner" ]; then
			read -r pid start <"$dir/owner" || continue
			[ "$(proc_start_time "$pid")" != "$start" ] || continue
		elif grep -qsF -- "$dir" /proc/[0-9]*/cmdline || [ -n "$(find "$dir" -maxdepth 0 -mmin -1)" ]; then
			# (the glob is expanded before grep starts: grep never finds itself)
			continue
		fi
		if read -r qpid 2>/dev/null <"$dir/qemu.pid" && grep -qsF -- "$dir/" "/proc/$qpid/cmdline"; then
			kill -KILL "$qpid" 2>/dev/null || true
		fi
		rm -rf "$dir"
	done
}
