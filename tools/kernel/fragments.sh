# shellcheck shell=bash
# The kernel config fragments of the selected lab kernel, in merge order (sourced by
# build-lab.sh and config.sh; needs KLAB_ROOT and FLAVOR from tools/lib/paths.sh):
#   linux-patches/*.config                       every lab kernel
#   linux-patches/flavors/FLAVOR/*.config        FLAVOR's own (FLAVOR=debug: the detectors)
#   linux-patches/local.config                   yours (make menuconfig; git-ignored)
#   linux-patches/flavors/FLAVOR/local.config    yours, for FLAVOR only
# The local fragments come last so that they win. Sets:
#   PATCH_DIR        linux-patches/ (KLAB_PATCH_DIR: tests point it elsewhere)
#   FRAGMENTS        every fragment above that exists
#   BASE_FRAGMENTS   FRAGMENTS without LOCAL_FRAGMENT: what make menuconfig's changes are relative to
#   LOCAL_FRAGMENT   where make menuconfig saves this kernel's changes (may not exist yet)

klab_fragments() {
	local f dirs=("$PATCH_DIR") d
	[ -z "${FLAVOR:-}" ] || dirs+=("$PATCH_DIR/flavors/$FLAVOR")
	FRAGMENTS=() BASE_FRAGMENTS=()
	for d in "${dirs[@]}"; do
		for f in "$d"/*.config; do
			[ -f "$f" ] && [ "${f##*/}" != local.config ] && FRAGMENTS+=("$f")
		done
	done
	BASE_FRAGMENTS=("${FRAGMENTS[@]}")
	LOCAL_FRAGMENT=${dirs[-1]}/local.config
	for d in "${dirs[@]}"; do
		[ ! -f "$d/local.config" ] || FRAGMENTS+=("$d/local.config")
		[ "$d/local.config" = "$LOCAL_FRAGMENT" ] || [ ! -f "$d/local.config" ] ||
			BASE_FRAGMENTS+=("$d/local.config")
	done
}

PATCH_DIR=${KLAB_PATCH_DIR:-$KLAB_ROOT/linux-patches}
klab_fragments
