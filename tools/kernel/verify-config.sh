#!/usr/bin/env bash
# Check that a kernel .config has every option the given config fragments ask for, as
# kunit_tool does: kconfig silently drops an option whose dependencies are unmet.
# Usage: tools/kernel/verify-config.sh DOTCONFIG FRAGMENT...
# Output: one line per option not honoured: "  FRAGMENT: wants 'LINE', got: ACTUAL" (stderr).
# Exit: 0 every option is honoured, 1 some are not, 2 usage.
set -euo pipefail
if [ $# -lt 2 ] || [ ! -f "$1" ]; then
	echo "usage: verify-config.sh DOTCONFIG FRAGMENT..." >&2
	exit 2
fi
config=$1
shift
bad=0
for frag in "$@"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) opt=${line%%=*} ;;
		"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *} ;;
		*) continue ;;
		esac
		# An option that is not set may also be absent (its dependencies unmet).
		if [ "${line#\# }" != "$line" ] && ! grep -q "^$opt=" "$config"; then
			continue
		fi
		if ! grep -qxF -- "$line" "$config"; then
			actual=$(grep -E "^($opt=|# $opt is not set)" "$config" || echo "absent (unknown or unmet dependencies)")
			echo "  ${frag##*/}: wants '$line', got: $actual" >&2
			bad=1
		fi
	done <"$frag"
done
exit "$bad"
