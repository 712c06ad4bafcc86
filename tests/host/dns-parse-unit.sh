#!/usr/bin/env bash
# Unit tests of the shared DNS parser (modules/xt_dns_name/parser): the
# ASan+UBSan build's results become TAP lines here; the plain build runs
# again under valgrind. Exits 1 if any "not ok". Env: BUILD_DIR.
set -euo pipefail

# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"
bin=$BUILD_DIR/host/xt_dns_name
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! make -s -C "$KLAB_ROOT/modules/xt_dns_name" BUILD_DIR="$BUILD_DIR" \
	host-tests >"$log" 2>&1; then
	tail -20 "$log" | sed 's/^/# /'
	bail_out "build unit tests failed"
fi
ok "build unit tests"

# The program prints "ok - DESC" / "not ok - DESC" lines and "# ..." notes.
rc=0
"$bin/dns_parse_test-asan" >"$log" 2>&1 || rc=$?
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "# ${line#"# "}" ;;
	esac
done <"$log"
if [[ $rc -ne 0 && $rc -ne 1 ]]; then
	not_ok "unit tests ran to the end under ASan+UBSan (exit $rc)"
fi

if ! command -v valgrind >/dev/null; then
	skip "unit tests under valgrind" "valgrind not installed"
elif valgrind -q --leak-check=full --errors-for-leak-kinds=all \
	--error-exitcode=99 "$bin/dns_parse_test" >"$log" 2>&1; then
	ok "unit tests under valgrind"
else
	not_ok "unit tests under valgrind" "$(grep -v '^ok' "$log" | head -30)"
fi
tap_done
