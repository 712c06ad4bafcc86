#!/usr/bin/env bash
# Unit tests of the shared DNS parser (modules/xt_dns_name/parser): the
# ASan+UBSan build prints the TAP lines; the plain build runs again under
# valgrind. Exits 1 if any "not ok". Env: BUILD_DIR, KLAB_ROOT.
set -euo pipefail

KLAB_ROOT=${KLAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$KLAB_ROOT/build}
bin=$BUILD_DIR/host/xt_dns_name
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! make -s -C "$KLAB_ROOT/modules/xt_dns_name" BUILD_DIR="$BUILD_DIR" \
	host-tests >"$log" 2>&1; then
	echo "not ok - build unit tests"
	sed 's/^/# /' "$log" | tail -20
	exit 1
fi
echo "ok - build unit tests"

rc=0
"$bin/dns_parse_test-asan" || rc=$?
if [[ $rc -ne 0 && $rc -ne 1 ]]; then
	echo "not ok - unit tests ran to the end under ASan+UBSan (exit $rc)"
fi

if ! command -v valgrind >/dev/null; then
	echo "ok - unit tests under valgrind # SKIP valgrind not installed"
elif valgrind -q --leak-check=full --errors-for-leak-kinds=all \
	--error-exitcode=99 "$bin/dns_parse_test" >"$log" 2>&1; then
	echo "ok - unit tests under valgrind"
else
	echo "not ok - unit tests under valgrind"
	grep -v '^ok' "$log" | head -30 | sed 's/^/# /'
	rc=1
fi
exit "$rc"
