# tests/vm/lib/guest.sh: assertions for scenario commands inside the VM (busybox
# sh), sourced as /kmend-test/guest.sh. Each check prints "ok: ..." or
# "FAIL: ..."; `finish` prints the count and exits non-zero on any failure.
fails=0
checks=0

ok() { checks=$((checks + 1)); echo "ok: $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }

# expect_eq GOT WANT WHAT
expect_eq() {
	if [ "$1" = "$2" ]; then ok "$3"; else bad "$3: got '$1', expected '$2'"; fi
}

# expect_match TEXT REGEX WHAT
expect_match() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok "$3"
	else bad "$3: '$1' does not match /$2/"; fi
}

# expect_no_match TEXT REGEX WHAT
expect_no_match() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then bad "$3: '$1' matches /$2/"
	else ok "$3"; fi
}

# expect_fails WHAT COMMAND...: the command must fail.
expect_fails() {
	what=$1; shift
	if "$@" 2>/dev/null; then bad "$what: succeeded"; else ok "$what"; fi
}

# expect_succeeds WHAT COMMAND...
expect_succeeds() {
	what=$1; shift
	if "$@"; then ok "$what"; else bad "$what: failed (exit $?)"; fi
}

# set_stage ID STAGE: write the stage; returns the write's status.
set_stage() { echo "$2" >"/sys/kernel/kmend/$1/stage"; }
stage() { cat "/sys/kernel/kmend/$1/stage"; }
cause() { cat "/sys/kernel/kmend/$1/abort_cause"; }

# Load the engine and the test target module.
load_engine_and_target() {
	insmod /lib/kmend/kmend.ko &&
	insmod /kmend-test/modules/target/kmend_test_target.ko
}

# stage_during_steps ID STAGE WHAT: write STAGE to update ID while a read of
# kmend_test_target's steps (a long system call) runs; the read's output
# is in /tmp/steps.out once this returns.
stage_during_steps() {
	cat /sys/kernel/debug/kmend_test_target/steps >/tmp/steps.out &
	steps_reader=$!
	sleep 0.3
	expect_succeeds "$3" set_stage $1 $2
	wait $steps_reader
}

# Functions ftrace has an ops on: kmend's during a transition, and where
# a function keeps the ftrace path (once switched, most jump instead).
traced() { cat /sys/kernel/tracing/enabled_functions; }
# settled ID: wait until the jumps of update ID are in (a work item writes
# them soon after the switch; until then its functions say plain via=ftrace)
settled() {
	wait_for sh -c "! grep -q ' via=ftrace\$' /sys/kernel/kmend/$1/functions"
}
# Functions the loaded updates have switched on and calls reach ("via=" in
# their functions files, not superseded), sorted, one per line.
redirected() {
	cat /sys/kernel/kmend/*/functions 2>/dev/null |
		awk '/ via=/ && !/ via=superseded/ { print $2 }' | sort
}
# The engine's live allocations, once no module is in its init: the engine
# holds one for each loading module (module_targets.c), which a booted
# system may be loading at any time.
engine_allocations() {
	wait_for sh -c '! grep -q " Loading " /proc/modules'
	cat /sys/kernel/debug/kmend/allocations
}

# wait_for COMMAND...: retry for up to 10 s.
wait_for() {
	n=0
	while ! "$@"; do
		n=$((n + 1))
		[ $n -lt 100 ] || return 1
		sleep 0.1
	done
}

finish() {
	echo "guest: $checks checks, $fails failed"
	[ "$fails" -eq 0 ]
	exit $?
}
