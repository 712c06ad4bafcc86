# shellcheck shell=bash
# Helpers shared by the lab's shell scripts: messages, stage headings, logged steps.
# Source it; it expects BUILD_DIR to be set by the caller (the Makefile passes it).

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

# run_logged LOGNAME CMD...: run CMD with its output in BUILD_DIR/logs/LOGNAME.log.
# While it runs, a line every minute says it is alive; on failure the last 30 lines
# and the log's path are shown, and the command's status is returned.
run_logged() {
	local name=$1 log ticker start rc=0
	shift
	mkdir -p "$BUILD_DIR/logs"
	log=$BUILD_DIR/logs/$name.log
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
