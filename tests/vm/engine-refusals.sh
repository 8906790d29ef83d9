#!/usr/bin/env bash
# Every refusal names its cause and leaves the kernel as it was: no ftrace
# site, missing function, a name held twice without old_sympos (and
# old_sympos choosing right), a target not loaded when the update requires
# every target, unknown model, duplicate id,
# ftrace held by another IPMODIFY user, ftrace disabled, and an allocation
# failure at each allocation of an apply in turn.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
load_engine_and_target

# check_refused ID CAUSE WHAT: applying fails with CAUSE and changes nothing.
check_refused() {
	traced_before=$(traced)
	expect_fails "$3: apply refused" set_stage $1 applied
	expect_eq "$(cause $1)" $2 "$3: abort_cause"
	expect_eq "$(stage $1)" preparing "$3: stage unchanged"
	expect_eq "$(traced)" "$traced_before" "$3: ftrace ops as before"
	expect_eq "$(cat $T/value)" original "$3: target untouched"
}

insmod $M/updates/kmend_test_update_notrace.ko
check_refused test-notrace no_ftrace_site "a function without an ftrace site"
expect_match "$(cat /sys/kernel/debug/kmend/test-notrace)" "kmend_test_notrace has no ftrace call site" "the log says why"
rmmod kmend_test_update_notrace

insmod $M/updates/kmend_test_update_missing.ko
check_refused test-missing failed_to_find "a function vmlinux lacks"
expect_match "$(cat /sys/kernel/debug/kmend/test-missing)" "vmlinux: no symbol kmend_no_such_function" "the log names the symbol"
rmmod kmend_test_update_missing

insmod $M/updates/kmend_test_update_absent.ko
check_refused test-absent target_not_loaded "a target module not loaded, every target required"
expect_match "$(cat /sys/kernel/debug/kmend/test-absent)" "target module kmend_no_such_module is not loaded, and the update requires every target" "the log names the module"
rmmod kmend_test_update_absent

expect_fails "two packs for one target object" insmod $M/updates/kmend_test_update_dup_pack.ko
expect_match "$(dmesg | tail -n 3)" "update test-dup-pack: two packs for vmlinux" "the kernel log says why"

# Two static functions named kmend_test_dup in the target module.
expect_eq "$(grep -c " kmend_test_dup\b" /proc/kallsyms)" 2 "the target has kmend_test_dup twice"
insmod $M/updates/kmend_test_update_dup_ambiguous.ko
check_refused test-dup-ambiguous failed_to_find "a name held twice without old_sympos"
expect_match "$(cat /sys/kernel/debug/kmend/test-dup-ambiguous)" "kmend_test_target: 2 symbols are named kmend_test_dup; the update must say which" "the log names the ambiguous symbol"
expect_eq "$(cat $T/dup)" "dup1 dup2" "both originals run"
rmmod kmend_test_update_dup_ambiguous
insmod $M/updates/kmend_test_update_dup.ko
expect_succeeds "old_sympos 2 picks the second" set_stage test-dup applied
expect_eq "$(cat $T/dup)" "dup1 patched2" "only the second kmend_test_dup is replaced"
expect_succeeds "undo" set_stage test-dup reversed
expect_eq "$(cat $T/dup)" "dup1 dup2" "both originals again"
rmmod kmend_test_update_dup

expect_fails "an update asking for a model the engine lacks does not load" insmod $M/updates/kmend_test_update_model.ko
expect_match "$(dmesg | tail -n 5)" "update test-model: consistency model leave=function,switch=thread is not implemented" "the kernel log says why"
expect_eq "$(ls /sys/kernel/kmend)" "" "nothing registered"

expect_fails "an update whose id is not ASCII does not load" insmod $M/updates/kmend_test_update_badid.ko
expect_match "$(dmesg | tail -n 5)" "must be 1-64 characters of \[A-Za-z0-9_-\]" "the kernel log says why"
expect_eq "$(ls /sys/kernel/kmend)" "" "nothing registered"

# Registration failing at each of its allocations.
base=$(engine_allocations)
for n in 1 2; do
	echo $n >/sys/kernel/debug/kmend/fail_alloc
	expect_fails "registration with allocation $n failing" insmod $M/updates/kmend_test_update_value.ko
	expect_eq "$(ls /sys/kernel/kmend)" "" "allocation $n failing: nothing registered"
	expect_eq "$(engine_allocations)" "$base" "allocation $n failing: nothing leaked"
done
echo 0 >/sys/kernel/debug/kmend/fail_alloc

insmod $M/updates/kmend_test_update_value.ko
expect_fails "a second update with the same id does not load" insmod $M/updates/kmend_test_update_dupid.ko
expect_match "$(dmesg | tail -n 5)" "an update with id test-value is already loaded" "the kernel log says why"

# Another IPMODIFY ftrace user holds the function.
insmod $M/target/kmend_test_ipmodify.ko
check_refused test-value ftrace_unavailable "ftrace held by another IPMODIFY user"
expect_match "$(cat /sys/kernel/debug/kmend/test-value)" "ftrace refused to redirect kmend_test_value: error -16" "the log gives ftrace'"'"'s error"
rmmod kmend_test_ipmodify

# ftrace disabled.
echo 0 >/proc/sys/kernel/ftrace_enabled
check_refused test-value ftrace_unavailable "ftrace disabled"
expect_match "$(cat /sys/kernel/debug/kmend/test-value)" "ftrace is disabled" "the log says ftrace is disabled"
echo 1 >/proc/sys/kernel/ftrace_enabled

# Fail each allocation of an apply in turn, until one apply needs no more.
base=$(engine_allocations)
n=1
while [ $n -lt 50 ]; do
	echo $n >/sys/kernel/debug/kmend/fail_alloc
	if set_stage test-value applied 2>/dev/null; then
		break
	fi
	expect_eq "$(cause test-value)" out_of_memory "allocation $n failing: abort_cause"
	expect_eq "$(traced)" "" "allocation $n failing: no ftrace ops left"
	expect_eq "$(cat $T/value)" original "allocation $n failing: target untouched"
	expect_eq "$(engine_allocations)" "$base" "allocation $n failing: nothing leaked"
	n=$((n + 1))
done
echo 0 >/sys/kernel/debug/kmend/fail_alloc
expect_match "$n" "^([2-9]|[1-4][0-9])$" "at least one allocation failed before an apply succeeded ($((n - 1)) did)"
expect_eq "$(stage test-value)" applied "the apply with no failure"
expect_eq "$(cat $T/value)" patched "patched"
expect_succeeds "the target module unloads while patched" rmmod kmend_test_target
expect_eq "$(traced)" "" "its functions are no longer redirected"
expect_eq "$(stage test-value)" applied "the update stays applied"
insmod /kmend-test/modules/target/kmend_test_target.ko
expect_eq "$(cat $T/value)" patched "loaded again: patched before its init"
expect_succeeds "undo" set_stage test-value reversed
expect_eq "$(cat $T/value)" original "original again"
rmmod kmend_test_update_value
rmmod kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
