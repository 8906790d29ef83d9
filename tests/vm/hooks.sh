#!/usr/bin/env bash
# TRANSFORM_WORLD hooks run inside the stop, around the switch: a refusing
# check_apply is call_failed with nothing switched and the fail hook run;
# otherwise apply runs in the same stop as the switch (interrupts off) and
# the new code sees its transformation at once; undo runs check_reverse
# and reverse the same way. An update with hooks under a per-task model is
# refused when it registers.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
P=/sys/module/kmend_test_update_hooks/parameters
load_engine_and_target
insmod $M/updates/kmend_test_update_hooks.ko

echo 1 >$P/refuse
expect_fails "apply while check_apply refuses" set_stage test-hooks applied
expect_eq "$(cause test-hooks)" call_failed "abort_cause"
expect_eq "$(cat /sys/kernel/kmend/test-hooks/abort_detail)" "the update'"'"'s check_apply hook refused (1); nothing switched" "abort_detail"
expect_eq "$(grep -c "apply attempt" /sys/kernel/debug/kmend/test-hooks)" 1 "no retry after a refusal"
expect_eq "$(cat $P/failed)" 1 "fail_apply ran"
expect_eq "$(cat $P/transformed)" 0 "apply did not run"
expect_eq "$(cat $T/value)" original "nothing switched"

echo 0 >$P/refuse
expect_succeeds "apply" set_stage test-hooks applied
expect_eq "$(cat $P/transformed)" 1 "apply ran"
expect_eq "$(cat $T/value)" patched-transformed "the new code sees the transformed data from its first call"
expect_eq "$(cat $P/stopped)" 1 "every hook ran with interrupts off, inside the stop"

echo 1 >$P/refuse
expect_fails "undo while check_reverse refuses" set_stage test-hooks reversed
expect_eq "$(cause test-hooks)" call_failed "undo: abort_cause"
expect_eq "$(cat $P/failed)" 2 "fail_reverse ran"
expect_eq "$(stage test-hooks)" applied "still applied"
echo 0 >$P/refuse
expect_succeeds "undo" set_stage test-hooks reversed
expect_eq "$(cat $P/transformed)" 0 "reverse ran"
expect_eq "$(cat $T/value)" original "original"
rmmod kmend_test_update_hooks

expect_fails "hooks under a per-task model" insmod $M/updates/kmend_test_update_hooks_thread.ko
expect_match "$(dmesg | tail -n 3)" "update test-hooks-thread: TRANSFORM_WORLD hooks run while the machine is stopped" "the kernel log says why"
rmmod kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
