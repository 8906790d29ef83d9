#!/usr/bin/env bash
# SWITCH_KERNEL refuses while a task sleeps in the patched set: code_busy,
# the conflict names the task and function (a name with a space or newline
# stays one word), abort_detail counts them, nothing is redirected; it
# succeeds once the task has left. The same for undo while a task sleeps in
# the new code, and an undo interrupted by a signal leaves it applied.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
load_engine_and_target
insmod $M/updates/kmend_test_update_sleep.ko
d=/sys/kernel/kmend/test-sleep

cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
wait_for grep -qx 1 $T/sleepers
expect_eq "$(cat $T/sleepers)" 1 "a task sleeps in kmend_test_sleep"

start=$(date +%s)
expect_fails "apply while a task sleeps in the patched set" set_stage test-sleep applied
expect_eq "$(cause test-sleep)" code_busy "abort_cause"
expect_eq "$(stage test-sleep)" preparing "stage unchanged"
expect_eq "$(cat $d/conflicts)" "cat $sleeper kmend_test_sleep" "conflicts name the sleeping task"
expect_eq "$(cat $T/value)" original "nothing was redirected (value)"
expect_eq "$(traced)" "" "no ftrace ops left behind"
log=$(cat /sys/kernel/debug/kmend/test-sleep)
echo "$log"
expect_eq "$(echo "$log" | grep -c "apply attempt [0-9]: .*: busy")" 5 "five attempts before giving up"
expect_match "$log" "busy: cat \(pid $sleeper\) in kmend_test_sleep\+0x" "the log names the task"
expect_eq "$(cat $d/abort_detail)" "1 task was in the way at attempt 5 of 5 (see conflicts)" "abort_detail"

# A task names itself: its name cannot forge a line of conflicts.
sh -c "printf \"x y\\nsshd 1 z\" >/proc/\$\$/comm; read v <$T/sleep" &
forger=$!
wait_for grep -qx 2 $T/sleepers
expect_fails "apply with two tasks asleep" set_stage test-sleep applied
expect_eq "$(grep -c . $d/conflicts)" 2 "two lines of conflicts"
expect_match "$(cat $d/conflicts)" "^x_y_sshd_1_z $forger kmend_test_sleep$" "a name with a space and a newline is one word"

echo 1 >$T/wake
wait "$sleeper"
wait "$forger"
expect_eq "$(cat /tmp/sleeper.out)" woken "the sleeper ran the old code to the end"
expect_succeeds "apply once the task has left" set_stage test-sleep applied
expect_eq "$(cause test-sleep)" ok "abort_cause after success"
expect_eq "$(cat $d/conflicts)" "" "no conflicts after success"
expect_eq "$(cat $T/value)" patched "value patched"
expect_eq "$(cat $T/sleep)" patched-sleep "sleep patched: returns at once"

# Hold the new code busy for undo.
dmesg -c >/dev/null
echo 1 >/sys/module/kmend_test_update_sleep/parameters/hold
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
sleep 0.5
expect_fails "undo while a task sleeps in the new code" set_stage test-sleep reversed
expect_eq "$(cause test-sleep)" code_busy "abort_cause of the busy undo"
expect_eq "$(stage test-sleep)" applied "still applied"
expect_eq "$(cat $T/value)" patched "still patched"
expect_match "$(cat $d/conflicts)" "^cat $sleeper new_sleep$" "conflicts name the new function"
expect_eq "$(dmesg | sed "s/^\[[ 0-9.]*\] //" | grep ^kmend_test_update_sleep)" "kmend_test_update_sleep: pre_unpatch: kmend_test_target
kmend_test_update_sleep: post_patch: kmend_test_target" "an undo that did not happen: pre_unpatch, then post_patch again"

# An undo interrupted by a signal between attempts (SIGINT is ignored in
# background jobs of a script, so TERM).
(echo reversed >$d/stage) &
writer=$!
sleep 0.3
kill -TERM $writer
wait $writer
expect_eq "$(stage test-sleep)" applied "still applied after an interrupted undo"
expect_eq "$(cat $T/value)" patched "still patched after an interrupted undo"
expect_match "$(cat /sys/kernel/debug/kmend/test-sleep)" "interrupted by a signal" "the log says it was interrupted"

echo 0 >/sys/module/kmend_test_update_sleep/parameters/hold
wait $sleeper
expect_succeeds "undo once the task has left" set_stage test-sleep reversed
expect_eq "$(cat $T/value)" original "value back to the original"
rmmod kmend_test_update_sleep
rmmod kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
