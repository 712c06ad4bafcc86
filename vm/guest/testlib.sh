# shellcheck shell=bash
# Small assertion helpers for guest tests: source it, call check/expect, end with finish.
# Each check prints "ok - DESC" or "not ok - DESC" (with the command's output); finish exits 1
# if any failed. kmsg_mark/kmsg_since read the kernel log from a mark on.

klab_failures=0

# check DESC CMD...: CMD must succeed.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
		klab_failures=$((klab_failures + 1))
	fi
}

# check_not DESC CMD...: CMD must fail.
check_not() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		echo "not ok - $desc"
		klab_failures=$((klab_failures + 1))
	else
		echo "ok - $desc"
	fi
}

finish() {
	[ "$klab_failures" -eq 0 ] || { echo "$klab_failures check(s) failed"; exit 1; }
	exit 0
}

skip() {
	echo "$*"
	exit 77
}

kmsg_mark() {
	klab_mark="kernel-lab mark $RANDOM$RANDOM"
	echo "$klab_mark" >/dev/kmsg
}

# The kernel log since the last kmsg_mark.
kmsg_since() {
	dmesg | sed -n "/$klab_mark/,\$p"
}
