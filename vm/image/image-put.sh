#!/usr/bin/env bash
# Copy a host folder tree into an existing ext4 image, without mounting it: every file, directory
# and symlink under SRC_DIR lands at the same path below / in the image (SRC_DIR/root/lab/x.ko ->
# /root/lab/x.ko). Existing files and symlinks are replaced; modes are kept (executables stay
# executable); everything written is owned by root. Directories the image lacks are created with
# SRC_DIR's modes; directories it has keep theirs, and symlinked ones (/lib -> usr/lib) are
# followed. One debugfs -w command file does the writing; e2fsck -fn checks the result.
#
# Usage: vm/image/image-put.sh IMAGE SRC_DIR
# Exit:  0 done; 1 error (message on stderr; the image is unchanged unless debugfs had started);
#        2 usage; 3 the image is in use (a running VM, or another image-put.sh).
# Needs no root: only write access to IMAGE. The VM must not be running: run-vm.sh holds
# IMAGE.lock while a VM writes the image; a snapshot VM is caught by fuser.
set -euo pipefail

# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

[ $# -eq 2 ] || { usage >&2; exit 2; }
IMAGE=$1
SRC=$(realpath -e "$2" 2>/dev/null) || die "no such folder: $2"
[ -d "$SRC" ] || die "not a folder: $SRC"
[ -f "$IMAGE" ] || die "no image at $IMAGE: run make image"
[ -w "$IMAGE" ] || die "cannot write $IMAGE"

busy() {
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit 3
}
exec 9>"$IMAGE.lock"
flock -n 9 || busy "$IMAGE is in use (a running VM or another image-put.sh); stop it and retry"
# a snapshot-mode VM takes no lock but still reads the image: changing it under QEMU would
# corrupt what the guest sees
if command -v fuser >/dev/null && fuser -s "$IMAGE" 2>/dev/null; then
	busy "$IMAGE is open by a running process ($(fuser "$IMAGE" 2>/dev/null | xargs)); stop the VM first"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# debugfs ignores the journal: a VM killed mid-write leaves transactions that the next mount
# would replay over our changes. Replay them first.
if dumpe2fs -h "$IMAGE" 2>/dev/null | grep -q '^Filesystem features:.*needs_recovery'; then
	note "$IMAGE was not shut down cleanly: replaying its journal (e2fsck -p)"
	rc=0
	e2fsck -p "$IMAGE" >"$work/fsck" 2>&1 || rc=$?
	[ "$rc" -lt 4 ] || die "e2fsck -p $IMAGE failed (exit $rc): $(tail -n 3 "$work/fsck" | tr '\n' ' ')"
fi

# normpath PATH: set REPLY to an absolute path without ., .. or repeated slashes (lexically).
# No subshell: this runs per entry, and forks are what makes a put slow.
normpath() {
	local part parts out=()
	IFS=/ read -ra parts <<<"$1"
	for part in "${parts[@]}"; do
		case $part in
		"" | .) ;;
		..) [ ${#out[@]} -eq 0 ] || unset 'out[${#out[@]}-1]' ;;
		*) out+=("$part") ;;
		esac
	done
	printf -v REPLY '/%s' "${out[@]}"
}

# The source tree, in find's pre-order (parents before children).
types=() modes=() rels=() targets=()
while IFS= read -r -d '' t && IFS= read -r -d '' m && IFS= read -r -d '' p && IFS= read -r -d '' l; do
	case $p in *'"'* | *\\* | *$'\n'*)
		die "cannot put a name with a quote, backslash or newline into the image: $p" ;;
	esac
	case $t in
	d | f | l) ;;
	*) die "not a file, folder or symlink: $SRC/$p" ;;
	esac
	types+=("$t") modes+=("$m") rels+=("$p") targets+=("$l")
done < <(find "$SRC" -mindepth 1 -printf '%y\0%m\0%P\0%l\0')
[ ${#rels[@]} -gt 0 ] || {
	note "nothing to put: $SRC is empty"
	exit 0
}

# query PATH...: stat each path in one read-only debugfs run; prints "type<TAB>link-dest" per
# path, type one of missing, regular, directory, symlink, other.
query() {
	local p
	for p in "$@"; do printf 'stat "%s"\n' "$p"; done >"$work/q"
	debugfs -f "$work/q" "$IMAGE" 2>/dev/null | awk '
		function out() { if (n) print type "\t" dest }
		/^debugfs: stat / { out(); n = 1; type = "missing"; dest = ""; next }
		/^Inode: [0-9]+ +Type: / { type = $4; if (type != "regular" && type != "directory" && type != "symlink") type = "other" }
		/^Fast link dest: / { dest = $0; sub(/^Fast link dest: "/, "", dest); sub(/"$/, "", dest) }
		END { out() }'
}

# Resolve every source path to its path in the image, one depth level per debugfs run (a child
# is looked up below its parent's resolved path). A symlinked directory is followed, up to 8 hops.
declare -A img=() exists=() new_dir=()
maxdepth=0
for p in "${rels[@]}"; do
	d=${p//[^\/]/}
	[ $((${#d} + 1)) -le "$maxdepth" ] || maxdepth=$((${#d} + 1))
done
for ((depth = 1; depth <= maxdepth; depth++)); do
	pending=()
	for i in "${!rels[@]}"; do
		p=${rels[$i]}
		d=${p//[^\/]/}
		[ $((${#d} + 1)) -eq "$depth" ] || continue
		parent=${p%/*}
		[ "$parent" != "$p" ] || parent=
		if [ -n "$parent" ] && [ -n "${new_dir[$parent]:-}" ]; then
			# below a directory we are about to create: nothing there yet
			img[$p]=${img[$parent]}/${p##*/}
			exists[$p]=missing
			[ "${types[$i]}" != d ] || new_dir[$p]=1
			continue
		fi
		normpath "${parent:+${img[$parent]}}/${p##*/}"
		img[$p]=$REPLY
		pending+=("$i")
	done
	for ((hop = 0; ${#pending[@]} > 0; hop++)); do
		[ "$hop" -lt 8 ] || die "too many levels of symlinks in $IMAGE below ${img[${rels[${pending[0]}]}]}"
		paths=()
		for i in "${pending[@]}"; do paths+=("${img[${rels[$i]}]}"); done
		mapfile -t answers < <(query "${paths[@]}")
		[ ${#answers[@]} -eq ${#pending[@]} ] || die "debugfs could not read $IMAGE"
		again=()
		for k in "${!pending[@]}"; do
			i=${pending[$k]} p=${rels[${pending[$k]}]}
			kind=${answers[$k]%%$'\t'*} dest=${answers[$k]#*$'\t'}
			if [ "${types[$i]}" = d ]; then
				case $kind in
				missing) new_dir[$p]=1 ;;
				directory) ;;
				symlink)
					[ -n "$dest" ] || die "cannot follow the long symlink ${img[$p]} in $IMAGE"
					case $dest in
					/*) normpath "$dest" ;;
					*) normpath "${img[$p]%/*}/$dest" ;;
					esac
					img[$p]=$REPLY
					again+=("$i")
					continue
					;;
				*) die "${img[$p]} in $IMAGE is a $kind, but $SRC/$p is a folder" ;;
				esac
			elif [ "$kind" = directory ]; then
				die "${img[$p]} in $IMAGE is a folder; cannot replace it with $SRC/$p"
			fi
			exists[$p]=$kind
		done
		pending=("${again[@]}")
	done
done

# One command file: folders first as they come (pre-order), then replace or write each entry,
# then set mode and owner (debugfs would otherwise keep the caller's uid).
for i in "${!rels[@]}"; do
	p=${rels[$i]} dst=${img[${rels[$i]}]} perm=$((8#${modes[$i]}))
	case ${types[$i]} in
	d)
		[ -n "${new_dir[$p]:-}" ] || continue
		printf 'mkdir "%s"\n' "$dst"
		printf 'sif "%s" mode 0%o\n' "$dst" $((8#040000 | perm))
		;;
	f)
		[ "${exists[$p]}" = missing ] || printf 'rm "%s"\n' "$dst"
		printf 'write "%s" "%s"\n' "$SRC/$p" "$dst"
		printf 'sif "%s" mode 0%o\n' "$dst" $((8#0100000 | perm))
		;;
	l)
		[ "${exists[$p]}" = missing ] || printf 'rm "%s"\n' "$dst"
		printf 'symlink "%s" "%s"\n' "$dst" "${targets[$i]}"
		;;
	esac
	printf 'sif "%s" uid 0\nsif "%s" gid 0\n' "$dst" "$dst"
done >"$work/cmds"

# debugfs exits 0 whatever fails: every line on stderr but its banner is an error
debugfs -w -f "$work/cmds" "$IMAGE" >"$work/out" 2>"$work/err" || true
if grep -v '^debugfs [0-9.]* (' "$work/err" >"$work/errors"; then
	head -n 5 "$work/errors" >&2
	cp "$work/cmds" "$IMAGE.put-cmds"
	die "debugfs failed writing into $IMAGE (its commands: $IMAGE.put-cmds); rebuild it with make image"
fi
rc=0
e2fsck -fn "$IMAGE" >"$work/fsck" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	tail -n 5 "$work/fsck" >&2
	die "$IMAGE fails e2fsck -fn after the copy (exit $rc): rebuild it with make image"
fi
note "put $(grep -c '^write \|^symlink ' "$work/cmds" || true) files from $SRC into $IMAGE"
