#!/usr/bin/env bash
# The one place where the lab's paths are derived. Sourced, it sets the variables below for a
# script; run, it prints them as NAME=value lines (no spaces in values) for the Makefile.
# Inputs (env): BUILD_DIR, KERNEL (lab|debian), FLAVOR, KSRC, SUITE; any output may be given to
#   override it. FLAVOR (lab only; empty = the lab kernel) names a kernel flavour: the lab
#   kernel plus the fragments of linux-patches/flavors/FLAVOR/, e.g. FLAVOR=debug.
# Outputs: KLAB_ROOT (the checkout), BUILD_DIR (default KLAB_ROOT/build), KNAME (the kernel's
#   name in file names: lab, lab-debug, debian), KOUT (kernel build dir = KDIR for modules),
#   KIMAGE (bzImage/vmlinuz), INITRD (empty for lab), MODULES_STAGING (…/lib/modules/<release>
#   lives below it), VMLINUX (the debug vmlinux; for debian only with DEBIAN_DBG=1), EXT_DIR (the
#   lab's modules and plugin built against KOUT), IMAGE, ROOTFS, INJECT_DIR, BIN_DIR (host
#   tools), LOG_DIR (BUILD_DIR/logs; a flavour's own: BUILD_DIR/logs/FLAVOR), GDB_PORT_FILE
#   (where `make vm GDB=1` leaves its gdbstub's port for `make gdb`).
# Exit: 2 on an invalid KERNEL or FLAVOR.

klab_paths() {
	local key v
	KLAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	BUILD_DIR=$(realpath -m "${BUILD_DIR:-$KLAB_ROOT/build}")
	KERNEL=${KERNEL:-lab}
	FLAVOR=${FLAVOR:-}
	SUITE=${SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
	case $KERNEL in
	lab | debian) ;;
	*)
		echo "KERNEL=$KERNEL is not valid; use one of: lab debian" >&2
		return 2
		;;
	esac
	if [ -n "$FLAVOR" ]; then
		if [ "$KERNEL" != lab ]; then
			echo "FLAVOR=$FLAVOR applies to KERNEL=lab only (KERNEL=$KERNEL is a packaged kernel)" >&2
			return 2
		fi
		if [[ ! $FLAVOR =~ ^[a-z0-9]+$ ]] || [ ! -d "$KLAB_ROOT/linux-patches/flavors/$FLAVOR" ]; then
			echo "FLAVOR=$FLAVOR is not valid; use one of: $(cd "$KLAB_ROOT/linux-patches/flavors" && echo *) (folders of linux-patches/flavors/), or none" >&2
			return 2
		fi
	fi
	# A value already in the environment is the caller's override (make passes them all down),
	# unless it was derived for other inputs (e.g. make's lab paths in a KERNEL=debian run).
	key="$BUILD_DIR|$KERNEL|$FLAVOR|${KSRC:-}|$SUITE"
	if [ "${KLAB_PATHS_KEY:-$key}" != "$key" ]; then
		for v in $KLAB_DERIVED; do unset "$v"; done
	fi
	KLAB_PATHS_KEY=$key
	KNAME=$KERNEL${FLAVOR:+-$FLAVOR}
	case $KERNEL in
	lab)
		if [ -z "${KSRC:-}" ]; then
			: "${KOUT:=$BUILD_DIR/linux${FLAVOR:+-$FLAVOR}}"
		else
			: "${KOUT:=$BUILD_DIR/linux-$(realpath -m "$KSRC" | sha1sum | cut -c1-8)${FLAVOR:+-$FLAVOR}}"
		fi
		: "${KIMAGE:=$KOUT/arch/x86/boot/bzImage}"
		INITRD=
		: "${VMLINUX:=$KOUT/vmlinux}"
		;;
	debian)
		# tools/kernel/build-debian.sh: build = the unpacked linux-headers tree (a KDIR for M=
		# builds), build-staging = the image package's lib/modules, vmlinux with DEBIAN_DBG=1
		: "${KOUT:=$BUILD_DIR/debian-kernel/build}"
		: "${KIMAGE:=$BUILD_DIR/debian-kernel/vmlinuz}"
		: "${INITRD:=$BUILD_DIR/debian-kernel/initrd.cpio.gz}"
		: "${VMLINUX:=$BUILD_DIR/debian-kernel/vmlinux}"
		;;
	esac
	: "${MODULES_STAGING:=$KOUT-staging}"
	: "${EXT_DIR:=$KOUT-ext}"
	: "${ROOTFS:=$BUILD_DIR/rootfs/$SUITE}"
	: "${IMAGE:=$BUILD_DIR/images/$SUITE-$KNAME.ext4}"
	: "${INJECT_DIR:=$BUILD_DIR/inject/$KNAME}"
	: "${BIN_DIR:=$BUILD_DIR/bin}"
	: "${LOG_DIR:=$BUILD_DIR/logs${FLAVOR:+/$FLAVOR}}"
	: "${GDB_PORT_FILE:=$BUILD_DIR/run/$KNAME.gdb-port}"
	# shellcheck disable=SC2086,SC2163 # a list of names
	export KLAB_ROOT BUILD_DIR KERNEL FLAVOR SUITE KLAB_PATHS_KEY $KLAB_DERIVED
}

# Everything derived from (BUILD_DIR, KERNEL, FLAVOR, KSRC, SUITE).
KLAB_DERIVED="KNAME KOUT KIMAGE INITRD MODULES_STAGING EXT_DIR VMLINUX ROOTFS IMAGE INJECT_DIR BIN_DIR LOG_DIR GDB_PORT_FILE"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	klab_paths || exit 2
	for v in KLAB_ROOT BUILD_DIR KERNEL FLAVOR SUITE KLAB_PATHS_KEY $KLAB_DERIVED; do
		printf '%s=%s\n' "$v" "${!v}"
	done
	printf 'KLAB_DERIVED=%s\n' "${KLAB_DERIVED// /,}"
else
	klab_paths
fi
