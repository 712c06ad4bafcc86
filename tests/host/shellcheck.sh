#!/usr/bin/env bash
# Every shell script of the project passes shellcheck (with -x: sourced files followed).
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"
cd "$KLAB_ROOT"
if ! command -v shellcheck >/dev/null; then
	skip_all "shellcheck is not installed (make deps)"
fi
scripts=()
while IFS= read -r f; do
	[ -f "$f" ] && head -n 1 "$f" | grep -qE '^#!.*\b(ba)?sh\b|shellcheck shell=' && scripts+=("$f")
done < <(git ls-files 2>/dev/null || find . -type f -not -path './build/*' | sed 's|^\./||')
for f in "${scripts[@]}"; do
	if out=$(shellcheck -x "$f" 2>&1); then ok "shellcheck $f"; else not_ok "shellcheck $f" "$out"; fi
done
tap_done
