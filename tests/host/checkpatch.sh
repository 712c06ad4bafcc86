#!/usr/bin/env bash
# checkpatch.pl --strict on the lab's kernel C: my_first_module, oops_gallery, and the xt_dns_name module
# with the shared parser and header it compiles in. Needs a kernel tree with
# scripts/checkpatch.pl: KSRC, or the Debian source make kernel extracts under BUILD_DIR/src;
# skipped visibly without one.
# Env: BUILD_DIR, KSRC. Exit: 0 clean or skipped (77), 1 a file has findings.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

checkpatch=
for tree in ${KSRC:+"$KSRC"} "$BUILD_DIR/src/linux-source-6.12"; do
	if [[ -x $tree/scripts/checkpatch.pl ]]; then
		checkpatch=$tree/scripts/checkpatch.pl
		break
	fi
done
[ -n "$checkpatch" ] || skip_all "no kernel tree with scripts/checkpatch.pl (run make kernel, or set KSRC)"

cd "$KLAB_ROOT/modules"
for f in my_first_module/*.c oops_gallery/*.c xt_dns_name/module/*.c xt_dns_name/parser/dns_parse.[ch] \
	xt_dns_name/include/*.h; do
	out=$("$checkpatch" --no-tree --strict --terse --show-types -f "$f" 2>&1) || true
	if [ -z "$out" ]; then ok "checkpatch --strict $f"; else not_ok "checkpatch --strict $f" "$out"; fi
done
tap_done
