#!/usr/bin/env bash
# `make doctor`: check what the lab needs on this machine and say plainly what will be slow
# or missing. Usage: tools/host/doctor.sh   Exit: 0 ready (perhaps slow), 1 something is missing.
set -uo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
problems=0
say() { printf '  %-10s %s\n' "$1" "$2"; }

echo "kernel-lab doctor (BUILD_DIR=$BUILD_DIR, KERNEL=$KERNEL)"
accel=$("$KLAB_ROOT/tools/host/accel.sh" 2>&1) || { accel="invalid ACCEL"; problems=$((problems + 1)); }
case $accel in
kvm*) say accel "$accel: fast boots" ;;
*) say accel "$accel: a boot that runs one command takes ~5 s, to the login prompt ~15-30 s" ;;
esac

if missing=$("$KLAB_ROOT/tools/host/deps.sh" --check all 2>&1); then
	say packages "all present"
else
	say packages "missing; 'make deps' as root installs them:"
	printf '%s\n' "$missing" | sed 's/^/             /'
	problems=$((problems + 1))
fi

mkdir -p "$BUILD_DIR" 2>/dev/null
free_gb=$(df -P -BG "$BUILD_DIR" 2>/dev/null | awk 'NR == 2 { sub("G", "", $4); print $4 }')
if [ -z "$free_gb" ]; then
	say disk "cannot check $BUILD_DIR"
elif [ "$free_gb" -lt 25 ]; then
	say disk "${free_gb} GB free under $BUILD_DIR: a kernel build with DWARF, the rootfs and images need ~25 GB"
	problems=$((problems + 1))
else
	say disk "${free_gb} GB free under $BUILD_DIR"
fi

cores=$(nproc)
say cpu "$cores cores: a cold kernel build takes ~$((50 / cores)) min (ccache makes rebuilds fast)"
[ "$(id -u)" -eq 0 ] || say root "not root: make deps and make rootfs (debootstrap) need root"

for f in "$KIMAGE:kernel:make kernel" "$IMAGE:image:make image"; do
	IFS=: read -r path what how <<<"$f"
	if [ -f "$path" ]; then say "$what" "$path"; else say "$what" "not built yet ($how)"; fi
done
[ "$problems" -eq 0 ] && echo "ready." || echo "$problems problem(s) above."
[ "$problems" -eq 0 ]
