#!/usr/bin/env bash
# run-vm.sh as users drive it: the interactive login through a pseudo-terminal, --exec exit
# statuses, a panic, a timeout, snapshot safety, gdb, and clear errors on bad input.
set -euo pipefail
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/paths.sh"
# shellcheck source=tests/lib/tap.sh
. "$KLAB_ROOT/tests/lib/tap.sh"
vm() { "$KLAB_ROOT/run-vm.sh" --log "$tmp/vm.log" "$@"; }

if [ ! -f "$KIMAGE" ] || [ ! -f "$IMAGE" ]; then
	skip_all "no kernel/image for KERNEL=$KERNEL (make inject)"
fi
tmp=$(mktemp -d)
# Every VM started here logs under $tmp: none may outlive the test, whatever happens.
trap 'pkill -f "logfile=$tmp/" || true; rm -rf "$tmp"' EXIT

# --exec returns the guest command's status.
for want in 0 7; do
	rc=0
	out=$(vm --exec "exit $want" 2>&1) || rc=$?
	if [ "$rc" -eq "$want" ]; then ok "--exec 'exit $want' returns $want"; else not_ok "--exec 'exit $want' returns $want (got $rc)" "$out"; fi
done

release=$(cat "$KOUT/include/config/kernel.release")
rc=0
out=$(vm --exec 'uname -r' 2>/dev/null) || rc=$?
guest=$(tr -d '\r' <<<"$out" | grep -x '[0-9][^ ]*' | tail -n 1 || true)
if [ "$rc" -eq 0 ] && [ "$guest" = "$release" ] && [ "$guest" != "$(uname -r)" ]; then
	ok "the guest's uname -r is the built kernel's $release, not the host's"
else
	not_ok "the guest's uname -r is the built kernel's $release, not the host's" "exit $rc; guest: '$guest'" "$out"
fi

# Both ways of starting the kernel boot it: directly at its PVH entry (the default when the
# kernel has one) and as a bzImage; --timeline says where the time went.
for boot in pvh bzimage; do
	rc=0
	out=$(vm --boot "$boot" --timeline --exec 'uname -r' 2>&1) || rc=$?
	if [ "$boot" = pvh ] && [ "$rc" -eq 125 ] && grep -q 'no PVH entry point' <<<"$out"; then
		skip "--boot pvh boots the kernel" "$KIMAGE has no PVH entry point (CONFIG_PVH)"
		continue
	fi
	if [ "$rc" -eq 0 ] && grep -qx "$release" <<<"$(tr -d '\r' <<<"$out")"; then ok "--boot $boot boots the kernel"; else
		not_ok "--boot $boot boots the kernel (exit $rc)" "$out"
	fi
done
for phase in 'QEMU started' 'kernel clock started' 'init started' 'command started' 'command ended' 'QEMU exited'; do
	if grep -q "^ *[0-9.]*  $phase  *+ *[0-9.]*  " <<<"$out"; then ok "--timeline shows '$phase'"; else
		not_ok "--timeline shows '$phase'" "$out"
	fi
done

# A panic ends the run at once with the crash status, and no QEMU is left behind.
start=$SECONDS rc=0
vm --exec 'echo c > /proc/sysrq-trigger; sleep 60' --log "$tmp/panic.log" >/dev/null 2>&1 || rc=$?
took=$((SECONDS - start))
if [ "$rc" -eq 120 ] && [ "$took" -lt 40 ]; then ok "a guest panic exits 120 within seconds (${took}s)"; else
	not_ok "a guest panic exits 120 within seconds" "exit $rc after ${took}s" "$(tail -n 5 "$tmp/panic.log")"
fi
if pgrep -f "logfile=$tmp/panic.log" >/dev/null; then not_ok "no QEMU is left after a panic"; else ok "no QEMU is left after a panic"; fi

# --timeout kills a hanging guest command and exits 124.
start=$SECONDS rc=0
vm --exec 'sleep 600' --timeout 25 --log "$tmp/hang.log" >/dev/null 2>&1 || rc=$?
if [ "$rc" -eq 124 ]; then ok "--timeout on a hanging command exits 124 ($((SECONDS - start))s)"; else not_ok "--timeout on a hanging command exits 124 (got $rc)"; fi
if pgrep -f "logfile=$tmp/hang.log" >/dev/null; then not_ok "no QEMU is left after a timeout"; else ok "no QEMU is left after a timeout"; fi

# Snapshot mode (the default with --exec) leaves the image untouched.
before=$(sha256sum <"$IMAGE")
vm --exec 'echo scribble > /root/scribble; sync' >/dev/null 2>&1 || true
if [ "$(sha256sum <"$IMAGE")" = "$before" ]; then ok "the image is unchanged after a --snapshot run"; else not_ok "the image is unchanged after a --snapshot run"; fi

# The interactive path, as a person uses it: login prompt, root/root, a command, poweroff.
cat >"$tmp/login.exp" <<'EXP'
set timeout 180
spawn {*}$argv
expect {
	"login: " {}
	timeout { puts "\nEXPECT: no login prompt"; exit 2 }
}
send "root\r"
expect "Password: "
send "root\r"
expect {
	"# " {}
	"Login incorrect" { puts "\nEXPECT: login refused"; exit 3 }
	timeout { puts "\nEXPECT: no shell prompt"; exit 3 }
}
send "uname -r\r"
# (bash may put a bracketed-paste escape before the output, on the same line)
expect {
	-re {([0-9]+\.[0-9]+[^\r\n ]*)[\r\n]} { puts "\nEXPECT: guest release $expect_out(1,string)" }
	timeout { puts "\nEXPECT: uname -r did not answer"; exit 5 }
}
send "poweroff\r"
expect {
	eof {}
	timeout { puts "\nEXPECT: poweroff did not end the VM"; exit 4 }
}
catch wait result
exit [lindex $result 3]
EXP
start=$SECONDS rc=0
expect -f "$tmp/login.exp" make -s -C "$KLAB_ROOT" vm VM_ARGS="--log $tmp/login.log" >"$tmp/login.out" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] && grep -q "EXPECT: guest release $release" "$tmp/login.out"; then
	ok "make vm: login root/root, uname -r, poweroff returns to the shell ($((SECONDS - start))s)"
else
	not_ok "make vm: login root/root, uname -r, poweroff returns to the shell (exit $rc)" "$(tr -d '\r' <"$tmp/login.out")"
fi

# gdb reads a kernel variable from the running guest (what make gdb sets up).
rc=0
out=$(timeout 300 "$KLAB_ROOT/vm/debug/gdb.sh" -batch -ex 'hbreak start_kernel' -ex continue \
	-ex 'print init_uts_ns.name.release' </dev/null 2>&1) || rc=$?
if grep -qF "\"$release" <<<"$out"; then ok "gdb reads init_uts_ns.name.release from the guest"; else
	not_ok "gdb reads init_uts_ns.name.release from the guest (exit $rc)" "$out"
fi

# Bad input: one clear line and the setup status.
expect_setup_error() { # DESC PATTERN ARGS...
	local desc=$1 pattern=$2 out rc=0
	shift 2
	out=$(vm "$@" 2>&1) || rc=$?
	if [ "$rc" -eq 125 ] && grep -q -- "$pattern" <<<"$out"; then ok "$desc"; else not_ok "$desc (exit $rc)" "$out"; fi
}
expect_setup_error "a missing kernel is a clear error" "no kernel at /nonexistent" --kernel /nonexistent --exec true
expect_setup_error "a missing image is a clear error" "no disk image at /nonexistent" --image /nonexistent --exec true
expect_setup_error "an unknown option is a clear error" "unknown option '--bogus'" --bogus
tap_done
