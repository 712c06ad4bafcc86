#!/usr/bin/env bash
# Bounded libFuzzer run (ASan+UBSan) of the shared DNS parser, seeded with
# the unit-test messages; corpus and any crash file stay in BUILD_DIR.
# FUZZ_RUNS / FUZZ_TIME bound it. Exits 1 on a crash or a build failure.
# Env: BUILD_DIR, KLAB_ROOT.
set -euo pipefail

KLAB_ROOT=${KLAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$KLAB_ROOT/build}
runs=${FUZZ_RUNS:-300000}
time=${FUZZ_TIME:-60}
log=$BUILD_DIR/host/xt_dns_name/fuzz.log
mkdir -p "$(dirname "$log")"

# libFuzzer comes with clang (Debian: clang, libclang-rt-14-dev).
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n)
{ (void)d; (void)n; return 0; }' | clang -fsanitize=fuzzer -x c - \
	-o "$(dirname "$log")/fuzz-probe" >/dev/null 2>&1; then
	echo "ok - fuzz parser # SKIP clang with libFuzzer not available"
	exit 0
fi

if make -s -C "$KLAB_ROOT/modules/xt_dns_name" BUILD_DIR="$BUILD_DIR" \
	FUZZ_RUNS="$runs" FUZZ_TIME="$time" fuzz-run >"$log" 2>&1; then
	echo "ok - fuzz parser: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' \
		"$log" | tail -1) without a finding"
else
	echo "not ok - fuzz parser ($runs runs, ${time}s)"
	grep -E 'ERROR|SUMMARY|check failed|Test unit written|error' "$log" |
		head -20 | sed 's/^/# /'
	echo "# full log: $log"
	exit 1
fi
