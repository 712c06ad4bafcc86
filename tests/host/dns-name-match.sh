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

# Revision 1: a suffix and a QTYPE list, over UDP and TCP.
for inv in "" "!"; do
	want=$data/rev1.expect${inv:+-inv}
	run ${inv:+"$inv"} --domain-suffix Example.com --qtype a,28 "$data/rev1.pcap"
	if [[ $rc -eq 0 && $out == "$(<"$want")" && -z $err ]]; then
		ok "rev1.pcap ${inv:+! }--domain-suffix example.com --qtype A,AAAA: $(wc -l <"$want") packets"
	else
		not_ok "rev1.pcap ${inv:+! }--domain-suffix example.com --qtype A,AAAA" \
			"exit $rc, stderr: $err" "$(diff <(echo "$out") "$want" || true)" \
			"packets: $(tr '\n' ';' <"$data/rev1.desc")"
	fi
done
run --domain-suffix=com --qtype=MX "$data/rev1.pcap"
expect_eq "--domain-suffix=NAME, --qtype=LIST" "3 match" "$(grep " match$" <<<"$out")"

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

# A snaplen cut: those packets are "truncated" (plain and with "!"), the
# run says so on stderr and exits 3; the decided ones keep their verdicts.
for inv in "" "!"; do
	want=$data/snap.expect${inv:+-inv}
	run ${inv:+"$inv"} --domain example.com "$data/snap.pcap"
	if [[ $rc -eq 3 && $out == "$(<"$want")" &&
		$err == *"8 of 17 packets truncated by the capture's snaplen"* ]]; then
		ok "snaplen-cut capture ${inv:+! }--domain: 8 truncated, exit 3"
	else
		not_ok "snaplen-cut capture ${inv:+! }--domain" \
			"exit $rc, stderr: $err" \
			"$(diff <(echo "$out") "$want" || true)" \
			"packets: $(tr '\n' ';' <"$data/snap.desc")"
	fi
done

# - is standard input, from a file or a pipe; -- ends the options.
run --domain example.com - <"$data/eth.pcap"
expect_eq "- reads standard input (redirected file)" "0 $(<"$data/eth.expect")" "$rc $out"
# shellcheck disable=SC2002 # a pipe on purpose: not seekable
out=$(cat "$data/vlan.pcap" | "$tool" --domain example.com -) || true
expect_eq "- reads standard input (pipe)" "$(<"$data/vlan.expect")" "$out"
cp "$data/sll.pcap" "$data/--"
out=$(cd "$data" && "$tool" --domain example.com -- --) || true
expect_eq "-- ends the options (a file named --)" "$(<"$data/sll.expect")" "$out"

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
# expect_usage DESC WANT-STDERR-SUBSTRING ARGS...: exit 2, the message, the usage text.
expect_usage() {
	local desc=$1 want_err=$2
	shift 2
	run "$@"
	if [[ $rc -eq 2 && -z $out && $err == *"$want_err"* && $err == *"usage: dns-name-match"* ]]
	then
		ok "usage error: $desc: exit 2, '$want_err' and the usage"
	else
		not_ok "usage error: $desc" "exit $rc (want 2), stdout: $out" \
			"stderr: $err" "want stderr containing: $want_err, then the usage"
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
expect_error "bad suffix" "" 'bad --domain-suffix "a b": invalid character' \
	--domain-suffix "a b" "$data/eth.pcap"
expect_error "bad QTYPE" "" "bad --qtype \"A,BOGUS\": unknown QTYPE 'BOGUS'" \
	$d --qtype A,BOGUS "$data/eth.pcap"
expect_usage "no file" "no capture file" $d
expect_usage "no --domain" "--domain NAME or --domain-suffix NAME is required" "$data/eth.pcap"
expect_usage "--domain twice" "one name per rule" \
	--domain a.com --domain b.com "$data/eth.pcap"
expect_usage "--domain and --domain-suffix" "one name per rule" \
	--domain a.com --domain-suffix b.com "$data/eth.pcap"
expect_usage "--qtype twice" "--qtype given twice" \
	--domain a.com --qtype A --qtype MX "$data/eth.pcap"
expect_usage "! before --qtype" "'!' goes before --domain or --domain-suffix" \
	! --qtype A --domain a.com "$data/eth.pcap"
expect_usage "! after --domain" "'!' goes once, right before --domain" \
	--domain a.com ! "$data/eth.pcap"
expect_usage "--domain ! NAME" "'!' goes before the option" \
	--domain ! a.com "$data/eth.pcap"
expect_usage "! twice" "'!' goes once" ! ! --domain a.com "$data/eth.pcap"
expect_usage "! without --domain" "'!' must be followed by --domain" \
	! "$data/eth.pcap"
expect_usage "-- alone" "no capture file" $d --
expect_usage "--domain without a value" "--domain needs a value" --domain
expect_usage "an option after a file" "'--domain' after a file" \
	"$data/eth.pcap" --domain a.com
expect_usage "an option after the files" "'!' after a file" \
	$d "$data/eth.pcap" !
expect_usage "unknown option" "unknown option '--domian'" \
	--domian a.com "$data/eth.pcap"
}

tap_done
