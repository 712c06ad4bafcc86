#!/usr/bin/env bash
# oops-decode file:line resolution without a kernel: a relocatable .o
# stands in for a module .ko (functions in .text and .init.text, two static
# functions of the same name), a small linked ELF for vmlinux. Offsets in the
# fabricated oops come from objdump's line table; the decoder must map them
# back to the same source lines. Env: BUILD_DIR. Exit: 0 all passed, 1 not.
set -euo pipefail
# shellcheck source=tests/host/oops-decode-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/oops-decode-lib.sh"

W=$BUILD_DIR/tests/oops-decode-resolve
CTX=

# decode LOG [OPTIONS...]: sets decoded (the output), drc (its exit status) and CTX (both, the
# diagnostic of a failure). Not out/rc: check has locals of those names.
decode() {
	local log=$1
	shift
	drc=0
	decoded=$("$BIN" --vmlinux "$VMLINUX" --modules "$W/mods" "$@" "$log" 2>&1) || drc=$?
	CTX="exit status $drc"$'\n'"$decoded"
}
# Predicates for check: on failure they print CTX, which check then shows.
# has LINE: a whole output line, ignoring addr2line's "(discriminator N)"
# shellcheck disable=SC2317,SC2001  # called through check; sed is clearer
has() {
	sed 's/ (discriminator [0-9]*)$//' <<<"$decoded" | grep -qxF -- "$1" || { echo "$CTX"; return 1; }
}
# shellcheck disable=SC2317  # called through check
holds() { "$@" || { echo "$CTX"; return 1; }; }

build_oops_decode all

rm -rf "$W"
mkdir -p "$W/src/init" "$W/src/drivers/test" "$W/mods/kernel/drivers/test"

# --- fixture sources (line markers are looked up with grep) ---------------
cat >"$W/src/drivers/test/mod1.c" <<'EOF'
struct dev { int irq; int *ptr; };

static inline __attribute__((always_inline)) void poke(struct dev *d, int v)
{
	d->ptr[v] = v; /* MARK:null_store */
}

static __attribute__((noinline)) int helper(int v)
{
	return v * 3 + 1; /* MARK:helper1 */
}

__attribute__((noinline)) void crash_store(struct dev *d, int v)
{
	if (v > 1)
		poke(d, v); /* MARK:poke_call */
}

__attribute__((noinline)) int mod_entry(struct dev *d, int v)
{
	crash_store(d, v); /* MARK:entry_call */
	return helper(v) + 1;
}

__attribute__((section(".init.text"), noinline)) int mod_init(void)
{
	int r = mod_entry((struct dev *)0, 5); /* MARK:init_call */
	return r + 2;
}
EOF
cat >"$W/src/drivers/test/mod2.c" <<'EOF'
static __attribute__((noinline)) int helper(int a, int b)
{
	int r = a;

	for (int i = 0; i < b; i++)
		r = r * 7 + i; /* MARK:helper2 */
	return r;
}

int mod_other(int a)
{
	return helper(a, a) + 2;
}
EOF
cat >"$W/src/init/main.c" <<'EOF'
typedef int (*initcall_t)(void);

__attribute__((noinline)) int do_one_initcall(initcall_t fn)
{
	int ret = fn(); /* MARK:initcall */
	return ret + 1;
}

void start_kernel(void)
{
	do_one_initcall(0);
	for (;;)
		;
}
EOF

KO=$W/mods/kernel/drivers/test/test-oops.ko  # '-' in the file, '_' in logs
VMLINUX=$W/vmlinux
if ! out=$({
	cd "$W/src/drivers/test" &&
		gcc -g -O1 -fno-pie -c mod1.c -o "$W/mod1.o" &&
		gcc -g -O1 -fno-pie -c mod2.c -o "$W/mod2.o" &&
		ld -r "$W/mod1.o" "$W/mod2.o" -o "$KO" &&
		cd "$W/src/init" &&
		gcc -g -O1 -fno-pie -no-pie -nostdlib -static -Wl,-e,start_kernel \
			main.c -o "$VMLINUX"
} 2>&1); then
	not_ok "build resolution fixtures" "$out"
	tap_done
fi
ok "build resolution fixtures (.ko from ld -r, static vmlinux)"

line_of() { grep -n "MARK:$1 " "$2" | cut -d: -f1; }

# First instruction address (hex, no 0x) of FILE:LINE in SECTION of OBJ.
addr_of_line() {
	objdump -d -l --no-show-raw-insn -j "$2" "$1" | awk -v f="$3" -v l="$4" '
		/^\/.*:[0-9]+/ { split($1, a, ":"); cur = (a[1] ~ f "$" && a[2] == l); next }
		cur && /^ *[0-9a-f]+:\t/ { sub(/^ */, ""); sub(/:.*/, ""); print; exit }'
}

# Address (hex) of the instruction after the first call on FILE:LINE.
ret_after_call() {
	objdump -d -l --no-show-raw-insn -j "$2" "$1" | awk -v f="$3" -v l="$4" '
		/^\/.*:[0-9]+/ { split($1, a, ":"); cur = (a[1] ~ f "$" && a[2] == l); next }
		/^ *[0-9a-f]+:\t/ {
			ad = $1; sub(/:$/, "", ad)
			if (want) { print ad; exit }
			if (cur && $0 ~ /\tcall/) want = 1
		}'
}

# "VALUE KSIZE" (decimal) of each code symbol NAME of OBJ, KSIZE being the
# kallsyms size: distance to the next code symbol of the section or to its end.
syminfo() {
	local obj=$1 want=$2 num name _t addr _o size idx v s type ndx n i j best
	local -A secend=()
	local -a vals=() sizes=() ndxs=() names=()
	while read -r num name _t addr _o size _; do
		secend[$num]=$((16#$addr + 16#$size))
	done < <(readelf -SW "$obj" | sed -n 's/^ *\[ *\([1-9][0-9]*\)\] */\1 /p')
	while read -r idx v s type _ _ ndx n _; do
		[[ $idx == *: && ($type == FUNC || $type == NOTYPE) ]] || continue
		[[ $ndx =~ ^[0-9]+$ && -n ${n:-} && $n != \$* && $n != .L* ]] || continue
		vals+=($((16#$v))) sizes+=("$s") ndxs+=("$ndx") names+=("$n")
	done < <(readelf -sW "$obj")
	for i in "${!names[@]}"; do
		[[ ${names[$i]} == "$want" ]] || continue
		local t=$((vals[i] + (sizes[i] > 0 ? sizes[i] : 1)))
		best=${secend[${ndxs[$i]}]}
		for j in "${!names[@]}"; do
			if [[ ${ndxs[$j]} == "${ndxs[$i]}" ]] && ((vals[j] >= t && vals[j] < best)); then
				best=${vals[j]}
			fi
		done
		echo "${vals[i]} $((best - vals[i]))"
	done
}

# "name+0xOFF/0xSIZE" for the instruction at hex ADDR, using the symbol
# NAME (of possibly several) that contains it.
symref() {
	local obj=$1 name=$2 a=$((16#$3)) v s
	while read -r v s; do
		if ((a >= v && a < v + s)); then
			printf '%s+0x%x/0x%x' "$name" $((a - v)) "$s"
			return
		fi
	done < <(syminfo "$obj" "$name")
}

M1=drivers/test/mod1.c
M2=drivers/test/mod2.c
L_NULL=$(line_of null_store "$W/src/$M1")
L_POKE=$(line_of poke_call "$W/src/$M1")
L_ENTRY=$(line_of entry_call "$W/src/$M1")
L_INIT=$(line_of init_call "$W/src/$M1")
L_H1=$(line_of helper1 "$W/src/$M1")
L_H2=$(line_of helper2 "$W/src/$M2")
L_IC=$(line_of initcall "$W/src/init/main.c")

A_NULL=$(addr_of_line "$KO" .text mod1.c "$L_NULL")
A_ENTRY=$(ret_after_call "$KO" .text mod1.c "$L_ENTRY")
A_INIT=$(ret_after_call "$KO" .init.text mod1.c "$L_INIT")
A_IC=$(ret_after_call "$VMLINUX" .text main.c "$L_IC")
A_H1=$(addr_of_line "$KO" .text mod1.c "$L_H1")
A_H2=$(addr_of_line "$KO" .text mod2.c "$L_H2")
if [[ -z $A_NULL || -z $A_ENTRY || -z $A_INIT || -z $A_IC || -z $A_H1 || -z $A_H2 ]]; then
	not_ok "locate fixture instructions" "null=$A_NULL entry=$A_ENTRY init=$A_INIT initcall=$A_IC h1=$A_H1 h2=$A_H2"
	tap_done
fi
R_NULL=$(symref "$KO" crash_store "$A_NULL")
R_ENTRY=$(symref "$KO" mod_entry "$A_ENTRY")
R_INIT=$(symref "$KO" mod_init "$A_INIT")
R_IC=$(symref "$VMLINUX" do_one_initcall "$A_IC")
R_H1=$(symref "$KO" helper "$A_H1")
R_H2=$(symref "$KO" helper "$A_H2")
H1_SIZE=${R_H1##*/}
H2_SIZE=${R_H2##*/}

log() {  # log RIP-SYMREF [EXTRA-FRAME-LINES]
	cat <<EOF
[   10.000000] BUG: kernel NULL pointer dereference, address: 0000000000000014
[   10.000001] #PF: supervisor write access in kernel mode
[   10.000002] Oops: 0002 [#1] PREEMPT SMP
[   10.000003] CPU: 0 PID: 1 Comm: insmod Not tainted 6.1.0 #1
[   10.000004] RIP: 0010:$1
[   10.000005] RSP: 0018:ffffc90000013d48 EFLAGS: 00010246
[   10.000006] Call Trace:
[   10.000007]  <TASK>
[   10.000008]  $R_ENTRY [test_oops]
[   10.000009]  $R_INIT [test_oops]
[   10.000010]  ? $R_ENTRY [test_oops]
[   10.000011]  $R_IC
${2:-}[   10.000013]  </TASK>
[   10.000014] ---[ end trace 0000000000000000 ]---
EOF
}

log "$R_NULL [test_oops]" >"$W/oops.log"
decode "$W/oops.log"
check "complete resolution exits 0" holds test "$drc" -eq 0
check "fault in .text of the .ko resolves to the NULL store ($M1:$L_NULL, in poke)" \
	has "  source:   $M1:$L_NULL (in poke)"
check "inlined fault shows '(inlined by) crash_store at $M1:$L_POKE'" \
	has "            (inlined by) crash_store at $M1:$L_POKE"
v=$(readelf -sW "$KO" | awk '$8 == "crash_store" { print $2 }')
off=${R_NULL#*+}
off=${off%/*}
check "fault address shows readelf's st_value ($v) plus offset" \
	has "  address:  crash_store $v + $off = 0x$A_NULL in .text of $KO"
check "return address looked up at pc-1 ($M1:$L_ENTRY)" \
	has "  $R_ENTRY [test_oops] $M1:$L_ENTRY"
check ".init.text frame resolved section-relative ($M1:$L_INIT)" \
	has "  $R_INIT [test_oops] $M1:$L_INIT"
check "vmlinux frame resolved, tree prefix stripped (init/main.c:$L_IC)" \
	has "  $R_IC init/main.c:$L_IC"
check "'?' frames left out of the decoded trace" \
	holds test "$(grep -cF -- "$R_ENTRY" <<<"$decoded")" -eq 1

log "$R_H2 [test_oops]" >"$W/dup2.log"
decode "$W/dup2.log"
check "/size $H2_SIZE picks the static helper of mod2.c ($M2:$L_H2)" \
	has "  source:   $M2:$L_H2"
log "$R_H1 [test_oops]" >"$W/dup1.log"
decode "$W/dup1.log"
check "/size $H1_SIZE picks the static helper of mod1.c ($M1:$L_H1)" \
	has "  source:   $M1:$L_H1"

log "$R_NULL [test_oops]" "[   10.000012]  absent_fn+0x10/0x20 [absent_mod]
" >"$W/missing.log"
decode "$W/missing.log"
check "missing module: exit status 3 (partial resolution)" holds test "$drc" -eq 3
check "missing module: its frame stays symbol+offset" \
	has "  absent_fn+0x10/0x20 [absent_mod]"
check "missing module: the other frames are still resolved" \
	has "  $R_ENTRY [test_oops] $M1:$L_ENTRY"
check "missing module: exactly one note names it" \
	holds test "$(sed -n '/^Notes:/,$p' <<<"$decoded" | grep -c absent_mod)" -eq 1

# Reports whose header names a return address, not the faulting pc: KASAN (_RET_IP_ of the
# check or the free) and the stack protector (__stack_chk_fail's caller).
for kind in KASAN stack-protector; do
	case $kind in
	KASAN) head="BUG: KASAN: double-free in $R_ENTRY [test_oops]" ;;
	*) head="Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: $R_ENTRY [test_oops]" ;;
	esac
	cat >"$W/retaddr.log" <<EOF
[   10.000000] $head
[   10.000001] CPU: 0 PID: 1 Comm: insmod Not tainted 6.1.0 #1
[   10.000002] Call Trace:
[   10.000003]  <TASK>
[   10.000004]  $R_INIT [test_oops]
[   10.000005]  $R_IC
[   10.000006]  </TASK>
EOF
	decode "$W/retaddr.log"
	check "$kind: the header's location is a return address, looked up at pc-1 ($M1:$L_ENTRY)" \
		has "  source:   $M1:$L_ENTRY"
done

decode "$W/oops.log" --disasm
check "--disasm marks the faulting instruction with -->" \
	holds grep -qE "^--> +$A_NULL:" <<<"$decoded"

tap_done
