#!/usr/bin/env bash
# checkpatch.pl (--strict) on the lab's kernel C: my_first_module, and the xt_dns_name
# module with the shared parser it compiles in. Needs a kernel tree with
# scripts/checkpatch.pl at $KSRC, $BUILD_DIR/src/linux-source-6.12 or
# /var/cache/kernel-lab/src/linux-source-6.12; skips visibly without one.
# Prints TAP lines; exits 1 if any "not ok". Env: BUILD_DIR, KLAB_ROOT, KSRC.
set -euo pipefail

KLAB_ROOT=${KLAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$KLAB_ROOT/build}
src=$KLAB_ROOT/modules
files=(my_first_module/my_first_module.c
	xt_dns_name/module/xt_dns_name_main.c xt_dns_name/parser/dns_parse.c
	xt_dns_name/parser/dns_parse.h xt_dns_name/include/xt_dns_name.h)

checkpatch=
for tree in ${KSRC:+"$KSRC"} "$BUILD_DIR/src/linux-source-6.12" \
	/var/cache/kernel-lab/src/linux-source-6.12; do
	if [[ -x $tree/scripts/checkpatch.pl ]]; then
		checkpatch=$tree/scripts/checkpatch.pl
		break
	fi
done
if [[ -z $checkpatch ]]; then
	echo "ok - checkpatch # SKIP no kernel tree with" \
		"scripts/checkpatch.pl (set KSRC)"
	exit 0
fi

rc=0
for f in "${files[@]}"; do
	if out=$(cd "$src" && "$checkpatch" --no-tree --strict --terse \
		--show-types -f "$f" 2>&1) && ! grep -q . <<<"$out"; then
		echo "ok - checkpatch --strict $f"
	else
		echo "not ok - checkpatch --strict $f"
		while IFS= read -r line; do echo "# $line"; done <<<"$out"
		rc=1
	fi
done
exit "$rc"
