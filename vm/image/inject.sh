#!/usr/bin/env bash
# Put the lab's artifacts into the existing disk image (no mount; debugfs via image-put.sh).
# Usage: vm/image/inject.sh     env: BUILD_DIR, KERNEL (paths from tools/lib/paths.sh)
# Guest layout (LAB_DIR=/root/lab, vm/tests/lib/guest.sh):
#   /root/lab/modules/<name>/*.ko           the lab's modules (my_first_module-buggy: with add_bug)
#   /root/lab/xtables/, xtables-unchecked/  the iptables plugin (and its test-only variant)
#   <the guest's xtables dir>/libxt_dns_name.so   so that iptables finds it without XTABLES_LIBDIR
#   /root/lab/tests/ (+ tests/lib: tap.sh and the guest helpers), /root/lab/exercises/
#   /usr/local/sbin/lab-oops-loop           the guest side of make oops
# Exit: 0 done, 1 failure.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

[ -f "$IMAGE" ] || die "no image at $IMAGE: run 'make image'"
# The guest runs the host's Debian release (the plugin is built against the host's libxtables),
# so its iptables looks for extensions where the host's does.
xtables_dir=$(pkg-config --variable=xtlibdir xtables) || die "pkg-config cannot find xtables (make deps)"
lab=$INJECT_DIR/root/lab
rm -rf "$INJECT_DIR"
mkdir -p "$lab/modules" "$INJECT_DIR/usr/local/sbin" "$INJECT_DIR$xtables_dir"

for dir in "$EXT_DIR"/my_first_module "$EXT_DIR"/my_first_module-buggy "$EXT_DIR"/modules/*; do
	[ -d "$dir" ] || continue
	mkdir -p "$lab/modules/${dir##*/}"
	find "$dir" -maxdepth 1 -name '*.ko' -exec cp {} "$lab/modules/${dir##*/}/" \;
done
for dir in xtables xtables-unchecked; do
	[ -d "$EXT_DIR/$dir" ] || continue
	mkdir -p "$lab/$dir"
	cp "$EXT_DIR/$dir"/*.so "$lab/$dir/"
done
[ ! -f "$lab/xtables/libxt_dns_name.so" ] || cp "$lab/xtables/libxt_dns_name.so" "$INJECT_DIR$xtables_dir/"
cp -r "$KLAB_ROOT/vm/tests" "$KLAB_ROOT/vm/exercises" "$lab/"
cp "$KLAB_ROOT/tests/lib/tap.sh" "$lab/tests/lib/"
cp "$KLAB_ROOT"/vm/guest/lab-* "$INJECT_DIR/usr/local/sbin/"

start=$SECONDS
"$KLAB_ROOT/vm/image/image-put.sh" "$IMAGE" "$INJECT_DIR"
echo "==> injected $(find "$INJECT_DIR" -type f | wc -l) files into $IMAGE in $((SECONDS - start))s"
