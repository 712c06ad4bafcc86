#!/usr/bin/env bash
# The lab kernel's configuration as the lab teaches it: edit it in menuconfig, keep the edits.
# Usage: tools/kernel/config.sh menuconfig|save|check      env: BUILD_DIR, FLAVOR, KSRC
#   menuconfig  configure the selected lab kernel (make kernel's first step), open menuconfig
#               on its .config, then save what changed (below) and check that the fragments
#               now give that same .config. CONFIG_TOOL=nconfig (or oldconfig, ...) another one.
#   save        save how .config differs from the fragments' config (x86_64_defconfig +
#               kvm_guest.config + linux-patches/...) as this kernel's local fragment:
#               linux-patches/local.config (FLAVOR=x: linux-patches/flavors/x/local.config).
#               It is git-ignored; make kernel merges it last and verifies it like the others.
#               The difference is taken between savedefconfig of both configs (what was chosen,
#               not what followed from it), then checked by configuring from the fragments: an
#               option kconfig resolves differently is pinned until the .config comes back.
#   check       exit 1 and name the options when .config was changed since make kernel wrote it
# Exit: 0 done, 1 failure (or check: changed), 2 usage.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"
# shellcheck source=tools/kernel/fragments.sh
. "$KLAB_ROOT/tools/kernel/fragments.sh"

[ $# -eq 1 ] || { usage >&2; exit 2; }
case $1 in menuconfig | save | check) ;; -h | --help) usage; exit 0 ;; *) usage >&2; exit 2 ;; esac
[ "$KERNEL" = lab ] || die "KERNEL=$KERNEL is a packaged kernel: its configuration is Debian's"
[ ! -L "$KOUT" ] || die "KOUT=$KOUT links to $(readlink -f "$KOUT"), a kernel built elsewhere: configure it there"
written=$KOUT/.config.kernel-lab
base=$KOUT/.config.kernel-lab-base
local_name=$(realpath -m --relative-to="$KLAB_ROOT" "$LOCAL_FRAGMENT")
make_args=(-C "$KOUT" ARCH=x86_64)
# the compiler string make kernel uses (kconfig records it)
! command -v ccache >/dev/null || make_args+=(CC="ccache gcc")

changed() { [ -f "$written" ] && [ -f "$KOUT/.config" ] && ! cmp -s "$written" "$KOUT/.config"; }

# savedefconfig CONFIG OUT: the minimal defconfig of CONFIG (kconfig reads it, writes OUT).
savedefconfig() {
	local tmp
	tmp=$(mktemp -d)
	cp "$1" "$tmp/config"
	make -s "${make_args[@]}" KCONFIG_CONFIG="$tmp/config" savedefconfig >/dev/null
	mv "$KOUT/defconfig" "$2"
	rm -rf "$tmp"
}

# minimal_changes OUT: what differs between the fragments' config and .config, as few lines as
# savedefconfig allows.
minimal_changes() {
	local tmp opt line
	tmp=$(mktemp -d)
	savedefconfig "$base" "$tmp/base"
	savedefconfig "$KOUT/.config" "$tmp/new"
	{
		# chosen now, not by the fragments
		grep -vxF -f "$tmp/base" "$tmp/new" || true
		# chosen by the fragments, back at its default now: say which value
		grep -vxF -f "$tmp/new" "$tmp/base" | sed -nE 's/^(# )?(CONFIG_[A-Za-z0-9_]+)[= ].*/\2/p' |
			while read -r opt; do
				line=$(grep -E "^($opt=|# $opt is not set)" "$KOUT/.config" || echo "# $opt is not set")
				grep -qxF -- "$line" "$tmp/new" || echo "$line"
			done || true
	} | sort -u >"$1"
	rm -rf "$tmp"
}

# pin OPTION VALUE-FILE: set OPTION in LOCAL_FRAGMENT as VALUE-FILE (a .config) has it.
pin() {
	local line
	line=$(grep -E "^(CONFIG_$1=|# CONFIG_$1 is not set)" "$2" || echo "# CONFIG_$1 is not set")
	grep -vE "^(CONFIG_$1=|# CONFIG_$1 is not set)" "$LOCAL_FRAGMENT" >"$LOCAL_FRAGMENT.tmp" || true
	echo "$line" >>"$LOCAL_FRAGMENT.tmp"
	mv "$LOCAL_FRAGMENT.tmp" "$LOCAL_FRAGMENT"
}

# save: LOCAL_FRAGMENT = the changes of .config, checked by configuring from the fragments:
# savedefconfig leaves out what follows from its defaults, but merged onto the lab's full
# .config an old explicit value wins over such a default; each option kconfig resolved
# differently is pinned, until the fragments give .config back (a few rounds at most).
save() {
	local want=$KOUT/.config.wanted n round names
	[ -f "$base" ] || die "no $base: run 'make kernel${FLAVOR:+ FLAVOR=$FLAVOR}' first (it writes it when configuring)"
	cp "$KOUT/.config" "$want"
	minimal_changes "$want.local"
	n=$(grep -c . "$want.local" || true)
	if [ "$n" -eq 0 ]; then
		rm -f "$LOCAL_FRAGMENT" "$want" "$want.local"
		cp "$KOUT/.config" "$written"
		echo "==> .config is what the fragments give: no $local_name"
		return
	fi
	{
		echo "# Your changes to the ${KNAME} kernel's configuration, saved by tools/kernel/config.sh"
		echo "# ($(date -u '+%F %H:%M UTC')). Not in git; make kernel merges it last and verifies it."
		cat "$want.local"
	} >"$LOCAL_FRAGMENT"
	rm -f "$want.local"
	for round in 1 2 3 4; do
		# .config is what make kernel should write now: configure from the fragments, compare
		cp "$want" "$KOUT/.config"
		cp "$want" "$written"
		if ! "$KLAB_ROOT/tools/kernel/build-lab.sh" --config-only >"$want.log" 2>&1; then
			cat "$want.log" >&2
			cp "$want" "$KOUT/.config"
			die "configuring with $local_name failed (above); your .config is back in place"
		fi
		if cmp -s "$want" "$KOUT/.config"; then
			rm -f "$want" "$want.log"
			echo "==> saved to $local_name ($(grep -c '^[^#]\|is not set' "$LOCAL_FRAGMENT") options), and the fragments give back this .config:"
			grep -v '^# [A-Z(]' "$LOCAL_FRAGMENT" | sed 's/^/      /'
			return
		fi
		[ "$round" -lt 4 ] || break
		names=$("$KOUT/source/scripts/diffconfig" "$want" "$KOUT/.config" | sed -E 's/^[-+ ]//; s/ .*//')
		for opt in $names; do pin "$opt" "$want"; done
	done
	note "the fragments with $local_name do not give back your .config:"
	"$KOUT/source/scripts/diffconfig" "$want" "$KOUT/.config" | sed 's/^/      /' >&2
	cp "$want" "$KOUT/.config"
	die "kconfig resolves these differently (above); your .config is back in place, $local_name kept"
}

case $1 in
check)
	[ -f "$KOUT/.config" ] || die "no $KOUT/.config: run 'make kernel${FLAVOR:+ FLAVOR=$FLAVOR}'"
	if changed; then
		echo "$KOUT/.config was changed since make kernel wrote it:"
		"$KOUT/source/scripts/diffconfig" "$written" "$KOUT/.config" | sed 's/^/      /'
		exit 1
	fi
	echo "$KOUT/.config is as make kernel wrote it"
	;;
save)
	[ -f "$KOUT/.config" ] || die "no $KOUT/.config: run 'make kernel${FLAVOR:+ FLAVOR=$FLAVOR}'"
	save
	;;
menuconfig)
	"$KLAB_ROOT/tools/kernel/build-lab.sh" --config-only
	! changed || note "$KOUT/.config has changes of its own (make kernel named them above); menuconfig starts from them and they are saved too"
	cp "$KOUT/.config" "$KOUT/.config.before-menuconfig"
	make "${make_args[@]}" "${CONFIG_TOOL:-menuconfig}"
	if cmp -s "$KOUT/.config.before-menuconfig" "$KOUT/.config" && ! changed; then
		echo "==> nothing changed"
		exit 0
	fi
	save
	echo "==> make kernel${FLAVOR:+ FLAVOR=$FLAVOR} builds it"
	;;
esac
