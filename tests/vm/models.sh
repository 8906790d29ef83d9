#!/usr/bin/env bash
# Consistency models other than the default (docs/engine.md):
# - leave=function,switch=function: with a task asleep in a replaced
#   function, apply switches at once (no stop, no retry, no code_busy); the
#   sleeper finishes in the old code, the next call runs the new one; undo
#   switches off at once but waits for tasks to leave the update's code (a
#   task kept inside it past transition_timeout makes undo code_busy,
#   switched on again); model reads back.
# - leave=kernel,switch=kernel: with a task asleep in a replaced function
#   (where the default model gives code_busy, engine-busy.sh), user space is
#   frozen: the sleeper leaves the kernel through the old code, and one stop
#   switches at the first attempt; the same for undo; a long system call
#   keeps the old code until it returns; but a task in a freezable sleep
#   (nanosleep) is frozen where it sleeps and stays in its system call
#   across the switch, as docs/models.md says.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
d=/sys/kernel/kmend/test-sleep-function
load_engine_and_target
insmod $M/updates/kmend_test_update_sleep_function.ko
expect_eq "$(cat $d/model)" "leave=function,switch=function" "model reads back"

cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
wait_for grep -qx 1 $T/sleepers
expect_succeeds "apply with a task asleep in a replaced function" set_stage test-sleep-function applied
expect_eq "$(grep -c "attempt" /sys/kernel/debug/kmend/test-sleep-function)" 0 "no stop, no attempts"
expect_match "$(cat /sys/kernel/debug/kmend/test-sleep-function)" "apply: switched each function at once" "the log says how"
expect_eq "$(cat $T/value)" patched "the next call runs the new code"
expect_eq "$(cat $T/sleepers)" 1 "the sleeper is still in the old code"
echo 1 >$T/wake
wait $sleeper
expect_eq "$(cat /tmp/sleeper.out)" woken "it finished in the old code"
expect_eq "$(cat $T/sleep)" patched-sleep "a new call runs the new code"

# The update'"'"'s code may only go once no task is inside it.
echo 1 >/sys/module/kmend_test_update_sleep_function/parameters/hold
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
sleep 0.5
echo 2 >/sys/module/kmend/parameters/transition_timeout
expect_fails "undo with a task inside the new code, for transition_timeout" set_stage test-sleep-function reversed
echo 60 >/sys/module/kmend/parameters/transition_timeout
expect_eq "$(cause test-sleep-function)" code_busy "abort_cause"
expect_match "$(cat $d/conflicts)" "^cat $sleeper new_sleep$" "conflicts name it"
expect_eq "$(stage test-sleep-function)" applied "still applied"
expect_eq "$(cat $T/value)" patched "switched on again"
echo 0 >/sys/module/kmend_test_update_sleep_function/parameters/hold
wait $sleeper
expect_eq "$(cat /tmp/sleeper.out)" patched-sleep "the task finished in the new code"
expect_succeeds "undo once it has left" set_stage test-sleep-function reversed
expect_eq "$(cat $T/value)" original "undone"
expect_eq "$(traced)" "" "nothing redirected"
rmmod kmend_test_update_sleep_function

insmod $M/updates/kmend_test_update_sleep_leave.ko
d=/sys/kernel/kmend/test-sleep-leave
L=/sys/kernel/debug/kmend/test-sleep-leave
expect_eq "$(cat $d/model)" "leave=kernel,switch=kernel" "model reads back"
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
wait_for grep -qx 1 $T/sleepers
expect_succeeds "apply with a task asleep in a replaced function" set_stage test-sleep-leave applied
expect_match "$(cat $L)" "apply: user space frozen" "user space was frozen"
expect_match "$(cat $L)" "apply attempt 1: .*: switched" "one stop switched, at the first attempt"
wait $sleeper
expect_eq "$(cat /tmp/sleeper.out)" woken "the sleeper left the kernel through the old code"
expect_eq "$(cat $T/sleepers)" 0 "nobody is in the old code"
expect_eq "$(cat $T/value)" patched "new code"
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
sleep 0.3
expect_succeeds "undo" set_stage test-sleep-leave reversed
expect_match "$(cat $L)" "undo: user space frozen" "undo froze user space too"
wait $sleeper
expect_eq "$(cat $T/value)" original "original"
# A long system call (steps in uninterruptible sleeps) keeps the old code
# until it returns: the freezer waits for it to leave the kernel.
rmmod kmend_test_update_sleep_leave
insmod $M/updates/kmend_test_update_sleep_leave.ko
stage_during_steps test-sleep-leave applied "apply while a long read runs"
expect_eq "$(cat /tmp/steps.out)" "old old old old old old old old" "the read kept the old code until it returned"
expect_eq "$(cat $T/steps)" "new new new new new new new new" "the next read runs the new code"
expect_succeeds "undo" set_stage test-sleep-leave reversed
# What the freezer does not do: a task in a freezable sleep (nanosleep
# here; futex waits, wait4 and vfork alike) is frozen where it sleeps, and
# its system call goes on after the switch.
rmmod kmend_test_update_sleep_leave
insmod $M/updates/kmend_test_update_sleep_leave.ko
sleep 4 &
napper=$!
wait_for grep -q nanosleep /proc/$napper/wchan
expect_succeeds "apply while a task sleeps in nanosleep" set_stage test-sleep-leave applied
expect_match "$(cat /proc/$napper/wchan)" "nanosleep" "the sleeper is still inside its system call after the switch"
expect_succeeds "undo" set_stage test-sleep-leave reversed
kill $napper
rmmod kmend_test_update_sleep_leave
rmmod kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
