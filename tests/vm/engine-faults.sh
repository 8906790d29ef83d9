#!/usr/bin/env bash
# Allocation failures, each with proof that nothing changed or leaked. For
# every consistency model, the n-th engine allocation from the write of
# stage (and every later one) fails, for n = 1, 2, ... until an apply
# needs no more, then the same for undo: each failed apply is
# out_of_memory with the target untouched, nothing redirected and the
# engine's allocations back where they were; each failed undo leaves the
# update applied, its new code running, with the allocations it had. Per-task
# transitions count their universe entries among them (a task that cannot
# get one cannot switch: the transition is reversed with out_of_memory at
# transition_timeout; those are one allocation site, so past the first
# six, every KMEND_FAULTS_STRIDE-th (8; 1 for all) is failed). Then the
# module notifier: a target module loading
# while an update is applied, each of its allocations failing in turn (the
# load is refused, the update waits for it, nothing leaked); and rmmod of
# the engine with an update loaded is refused.
. "$(dirname "$0")/lib/host.bash"

stride=${KMEND_FAULTS_STRIDE:-8}

run_guest "$tmp/out" --timeout 1800 -- '
stride='"$stride"'
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
F=/sys/kernel/debug/kmend/fail_alloc
load_engine_and_target
K=/sys/module/kmend/parameters

# fail_each ID STAGE WANT_CAUSE VALUE STEP: write STAGE to ID with the n-th
# allocation failing, n = 1, 2, ... 6, then every STEP-th, until the write
# succeeds; after each failure the cause is WANT_CAUSE, the value VALUE,
# the allocations as before. Prints the last n that failed.
fail_each() {
	base=$(engine_allocations)
	before=$(traced | wc -l)
	n=1 last=0
	while [ $n -lt 400 ]; do
		echo $n >$F
		if set_stage $1 $2 2>/dev/null; then
			break
		fi
		echo 0 >$F
		got="$(cause $1) $(cat $T/value) $(engine_allocations) $(traced | wc -l)"
		want="$3 $4 $base $before"
		[ "$got" = "$want" ] || bad "$1 $2, allocation $n failing: got $got, expected $want"
		last=$n
		if [ $n -lt 6 ]; then n=$((n + 1)); else n=$((n + $5)); fi
	done
	echo 0 >$F
	echo $last
}

# model MODULE ID TIMEOUT [STEP]: every allocation of its apply, then of
# its undo (past the sixth every STEP-th), with transition_timeout TIMEOUT
model() {
	step=${4:-1}
	echo $3 >$K/transition_timeout
	insmod $M/updates/$1.ko || { bad "$2: insmod"; return; }
	failed=$(fail_each $2 applied out_of_memory original $step)
	expect_match "$failed" "^[1-9][0-9]*$" "$2: apply refused cleanly with each of its allocations 1 to $failed failing (step $step past 6)"
	expect_eq "$(stage $2) $(cat $T/value)" "applied patched" "$2: applied with no failure"
	failed=$(fail_each $2 reversed out_of_memory patched $step)
	expect_match "$failed" "^[0-9]+$" "$2: undo failed cleanly with each of its allocations 1 to $failed failing (step $step past 6)"
	expect_eq "$(stage $2) $(cat $T/value)" "reversed original" "$2: undone with no failure"
	rmmod $1
	expect_eq "$(engine_allocations)" 0 "$2: every allocation freed"
}

model kmend_test_update_sleep test-sleep 1
model kmend_test_update_sleep_function test-sleep-function 1
model kmend_test_update_sleep_leave test-sleep-leave 1
model kmend_test_update_thread test-thread 1 $stride
# (it waits a second before it wakes the tasks left)
model kmend_test_update_thread_kernel test-thread-kernel 3 $stride
echo 60 >$K/transition_timeout

# The module notifier: the target loads while an update is applied.
insmod $M/updates/kmend_test_update_value.ko
set_stage test-value applied
rmmod kmend_test_target
base=$(engine_allocations)
n=1
while [ $n -lt 100 ]; do
	echo $n >$F
	insmod $M/target/kmend_test_target.ko 2>/dev/null && break
	echo 0 >$F
	got="$(grep -c "^kmend_test_target " /proc/modules) $(cat /sys/kernel/kmend/test-value/targets) $(engine_allocations)"
	[ "$got" = "0 kmend_test_target waiting $base" ] ||
		bad "target loading with allocation $n failing: got $got"
	n=$((n + 1))
done
echo 0 >$F
expect_match "$((n - 1))" "^[1-9][0-9]*$" "a target loading was refused cleanly at each of its first $((n - 1)) allocations"
expect_eq "$(cat $T/value)" patched "then it loaded patched"

# The engine cannot go while an update is loaded.
expect_fails "rmmod kmend with an update loaded" rmmod kmend
expect_eq "$(stage test-value) $(cat $T/value)" "applied patched" "the update is untouched"
set_stage test-value reversed
rmmod kmend_test_update_value kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
expect_eq "$(traced)" "" "nothing redirected"
expect_succeeds "the engine unloads once no update is loaded" rmmod kmend
'
