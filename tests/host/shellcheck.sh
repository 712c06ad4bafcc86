#!/usr/bin/env bash
# Every shell script of the project passes shellcheck (with -x: sourced files followed).
set -euo pipefail
ROOT=${KLAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
cd "$ROOT"
if ! command -v shellcheck >/dev/null; then
	echo "ok - shellcheck # SKIP shellcheck is not installed (make deps)"
	exit 0
fi
scripts=()
while IFS= read -r f; do
	[ -f "$f" ] && head -n 1 "$f" | grep -qE '^#!.*\b(ba)?sh\b|shellcheck shell=' && scripts+=("$f")
done < <(git ls-files 2>/dev/null || find . -type f -not -path './build/*' | sed 's|^\./||')
for f in "${scripts[@]}"; do
	if out=$(shellcheck -x "$f" 2>&1); then ok "shellcheck $f"; else not_ok "shellcheck $f" "$out"; fi
done
tap_finish
