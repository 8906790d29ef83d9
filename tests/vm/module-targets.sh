#!/usr/bin/env bash
# Packs for modules follow their module. An update for vmlinux and
# kmend_test_target, applied while the module is not loaded: vmlinux is
# patched at once; the module, loaded later, runs the new code from its
# first call (patched before its init); unloading it unpatches its pack
# alone (vmlinux stays patched, the update applied); loading it again
# patches it again; undo reverts both. With the module loaded, both switch
# in one stop. A module whose pack cannot be patched is refused its load.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
L=/sys/kernel/debug/kmend/test-late
insmod /lib/kmend/kmend.ko
version=$(cat /proc/version)

expect_succeeds "apply with the target module not loaded" kmend apply -q $M/updates/kmend_test_update_late.ko
expect_eq "$(cat /proc/version)" "kmend test-late" "vmlinux is patched"
expect_match "$(cat $L)" "target module kmend_test_target is not loaded: its functions switch when it loads" "the log says the module waits"
expect_eq "$(redirected)" "version_proc_show" "only vmlinux is redirected"
expect_eq "$(cat /sys/kernel/kmend/test-late/targets)" "vmlinux patched
kmend_test_target waiting" "targets: vmlinux patched, the module waiting"
expect_match "$(kmend show test-late)" "kmend_test_target +waiting" "kmend show says it waits"

insmod $M/target/kmend_test_target.ko
expect_eq "$(cat $T/value)" patched-late "a module loaded after apply runs the new code"
expect_match "$(cat $L)" "module kmend_test_target: patched before its init" "the log says so"
expect_eq "$(redirected | tr "\n" " ")" "kmend_test_value version_proc_show " "both redirected"
expect_eq "$(cat /sys/kernel/kmend/test-late/targets)" "vmlinux patched
kmend_test_target patched" "targets: both patched"

expect_succeeds "the target module unloads while the update is applied" rmmod kmend_test_target
expect_eq "$(cat /proc/version)" "kmend test-late" "vmlinux stays patched"
expect_eq "$(cat /sys/kernel/kmend/test-late/stage)" applied "the update stays applied"
expect_eq "$(redirected)" "version_proc_show" "the module'"'"'s pack alone is unpatched"
expect_match "$(cat $L)" "module kmend_test_target is unloading: unpatched it" "the log says so"

insmod $M/target/kmend_test_target.ko
expect_eq "$(cat $T/value)" patched-late "loaded again: patched again"
expect_succeeds "undo" kmend undo -q test-late
expect_eq "$(cat /proc/version)" "$version" "vmlinux reverted"
expect_eq "$(cat $T/value)" original "the module reverted"
expect_eq "$(traced)" "" "nothing redirected"

# With the module loaded: one stop switches vmlinux and the module together.
expect_succeeds "apply with the module loaded" kmend apply -q $M/updates/kmend_test_update_late.ko
expect_eq "$(grep -c "apply attempt" $L)" 1 "one stop"
expect_match "$(cat $L)" "apply attempt 1: .*: switched" "it switched everything"
expect_eq "$(cat $T/value) / $(cat /proc/version)" "patched-late / kmend test-late" "both patched"
kmend undo -q test-late
rmmod kmend_test_target

# A pack that cannot be patched refuses its module.
expect_succeeds "apply an update whose module function does not exist, module absent" kmend apply -q $M/updates/kmend_test_update_late_missing.ko
expect_fails "the module cannot load" insmod $M/target/kmend_test_target.ko
expect_match "$(dmesg | tail -n 5)" "update test-late-missing cannot patch module kmend_test_target \(failed_to_find\); refusing to load it" "the kernel log says why"
expect_eq "$(grep -c ^kmend_test_target /proc/modules)" 0 "it is not loaded"
expect_eq "$(traced)" "" "nothing redirected"
kmend undo -q test-late-missing
expect_succeeds "it loads once the update is gone" insmod $M/target/kmend_test_target.ko
rmmod kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
