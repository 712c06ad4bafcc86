#!/usr/bin/env bash
# Kernel configuration as the lab teaches it (make menuconfig), on a scratch configuration (no
# build): a .config edited by hand is named by make kernel and survives an unchanged
# configuration; when a fragment changes, make kernel stops instead of overwriting it;
# tools/kernel/config.sh save keeps the edits as linux-patches/local.config, which make kernel
# merges last (it may undo a lab fragment's option) and verifies; menuconfig with nothing changed
# writes nothing.
# Env: BUILD_DIR, KSRC (a kernel tree; default the one make kernel extracted).
# Exit: 0 passed, 1 failed, 77 skipped (no kernel tree).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

ksrc=${KSRC:-$BUILD_DIR/src/linux-source-6.12}
[ -f "$ksrc/scripts/config" ] || skip_all "no kernel tree at $ksrc (make kernel extracts one; or KSRC=)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/patches"
cp "$KLAB_ROOT"/linux-patches/*.config "$tmp/patches/"
rm -f "$tmp/patches/local.config"
# Every path derived for the real BUILD_DIR goes: the scratch kernel's are derived afresh.
# shellcheck disable=SC2086 # a list of names
unset KLAB_PATHS_KEY $KLAB_DERIVED
export KLAB_PATCH_DIR=$tmp/patches KSRC=$ksrc BUILD_DIR=$tmp/build FLAVOR='' KERNEL=lab
kout=$("$KLAB_ROOT/tools/lib/paths.sh" | sed -n 's/^KOUT=//p')
case $kout in "$tmp"/*) ;; *) bail_out "the scratch KOUT is $kout, not under $tmp: refusing to configure it" ;; esac
# shellcheck disable=SC2317 # run through check
build() { "$KLAB_ROOT/tools/kernel/build-lab.sh" --config-only >"$tmp/out" 2>&1; }
# shellcheck disable=SC2317
config() { "$KLAB_ROOT/tools/kernel/config.sh" "$@" >"$tmp/out" 2>&1; }
# shellcheck disable=SC2317
has() { grep -qx -- "$1" "$kout/.config"; }

check "make kernel configures from the fragments" build
check "config.sh check: .config is as make kernel wrote it" config check

# The edit a student makes by hand: a module on, LKDTM (which debug.config asks for) off.
"$ksrc/scripts/config" --file "$kout/.config" -m DUMMY -d LKDTM
make -s -C "$kout" olddefconfig >/dev/null
check_not "config.sh check notices the edit" config check
expect_line "$tmp/out" "... and names DUMMY" 'DUMMY (n -> m|m$)'

check "with unchanged fragments make kernel builds the edited .config" build
expect_line "$tmp/out" "... saying it was changed, and what" 'DUMMY (n -> m|m$)'
check "... and keeps it" has CONFIG_DUMMY=m

echo "# a change" >>"$tmp/patches/modules.config"
check_not "with a changed fragment make kernel stops" build
expect_line "$tmp/out" "... naming the edits it would lose" 'LKDTM m -> n'
expect_line "$tmp/out" "... and how to keep them" 'config\.sh save'
check "... and leaves .config as it was" has CONFIG_DUMMY=m

check "config.sh save keeps the edits" config save
check "local.config asks for DUMMY" grep -qx 'CONFIG_DUMMY=m' "$tmp/patches/local.config"
check "local.config turns LKDTM off" grep -qx '# CONFIG_LKDTM is not set' "$tmp/patches/local.config"
expect_line "$BUILD_DIR/logs/kernel-config.log" "... configuring with local.config, every fragment verified (the last one wins)" 'Merging .*/local\.config'
check "make kernel then finds the configuration up to date" build
check "... DUMMY is a module" has CONFIG_DUMMY=m
check "... LKDTM is off" has '# CONFIG_LKDTM is not set'
check "config.sh check: .config is as make kernel wrote it again" config check

check "menuconfig with no change (CONFIG_TOOL=olddefconfig) succeeds" env CONFIG_TOOL=olddefconfig "$KLAB_ROOT/tools/kernel/config.sh" menuconfig
# Many changes at once, as menuconfig would make them: the kernel's own debug.config merged in.
check "menuconfig's edits (CONFIG_TOOL=debug.config) are saved and the fragments give them back" \
	env CONFIG_TOOL=debug.config "$KLAB_ROOT/tools/kernel/config.sh" menuconfig
check "... KASAN is on (debug.config asks for it)" has CONFIG_KASAN=y
check "... local.config has it" grep -qx 'CONFIG_KASAN=y' "$tmp/patches/local.config"
tap_done
