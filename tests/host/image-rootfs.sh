#!/usr/bin/env bash
# Host test of rootfs/mkrootfs.sh without building anything: the mirror detection against fake
# apt sources (one-line and deb822 formats, -security/-updates, disabled files and stanzas,
# another release of the same distribution, none for Ubuntu on a Debian host), the package list,
# the fast one-line failure on an unreachable mirror (as root) and the non-root refusal.
# Usage: tests/host/image-rootfs.sh     (env: BUILD_DIR for scratch space, KLAB_ROOT = checkout)
# Output: TAP lines (ok / not ok / # diagnostics). Exit: 0 all passed, 1 any failed.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"

MKROOTFS=$KLAB_ROOT/rootfs/mkrootfs.sh
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

scratch=${BUILD_DIR:-${TMPDIR:-/tmp}}/tests
mkdir -p "$scratch"
t=$(mktemp -d "$scratch/image-rootfs.XXXXXX")
trap 'rm -rf --one-file-system "$t"' EXIT

# detect ROOT SUITE: the mirror mkrootfs.sh's detect_mirror finds in fake sources below ROOT
detect() {
	(
		# shellcheck source-path=SCRIPTDIR source=../../rootfs/mkrootfs.sh
		. "$MKROOTFS"
		APT_SOURCES_ROOT=$1 detect_mirror "$2"
	) 2>&1 || echo "(none)"
}

# 1: a stock bookworm host, deb822 only, with a disabled leftover beside it
r=$t/deb822
mkdir -p "$r/etc/apt/sources.list.d"
cat >"$r/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
# a comment inside the stanza
URIs: http://security.example.org/debian-security
Suites: bookworm-security
Components: main

Types: deb deb-src
URIs: http://mirror.example.org/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://disabled.example.org/debian
Suites: bookworm
Enabled: no
EOF
printf 'deb http://other.example.org/debian bookworm main\n' >"$r/etc/apt/sources.list.d/old.list.disabled"
expect_eq "deb822: the main archive, not -security, trailing slash dropped" \
	"http://mirror.example.org/debian" "$(detect "$r" bookworm)"
expect_eq "deb822: another Debian release uses the same mirror" \
	"http://mirror.example.org/debian" "$(detect "$r" trixie)"
expect_eq "deb822: no Debian mirror for Ubuntu's focal" "(none)" "$(detect "$r" focal)"

# 2: one-line format with options, deb-src and comments; sources.list comes first
r=$t/oneline
mkdir -p "$r/etc/apt/sources.list.d"
cat >"$r/etc/apt/sources.list" <<'EOF'
# deb http://commented.example.org/debian bookworm main
deb-src http://src.example.org/debian bookworm main
deb http://security.example.org/debian-security bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://one.example.org/debian/ bookworm main contrib
EOF
printf 'deb http://later.example.org/debian bookworm main\n' >"$r/etc/apt/sources.list.d/z.list"
expect_eq "one-line: options skipped, deb-src and comments ignored" \
	"http://one.example.org/debian" "$(detect "$r" bookworm)"

# 3: an Ubuntu host: focal's own entry wins; jammy falls back to it; bookworm finds none
r=$t/ubuntu
mkdir -p "$r/etc/apt/sources.list.d"
cat >"$r/etc/apt/sources.list.d/ubuntu.sources" <<'EOF'
Types: deb
URIs: http://archive.example.com/ubuntu
Suites: focal focal-updates focal-backports
Components: main universe
EOF
expect_eq "ubuntu: focal" "http://archive.example.com/ubuntu" "$(detect "$r" focal)"
expect_eq "ubuntu: jammy from the same distribution" "http://archive.example.com/ubuntu" "$(detect "$r" jammy)"
expect_eq "ubuntu: no mirror for Debian's bookworm" "(none)" "$(detect "$r" bookworm)"

# 4: the command-line form the Makefile could use
expect_eq "--print-mirror" "http://archive.example.com/ubuntu" \
	"$(APT_SOURCES_ROOT=$r SUITE=focal MIRROR='' BUILD_DIR=$t "$MKROOTFS" --print-mirror 2>&1)"
out=$(APT_SOURCES_ROOT=$t/deb822 SUITE=focal MIRROR='' BUILD_DIR=$t "$MKROOTFS" --print-mirror 2>&1) || true
if grep -q 'pass MIRROR=' <<<"$out"; then ok "no mirror found: says to pass MIRROR="; else not_ok "no mirror found: says to pass MIRROR=" "$out"; fi

# 5: the package list: no duplicates, no python, the required tools present
# shellcheck source-path=SCRIPTDIR source=../../rootfs/mkrootfs.sh
pk=$( (. "$MKROOTFS" && package_list))
missing=
for p in systemd-sysv udev kmod iproute2 iptables dnsutils dnsmasq-base curl procps iputils-ping netcat-openbsd less vim-tiny; do
	grep -qx "$p" <<<"$pk" || missing="$missing $p"
done
grep -q busybox <<<"$pk" || missing="$missing busybox"
expect_eq "package list has every required package" "" "$missing"
expect_eq "package list has no python" "" "$(grep -i python <<<"$pk" || true)"

# 6: an unreachable mirror fails fast, with one line naming it, and leaves nothing behind
if [ "$(id -u)" -ne 0 ]; then
	skip "unreachable mirror fails fast with one line" "needs root (mkrootfs.sh refuses before that)"
else
	start=$SECONDS rc=0
	BUILD_DIR=$t/build SUITE=bookworm MIRROR=http://127.0.0.1:9/debian ROOTFS=$t/build/rootfs/bookworm \
		"$MKROOTFS" >"$t/out" 2>"$t/err" || rc=$?
	took=$((SECONDS - start))
	if [ "$rc" -eq 1 ] && [ "$(wc -l <"$t/err")" -eq 1 ] && grep -q 'http://127.0.0.1:9/debian' "$t/err" &&
		grep -q 'MIRROR=' "$t/err" && [ "$took" -lt 30 ]; then
		ok "unreachable mirror fails fast (${took} s) with one line naming it"
	else
		not_ok "unreachable mirror fails fast with one line naming it" "exit $rc after ${took} s; stderr:" "$(cat "$t/err")"
	fi
	left=$(find "$t/build/rootfs" -mindepth 1 -not -name .lock -not -name .debootstrap 2>/dev/null)
	expect_eq "the failed run leaves no tree behind" "" "$left"
fi

# 7: not root: a clear refusal before any work
if [ "$(id -u)" -ne 0 ]; then
	rc=0
	out=$(BUILD_DIR=$t/user SUITE=bookworm MIRROR=http://127.0.0.1:9/debian "$MKROOTFS" 2>&1) || rc=$?
elif command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$MKROOTFS"; then
	rc=0
	mkdir -p "$t/user"
	chmod 777 "$t/user"
	out=$(BUILD_DIR=$t/user SUITE=bookworm MIRROR=http://127.0.0.1:9/debian \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$MKROOTFS" 2>&1) || rc=$?
else
	rc=skip
fi
if [ "$rc" = skip ]; then
	skip "non-root is refused clearly" "cannot run as another user here"
elif [ "$rc" -eq 1 ] && grep -q 'must run as root' <<<"$out"; then
	ok "non-root is refused clearly"
else
	not_ok "non-root is refused clearly" "exit $rc" "$out"
fi

tap_done
