#!/usr/bin/env bash
# Boot the lab's kernel and disk image in QEMU, headless, console on ttyS0.
#
# Usage: run-vm.sh [options] [-- extra qemu args]
#   (no option)       boot to the login prompt (root/root); Ctrl-A X quits
#   --exec CMD        boot, run CMD as root in the guest (no systemd), stream its output,
#                     power off, exit with CMD's exit status; implies --snapshot
#   --snapshot        discard every write to the image
#   --persist         with --exec: keep the writes
#   --share DIR       share host DIR read-write with the guest (9p), at /mnt/host
#   --gdb             start QEMU's gdbstub on a free localhost port and print how to attach;
#                     the port goes to GDB_PORT_FILE (paths.sh), where make gdb finds it
#   --timeline        at the end, print where the seconds went (stderr): QEMU start, kernel start,
#                     init, command start and end (with --exec), QEMU exit
#   --timeout SEC     kill the VM after SEC seconds and exit 124
#   --log FILE        write the full serial log to FILE
#   --append ARGS     extra kernel command-line arguments
#   --mem MB          guest memory (default 1024)   --smp N   CPUs (default 1)
#   --kernel FILE     kernel to boot (default: the one KERNEL= selects)
#   --boot pvh|bzimage  how QEMU starts it. pvh (the default when the kernel has CONFIG_PVH):
#                     its uncompressed ELF, extracted once from the bzImage and kept in
#                     BUILD_DIR/cache/pvh/, is entered directly, no decompression in the guest
#                     (under TCG that decompression took 1-10 s); bzimage: the classic way
#   --machine TYPE[,OPTS]  QEMU's machine (default pc; for comparisons, e.g. q35)
#   --initrd FILE     initramfs (default: the one KERNEL= selects, if any)
#   --image FILE      root disk image (default: BUILD_DIR/images/SUITE-KERNEL.ext4)
#   -h, --help        this text
# Environment: BUILD_DIR, KERNEL (lab|debian), SUITE, ACCEL (kvm|tcg), NET (restricted|user|none).
#
# Exit status: with --exec, CMD's own status; otherwise QEMU's. Reserved:
#   120  the guest kernel crashed (panic, or an oops that killed the run)
#   121  the guest stopped without reporting CMD's status (e.g. CMD powered it off)
#   124  timeout (--timeout): the VM was killed
#   125  setup error (bad option, missing kernel or image, QEMU failed to start)
set -euo pipefail
t_start=$EPOCHREALTIME
# shellcheck source=tools/lib/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/tools/lib/paths.sh" || exit 125
# shellcheck source=tools/lib/common.sh
. "$KLAB_ROOT/tools/lib/common.sh"

EXIT_CRASH=120 EXIT_NOSTATUS=121 EXIT_TIMEOUT=124 EXIT_SETUP=125

fail() {
	echo "run-vm.sh: $*" >&2
	exit "$EXIT_SETUP"
}

exec_cmd='' has_exec=false timeline=false boot=auto machine=pc snapshot=false persist=false share='' gdb=false timeout=0 log='' append=''
mem=1024 smp=1 kernel=$KIMAGE initrd=$INITRD image=$IMAGE extra=()
while [ $# -gt 0 ]; do
	need_arg() { [ $# -ge 2 ] || fail "option $1 needs a value (see --help)"; }
	case $1 in
	--exec) need_arg "$@"; exec_cmd=$2 has_exec=true; shift ;;
	--snapshot) snapshot=true ;;
	--persist) persist=true ;;
	--share) need_arg "$@"; share=$2; shift ;;
	--gdb) gdb=true ;;
	--timeline) timeline=true ;;
	--boot) need_arg "$@"; boot=$2; shift ;;
	--machine) need_arg "$@"; machine=$2; shift ;;
	--timeout) need_arg "$@"; timeout=$2; shift ;;
	--log) need_arg "$@"; log=$2; shift ;;
	--append) need_arg "$@"; append=$2; shift ;;
	--mem) need_arg "$@"; mem=$2; shift ;;
	--smp) need_arg "$@"; smp=$2; shift ;;
	--kernel) need_arg "$@"; kernel=$2; shift ;;
	--initrd) need_arg "$@"; initrd=$2; shift ;;
	--image) need_arg "$@"; image=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; extra=("$@"); break ;;
	*) fail "unknown option '$1' (see --help)" ;;
	esac
	shift
done

case $boot in auto | pvh | bzimage) ;; *) fail "--boot takes pvh or bzimage, not '$boot'" ;; esac
[[ $timeout =~ ^[0-9]+$ ]] || fail "--timeout takes whole seconds, not '$timeout'"
[[ $mem =~ ^[0-9]+$ && $smp =~ ^[0-9]+$ ]] || fail "--mem and --smp take numbers"
[ -f "$kernel" ] || fail "no kernel at $kernel: run 'make kernel${KERNEL:+ KERNEL=$KERNEL}' (or pass --kernel)"
[ -z "$initrd" ] || [ -f "$initrd" ] || fail "no initramfs at $initrd: run 'make kernel KERNEL=$KERNEL'"
[ -f "$image" ] || fail "no disk image at $image: run 'make image' (or pass --image)"
[ -z "$share" ] || [ -d "$share" ] || fail "--share $share is not a folder"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not found: run 'make deps'"
if $has_exec && ! $persist; then snapshot=true; fi

accel_line=$("$KLAB_ROOT/tools/host/accel.sh") || fail "ACCEL=${ACCEL:-} is not valid; use kvm or tcg"
accel=${accel_line%% *}
echo "run-vm.sh: accelerator: $accel_line" >&2

# The VM's private folder (command, status port, default log). A run killed with SIGKILL cannot
# remove it: private_dir removes the folders whose owner is gone (and kills their QEMU).
work=$(private_dir kernel-lab-vm) || fail "cannot create a folder in ${TMPDIR:-/tmp}"
qemu_pid='' limit_pid=''
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$limit_pid" ] || kill "$limit_pid" 2>/dev/null || true
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null || true
		sleep 0.2
		kill -9 "$qemu_pid" 2>/dev/null || true
	fi
	[ -z "${port_file:-}" ] || rm -f "$port_file"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP # the terminal went away: the VM goes with it

[ -n "$log" ] || log=$work/serial.log
: >"$log" || fail "cannot write the log file $log"

# has_pvh_entry ELF: the kernel can be entered directly by QEMU: it has a PVH entry point
# (the Xen note PHYS32_ENTRY, CONFIG_PVH).
has_pvh_entry() {
	readelf --notes "$1" 2>/dev/null | grep -qE '^ *Xen .*(0x00000012|PHYS32_ENTRY)'
}

# pvh_kernel KERNEL: print an ELF of KERNEL with a PVH entry point, or fail. An ELF is taken
# as it is; a bzImage's payload is decompressed once into BUILD_DIR/cache/pvh/.
pvh_kernel() {
	local k=$1 dir=$BUILD_DIR/cache/pvh key elf setup off len start magic dec
	command -v readelf >/dev/null || return 1
	if [ "$(od -An -tx1 -N4 "$k" | tr -d ' ')" = 7f454c46 ]; then
		has_pvh_entry "$k" && echo "$k"
		return
	fi
	# keyed by the file's identity (path, size, mtime): hashing its content took longer
	key=$(stat -Lc '%n %s %Y' -- "$(realpath "$k")" | sha256sum | cut -c1-16)
	elf=$dir/$key.elf
	if [ -f "$elf" ]; then
		touch "$elf" # most recently used
		echo "$elf"
		return
	fi
	[ ! -e "$dir/$key.none" ] || return 1
	mkdir -p "$dir" || return 1
	# The boot protocol's header: setup_sects at 0x1f1, payload_offset and _length at 0x248.
	read -r setup < <(od -An -tu1 -j $((0x1f1)) -N1 "$k")
	read -r off len < <(od -An -tu4 -j $((0x248)) -N8 "$k")
	start=$(((${setup:-0} == 0 ? 4 : setup) * 512 + 512 + ${off:-0}))
	magic=$(od -An -tx1 -j "$start" -N4 "$k" | tr -d ' ')
	# (all but gzip carry the uncompressed size in 4 more bytes: the decompressors need it cut)
	case $magic in
	1f8b*) dec=(gzip -dc) ;;
	fd377a58) dec=(xz -dc --single-stream) len=$((len - 4)) ;;
	28b52ffd) dec=(zstd -dcq) len=$((len - 4)) ;;
	02214c18) dec=(lz4 -dc) len=$((len - 4)) ;;
	*) dec=() ;;
	esac
	if [ ${#dec[@]} -gt 0 ] && command -v "${dec[0]}" >/dev/null; then
		# (its status is not the test: tail dies of SIGPIPE, gzip may warn; the ELF note is)
		tail -c +$((start + 1)) "$k" | head -c "$len" | "${dec[@]}" >"$elf.tmp.$$" 2>/dev/null || true
	fi
	if [ -s "$elf.tmp.$$" ] && has_pvh_entry "$elf.tmp.$$"; then
		mv -f "$elf.tmp.$$" "$elf"
		# keep the four most recently used
		find "$dir" -name '*.elf' -printf '%T@ %p\n' | sort -rn | tail -n +5 | cut -d' ' -f2- | xargs -r rm -f
		echo "$elf"
	else
		rm -f "$elf.tmp.$$"
		: >"$dir/$key.none" # no PVH entry (or no decompressor): do not try again
		return 1
	fi
}

boot_kernel=$kernel
if [ "$boot" != bzimage ]; then
	if boot_kernel=$(pvh_kernel "$kernel"); then
		boot=pvh
	elif [ "$boot" = pvh ]; then
		fail "--boot pvh: $kernel has no PVH entry point (CONFIG_PVH), or it could not be extracted"
	else
		boot_kernel=$kernel boot=bzimage
	fi
fi

# no_timer_check: under TCG on a loaded host the IO-APIC timer check fails now and then and
# panics the boot ("IO-APIC + timer doesn't work!")
cmdline="root=/dev/vda rw console=ttyS0 nokaslr panic=-1 no_timer_check"
# What the kernel would set up at each boot for nothing (built in: skipped by name; a kernel
# that has them as modules never loads them here): the PS/2 controller, keyboard and mouse
# (the console is serial; the mouse probe holds up the root mount), the IDE controller of the
# pc machine (the disk is virtio), 8 loop devices made in advance (losetup still makes them on
# demand), the jitter-entropy RNG's self-test, the wireless regulatory database with its
# certificates, serial ports beyond ttyS0 and ttyS1.
cmdline+=" initcall_blacklist=i8042_init,piix_init,jent_mod_init,regulatory_init_db max_loop=0 8250.nr_uarts=2"
# Only the devices the lab uses (-nodefaults: no CD-ROM, floppy, parallel port, VGA, default
# NIC or monitor), and the NIC without its boot ROM (nothing boots from the network).
qemu=(qemu-system-x86_64 -name kernel-lab -nodefaults -no-user-config -machine "$machine"
	-m "$mem" -smp "$smp" -no-reboot -kernel "$boot_kernel" -display none
	-drive "file=$image,format=raw,if=none,id=disk,cache=unsafe,snapshot=$([ "$snapshot" = true ] && echo on || echo off)"
	-device 'virtio-blk-pci,drive=disk')
[ -z "$initrd" ] || qemu+=(-initrd "$initrd")
case $accel in
kvm) qemu+=(-accel kvm -cpu host) ;;
# No 5-level paging under TCG (max has LA57, few real CPUs do): the 4-level layout of a
# typical machine (direct map at ffff888...), and no KASAN wild-memory-access at boot
# (an IRQ inside identify_cpu(), which clears LA57 from boot_cpu_data for a moment).
tcg) qemu+=(-accel tcg -cpu 'max,la57=off') ;;
esac
case ${NET:-restricted} in
restricted) qemu+=(-netdev 'user,id=net,restrict=on' -device 'virtio-net-pci,netdev=net,romfile=') ;;
user) qemu+=(-netdev 'user,id=net' -device 'virtio-net-pci,netdev=net,romfile=') ;;
none) ;;
*) fail "NET=$NET is not valid; use restricted, user or none" ;;
esac
[ -z "$share" ] || qemu+=(-virtfs "local,path=$share,mount_tag=hostshare,security_model=none,id=hostshare")

if $gdb; then
	port=1234
	while (: </dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
	qemu+=(-gdb "tcp:127.0.0.1:$port")
	vmlinux=$VMLINUX
	echo "run-vm.sh: gdbstub on 127.0.0.1:$port; attach with:" >&2
	echo "    gdb -ex 'add-auto-load-safe-path $KOUT' -ex 'file $vmlinux' -ex 'target remote 127.0.0.1:$port'" >&2
	if [ -n "${GDB_PORT_FILE:-}" ]; then
		# for make gdb (vm/debug/gdb.sh) to attach to; removed when the VM ends
		mkdir -p "$(dirname "$GDB_PORT_FILE")"
		echo "$port" >"$GDB_PORT_FILE"
		port_file=$GDB_PORT_FILE
	fi
fi

# A persistent run writes to the image: refuse a second writer (make inject takes this lock too).
if ! $snapshot; then
	exec 9>"$image.lock"
	flock -n 9 || fail "$image is in use by another VM or by make inject"
fi

if $has_exec; then
	# The command travels by fw_cfg; its status comes back as one line on ttyS1, the
	# dedicated status port. The guest's PID 1 is lab-init, not systemd: boots in seconds.
	printf '%s' "$exec_cmd" >"$work/cmd"
	: >"$work/status"
	qemu+=(-fw_cfg "name=opt/kernel-lab/cmd,file=$work/cmd"
		-chardev "stdio,id=con,signal=on,logfile=$log"
		-serial chardev:con
		-chardev "file,id=status,path=$work/status"
		-serial chardev:status -monitor none)
	cmdline+=" init=/usr/local/sbin/lab-init quiet"
else
	qemu+=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$log" -serial chardev:con -mon chardev=con)
fi
# --append last: the caller's arguments win over ours (e.g. another init=)
qemu+=(-append "$cmdline${append:+ $append}" "${extra[@]}")

# QEMU (and the timeout's sleep) get SIGKILL when this script dies, whatever kills it: with
# SIGKILL no trap runs, and QEMU would go on under PID 1.
die_with_us=()
if setpriv --pdeathsig KILL true 2>/dev/null; then
	die_with_us=(setpriv --pdeathsig KILL --)
else
	echo "run-vm.sh: warning: no 'setpriv --pdeathsig' (util-linux): QEMU would outlive a SIGKILL of this script" >&2
fi
qemu+=(-pidfile "$work/qemu.pid")

start=$SECONDS t_launch=$EPOCHREALTIME
if $has_exec; then
	"${die_with_us[@]}" "${qemu[@]}" </dev/null &
else
	"${die_with_us[@]}" "${qemu[@]}" <&0 &
fi
qemu_pid=$!

timed_out=false rc=0
if [ "$timeout" -gt 0 ]; then
	"${die_with_us[@]}" sleep "$timeout" </dev/null >/dev/null 2>&1 &
	limit_pid=$!
	finished=''
	wait -n -p finished "$qemu_pid" "$limit_pid" || rc=$?
	if [ "$finished" = "$limit_pid" ]; then
		timed_out=true
		kill "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
	else
		kill "$limit_pid" 2>/dev/null || true
	fi
	limit_pid=
else
	wait "$qemu_pid" || rc=$?
fi
qemu_pid='' t_exit=$EPOCHREALTIME

# print_timeline: the host's timestamps, and the guest's (its uptime at each "KLAB-T EVENT
# UPTIME" line of the status port), placed on the host's clock by the last one, "poweroff":
# the guest's reboot is QEMU's exit, give or take some milliseconds. The guest's clock (uptime
# 0) starts in the kernel's early setup, after the firmware and the kernel's decompression.
print_timeline() {
	echo "run-vm.sh: timeline (seconds since run-vm.sh started; guest events by the guest's clock)"
	{
		echo "host start 0"
		echo "host launch $t_launch"
		[ ! -f "$work/status" ] || tr -d '\r' <"$work/status" | grep -a '^KLAB-T ' | cut -d' ' -f2-
		echo "host exit $t_exit"
	} | awk -v t0="$t_start" '
		$1 == "host" { t[$2] = ($2 == "start") ? 0 : $3 - t0; next }
		{ up[$1] = $2 }
		END {
			n = split("launch:QEMU started:setup (paths, accelerator, options)|" \
				"kernel:kernel clock started:firmware, kernel load (decompression), early setup|" \
				"init:init started:kernel boot (initramfs included)|" \
				"cmd-start:command started:init (mounts, fw_cfg, 9p)|" \
				"cmd-end:command ended:the command|" \
				"exit:QEMU exited:power-off", ev, "|")
			if ("poweroff" in up) {
				zero = t["exit"] - up["poweroff"]
				t["kernel"] = zero
				for (e in up) if (e != "poweroff") t[e] = zero + up[e]
			}
			printf "  %7.2f  %-34s\n", 0, "run-vm.sh started"
			prev = 0
			for (i = 1; i <= n; i++) {
				split(ev[i], f, ":")
				if (!(f[1] in t)) continue
				if (f[1] == "exit" && !("poweroff" in up)) f[3] = "the whole boot and run"
				printf "  %7.2f  %-34s +%5.2f  %s\n", t[f[1]], f[2], t[f[1]] - prev, f[3]
				prev = t[f[1]]
			}
			if (!("poweroff" in up)) print "  (no guest events: they need --exec, and a guest that reached its power-off)"
		}' >&2
}
! $timeline || print_timeline

if $timed_out; then
	echo "run-vm.sh: timeout: the VM was killed after ${timeout}s (log: $log)" >&2
	exit "$EXIT_TIMEOUT"
fi
# The kernel's crash reports other than warnings (a WARNING alone does not stop a command).
serious_reports() { crash_reports "$log" | grep -av '^warning' || true; }
if $has_exec; then
	status=$(grep -a '^KLAB-EXIT ' "$work/status" | tail -n 1 | cut -d' ' -f2 | tr -dc 0-9 || true)
	if [ -n "$status" ]; then
		exit "$status"
	fi
	reports=$(serious_reports)
	if [ -n "$reports" ]; then
		echo "run-vm.sh: the guest kernel crashed after $((SECONDS - start))s (log: $log):" >&2
		head -n 3 <<<"$reports" >&2
		exit "$EXIT_CRASH"
	fi
	if [ "$rc" -ne 0 ]; then
		echo "run-vm.sh: QEMU failed (exit $rc); see the messages above" >&2
		exit "$EXIT_SETUP"
	fi
	echo "run-vm.sh: the guest stopped without reporting the command's status (log: $log)" >&2
	exit "$EXIT_NOSTATUS"
fi
if serious_reports | grep -aq '^panic'; then
	echo "run-vm.sh: the guest kernel panicked (log: $log)" >&2
	exit "$EXIT_CRASH"
fi
exit "$rc"
