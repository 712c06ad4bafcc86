#!/usr/bin/env bash
# The kernel build: every fragment option in .config, DWARF in vmlinux, a no-op rebuild that
# compiles nothing, and clear failures on a bad KSRC or an impossible fragment.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

if [ "$KERNEL" != lab ] || [ ! -f "$KOUT/vmlinux" ]; then
	skip_all "no lab kernel at $KOUT (run make kernel)"
fi

verify=$KLAB_ROOT/tools/kernel/verify-config.sh
check "the final .config has every option of linux-patches/*.config" \
	"$verify" "$KOUT/.config" "$KLAB_ROOT"/linux-patches/*.config

release=$(cat "$KOUT/include/config/kernel.release")
check "vmlinux has DWARF (.debug_info)" grep -q '\.debug_info' <(readelf -S "$KOUT/vmlinux")
check "vmlinux carries the release $release" grep -aqF "Linux version $release " "$KOUT/vmlinux"
check "bzImage exists" test -s "$KOUT/arch/x86/boot/bzImage"
check "vmlinux-gdb.py is linked" test -e "$KOUT/vmlinux-gdb.py"
check "modules are staged for the image" test -f "$MODULES_STAGING/lib/modules/$release/modules.dep"

# A second build with nothing changed must compile nothing.
if "$KLAB_ROOT/tools/kernel/build-lab.sh" >/dev/null 2>&1; then
	compiled=$(grep -cE '^\s+(CC|AS|LD)\s' "$LOG_DIR/kernel-build.log" || true)
	if [ "$compiled" -eq 0 ]; then ok "a no-change rebuild compiles nothing"; else
		not_ok "a no-change rebuild compiles nothing" "$compiled CC/AS/LD lines in $LOG_DIR/kernel-build.log"
	fi
else
	not_ok "a no-change rebuild succeeds" "see $LOG_DIR/kernel-build.log"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# verify-config.sh itself: an option set differently, and one absent, are both named.
printf 'CONFIG_A=y\n# CONFIG_B is not set\n' >"$tmp/dot.config"
printf 'CONFIG_A=m\nCONFIG_C=y\n# CONFIG_B is not set\n' >"$tmp/frag.config"
rc=0
out=$("$verify" "$tmp/dot.config" "$tmp/frag.config" 2>&1) || rc=$?
expect_eq "verify-config.sh names what differs and what is absent (exit 1)" \
	"1|  frag.config: wants 'CONFIG_A=m', got: CONFIG_A=y|  frag.config: wants 'CONFIG_C=y', got: absent (unknown or unmet dependencies)" \
	"$rc|$(paste -sd'|' <<<"$out")"

# expect_failure DESC PATTERN ENV...: build-kernel.sh must fail at once with PATTERN in its message.
expect_failure() {
	local desc=$1 pattern=$2 out rc=0 start=$SECONDS
	shift 2
	out=$(env BUILD_DIR="$tmp/build" "$@" "$KLAB_ROOT/tools/kernel/build-lab.sh" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] && grep -q -- "$pattern" <<<"$out"; then
		ok "$desc ($((SECONDS - start))s)"
	else
		not_ok "$desc" "exit $rc; output:" "$out"
	fi
}
expect_failure "KSRC=/nonexistent fails with a clear message" "KSRC=/nonexistent does not exist" \
	KSRC=/nonexistent KOUT="$tmp/out1"
mkdir -p "$tmp/not-a-kernel"
echo "all:" >"$tmp/not-a-kernel/Makefile"
expect_failure "a KSRC that is not a kernel tree fails with a clear message" "is not a Linux source tree" \
	KSRC="$tmp/not-a-kernel" KOUT="$tmp/out2"
mkdir -p "$tmp/patches"
cp "$KLAB_ROOT"/linux-patches/*.config "$tmp/patches/"
echo "CONFIG_KERNEL_LAB_NO_SUCH_OPTION=y" >"$tmp/patches/zz-bad.config"
expect_failure "a fragment asking for a non-existent option fails, naming it" \
	"CONFIG_KERNEL_LAB_NO_SUCH_OPTION" KLAB_PATCH_DIR="$tmp/patches" KOUT="$tmp/out3" \
	KSRC="${KSRC:-$BUILD_DIR/src/linux-source-6.12}"

tap_done
