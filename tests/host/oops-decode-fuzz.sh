#!/usr/bin/env bash
# Runs the oops-decode libFuzzer harness (ASan + UBSan: parser, both report formats, --classify,
# ELF symbol reader) for a bounded time, seeded with the oops corpus (also with stray bytes and
# CR line ends) and with --classify's header prefixes as a dictionary. Seeds, findings and logs
# stay in $BUILD_DIR/fuzz/oops-decode.
# Env: BUILD_DIR, OOPS_FUZZ_SECONDS (default 60), OOPS_FUZZ_RUNS (default 200000).
# Exit: 0 no findings (or skipped), 1 a finding or a build failure.
set -euo pipefail
# shellcheck source=tests/host/oops-decode-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/oops-decode-lib.sh"

FUZZ=$BUILD_DIR/fuzz/oops-decode-fuzz
W=$BUILD_DIR/fuzz/oops-decode
RUNS=${OOPS_FUZZ_RUNS:-200000}
SECS=${OOPS_FUZZ_SECONDS:-60}

mkdir -p "$W"
# libFuzzer comes with clang (Debian: clang, libclang-rt-14-dev)
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; return (int)n * 0; }' |
	clang -fsanitize=fuzzer -x c - -o "$W/probe" >/dev/null 2>&1; then
	skip "oops-decode fuzzing" "clang with libFuzzer is not available"
	tap_done
fi
build_oops_decode all
build_oops_decode fuzz
ok "build oops-decode fuzz harness (clang -fsanitize=fuzzer,address,undefined)"

rm -rf "$W/seeds" "$W/artifacts" "$W/corpus-run"
mkdir -p "$W/seeds" "$W/artifacts" "$W/corpus-run"
if have_corpus "corpus logs as fuzz seeds"; then
	for log in "$CORPUS"/*.log; do
		cp "$log" "$W/seeds/"
		sed 's/^/\x00\x1b[0m/' "$log" | tr '\n' '\r' >"$W/seeds/mangled-$(basename "$log")"
	done
fi
# a seed of our own, so a clone without the shared corpus still has one
cat >"$W/seeds/builtin.log" <<'LOG'
[   10.000000][  T100] BUG: kernel NULL pointer dereference, address: 0000000000000008
[   10.000004][  T100] RIP: 0010:foo_store+0x12/0x40 [foo]
[   10.000006][  T100] Call Trace:
[   10.000007][  T100]  <IRQ>
[   10.000008][  T100]  bar+0x1c/0x80 [foo]
[   10.000009][  T100]  </IRQ>
[   10.000010][  T100]  ? baz.isra.0+0x10/0x20
[   10.000011][  T100]  do_one_initcall+0x4c/0x200
[   10.000012][  T100]  </TASK>
LOG

# and a small relocatable ELF for the symbol-table reader
printf 'int main(void) { return 0; }\nint start_kernel(int a) { return a + 1; }\n' >"$W/elf.c"
gcc -g -O1 -c "$W/elf.c" -o "$W/seeds/elf.ko" 2>/dev/null || true

# the header prefixes, as --help lists them: "Oops:", "BUG: KASAN:", ...
"$BIN" --help | sed -n '/^Kinds and headers:/,$p' | grep -o '"[^"]*"' |
	sed 's/\.\.\./"\n"/' >"$W/headers.dict"

rc=0
(cd "$W" && ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$FUZZ" -runs="$RUNS" -max_total_time="$SECS" -max_len=16384 \
	-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$W/artifacts/" \
	-dict="$W/headers.dict" -print_final_stats=1 "$W/corpus-run" "$W/seeds" \
	>"$W/fuzz.log" 2>&1) || rc=$?

findings=$(find "$W/artifacts" -type f | wc -l)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$W/fuzz.log" | tail -1)
if [[ $rc -eq 0 && $findings -eq 0 ]]; then
	ok "fuzz oops-decode parser and classifier for ${runs:-?} runs (max ${SECS}s): no findings"
else
	not_ok "fuzz oops-decode parser and classifier: exit status $rc, $findings finding(s) in $W/artifacts" \
		"$(tail -n 40 "$W/fuzz.log")"
fi
tap_done
