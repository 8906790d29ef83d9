#!/usr/bin/env bash
# Assembly (examples/asm-msr-safe-regs.patch, arch/x86/lib/msr-reg.S): kmend
# create cuts the .S unit into a section per function and carries both
# changed functions, rdmsr_safe_regs and wrmsr_safe_regs, with their
# exception-table, return-thunk and ORC entries, marked entry_jump. In the VM
# (tests/vm/modules/target/kmend_test_msr.ko calls them):
# - before: a write that raises #GP returns -EIO and hands the input back;
# - applied: via=entry_jump; the fault is taken in the new code and fixed up
#   by its carried exception-table entry (no oops), eax and edx cleared;
#   a read still reads; a kprobe on the new rdmsr_safe_regs fires;
# - undone: the old behaviour again.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
mkdir -p "$tmp/u"
patch=$top/examples/asm-msr-safe-regs.patch
"$build/bin/kmend" create -v --source "$SOURCE" -o "$tmp/u/msr.ko" "$patch" >"$tmp/create.out" 2>&1
status=$?
cat "$tmp/create.out"
expect_status 0 "$status" "kmend create examples/asm-msr-safe-regs.patch"
expect_in "$tmp/create.out" "CUT     arch/x86/lib/msr-reg.S \(assembly: a section per function\)" \
	"the assembly unit is cut into a section per function"
for f in rdmsr_safe_regs wrmsr_safe_regs; do
	expect_in "$tmp/create.out" "changed   function $f \(size 78 -> 82; no ftrace call site: a jump at its entry takes its calls" \
		"$f: changed, reached by an entry jump"
done
expect_in "$tmp/create.out" "update:   2 functions replaced" "both are carried"
readelf -SW "$tmp/u/msr.ko" >"$tmp/sections"
for s in __ex_table .return_sites .orc_unwind_ip; do
	expect_in "$tmp/sections" " $s " "the update carries $s"
done
# one entry per function, each two references: the faulting rdmsr or
# wrmsr, and its fixup
expect_eq "$(readelf -rW "$tmp/u/msr.ko" | awk '/^Relocation section .\.rela__ex_table/ { n = $(NF - 1) } END { print n }')" 4 \
	"__ex_table: one entry per function"

run_guest "$tmp/out" --file "$tmp/u:/u" -- '
M=/kmend-test/modules
D=/sys/kernel/kmend/asm-msr-safe-regs
C=/sys/module/kmend_test_msr/parameters/calls
load_engine_and_target
insmod $M/target/kmend_test_msr.ko
old="rdmsr 0 read; wrmsr -5 11111111 22222222"
new="rdmsr 0 read; wrmsr -5 00000000 00000000"
expect_eq "$(cat $C)" "$old" "before: -EIO, the input handed back"
expect_succeeds "kmend apply" kmend apply -q /u/msr.ko
expect_eq "$(stage asm-msr-safe-regs)" applied "applied"
expect_match "$(cat $D/functions)" "^vmlinux rdmsr_safe_regs -> rdmsr_safe_regs .kmend_asm_msr_safe_regs. via=entry_jump$" "rdmsr_safe_regs: via=entry_jump"
expect_match "$(cat $D/functions)" "wrmsr_safe_regs -> wrmsr_safe_regs .kmend_asm_msr_safe_regs. via=entry_jump" "wrmsr_safe_regs: via=entry_jump"
expect_eq "$(cat $C)" "$new" "applied: the fault fixed up in the new code, eax and edx cleared"
new_addr=0x$(awk '"'"'$3 == "rdmsr_safe_regs" && $4 == "[kmend_asm_msr_safe_regs]" { print $1 }'"'"' /proc/kallsyms)
expect_match "$new_addr" "^0x[0-9a-f]{16}$" "the new code is in the update module"
K=/sys/module/kmend_test_kprobe/parameters
expect_succeeds "a kprobe on the new code" insmod $M/target/kmend_test_kprobe.ko addr=$new_addr
cat $C >/dev/null
expect_match "$(cat $K/hits)" "^[1-9]" "it fires: calls run the new code"
rmmod kmend_test_kprobe
expect_succeeds "kmend undo" kmend undo -q asm-msr-safe-regs
expect_eq "$(cat $C)" "$old" "undone: the old code again"
rmmod kmend_test_msr
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
