#!/usr/bin/env bash
# Host test of modules/xt_dns_name/dns-name-match: pcaps written by its mkpcaps.py (every
# link type, VLAN tags, IPv4 options, IPv6 extension headers, fragments,
# malformed queries) must give exactly the expected match/no-match lines,
# plain and with "!"; broken files must fail clearly. Runs the ASan+UBSan
# build. Prints TAP lines; exits 1 if any "not ok". Env: BUILD_DIR.
set -euo pipefail

# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
tool_dir=$KLAB_ROOT/modules/xt_dns_name/dns-name-match
data=$BUILD_DIR/host/dns-name-match-data
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"

mkdir -p "$BUILD_DIR/host"
if ! make -s -C "$tool_dir" BUILD_DIR="$BUILD_DIR" all asan \
	>"$BUILD_DIR/host/dns-name-match-build.log" 2>&1; then
	tail -20 "$BUILD_DIR/host/dns-name-match-build.log" | sed 's/^/# /'
	bail_out "build dns-name-match failed"
fi
ok "build dns-name-match"
tool=$BUILD_DIR/host/dns-name-match-asan

rm -rf "$data"
python3 "$tool_dir/mkpcaps.py" "$data" || bail_out "generate pcaps"
ok "generate pcaps"

# run NAME ARGS...: sets out, err, rc
run() {
	rc=0
	out=$("$tool" "$@" 2>"$data/stderr") || rc=$?
	err=$(<"$data/stderr")
}

for f in eth vlan raw12 raw14 raw101 sll sll2; do
	for inv in "" "!"; do
		want=$data/$f.expect${inv:+-inv}
		run ${inv:+"$inv"} --domain example.com "$data/$f.pcap"
		if [[ $rc -eq 0 && $out == "$(<"$want")" && -z $err ]]; then
			ok "$f.pcap ${inv:+! }--domain example.com: $(wc -l <"$want") packets"
		else
			not_ok "$f.pcap ${inv:+! }--domain example.com" \
				"exit $rc, stderr: $err" \
				"$(diff <(echo "$out") "$want" || true)" \
				"packets: $(tr '\n' ';' <"$data/$f.desc")"
		fi
	done
done

# Numbers run on across files; --domain=NAME and any case work too.
run --domain=EXAMPLE.com. "$data/eth.pcap" "$data/sll.pcap"
n=$(wc -l <"$data/eth.expect")
want=$(cat "$data/eth.expect"; awk -v n="$n" '{print $1 + n, $2}' \
	"$data/sll.expect")
if [[ $rc -eq 0 && $out == "$want" ]]; then
	ok "numbering continues across files"
else
	not_ok "numbering continues across files" "exit $rc" \
		"$(diff <(echo "$out") <(echo "$want") || true)"
fi

# The plain build gives the same answers as the sanitizer build.
if [[ $("$BUILD_DIR/bin/dns-name-match" --domain example.com \
	"$data/vlan.pcap") == "$(<"$data/vlan.expect")" ]]; then
	ok "$BUILD_DIR/bin/dns-name-match works"
else
	not_ok "$BUILD_DIR/bin/dns-name-match works"
fi

# expect_error DESC WANT-STDOUT WANT-STDERR-SUBSTRING ARGS...
expect_error() {
	local desc=$1 want_out=$2 want_err=$3
	shift 3
	run "$@"
	if [[ $rc -ne 0 && $out == "$want_out" && $err == *"$want_err"* ]]
	then
		ok "$desc: exit $rc, '$want_err'"
	else
		not_ok "$desc" "exit $rc, stdout: $out" "stderr: $err" \
			"want stderr containing: $want_err"
	fi
}
two=$'1 match\n2 match'
d="--domain example.com"
# shellcheck disable=SC2086 # $d is two words on purpose
{
expect_error "text file" "" "bad-text.pcap: not a pcap file (magic" \
	$d "$data/bad-text.pcap"
expect_error "empty file" "" "not a pcap file (0 bytes)" \
	$d "$data/bad-empty.pcap"
expect_error "pcapng file" "" "pcapng is not supported" \
	$d "$data/bad-pcapng.pcap"
expect_error "cut file header" "" "truncated pcap file header" \
	$d "$data/bad-short-header.pcap"
expect_error "cut packet data" "$two" "packet 3: truncated data" \
	$d "$data/bad-cut-data.pcap"
expect_error "cut record header" "$two" \
	"truncated record header after packet 2" \
	$d "$data/bad-cut-record-header.pcap"
expect_error "unknown link type" "" "unsupported link type 105" \
	$d "$data/bad-linktype.pcap"
expect_error "missing file" "" "No such file or directory" \
	$d "$data/no-such.pcap"
expect_error "bad file stops the run" "$(<"$data/eth.expect")" \
	"bad-text.pcap: not a pcap file" \
	$d "$data/eth.pcap" "$data/bad-text.pcap" "$data/sll.pcap"
expect_error "bad name" "" 'bad --domain "a..b": empty label' \
	--domain a..b "$data/eth.pcap"
expect_error "no file" "" "usage:" $d
expect_error "no --domain" "" "usage:" "$data/eth.pcap"
}
if [[ $rc -eq 2 ]]; then
	ok "usage errors exit 2"
else
	not_ok "usage errors exit 2" "exit $rc"
fi

tap_done
