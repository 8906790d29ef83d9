#!/usr/bin/env bash
# SIGKILL to `kmend apply` and `kmend undo` at each step: killed after 0 to
# 1.5 s (loading the engine, loading the update, matching, a per-task
# transition waiting for a sleeper), the kernel is never half-changed: the
# update is either not loaded, loaded and not applied, or applied, with
# the code in effect matching its stage, no transition left running, and
# nothing redirected unless it is applied; whatever state is left is
# cleaned up by the next command a user would type (kmend undo, rmmod).
# No oops or WARNING (vm-run).
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" --timeout 600 -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
U=kmend_test_update_thread
D=/sys/kernel/kmend/test-thread
insmod /kmend-test/modules/target/kmend_test_target.ko
echo 1 >/sys/module/kmend_test_target/parameters/sleep_killable

# consistent WHAT: the state a killed command left is whole (and noted)
consistent() {
	if [ -d $D ]; then echo "$1: left $(stage test-thread)"; else echo "$1: left unloaded"; fi |
		tee -a /tmp/left
	if [ ! -d $D ]; then
		got="$(cat $T/value) $(traced | grep -c kmend_test_)"
		[ "$got" = "original 0" ] || bad "$1: not loaded, yet $got"
		return
	fi
	[ "$(cat $D/transition)" = none ] || { sleep 1; [ "$(cat $D/transition)" = none ]; } ||
		bad "$1: a transition is still running"
	case $(stage test-thread) in
	applied) want=patched ;;
	*) want=original ;;
	esac
	[ "$(cat $T/value)" = $want ] || bad "$1: stage $(stage test-thread), value $(cat $T/value)"
}
# clean_up: what a user types next
clean_up() {
	if [ -d $D ] && [ "$(stage test-thread)" = applied ]; then
		kmend undo -q test-thread || bad "kmend undo after a kill"
	fi
	grep -q "^$U " /proc/modules && rmmod $U
	[ -d $D ] && bad "the update is still registered after clean-up"
}

for when in 0 0.05 0.1 0.2 0.3 0.5 0.8 1.5; do
	# a sleeper in the old code holds a per-task apply for a while
	cat $T/sleep >/dev/null &
	sleeper=$!
	kmend apply -q $M/updates/$U.ko >/dev/null 2>&1 &
	cmd=$!
	sleep $when
	kill -9 $cmd 2>/dev/null
	wait $cmd 2>/dev/null
	consistent "apply killed after $when s"
	echo 1 >$T/wake
	wait $sleeper
	clean_up
	ok "apply killed after $when s: left whole, cleaned up"
done

for when in 0 0.05 0.1 0.2 0.5 1.5; do
	kmend apply -q $M/updates/$U.ko || { bad "apply before the undo"; continue; }
	# a task held in the new code holds the undo for a while
	echo 1 >/sys/module/$U/parameters/hold
	cat $T/sleep >/dev/null &
	holder=$!
	sleep 0.3
	kmend undo -q test-thread >/dev/null 2>&1 &
	cmd=$!
	sleep $when
	kill -9 $cmd 2>/dev/null
	wait $cmd 2>/dev/null
	consistent "undo killed after $when s"
	echo 0 >/sys/module/$U/parameters/hold
	wait $holder
	clean_up
	ok "undo killed after $when s: left whole, cleaned up"
done

# the kills landed at different steps
expect_match "$(grep -c "^apply.*left \(unloaded\|preparing\|reversed\)$" /tmp/left) $(grep "^apply" /tmp/left | sed "s/.*left //" | sort -u | wc -l)" \
	"^[1-9][0-9]* [2-9]" "apply kills left at least two kinds of state, never half-applied"
expect_match "$(grep "^undo" /tmp/left | sed "s/.*left //" | sort -u | tr "\n" " ")" "applied" \
	"undo kills interrupted the undo at least once (left applied)"
rmmod kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
expect_eq "$(traced)" "" "nothing redirected"
'
