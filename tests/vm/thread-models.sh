#!/usr/bin/env bash
# The per-task models (docs/engine.md), with kmend_test_target's functions
# held busy on demand:
# - leave=patched-set,switch=thread: where the default model refuses
#   (code_busy, the sleeper named), the transition completes at once for
#   every other task (a new task runs the new code while the sleeper is
#   still in the old one; transition names it) and for the sleeper when it
#   leaves; a long system call switches between two calls; a chain of calls
#   never mixes old and new code while apply and undo run under load; a
#   child forked during a transition is in its parent's universe, both ways.
# - leave=kernel,switch=thread: a task inside a long system call keeps the
#   old code until it returns; tasks asleep in system calls are woken.
# - TRANSFORM_ON_ACCESS: the flag is off while a task is left, on once all
#   have switched, and on again when an undo is reversed.
# - Stacked updates of different models: a per-task update over a
#   leave=kernel,switch=kernel one (its transition waits for a task in the
#   lower update's code; undone, calls go back to the lower update) and a
#   switch=function update over a per-task one.
# - Reversal: writing the other stage mid-transition (apply and undo), a
#   signal to the writer, and the time limit (code_busy) each reverse it,
#   with nothing left changed.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" --timeout 300 -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
K=/sys/module/kmend/parameters
# write_stage ID STAGE: in the background; its status goes to /tmp/STAGE.status
write_stage() {
	(set_stage $1 $2; echo $? >/tmp/$2.status) &
	writer=$!
}
# hold_new_code [MODULE]: a task stays in the new kmend_test_sleep of
# MODULE (kmend_test_update_thread) until released
hold_new_code() {
	held=/sys/module/${1:-kmend_test_update_thread}/parameters/hold
	echo 1 >$held
	cat $T/sleep >/tmp/holder.out &
	holder=$!
	sleep 0.3
}
release_new_code() {
	echo 0 >$held
	wait $holder
}

load_engine_and_target
# the sleepers must stay asleep through the transitions'"'"' wakeups
echo 1 >/sys/module/kmend_test_target/parameters/sleep_killable

# leave=patched-set,switch=kernel refuses while a task sleeps in the set.
insmod $M/updates/kmend_test_update_sleep.ko
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
wait_for grep -qx 1 $T/sleepers
expect_fails "switch=kernel with a task asleep in a replaced function" set_stage test-sleep applied
expect_eq "$(cause test-sleep)" code_busy "abort_cause"
expect_match "$(cat /sys/kernel/kmend/test-sleep/conflicts)" "^cat $sleeper kmend_test_sleep" "conflicts name the sleeper"
rmmod kmend_test_update_sleep

# The same load under switch=thread.
insmod $M/updates/kmend_test_update_thread.ko
d=/sys/kernel/kmend/test-thread
L=/sys/kernel/debug/kmend/test-thread
expect_eq "$(cat $d/model)" "leave=patched-set,switch=thread" "model reads back"
expect_eq "$(cat $d/transition)" none "no transition before apply"
write_stage test-thread applied
wait_for grep -q "^applying 1$" $d/transition
expect_match "$(cat $d/transition)" "^$sleeper cat$" "transition names the sleeper, and only it"
expect_eq "$(cat $T/value)" patched "every other task runs the new code at once"
expect_eq "$(cat $T/chain)" "N:new,new,new,new" "a new chain runs new code throughout"
expect_eq "$(cat $T/sleepers)" 1 "the sleeper is still in the old code"
for i in 1 2 3; do
	expect_eq "$(sh -c "cat $T/value")" patched "a child forked from a switched task is switched ($i)"
done
echo 1 >$T/wake
wait $sleeper
expect_eq "$(cat /tmp/sleeper.out)" woken "the sleeper finished in the old code"
wait $writer
expect_eq "$(cat /tmp/applied.status)" 0 "apply succeeded once the sleeper left"
expect_eq "$(stage test-thread)" applied "stage"
expect_eq "$(cat $d/transition)" none "no transition after"
expect_eq "$(cat $T/sleep)" patched-sleep "the former sleeper runs the new code"
expect_match "$(cat $L)" "apply: every task switched after [0-9]+ attempts" "the log says how it ended"

# Undo held by a task inside the new code; children of switched tasks are
# back in the old universe meanwhile.
hold_new_code
write_stage test-thread reversed
wait_for grep -q "^undoing 1$" $d/transition
expect_match "$(cat $d/transition)" "^$holder cat$" "transition names the task in the new code"
expect_eq "$(cat $T/value)" original "others run the old code again at once"
for i in 1 2 3; do
	expect_eq "$(sh -c "cat $T/value")" original "a child forked from a switched-back task is back ($i)"
done
release_new_code
expect_eq "$(cat /tmp/holder.out)" patched-sleep "the holder finished in the new code"
wait $writer
expect_eq "$(cat /tmp/reversed.status)" 0 "undo succeeded once it left"
expect_eq "$(stage test-thread)" reversed "stage"
expect_eq "$(cat $T/value)" original "original"
rmmod kmend_test_update_thread

# Reversal by writing the other stage: apply held by a sleeper, then reversed.
insmod $M/updates/kmend_test_update_thread.ko
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
wait_for grep -qx 1 $T/sleepers
write_stage test-thread applied
wait_for grep -q "^applying 1$" $d/transition
expect_eq "$(cat $T/value)" patched "switched tasks run the new code"
expect_succeeds "writing reversed mid-transition" set_stage test-thread reversed
wait $writer
expect_eq "$(cat /tmp/applied.status)" 1 "the apply failed"
expect_eq "$(cause test-thread)" interrupted "abort_cause"
expect_eq "$(stage test-thread)" reversed "stage: reversed, as written"
expect_eq "$(cat $T/value)" original "every task runs the old code again"
expect_eq "$(traced)" "" "nothing redirected"
echo 1 >$T/wake
wait $sleeper
expect_eq "$(cat /tmp/sleeper.out)" woken "the sleeper stayed in the old code"
rmmod kmend_test_update_thread

# Reversal of an undo by writing applied.
insmod $M/updates/kmend_test_update_thread.ko
expect_succeeds "apply" set_stage test-thread applied
hold_new_code
write_stage test-thread reversed
wait_for grep -q "^undoing 1$" $d/transition
expect_succeeds "writing applied mid-undo" set_stage test-thread applied
wait $writer
expect_eq "$(cat /tmp/reversed.status)" 1 "the undo failed"
expect_eq "$(cause test-thread)" interrupted "abort_cause"
expect_eq "$(stage test-thread)" applied "stage: still applied"
expect_eq "$(cat $T/value)" patched "every task runs the new code"
release_new_code

# A signal to the writer reverses the transition.
expect_succeeds "undo" set_stage test-thread reversed
rmmod kmend_test_update_thread
insmod $M/updates/kmend_test_update_thread.ko
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
wait_for grep -qx 1 $T/sleepers
sh -c "echo applied >$d/stage" &
writer=$!
wait_for grep -q "^applying 1$" $d/transition
kill -TERM $writer
wait $writer
expect_eq "$(cause test-thread)" interrupted "a signal to the writer: abort_cause"
expect_eq "$(stage test-thread)" preparing "not applied; it may be applied again"
expect_eq "$(cat $T/value)" original "nothing changed"

# The time limit: code_busy, naming the task that held it.
echo 2 >$K/transition_timeout
expect_fails "apply held past transition_timeout" set_stage test-thread applied
echo 60 >$K/transition_timeout
expect_eq "$(cause test-thread)" code_busy "abort_cause"
expect_match "$(cat $d/conflicts)" "^cat $sleeper kmend_test_sleep" "conflicts name the sleeper"
expect_match "$(cat $L)" "could not switch within 2 s" "the log says why"
expect_eq "$(cat $T/value)" original "nothing changed"
echo 1 >$T/wake
wait $sleeper

# A long system call switches between calls under leave=patched-set...
stage_during_steps test-thread applied "apply while a long read runs"
expect_match "$(cat /tmp/steps.out)" "^old( old)* new( new)*$" "leave=patched-set: the read switched between two steps"

# ...and chains of calls never mix old and new code, at apply nor undo.
chains() {
	while [ ! -e /tmp/stop ]; do cat $T/chain; done >/tmp/chains.$1
}
rm -f /tmp/stop
chains 1 & c1=$!
chains 2 & c2=$!
sleep 0.5
expect_succeeds "undo under load" set_stage test-thread reversed
rmmod kmend_test_update_thread
insmod $M/updates/kmend_test_update_thread.ko
expect_succeeds "apply under load" set_stage test-thread applied
sleep 0.3
expect_succeeds "undo under load" set_stage test-thread reversed
touch /tmp/stop
wait $c1 $c2
cat /tmp/chains.1 /tmp/chains.2 >/tmp/chains
echo "$(wc -l </tmp/chains) chains: $(grep -c ^O: /tmp/chains) old, $(grep -c ^N: /tmp/chains) new"
expect_eq "$(grep -Ev "^(O:old,old,old,old|N:new,new,new,new)$" /tmp/chains)" "" "no chain mixed old and new code"
expect_match "$(grep -c ^N: /tmp/chains)" "^[1-9]" "chains ran the new code"
rmmod kmend_test_update_thread

# TRANSFORM_ON_ACCESS: off while any task is left, on once all switched,
# off as soon as an undo starts, on again when that undo is reversed.
insmod $M/updates/kmend_test_update_on_access.ko
d=/sys/kernel/kmend/test-on-access
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
wait_for grep -qx 1 $T/sleepers
write_stage test-on-access applied
wait_for grep -q "^applying 1$" $d/transition
expect_eq "$(cat $T/value)" patched "on_access: new code, flag off while a task is left"
echo 1 >$T/wake
wait $sleeper $writer
expect_eq "$(cat /tmp/applied.status)" 0 "on_access: applied"
expect_eq "$(cat $T/value)" patched-on-access "on_access: on once every task switched"
hold_new_code kmend_test_update_on_access
write_stage test-on-access reversed
wait_for grep -q "^undoing 1$" $d/transition
expect_succeeds "on_access: reverse the undo" set_stage test-on-access applied
wait $writer
expect_eq "$(cat $T/value)" patched-on-access "on_access: on again when the undo was reversed"
release_new_code
expect_succeeds "on_access: undo" set_stage test-on-access reversed
expect_eq "$(cat $T/value)" original "on_access: undone"
rmmod kmend_test_update_on_access

# Stacked updates of different models on the same functions. A per-task
# update over leave=kernel,switch=kernel: its transition waits for a task in
# the code of the lower update; undone, calls go back to the lower update,
# not to the original.
insmod $M/updates/kmend_test_update_sleep_leave.ko
expect_succeeds "stacked: apply leave=kernel,switch=kernel" set_stage test-sleep-leave applied
insmod $M/updates/kmend_test_update_on_access.ko
hold_new_code kmend_test_update_sleep_leave
write_stage test-on-access applied
wait_for grep -q "^applying 1$" $d/transition
expect_match "$(cat $d/transition)" "^$holder cat$" "stacked: the task in the lower update'"'"'s code holds the transition"
release_new_code
wait $writer
expect_eq "$(cat /tmp/applied.status)" 0 "stacked: the per-task update applied on top"
expect_eq "$(cat $T/value)" patched-on-access "stacked: the top update runs"
expect_fails "stacked: the lower update cannot be undone first" set_stage test-sleep-leave reversed
expect_succeeds "stacked: undo the per-task update" set_stage test-on-access reversed
expect_eq "$(cat $T/value)" patched "stacked: calls go to the lower update again"
rmmod kmend_test_update_on_access
# And the other way round: switch=function over a per-task update.
insmod $M/updates/kmend_test_update_on_access.ko
expect_succeeds "stacked: undo leave=kernel,switch=kernel" set_stage test-sleep-leave reversed
rmmod kmend_test_update_sleep_leave
expect_succeeds "stacked: apply the per-task update" set_stage test-on-access applied
insmod $M/updates/kmend_test_update_sleep_function.ko
expect_succeeds "stacked: apply leave=function,switch=function on top" set_stage test-sleep-function applied
expect_eq "$(cat $T/value)" patched "stacked: the top update runs"
expect_succeeds "stacked: undo it" set_stage test-sleep-function reversed
expect_eq "$(cat $T/value)" patched-on-access "stacked: the per-task update runs again"
expect_succeeds "stacked: undo the per-task update" set_stage test-on-access reversed
expect_eq "$(cat $T/value)" original "stacked: the original"
rmmod kmend_test_update_sleep_function
rmmod kmend_test_update_on_access

# leave=kernel,switch=thread: a long system call keeps the old code.
insmod $M/updates/kmend_test_update_thread_kernel.ko
d=/sys/kernel/kmend/test-thread-kernel
L=/sys/kernel/debug/kmend/test-thread-kernel
expect_eq "$(cat $d/model)" "leave=kernel,switch=thread" "model reads back"
sleep 1000 &
napper=$!
stage_during_steps test-thread-kernel applied "apply while a long read runs"
expect_eq "$(cat /tmp/steps.out)" "old old old old old old old old" "leave=kernel: the read kept the old code until it returned"
expect_match "$(cat $L)" "apply attempt [0-9]+: [0-9]+ tasks? left; woken" "tasks asleep in system calls were woken"
expect_eq "$(cat $T/steps)" "new new new new new new new new" "the next read runs the new code"
kill $napper
stage_during_steps test-thread-kernel reversed "undo while a long read runs"
expect_eq "$(cat /tmp/steps.out)" "new new new new new new new new" "undo: the read kept the new code until it returned"
expect_eq "$(cat $T/value)" original "undone"
rmmod kmend_test_update_thread_kernel
rmmod kmend_test_target
expect_eq "$(traced)" "" "nothing redirected"
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
