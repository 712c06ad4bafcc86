#!/usr/bin/env bash
# Bounded libFuzzer run (ASan+UBSan) of the shared DNS parser, seeded with
# the unit-test messages; corpus and any crash file stay in BUILD_DIR.
# FUZZ_RUNS / FUZZ_TIME bound it. Exits 1 on a crash or a build failure,
# 77 without clang's libFuzzer. Env: BUILD_DIR.
set -euo pipefail

# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"
runs=${FUZZ_RUNS:-300000}
time=${FUZZ_TIME:-60}
log=$BUILD_DIR/host/xt_dns_name/fuzz.log
mkdir -p "$(dirname "$log")"

# libFuzzer comes with clang (Debian: clang, libclang-rt-14-dev).
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n)
{ (void)d; (void)n; return 0; }' | clang -fsanitize=fuzzer -x c - \
	-o "$(dirname "$log")/fuzz-probe" >/dev/null 2>&1; then
	skip_all "clang with libFuzzer not available"
fi

if make -s -C "$KLAB_ROOT/modules/xt_dns_name" BUILD_DIR="$BUILD_DIR" \
	FUZZ_RUNS="$runs" FUZZ_TIME="$time" fuzz-run >"$log" 2>&1; then
	ok "fuzz parser: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' \
		"$log" | tail -1) without a finding"
else
	not_ok "fuzz parser ($runs runs, ${time}s)" \
		"$(grep -E 'ERROR|SUMMARY|check failed|Test unit written|error' "$log" | head -20)" \
		"full log: $log"
fi
tap_done
