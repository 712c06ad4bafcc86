#!/usr/bin/env bash
# Install the Debian packages the lab needs, only those missing.
# Usage: tools/host/deps.sh [--check] GROUP...   (groups: kernel image vm modules tools test debian all)
# As root, missing packages are installed with apt-get. Otherwise (or with --check) the exact
# apt-get line is printed and the script exits 1. Exit 0: everything is present.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

declare -A group=(
	[kernel]="build-essential bc bison flex libelf-dev libssl-dev cpio kmod rsync python3 xz-utils ccache"
	[image]="debootstrap e2fsprogs kmod psmisc"
	[vm]="qemu-system-x86 qemu-utils gdb"
	[modules]="build-essential kmod libxtables-dev pkg-config"
	[tools]="build-essential binutils clang libclang-rt-14-dev valgrind"
	[test]="expect shellcheck iptables python3 util-linux"
	[debian]="dpkg-dev cpio busybox-static"
)

check_only=false
wanted=()
for arg in "$@"; do
	case $arg in
	--check) check_only=true ;;
	-h | --help) usage; exit 0 ;;
	all) wanted+=("${!group[@]}") ;;
	*)
		[ -n "${group[$arg]+set}" ] || { usage >&2; echo "deps.sh: unknown group '$arg'" >&2; exit 2; }
		wanted+=("$arg")
		;;
	esac
done

pkgs=()
for g in "${wanted[@]}"; do
	read -ra list <<<"${group[$g]}"
	pkgs+=("${list[@]}")
done
# The default kernel source is Debian's package; a user's KSRC tree needs none.
if [[ " ${wanted[*]} " == *" kernel "* ]] && [ -z "${KSRC:-}" ] && [ "${KERNEL:-lab}" = lab ]; then
	pkgs+=(linux-source-6.12)
fi

missing=()
for p in $(printf '%s\n' "${pkgs[@]}" | sort -u); do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if $check_only || [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root:  $line" >&2
	exit 1
fi

echo "==> installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -o DPkg::Lock::Timeout=600)
# An install can fail only because the package lists are stale or absent: refresh once, retry.
if ! apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"; then
	apt-get "${apt_opts[@]}" update
	apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" || {
		echo "deps.sh: apt-get could not install: ${missing[*]}" >&2
		echo "deps.sh: check your apt sources (is linux-source-6.12 available? if not, pass KSRC=<kernel tree>)" >&2
		exit 1
	}
fi
