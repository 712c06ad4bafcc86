#!/usr/bin/env bash
# Build the guest's root filesystem: debootstrap (minbase + rootfs/packages), cached, then a
# customised copy (rootfs/overlay, services, passwords) at $ROOTFS.
#
# Usage: rootfs/mkrootfs.sh                 build (or say it is up to date)
#        rootfs/mkrootfs.sh --print-mirror  print the mirror that would be used for SUITE
# Env (defaults from tools/lib/paths.sh):
#        BUILD_DIR  every output goes below it
#        SUITE      the release to bootstrap (default: the host's codename)
#        MIRROR     the apt mirror (default: the host's main archive for SUITE, read from its
#                   apt sources: sources.list and sources.list.d/*.list|*.sources)
#        ROOTFS     the finished tree (default: $BUILD_DIR/rootfs/$SUITE)
#        APT_SOURCES_ROOT  where the apt sources are read from (default: /; for tests)
# Output: $ROOTFS, then $ROOTFS.stamp written last (what vm/image/mkimage.sh compares against);
#         the plain debootstrap result in $BUILD_DIR/rootfs/.debootstrap/<suite>-<hash>/,
#         keyed by (suite, mirror, package list), so overlay changes never re-run debootstrap;
#         log: $LOG_DIR/rootfs.log
# Exit:  0 built or up to date; 1 error (one message on stderr); 2 usage.
# Run as root (debootstrap and chroot need it).
set -euo pipefail

# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

# Units that only slow a TCG boot (every process started costs there: masking these took
# the login prompt from ~29 s to ~20 s on a loaded host, ~20 s to ~14 s idle) or write to the
# disk behind our back. Masking a unit the suite does not have is harmless, so one list
# serves Debian and Ubuntu.
MASK_UNITS=(
	apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer
	e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer motd-news.timer
	systemd-timesyncd.service systemd-resolved.service
	systemd-networkd-wait-online.service
	# first-boot jobs (ConditionNeedsUpdate): a snapshot VM boots "first" every time;
	# the build already ran what they would run
	systemd-hwdb-update.service ldconfig.service systemd-journal-catalog-update.service
	systemd-update-done.service systemd-sysusers.service
	# no D-Bus (see rootfs/packages; without it Debian's getty-static would start five
	# more gettys), no VGA console (run-vm.sh: -vga none), no EFI,
	# no ip= on the command line, a volatile journal (nothing to flush)
	systemd-logind.service getty@tty1.service getty-static.service systemd-pstore.service
	systemd-network-generator.service systemd-journal-flush.service
	# modules preloaded "just in case": built in, absent, or loaded on first use anyway
	modprobe@drm.service modprobe@efi_pstore.service modprobe@dm_mod.service
	modprobe@fuse.service modprobe@loop.service modprobe@configfs.service
	# what a lab VM does not use, each a process or a mount on the one vCPU before the login
	# prompt: no modules to preload, a random seed and utmp records a snapshot VM forgets,
	# no hugepages, POSIX message queues, binfmt handlers, configfs or FUSE; the kernel
	# mounts / read-write already (rw on its command line)
	systemd-modules-load.service systemd-random-seed.service
	systemd-update-utmp.service systemd-update-utmp-runlevel.service
	dev-hugepages.mount dev-mqueue.mount sys-kernel-config.mount sys-fs-fuse-connections.mount
	systemd-binfmt.service proc-sys-fs-binfmt_misc.automount systemd-remount-fs.service
)
ENABLE_UNITS=(systemd-networkd.service serial-getty@ttyS0.service)
# Generators systemd runs at every boot, each a dynamically linked program: these find nothing
# to do in the lab's guest (no GPT, LUKS, dm-integrity/verity, hibernation image, rc.local,
# SysV-only service, debug shell or run= on the command line; serial-getty@ttyS0 is enabled
# above). Only the fstab generator stays.
MASK_GENERATORS=(
	systemd-cryptsetup-generator systemd-debug-generator systemd-getty-generator
	systemd-gpt-auto-generator systemd-hibernate-resume-generator systemd-integritysetup-generator
	systemd-rc-local-generator systemd-run-generator systemd-system-update-generator
	systemd-sysv-generator systemd-veritysetup-generator systemd-bless-boot-generator
)

# detect_mirror SUITE: print the host's apt mirror for SUITE, read from
# ${APT_SOURCES_ROOT:-/}etc/apt/sources.list{,.d/*.list,.d/*.sources} in apt's order.
# The main archive is the entry whose suite is exactly SUITE (not -security/-updates).
# Failing that, an entry for another release of the same family (debootstrap script) is used,
# e.g. the host's bookworm mirror for trixie, never a Debian mirror for focal. Returns 1 if none.
detect_mirror() {
	local suite=$1 root=${APT_SOURCES_ROOT:-/} files=() f uri s family
	root=${root%/}
	[ -f "$root/etc/apt/sources.list" ] && files+=("$root/etc/apt/sources.list")
	for f in "$root"/etc/apt/sources.list.d/*.list "$root"/etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 1
	local pairs
	pairs=$(apt_source_pairs "${files[@]}")
	uri=$(awk -v s="$suite" '$2 == s { print $1; exit }' <<<"$pairs")
	if [ -z "$uri" ]; then
		family=$(suite_family "$suite")
		while read -r f s; do
			case $s in *-*) continue ;; esac
			if [ -n "$family" ] && [ "$(suite_family "$s")" = "$family" ]; then
				uri=$f
				break
			fi
		done <<<"$pairs"
	fi
	[ -n "$uri" ] || return 1
	printf '%s\n' "${uri%/}"
}

# apt_source_pairs FILE...: print "URI SUITE" for every enabled binary (deb) source.
# .sources files are deb822 stanzas; the others are one-line "deb [opts] URI SUITE COMP...".
apt_source_pairs() {
	local f
	for f in "$@"; do
		case $f in
		*.sources)
			awk '
				function flush(   i, j, nu, ns, u, s) {
					if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no") {
						nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
						for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
							if (u[i] != "" && s[j] != "") print u[i], s[j]
					}
					types = uris = suites = enabled = ""; key = ""
				}
				/^#/ { next }
				/^[ \t]*$/ { flush(); next }
				/^[ \t]/ { if (key == "uris") uris = uris " " $0; else if (key == "suites") suites = suites " " $0; next }
				{
					key = tolower($0); sub(/:.*/, "", key)
					val = $0; sub(/^[^:]*:[ \t]*/, "", val)
					if (key == "types") types = val
					else if (key == "uris") uris = val
					else if (key == "suites") suites = val
					else if (key == "enabled") enabled = val
				}
				END { flush() }' "$f"
			;;
		*)
			awk '
				{ sub(/#.*/, "") }
				$1 == "deb" {
					line = $0; sub(/^[ \t]*deb[ \t]+/, "", line)
					sub(/^\[[^]]*\][ \t]*/, "", line)
					split(line, w, /[ \t]+/)
					if (w[1] != "" && w[2] != "") print w[1], w[2]
				}' "$f"
			;;
		esac
	done
}

# suite_family SUITE: the debootstrap script a suite resolves to (sid for Debian, gutsy for
# Ubuntu), empty if debootstrap does not know it.
suite_family() {
	local script=/usr/share/debootstrap/scripts/$1
	[ -e "$script" ] || return 0
	basename "$(readlink -f "$script")"
}

# safe_rm DIR: remove a (possibly half-built) tree. debootstrap mounts /proc, /sys and may
# bind-mount /dev inside it; an interrupted run can leave them, and rm must never follow.
safe_rm() {
	local dir=$1 m
	# A symlinked tree (a BUILD_DIR sharing another's rootfs) goes, never what it points to.
	if [ -L "$dir" ]; then rm -f "$dir"; return 0; fi
	[ -e "$dir" ] || return 0
	dir=$(realpath "$dir")
	while read -r m; do
		if [ -n "$m" ]; then umount -l "$m" 2>/dev/null || true; fi
	done < <(findmnt -rn -o TARGET | awk -v d="$dir" 'index($0, d "/") == 1' | sort -r)
	rm -rf --one-file-system "$dir"
}

# mirror_reachable MIRROR SUITE: fetch the Release file once, quickly; debootstrap's own wget
# would retry for many minutes on a black-holed address.
mirror_reachable() {
	local mirror=$1 suite=$2 log=$LOG_DIR/rootfs.log
	mkdir -p "$LOG_DIR"
	echo "checking $mirror/dists/$suite/Release" >"$log"
	case $mirror in
	file://*) [ -f "${mirror#file://}/dists/$suite/Release" ] ;;
	*) wget --spider --timeout=15 --tries=2 "$mirror/dists/$suite/Release" >>"$log" 2>&1 ;;
	esac
}

unreachable() {
	die "mirror $MIRROR is unreachable or has no '$SUITE' (dists/$SUITE/Release); pass MIRROR=<a reachable mirror for $SUITE> (log: $LOG_DIR/rootfs.log)"
}

package_list() {
	sed -e 's/#.*//' -e 's/[[:space:]]//g' "$KLAB_ROOT/rootfs/packages" | grep -v '^$' | LC_ALL=C sort -u
}

# overlay_hash: content, names, types, modes and symlink targets of rootfs/overlay.
overlay_hash() {
	(
		cd "$KLAB_ROOT/rootfs/overlay"
		find . -printf '%P\t%y\t%m\t%l\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	) | sha256sum | cut -c1-16
}

# debootstrap_cache DIR: the plain debootstrap result, reused when (suite, mirror, packages)
# have not changed.
debootstrap_cache() {
	local cache=$1 tmp err rc=0
	tmp=$(dirname "$cache")/.tmp-$(basename "$cache")
	TMP_TREE=$tmp
	safe_rm "$tmp"
	stage "debootstrap $SUITE from $MIRROR" "about 4 min"
	mirror_reachable "$MIRROR" "$SUITE" || unreachable
	if [ "$(suite_family "$SUITE")" = gutsy ] && [ ! -e /usr/share/keyrings/ubuntu-archive-keyring.gpg ]; then
		note "no Ubuntu archive keyring on this host: $SUITE's packages are not verified (apt-get install ubuntu-keyring)"
	fi
	mkdir -p "$tmp"
	err=$(mktemp)
	# run_logged prints the log's last 30 lines on failure: keep them aside and show only the
	# one-line diagnosis when the failure is the mirror's. 8>&-: its ticker's sleep outlives
	# it and must not hold our lock.
	run_logged rootfs debootstrap --variant=minbase --include="$(package_list | paste -sd,)" \
		"$SUITE" "$tmp" "$MIRROR" 2>"$err" 8>&- || rc=$?
	if [ "$rc" -ne 0 ]; then
		safe_rm "$tmp"
		if grep -Eq 'Failed getting release|Couldn.t download|Failed to retrieve|Release signed by unknown' \
			"$LOG_DIR/rootfs.log"; then
			rm -f "$err"
			unreachable
		fi
		cat "$err" >&2
		rm -f "$err"
		die "debootstrap $SUITE failed (log: $LOG_DIR/rootfs.log)"
	fi
	rm -f "$err"
	# drop the downloaded .debs and indexes: the image must stay small (the guest has no
	# route to a mirror anyway)
	rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/cache/apt/*.bin "$tmp"/var/lib/apt/lists/*
	mv "$tmp" "$cache"
	# an older package list or mirror for this suite will not come back soon: reclaim its space
	local old
	for old in "$(dirname "$cache")/$SUITE"-*; do
		[ "$old" = "$cache" ] || safe_rm "$old"
	done
}

# customise DIR: turn the plain debootstrap tree into the lab's guest.
customise() {
	local dir=$1 unit
	# the overlay as root-owned files; existing directories keep their modes (a checkout's
	# umask must not leak into /etc) and symlinks like /lib -> usr/lib stay symlinks
	tar -C "$KLAB_ROOT/rootfs/overlay" --owner=0 --group=0 --numeric-owner -cf - . |
		tar -C "$dir" -xf - --no-overwrite-dir --keep-directory-symlink
	# the lab's iptables plugin is installed here; make sure the directory exists
	mkdir -p "$dir/usr/lib/x86_64-linux-gnu/xtables"
	# one line of input, no password hash committed anywhere
	echo 'root:root' | chroot "$dir" chpasswd
	if ! chroot "$dir" id lab >/dev/null 2>&1; then
		chroot "$dir" useradd --create-home --shell /bin/bash lab
	fi
	# --root: offline edits of the unit links, no running systemd needed
	chroot "$dir" systemctl --root=/ --quiet mask "${MASK_UNITS[@]}"
	for unit in "${ENABLE_UNITS[@]}"; do
		chroot "$dir" systemctl --root=/ --quiet enable "$unit"
	done
	mkdir -p "$dir/etc/systemd/system-generators"
	for unit in "${MASK_GENERATORS[@]}"; do
		ln -sfn /dev/null "$dir/etc/systemd/system-generators/$unit"
	done
	# The login prompt waits for systemd-user-sessions, which the distribution orders after
	# network.target, i.e. after systemd-networkd has started: seconds under TCG. A lab VM has
	# no network homes or logins; a copy of the unit without that ordering overrides it.
	for unit in "$dir"/lib/systemd/system/systemd-user-sessions.service \
		"$dir"/usr/lib/systemd/system/systemd-user-sessions.service; do
		if [ -f "$unit" ]; then
			sed '/^After=/s/ network\.target//' "$unit" >"$dir/etc/systemd/system/systemd-user-sessions.service"
			break
		fi
	done
	# hwdb.bin, which the masked first-boot job would build; udev's postinst normally did
	if ! [ -e "$dir/etc/udev/hwdb.bin" ] && ! [ -e "$dir/usr/lib/udev/hwdb.bin" ] &&
		! [ -e "$dir/lib/udev/hwdb.bin" ]; then
		chroot "$dir" systemd-hwdb update
	fi
}

main() {
	case ${1:-} in
	"") ;;
	--print-mirror) ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
	[ -e "/usr/share/debootstrap/scripts/$SUITE" ] || die "debootstrap does not know SUITE=$SUITE"
	if [ -z "${MIRROR:-}" ]; then
		MIRROR=$(detect_mirror "$SUITE") ||
			die "no apt source on this host for '$SUITE' (or another release of its distribution); pass MIRROR=<mirror for $SUITE>"
	fi
	MIRROR=${MIRROR%/}
	if [ "${1:-}" = --print-mirror ]; then
		printf '%s\n' "$MIRROR"
		exit 0
	fi
	[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it): sudo make rootfs"
	command -v debootstrap >/dev/null || die "debootstrap is not installed: make deps"

	local base key cache want
	base=$BUILD_DIR/rootfs
	mkdir -p "$base/.debootstrap" "$(dirname "$ROOTFS")"
	# one build at a time: then every temporary found below is a leftover of a dead run
	exec 8>"$base/.lock"
	if ! flock -n 8; then
		note "waiting for another mkrootfs.sh to finish"
		flock 8
	fi
	safe_rm_glob "$base/.debootstrap/.tmp-"*
	safe_rm_glob "$ROOTFS.tmp."* "$ROOTFS.old."*

	key=$(printf '%s\n' "$SUITE" "$MIRROR" "$(dpkg --print-architecture)" minbase "$(package_list)" |
		sha256sum | cut -c1-12)
	cache=$base/.debootstrap/$SUITE-$key
	want="$key $(overlay_hash) $(sha256sum <"${BASH_SOURCE[0]}" | cut -c1-12)"
	if [ -d "$ROOTFS" ] && [ -f "$ROOTFS.stamp" ] && [ "$(cat "$ROOTFS.stamp")" = "$want" ]; then
		note "rootfs $ROOTFS is up to date"
		exit 0
	fi
	if [ -d "$cache" ]; then
		note "reusing debootstrap result $cache"
	else
		debootstrap_cache "$cache"
	fi

	stage "customise $ROOTFS" "about 10 s"
	TMP_TREE=$ROOTFS.tmp.$$
	local tmp=$TMP_TREE
	cp -a "$cache" "$tmp"
	customise "$tmp"
	# the stamp goes first and comes back last: a tree without it is never taken as finished.
	# The old tree is moved aside and deleted after the swap: deleting 250 MB of cold inodes
	# can take many seconds on a busy disk, and an interrupt then must not cost the new tree.
	rm -f "$ROOTFS.stamp"
	local old=$ROOTFS.old.$$
	if [ -e "$ROOTFS" ]; then mv "$ROOTFS" "$old"; fi
	mv "$tmp" "$ROOTFS"
	printf '%s\n' "$want" >"$ROOTFS.stamp"
	note "rootfs ready: $ROOTFS"
	safe_rm "$old"
}

safe_rm_glob() {
	local d
	for d in "$@"; do
		[ -e "$d" ] && safe_rm "$d"
	done
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# a failed or interrupted run removes its temporary tree (the next run would anyway)
	TMP_TREE=
	trap '[ -z "$TMP_TREE" ] || safe_rm "$TMP_TREE"' EXIT
	main "$@"
fi
