# shellcheck shell=bash
# What the oops-decode tests share; sourced by tests/host/oops-decode-*.sh and not a test
# itself (so not executable). Sets KLAB_ROOT, BUILD_DIR, BIN_DIR and the rest
# (tools/lib/paths.sh), the TAP vocabulary (tests/lib/tap.sh), BIN (the analyzer) and CORPUS
# (../shared/oops-corpus, absent in a user's clone).

# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"
# shellcheck disable=SC2034  # BIN is for the tests that source this file
BIN=$BIN_DIR/oops-decode
CORPUS=$KLAB_ROOT/../shared/oops-corpus

# build_oops_decode TARGET: make TARGET of tools/oops-decode (all: the analyzer, fuzz: the
# fuzz harness); a failure ends the test.
build_oops_decode() {
	local out
	if ! out=$(make -s -C "$KLAB_ROOT/tools/oops-decode" BUILD_DIR="$BUILD_DIR" "$1" 2>&1); then
		not_ok "build oops-decode ($1)" "$out"
		tap_done
	fi
}

# have_corpus DESC: true when the corpus is there; otherwise DESC is reported as skipped.
have_corpus() {
	[ -d "$CORPUS" ] && return 0
	skip "$1" "../shared/oops-corpus is not present (a user's clone has none)"
	return 1
}
