#!/usr/bin/env bash
# Put the lab's artifacts into the existing disk image (no mount; debugfs via image-put.sh).
# Usage: vm/inject.sh     env: BUILD_DIR, KERNEL, KOUT, IMAGE, INJECT_DIR
# Guest layout (LAB_DIR=/root/lab):
#   /root/lab/modules/<name>/*.ko      the lab's modules (my_first_module-buggy: with add_bug)
#   /root/lab/xtables/, xtables-unchecked/   the iptables plugin (and its test-only variant)
#   /usr/lib/x86_64-linux-gnu/xtables/libxt_dns_name.so   so that iptables finds it
#   /root/lab/tests/, /root/lab/exercises/, /root/lab/bench/   guest tests, exercises, benchmarks
#   /usr/local/sbin/lab-run-tests      the guest side of the test runner
# Exit: 0 done, 1 failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/paths.sh
. "$ROOT/tools/paths.sh"
# shellcheck source=tools/lib.sh
. "$ROOT/tools/lib.sh"

[ -f "$IMAGE" ] || die "no image at $IMAGE: run 'make image'"
ext=$KOUT-ext
lab=$INJECT_DIR/root/lab
rm -rf "$INJECT_DIR"
mkdir -p "$lab/modules" "$INJECT_DIR/usr/local/sbin" "$INJECT_DIR/usr/lib/x86_64-linux-gnu/xtables"

for dir in "$ext"/my_first_module "$ext"/my_first_module-buggy "$ext"/modules/*; do
	[ -d "$dir" ] || continue
	mkdir -p "$lab/modules/${dir##*/}"
	find "$dir" -maxdepth 1 -name '*.ko' -exec cp {} "$lab/modules/${dir##*/}/" \;
done
for dir in xtables xtables-unchecked; do
	[ -d "$ext/$dir" ] || continue
	mkdir -p "$lab/$dir"
	cp "$ext/$dir"/*.so "$lab/$dir/"
done
[ ! -f "$lab/xtables/libxt_dns_name.so" ] ||
	cp "$lab/xtables/libxt_dns_name.so" "$INJECT_DIR/usr/lib/x86_64-linux-gnu/xtables/"
for dir in tests exercises; do
	[ -d "$ROOT/vm/$dir" ] && cp -r "$ROOT/vm/$dir" "$lab/"
done
if compgen -G "$ROOT/bench/guest/*" >/dev/null; then
	cp -r "$ROOT/bench/guest" "$lab/bench"
fi
cp "$ROOT"/vm/guest/lab-* "$ROOT/vm/guest/testlib.sh" "$INJECT_DIR/usr/local/sbin/"

start=$SECONDS
"$ROOT/vm/image-put.sh" "$IMAGE" "$INJECT_DIR"
echo "==> injected $(find "$INJECT_DIR" -type f | wc -l) files into $IMAGE in $((SECONDS - start))s"
