#!/usr/bin/env bash
# Where the engine decides that no task is in some code, and where it waits
# for tasks, each case found by a review of kernel/ against the kernel's own
# livepatch (issue 21):
# - cold parts: a task asleep in a function's .cold part (entered by a
#   jump: no return address in the function itself) holds the apply of its
#   update and, in the replacement's cold part, its undo, under the default
#   model and under switch=function;
# - idle tasks: an update of do_idle(), which idle CPUs sit in, under
#   switch=function, stacked on another (so that its undo keeps the ftrace
#   ops): undo makes every CPU schedule (its stopper), which takes idle
#   tasks out of the new do_idle(), checks them, and the module then goes
#   without an oops (with a grace period alone, they stayed in it);
# - a busy machine: switch=function undo while tasks run on every CPU does
#   not fail for tasks that are merely running;
# - a pre_patch callback returning a positive number fails the write of
#   stage (not a short write);
# - a module load, an unload and an update registering while a
#   leave=kernel,switch=thread transition waits for a task, then the
#   transition reversed: all of them finish, nothing hangs;
# - modules loading and unloading in a loop beside leave=kernel,switch=kernel
#   cycles: a load waiting for kmend_mutex no longer makes the freeze fail
#   (found by make soak);
# - CPU hotplug while a per-task transition runs, both ways.
. "$(dirname "$0")/lib/host.bash"

# the cold parts must exist, or this tests nothing
nm "$build/tests/modules/target/kmend_test_target.ko" | grep -q ' kmend_test_unlikely\.cold$' ||
	fail "gcc made no kmend_test_unlikely.cold in the test target"
nm "$build/tests/modules/updates/kmend_test_update_cold.ko" | grep -q ' new_unlikely\.cold$' ||
	fail "gcc made no new_unlikely.cold in the test update"
cc -static -O2 -Wall -Wextra -Werror -o "$tmp/write-once" "$top/tests/vm/progs/write-once.c" ||
	fail "cannot build tests/vm/progs/write-once.c"

run_guest "$tmp/out" --timeout 300 --file "$tmp/write-once:/bin/write-once" -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
P=/sys/module/kmend_test_target/parameters
K=/sys/module/kmend/parameters
load_engine_and_target
echo 1 >$P/sleep_killable

# --- cold parts, default model ----------------------------------------------
insmod $M/updates/kmend_test_update_cold.ko
echo 1 >$P/unlikely_sleep
cat $T/unlikely >/tmp/unlikely.out &
reader=$!
wait_for grep -qx 1 $T/sleepers
expect_fails "apply while a task sleeps in the cold part of the old code" set_stage test-cold applied
expect_eq "$(cause test-cold)" code_busy "cold part of the old code: abort_cause"
expect_match "$(cat /sys/kernel/kmend/test-cold/conflicts)" "^cat $reader kmend_test_unlikely\.cold$" "conflicts name the old cold part"
echo 0 >$P/unlikely_sleep
echo 1 >$T/wake
wait $reader
expect_eq "$(cat /tmp/unlikely.out)" woken "the sleeper left the old cold part"
expect_succeeds "apply once it has left" set_stage test-cold applied
expect_eq "$(cat $T/unlikely)" patched "the new code runs"
echo 1 >/sys/module/kmend_test_update_cold/parameters/hold
cat $T/unlikely >/tmp/unlikely.out &
reader=$!
sleep 0.5
expect_fails "undo while a task is held in the cold part of the new code" set_stage test-cold reversed
expect_eq "$(cause test-cold)" code_busy "cold part of the new code: abort_cause"
expect_match "$(cat /sys/kernel/kmend/test-cold/conflicts)" "^cat $reader new_unlikely\.cold$" "conflicts name the new cold part"
echo 0 >/sys/module/kmend_test_update_cold/parameters/hold
wait $reader
expect_eq "$(cat /tmp/unlikely.out)" patched-held "the held task finished in the new code"
expect_succeeds "undo once it has left" set_stage test-cold reversed
expect_succeeds "the update unloads" rmmod kmend_test_update_cold

# --- cold parts, switch=function: undo waits, then gives up -----------------
insmod $M/updates/kmend_test_update_cold_function.ko
expect_succeeds "switch=function: apply" set_stage test-cold-function applied
echo 1 >/sys/module/kmend_test_update_cold_function/parameters/hold
cat $T/unlikely >/tmp/unlikely.out &
reader=$!
sleep 0.5
echo 2 >$K/transition_timeout
expect_fails "switch=function: undo while a task is held in the new cold part" set_stage test-cold-function reversed
echo 60 >$K/transition_timeout
expect_eq "$(cause test-cold-function)" code_busy "switch=function, new cold part: abort_cause"
expect_match "$(cat /sys/kernel/kmend/test-cold-function/conflicts)" "^cat $reader new_unlikely\.cold$" "switch=function: conflicts name the new cold part"
expect_eq "$(stage test-cold-function)" applied "switch=function: still applied"
expect_eq "$(cat $T/value)" original "switch=function: other functions untouched"
echo 0 >/sys/module/kmend_test_update_cold_function/parameters/hold
wait $reader
expect_succeeds "switch=function: undo once it has left" set_stage test-cold-function reversed
expect_eq "$(cat $T/unlikely)" original "switch=function: the old code again"
rmmod kmend_test_update_cold_function

# --- idle tasks: do_idle() under switch=function --------------------------------
# test-idle stacked on test-idle-base: undoing it keeps the ftrace ops,
# whose release would make every CPU schedule anyway
insmod $M/updates/kmend_test_update_idle_base.ko
insmod $M/updates/kmend_test_update_idle.ko
expect_succeeds "do_idle: apply a first update" set_stage test-idle-base applied
expect_succeeds "do_idle: apply a second on top" set_stage test-idle applied
sleep 1
expect_match "$(cat /sys/module/kmend_test_update_idle/parameters/calls)" "^[1-9]" "idle CPUs run the new do_idle"
expect_succeeds "do_idle: undo the second" set_stage test-idle reversed
expect_eq "$(cat /sys/module/kmend_test_update_idle/parameters/inside)" 0 "do_idle: once undone, no idle task is inside the new code"
expect_match "$(cat /sys/kernel/debug/kmend/test-idle)" "undo: no task in the new code after [0-9]+ looks?" "do_idle: undo checked every task, idle ones too"
expect_succeeds "do_idle: the second update unloads" rmmod kmend_test_update_idle
# an idle CPU left in the freed code would oops as it wakes
for cpu in 0 1 0 1; do taskset -c $cpu sleep 0.2; done
expect_eq "$(cat $T/value)" original "the machine runs on after the module left"
expect_succeeds "do_idle: undo the first" set_stage test-idle-base reversed
rmmod kmend_test_update_idle_base

# --- switch=function undo while every CPU runs tasks ----------------------------
insmod $M/updates/kmend_test_update_sleep_function.ko
rm -f /tmp/stop
spin() { while [ ! -e /tmp/stop ]; do cat $T/value >/dev/null; done; }
cpu=0
while [ $cpu -lt $(nproc) ]; do
	spin & taskset -p -c $cpu $! >/dev/null
	spin & taskset -p -c $cpu $! >/dev/null
	cpu=$((cpu + 1))
done
k=0 failed=
while [ $k -lt 20 ]; do
	set_stage test-sleep-function applied || { failed="apply $k: $(cause test-sleep-function)"; break; }
	set_stage test-sleep-function reversed || { failed="undo $k: $(cause test-sleep-function)"; break; }
	rmmod kmend_test_update_sleep_function && insmod $M/updates/kmend_test_update_sleep_function.ko ||
		{ failed="reload $k"; break; }
	k=$((k + 1))
done
touch /tmp/stop
wait
expect_eq "$failed" "" "switch=function: 20 apply/undo cycles with two busy tasks per CPU"
rmmod kmend_test_update_sleep_function

# --- a positive pre_patch refusal -----------------------------------------------
insmod $M/callbacks/kmend_test_update_cb.ko pre_patch_ret=1
expect_eq "$(write-once /sys/kernel/kmend/test-cb/stage applied)" "error EINVAL" "pre_patch returning 1: the write fails"
expect_eq "$(cause test-cb)" call_failed "pre_patch returning 1: abort_cause"
expect_eq "$(stage test-cb)" preparing "pre_patch returning 1: not applied"
rmmod kmend_test_update_cb

# --- module loads and unloads during a leave=kernel,switch=thread transition ---
insmod $M/updates/kmend_test_update_absent.ko
insmod $M/updates/kmend_test_update_thread_kernel.ko
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
wait_for grep -qx 1 $T/sleepers
(set_stage test-thread-kernel applied; echo $? >/tmp/apply.status) &
writer=$!
wait_for grep -q "^applying" /sys/kernel/kmend/test-thread-kernel/transition
(insmod $M/callbacks/kmend_test_cbmod.ko; echo $? >/tmp/insmod.status) &
(insmod $M/updates/kmend_test_update_value.ko; echo $? >/tmp/register.status) &
(rmmod kmend_test_update_absent; echo $? >/tmp/rmmod.status) &
wait_for test -e /tmp/insmod.status -a -e /tmp/register.status -a -e /tmp/rmmod.status
expect_eq "$(cat /tmp/insmod.status /tmp/register.status /tmp/rmmod.status | tr -d "\n")" 000 \
	"a module load, an update registering and an unload finish while the transition waits"
expect_eq "$(grep -c "^applying" /sys/kernel/kmend/test-thread-kernel/transition)" 1 "the transition is still waiting for the sleeper"
expect_succeeds "the transition reversed by writing reversed" set_stage test-thread-kernel reversed
wait $writer
expect_eq "$(cat /tmp/apply.status)" 1 "the apply failed"
expect_eq "$(cause test-thread-kernel)" interrupted "reversed: abort_cause"
expect_eq "$(cat /sys/kernel/kmend/test-thread-kernel/transition)" none "no transition left"
expect_eq "$(cat $T/value)" original "nothing switched"
echo 1 >$T/wake
wait $sleeper
rmmod kmend_test_update_thread_kernel kmend_test_update_value kmend_test_cbmod

# --- module loads beside leave=kernel,switch=kernel cycles ----------------------
rm -f /tmp/stop
(while [ ! -e /tmp/stop ]; do insmod $M/callbacks/kmend_test_cbmod.ko; rmmod kmend_test_cbmod; done) 2>/dev/null &
k=0 failed=
while [ $k -lt 5 ]; do
	insmod $M/updates/kmend_test_update_sleep_leave.ko
	set_stage test-sleep-leave applied || { failed="apply $k: $(cause test-sleep-leave)"; break; }
	set_stage test-sleep-leave reversed || { failed="undo $k: $(cause test-sleep-leave)"; break; }
	rmmod kmend_test_update_sleep_leave
	k=$((k + 1))
done
touch /tmp/stop
wait
expect_eq "$failed" "" "leave=kernel,switch=kernel: 5 cycles while modules load and unload"
expect_no_match "$(dmesg)" "Freezing of tasks failed" "no freeze failed"
grep -q "^kmend_test_update_sleep_leave " /proc/modules && rmmod kmend_test_update_sleep_leave

# --- CPU hotplug during a per-task transition --------------------------------------
on=/sys/devices/system/cpu/cpu1/online
held=/sys/module/kmend_test_update_thread/parameters/hold
# hotplug_during DIRECTION WANT: cpu1 goes offline and comes back while the
# transition to DIRECTION waits for the task in $holder, then it is let go
hotplug_during() {
	(set_stage test-thread $1; echo $? >/tmp/$1.status) &
	writer=$!
	wait_for grep -q "^[a-z]* 1$" /sys/kernel/kmend/test-thread/transition
	expect_succeeds "cpu1 offline during the transition to $1" sh -c "echo 0 >$on"
	sleep 0.3
	expect_succeeds "cpu1 online again during it" sh -c "echo 1 >$on"
	sleep 0.3
	echo 0 >$held
	echo 1 >$T/wake
	wait $holder
	wait $writer
	expect_eq "$(cat /tmp/$1.status)" 0 "transition to $1 completed across the hotplug"
	expect_eq "$(taskset -c 1 cat $T/value)" $2 "cpu1 runs the right code once $1"
}
insmod $M/updates/kmend_test_update_thread.ko
cat $T/sleep >/dev/null &
holder=$!
wait_for grep -qx 1 $T/sleepers
hotplug_during applied patched
echo 1 >$held
cat $T/sleep >/dev/null &
holder=$!
sleep 0.5
hotplug_during reversed original
rmmod kmend_test_update_thread

rmmod kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
expect_eq "$(traced)" "" "nothing redirected"
'
