#!/usr/bin/env bash
# The kernel build: every fragment option in .config, DWARF in vmlinux, a no-op rebuild that
# compiles nothing, and clear failures on a bad KSRC or an impossible fragment.
set -euo pipefail
ROOT=${KLAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tools/paths.sh
. "$ROOT/tools/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"

if [ "$KERNEL" != lab ] || [ ! -f "$KOUT/vmlinux" ]; then
	echo "ok - kernel build checks # SKIP no lab kernel at $KOUT (run make kernel)"
	exit 0
fi

missing=()
for frag in "$ROOT"/linux-patches/*.config; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF -- "$line" "$KOUT/.config" || missing+=("${frag##*/}: $line") ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" "$KOUT/.config" || missing+=("${frag##*/}: $line")
			;;
		esac
	done <"$frag"
done
if [ ${#missing[@]} -eq 0 ]; then ok "the final .config has every option of linux-patches/*.config"; else
	not_ok "the final .config has every option of linux-patches/*.config" "${missing[@]}"
fi

release=$(cat "$KOUT/include/config/kernel.release")
check "vmlinux has DWARF (.debug_info)" grep -q '\.debug_info' <(readelf -S "$KOUT/vmlinux")
check "vmlinux carries the release $release" grep -aqF "Linux version $release " "$KOUT/vmlinux"
check "bzImage exists" test -s "$KOUT/arch/x86/boot/bzImage"
check "vmlinux-gdb.py is linked" test -e "$KOUT/vmlinux-gdb.py"
check "modules are staged for the image" test -f "$MODULES_STAGING/lib/modules/$release/modules.dep"

# A second build with nothing changed must compile nothing.
if "$ROOT/tools/build-kernel.sh" >/dev/null 2>&1; then
	compiled=$(grep -cE '^\s+(CC|AS|LD)\s' "$BUILD_DIR/logs/kernel-build.log" || true)
	if [ "$compiled" -eq 0 ]; then ok "a no-change rebuild compiles nothing"; else
		not_ok "a no-change rebuild compiles nothing" "$compiled CC/AS/LD lines in $BUILD_DIR/logs/kernel-build.log"
	fi
else
	not_ok "a no-change rebuild succeeds" "see $BUILD_DIR/logs/kernel-build.log"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_failure DESC PATTERN ENV...: build-kernel.sh must fail at once with PATTERN in its message.
expect_failure() {
	local desc=$1 pattern=$2 out rc=0 start=$SECONDS
	shift 2
	out=$(env BUILD_DIR="$tmp/build" "$@" "$ROOT/tools/build-kernel.sh" 2>&1) || rc=$?
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
cp "$ROOT"/linux-patches/*.config "$tmp/patches/"
echo "CONFIG_KERNEL_LAB_NO_SUCH_OPTION=y" >"$tmp/patches/zz-bad.config"
expect_failure "a fragment asking for a non-existent option fails, naming it" \
	"CONFIG_KERNEL_LAB_NO_SUCH_OPTION" KLAB_PATCH_DIR="$tmp/patches" KOUT="$tmp/out3" \
	KSRC="${KSRC:-$BUILD_DIR/src/linux-source-6.12}"

tap_finish
