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
#               The difference is taken between scripts' savedefconfig of both configs, so the
#               fragment holds what was chosen, not what followed from it.
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

# save: LOCAL_FRAGMENT = what differs between the fragments' config and .config.
save() {
	local tmp opt line n
	[ -f "$base" ] || die "no $base: run 'make kernel${FLAVOR:+ FLAVOR=$FLAVOR}' first (it writes it when configuring)"
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
	} | sort -u >"$tmp/local"
	n=$(grep -c . "$tmp/local" || true)
	if [ "$n" -eq 0 ]; then
		rm -f "$LOCAL_FRAGMENT"
		echo "==> .config is what the fragments give: no $local_name"
	else
		{
			echo "# Your changes to the ${KNAME} kernel's configuration, saved by tools/kernel/config.sh"
			echo "# ($(date -u '+%F %H:%M UTC')). Not in git; make kernel merges it last and verifies it."
			cat "$tmp/local"
		} >"$LOCAL_FRAGMENT.tmp"
		mv "$LOCAL_FRAGMENT.tmp" "$LOCAL_FRAGMENT"
		echo "==> saved $n option(s) to $local_name:"
		sed 's/^/      /' "$tmp/local"
	fi
	# .config is now what make kernel will write from the fragments
	cp "$KOUT/.config" "$written"
	rm -rf "$tmp"
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
	# The fragments must now give the same .config: configure from them and compare.
	cp "$KOUT/.config" "$KOUT/.config.menuconfig"
	"$KLAB_ROOT/tools/kernel/build-lab.sh" --config-only >/dev/null
	if ! cmp -s "$KOUT/.config.menuconfig" "$KOUT/.config"; then
		note "the fragments with $local_name do not give back the .config of menuconfig:"
		"$KOUT/source/scripts/diffconfig" "$KOUT/.config.menuconfig" "$KOUT/.config" | sed 's/^/      /' >&2
		die "kconfig resolved these differently (see above); the fragments' .config is in place"
	fi
	echo "==> make kernel${FLAVOR:+ FLAVOR=$FLAVOR} builds it"
	;;
esac
