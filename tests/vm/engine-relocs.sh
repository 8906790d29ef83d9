#!/usr/bin/env bash
# kmend relocations: an update reaches a static function of its target
# through references the engine writes before the switch (R_X86_64_64 and
# PC32, into writable and read-only data); a reference to a symbol the target
# lacks is failed_to_find with nothing changed; one the kernel reads while the
# update loads (jump-label keys) that cannot be found refuses the module.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
load_engine_and_target
expect_eq "$(grep -c " kmend_test_secret" /proc/kallsyms)" 1 "the static function is in kallsyms"

insmod $M/updates/kmend_test_update_reloc.ko
echo 1 >/sys/kernel/kmend/test-reloc/debug
expect_succeeds "apply an update with kmend relocations" set_stage test-reloc applied
expect_eq "$(cat $T/value)" secret "the new code called the static function through all three references"
log=$(cat /sys/kernel/debug/kmend/test-reloc)
echo "$log"
expect_match "$log" "wrote 3 references to target symbols" "the log counts the references"
expect_match "$log" "wrote kmend_test_secret \(kmend_test_secret\+0x0/.*\) at ro_slot" "debug shows the read-only place"
expect_succeeds "undo" set_stage test-reloc reversed
expect_eq "$(cat $T/value)" original "original again"
rmmod kmend_test_update_reloc

insmod $M/updates/kmend_test_update_reloc_missing.ko
expect_fails "a reference to a missing symbol" set_stage test-reloc-missing applied
expect_eq "$(cause test-reloc-missing)" failed_to_find "abort_cause"
expect_match "$(cat /sys/kernel/debug/kmend/test-reloc-missing)" "kmend_test_target: no symbol kmend_test_no_such" "the log names the symbol"
expect_eq "$(cat $T/value)" original "nothing redirected"
expect_eq "$(traced)" "" "no ftrace ops"
rmmod kmend_test_update_reloc_missing

# A reference the kernel reads while loading (a jump-label key) that the
# engine cannot resolve: the module is refused before its init runs.
expect_fails "a load-time reference to a missing symbol refuses the module" \
	insmod $M/updates/kmend_test_update_load_missing.ko
expect_match "$(dmesg | tail -n 4)" "kmend_test_update_load_missing: there is no kmend_test_no_such_key in vmlinux" \
	"the kernel log names the symbol"
expect_fails "the update never registered" test -e /sys/kernel/kmend/test-load-missing
expect_no_match "$(cat /proc/modules)" kmend_test_update_load_missing "the module is not loaded"
rmmod kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
