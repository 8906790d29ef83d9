#!/usr/bin/env bash
# Direct jumps (kernel/redirect/jump.c): once an update is switched, calls of
# each replaced function jump straight to the replacement from just after its
# ftrace site, and kmend's ftrace handler is gone; the handler comes back for
# every transition (stacking, undo). Other users of the same function keep
# working and kmend says how calls get through (functions: via=):
# - a kprobe on the function's entry (ftrace-based) fires before and after
#   the jump goes in, and after the undo;
# - a kprobe where the jump would go keeps kmend on the ftrace path;
#   one placed on the jump afterwards blocks the undo (code_busy) until it
#   is removed;
# - the function tracer traces a function that jumps, through its undo;
# - an IPMODIFY ftrace user attached after the jump (another live patching
#   tool) blocks the undo (ftrace_unavailable) until it goes, and so does
#   ftrace disabled by sysctl;
# - a per-task update jumps once every task switched;
# - a module target unloaded and loaded again is patched again with a jump.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" --timeout 240 -- '
S=/kmend-test/samples
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
TR=/sys/kernel/tracing
hits() { awk -v e=$1 '"'"'$1 == e { print $2 }'"'"' $TR/kprobe_profile; }
load_engine_and_target
orig=$(cat /proc/cmdline)
one="this kernel'"'"'s cmdline_proc_show was live patched by kmend (sample-cmdline)"
two="this kernel'"'"'s cmdline_proc_show was live patched twice by kmend (sample-stack)"
insmod $S/kmend-sample-cmdline.ko
d=/sys/kernel/kmend/sample-cmdline
L=/sys/kernel/debug/kmend/sample-cmdline

# A kprobe on the entry, then the update.
echo "p:kentry cmdline_proc_show" >>$TR/kprobe_events
echo 1 >$TR/events/kprobes/kentry/enable
cat /proc/cmdline >/dev/null
expect_eq "$(hits kentry)" 1 "the entry kprobe fires"
expect_succeeds "apply under an entry kprobe" set_stage sample-cmdline applied
settled sample-cmdline
expect_match "$(cat $d/functions)" " via=jump$" "the jump went in beside the entry kprobe"
expect_eq "$(cat /proc/cmdline)" "$one" "the replacement runs"
expect_eq "$(hits kentry)" 2 "the entry kprobe still fires, ahead of the jump"
expect_match "$(traced)" "^cmdline_proc_show .*kprobe" "ftrace holds only the kprobe"
expect_no_match "$(traced)" "kmend_ftrace_handler" "kmend'"'"'s handler is off"
place=$(sed -n "s/.*cmdline_proc_show: calls jump to .* at cmdline_proc_show+\(0x[0-9a-f]*\)\/.*/\1/p" $L)
expect_match "$place" "^0x[0-9a-f]+$" "the log gives the jump'"'"'s place ($place)"
expect_succeeds "undo under the entry kprobe" set_stage sample-cmdline reversed
expect_match "$(cat $L)" "jump removal attempt 1: .*: done" "the jump was taken back in a stop"
expect_eq "$(cat /proc/cmdline)" "$orig" "the original runs again"
expect_eq "$(hits kentry)" 3 "the entry kprobe fires after the undo"
echo 0 >$TR/events/kprobes/kentry/enable
rmmod kmend_sample_cmdline

# A kprobe where the jump would go: kmend keeps the ftrace path.
echo "p:kplace cmdline_proc_show+$place" >>$TR/kprobe_events
echo 1 >$TR/events/kprobes/kplace/enable
insmod $S/kmend-sample-cmdline.ko
expect_succeeds "apply beside a kprobe at the jump'"'"'s place" set_stage sample-cmdline applied
settled sample-cmdline
expect_match "$(cat $d/functions)" " via=ftrace:kprobe$" "functions say the kprobe keeps the ftrace path"
expect_match "$(cat $L)" "cmdline_proc_show keeps the ftrace path .kprobe.: a kprobe is registered on the bytes the jump would cover" "the log says why"
expect_match "$(traced)" "^cmdline_proc_show .*kmend_ftrace_handler" "kmend'"'"'s handler stays"
expect_eq "$(cat /proc/cmdline)" "$one" "the replacement runs"
expect_succeeds "undo" set_stage sample-cmdline reversed
expect_eq "$(cat /proc/cmdline)" "$orig" "the original runs again"
before=$(hits kplace)
cat /proc/cmdline >/dev/null
expect_eq "$(hits kplace)" $((before + 1)) "that kprobe fires in the original"
echo 0 >$TR/events/kprobes/kplace/enable
rmmod kmend_sample_cmdline
# still registered while disabled (enabled, it would run the bytes it
# copied): kmend keeps the ftrace path until the probe is gone
insmod $S/kmend-sample-cmdline.ko
expect_succeeds "apply beside a disabled kprobe at the jump'"'"'s place" set_stage sample-cmdline applied
settled sample-cmdline
expect_match "$(cat $d/functions)" " via=ftrace:kprobe$" "a disabled kprobe keeps the ftrace path too"
expect_succeeds "undo" set_stage sample-cmdline reversed
rmmod kmend_sample_cmdline
echo "-:kplace" >>$TR/kprobe_events

# A kprobe placed on the jump: the undo waits for it.
insmod $S/kmend-sample-cmdline.ko
expect_succeeds "apply" set_stage sample-cmdline applied
settled sample-cmdline
expect_match "$(cat $d/functions)" " via=jump$" "jumps"
expect_succeeds "a kprobe on the jump" sh -c "echo p:kplace cmdline_proc_show+$place >>$TR/kprobe_events"
echo 1 >$TR/events/kprobes/kplace/enable
before=$(hits kplace)
expect_eq "$(cat /proc/cmdline)" "$one" "the replacement runs through the probed jump"
expect_eq "$(hits kplace)" $((before + 1)) "the kprobe on the jump fires"
expect_fails "undo with a kprobe on the jump" set_stage sample-cmdline reversed
expect_eq "$(cause sample-cmdline)" code_busy "abort_cause"
expect_match "$(cat $d/abort_detail)" "cannot be taken back: kprobe there now; remove that kprobe first" "abort_detail says what to do"
expect_eq "$(stage sample-cmdline)" applied "still applied"
expect_eq "$(cat /proc/cmdline)" "$one" "the replacement still runs"
settled sample-cmdline
expect_match "$(cat $d/functions)" " via=jump$" "and jumps again"
echo 0 >$TR/events/kprobes/kplace/enable
echo "-:kplace" >>$TR/kprobe_events
expect_succeeds "undo once the kprobe is gone" set_stage sample-cmdline reversed
expect_eq "$(cat /proc/cmdline)" "$orig" "the original runs again"
echo "-:kentry" >>$TR/kprobe_events

# The function tracer on a function that jumps, through its undo; a stacked
# update moves the jump and the undo of the upper moves it back.
expect_succeeds "apply again (a reversed update is loaded again)" sh -c "rmmod kmend_sample_cmdline && insmod $S/kmend-sample-cmdline.ko && echo applied >$d/stage"
settled sample-cmdline
echo cmdline_proc_show >$TR/set_ftrace_filter
echo function >$TR/current_tracer
echo >$TR/trace
expect_eq "$(cat /proc/cmdline)" "$one" "the replacement runs while traced"
expect_match "$(cat $TR/trace)" "cmdline_proc_show <-" "the tracer sees the call"
insmod $S/kmend-sample-stack.ko
expect_succeeds "a stacked update over a jump" set_stage sample-stack applied
settled sample-stack
expect_eq "$(cat /proc/cmdline)" "$two" "the upper update runs"
expect_match "$(cat /sys/kernel/kmend/sample-stack/functions)" " via=jump$" "the jump moved to it"
expect_succeeds "undo the upper" set_stage sample-stack reversed
settled sample-cmdline
expect_eq "$(cat /proc/cmdline)" "$one" "the lower runs again"
expect_match "$(cat $d/functions)" " via=jump$" "the jump moved back"
echo >$TR/trace
expect_succeeds "undo while traced" set_stage sample-cmdline reversed
expect_eq "$(cat /proc/cmdline)" "$orig" "the original runs"
expect_match "$(cat $TR/trace)" "cmdline_proc_show <-" "the tracer still sees the call"
echo nop >$TR/current_tracer
echo >$TR/set_ftrace_filter
rmmod kmend_sample_stack kmend_sample_cmdline

# An IPMODIFY user attached after the jump; ftrace disabled.
insmod $M/updates/kmend_test_update_value.ko
expect_succeeds "apply test-value" set_stage test-value applied
settled test-value
expect_match "$(cat /sys/kernel/kmend/test-value/functions)" "kmend_test_value -> .* via=jump$" "a module target'"'"'s function jumps"
expect_succeeds "another IPMODIFY user can attach now" insmod $M/target/kmend_test_ipmodify.ko
expect_eq "$(cat $T/value)" patched "calls pass its handler and take the jump"
expect_fails "undo while it holds the function" set_stage test-value reversed
expect_eq "$(cause test-value)" ftrace_unavailable "abort_cause"
expect_match "$(cat /sys/kernel/kmend/test-value/abort_detail)" "another live patch .* remove it first" "abort_detail says what to do"
expect_eq "$(cat $T/value)" patched "still patched"
rmmod kmend_test_ipmodify
echo 0 >/proc/sys/kernel/ftrace_enabled
expect_eq "$(cat $T/value)" patched "ftrace disabled: the jump still runs"
expect_fails "undo with ftrace disabled" set_stage test-value reversed
expect_eq "$(cause test-value)" ftrace_unavailable "abort_cause"
echo 1 >/proc/sys/kernel/ftrace_enabled
settled test-value
expect_match "$(cat /sys/kernel/kmend/test-value/functions)" " via=jump$" "still jumps"

# The module target goes and comes back.
expect_succeeds "the target unloads" rmmod kmend_test_target
expect_eq "$(cat /sys/kernel/kmend/test-value/targets)" "kmend_test_target waiting" "waits for it"
expect_succeeds "the target loads again" insmod $M/target/kmend_test_target.ko
settled test-value
expect_match "$(cat /sys/kernel/kmend/test-value/functions)" " via=jump$" "patched again, with a jump"
expect_eq "$(cat $T/value)" patched "the replacement runs"
expect_succeeds "undo" set_stage test-value reversed
expect_eq "$(cat $T/value)" original "the original runs"
rmmod kmend_test_update_value

# A per-task update jumps once every task switched.
insmod $M/updates/kmend_test_update_thread.ko
expect_succeeds "apply test-thread" set_stage test-thread applied
settled test-thread
expect_match "$(grep kmend_test_value /sys/kernel/kmend/test-thread/functions)" " via=jump$" "per-task: jumps after the transition"
expect_eq "$(cat $T/value)" patched "the replacement runs"
expect_succeeds "undo test-thread" set_stage test-thread reversed
expect_eq "$(cat $T/value)" original "the original runs"
rmmod kmend_test_update_thread

expect_eq "$(traced)" "" "no ftrace ops left"
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
