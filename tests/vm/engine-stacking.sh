#!/usr/bin/env bash
# Stacked updates: a second update of the same function takes over; undo must
# follow stacking order (out of order: module_busy, nothing changed); updates
# of other functions undo in any order.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" -- '
S=/kmend-test/samples
insmod /lib/kmend/kmend.ko
orig=$(cat /proc/cmdline)
one="this kernel'"'"'s cmdline_proc_show was live patched by kmend (sample-cmdline)"
two="this kernel'"'"'s cmdline_proc_show was live patched twice by kmend (sample-stack)"
insmod $S/kmend-sample-cmdline.ko
insmod $S/kmend-sample-stack.ko
insmod $S/kmend-sample-two.ko
expect_succeeds "apply sample-cmdline" set_stage sample-cmdline applied
expect_succeeds "apply sample-two" set_stage sample-two applied
expect_succeeds "apply sample-stack on top" set_stage sample-stack applied
expect_eq "$(cat /proc/cmdline)" "$two" "the top of the stack runs"
settled sample-stack
expect_match "$(cat /sys/kernel/kmend/sample-stack/functions)" "cmdline_proc_show -> .* via=jump" "the jump goes to the top of the stack"
expect_eq "$(grep -c "^cmdline_proc_show " /sys/kernel/tracing/enabled_functions)" 0 "no ftrace handler left once switched"
expect_eq "$(cat /sys/kernel/kmend/sample-cmdline/functions)" "vmlinux cmdline_proc_show -> sample_cmdline_proc_show [kmend_sample_cmdline] via=superseded" "the update below says a later one runs instead"

expect_fails "undo sample-cmdline below sample-stack" set_stage sample-cmdline reversed
expect_eq "$(cause sample-cmdline)" module_busy "abort_cause of the out-of-order undo"
expect_eq "$(stage sample-cmdline)" applied "sample-cmdline stays applied"
expect_eq "$(cat /proc/cmdline)" "$two" "nothing changed"
expect_match "$(cat /sys/kernel/debug/kmend/sample-cmdline)" "update sample-stack was applied later .* undo it first" "the log names the update to undo first"

expect_succeeds "sample-two (no shared function) undoes out of order" set_stage sample-two reversed
expect_succeeds "undo sample-stack" set_stage sample-stack reversed
expect_eq "$(cat /proc/cmdline)" "$one" "sample-cmdline runs again"
settled sample-cmdline
expect_match "$(cat /sys/kernel/kmend/sample-cmdline/functions)" "via=jump" "the jump goes to it again"
expect_eq "$(traced)" "" "and no ftrace handler"
expect_succeeds "now undo sample-cmdline" set_stage sample-cmdline reversed
expect_eq "$(cause sample-cmdline)" ok "abort_cause after undo"
expect_eq "$(cat /proc/cmdline)" "$orig" "original again"
expect_eq "$(traced)" "" "no ftrace ops left"
rmmod kmend_sample_stack kmend_sample_two kmend_sample_cmdline
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
