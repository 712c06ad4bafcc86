# shellcheck shell=bash
# Helpers for the checks' own scripts (vm/checks/EXERCISE/guest.sh and host.sh); source it
# after vm/tests/lib/guest.sh in the guest. A check script runs one check, named by its
# first argument, as the function check_NAME; it ends with pass or fail, and says what it
# saw with observe (tools/student/check.sh shows those lines, "observed: ...").
# Env (set by tools/student/check.sh): KLAB_EX, the folder with the student's built files
# (in the guest: on the host's shared folder).

# observe TEXT...: one line of what the check saw.
observe() {
	local l
	for l in "$@"; do printf 'observed: %s\n' "$l"; done
}

# pass [TEXT...] / fail [TEXT...]: the check's verdict (exit 0 / 1), after observe TEXT.
pass() {
	[ $# -eq 0 ] || observe "$@"
	exit 0
}

fail() {
	[ $# -eq 0 ] || observe "$@"
	exit 1
}

# one_line TEXT: TEXT on one line ("nothing" when empty), for observe.
one_line() {
	local t
	t=$(printf '%s' "$*" | tr '\n' ' ' | sed -e 's/  */ /g' -e 's/ $//')
	printf '%s' "${t:-nothing}"
}

# kmsg_lines: the kernel log since kmsg_mark, without the mark, timestamps and the kernel's
# notes that an out-of-tree, unsigned module taints it.
kmsg_lines() {
	# shellcheck disable=SC2154 # klab_mark: set by kmsg_mark (vm/tests/lib/guest.sh)
	kmsg_since | grep -vF "$klab_mark" | sed 's/^\[ *[0-9.]*\] //' |
		grep -vE ': (loading out-of-tree module taints kernel|module verification failed: .*tainting kernel)\.?$'
}

# run_check NAME: run check_NAME (the script's last line).
run_check() {
	if [ "$(type -t "check_${1:-}")" != function ]; then
		echo "no check '${1:-}' in ${0##*/}" >&2
		exit 2
	fi
	"check_$1"
}
