#!/usr/bin/env bash
# The examples of fixes that change data, on the kernel they are for (Debian
# 6.1.176-1, which lacks both upstream fixes; the demo's target), each
# created with kmend create, applied with kmend apply, seen working, undone:
# - shadow-perf-mlock: "perf: Track the perf mlock gift separately" with
#   the new user_struct field as a shadow variable: an io_uring buffer
#   registration that a perf ring buffer made fail works once applied, fails
#   again once undone, and the shadow variables are freed;
# - callback-rt-push-ipi: "sched/rt: Have RT_PUSH_IPI be default off for non
#   PREEMPT_RT", a changed default set by a post_patch callback (no function
#   replaced) and restored by pre_unpatch.
. "$(dirname "$0")/lib/host.bash"

ver=${KMEND_DEMO_KERNEL:-6.1.176-1}
old=$top/build/targets/$ver
eval "$(KMEND_KERNEL=$ver "$top/scripts/target-kernel" 2>/dev/null)" || fail "no target $ver"
KMEND_KERNEL=$ver make -C "$top" --no-print-directory -s BUILD="build/targets/$ver" all \
	>"$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; fail "building for $ver"; }
mkdir -p "$tmp/u"
for ex in shadow-perf-mlock callback-rt-push-ipi; do
	KMEND_INCLUDE=$top/include "$old/bin/kmend" create --source "$SOURCE" -o "$tmp/u/$ex.ko" \
		"$top/examples/$ex.patch" >"$tmp/create.out" 2>&1
	status=$?
	cat "$tmp/create.out"
	expect_status 0 "$status" "kmend create examples/$ex.patch"
done
expect_in "$tmp/create.out" "declares  post_patch callback kmend_rt_push_ipi_post_patch" "the callback is declared"
cc -static -O2 -Wall -Wextra -Werror -o "$tmp/perfmlock" "$top/examples/shadow-perf-mlock.c" ||
	fail "cannot build examples/shadow-perf-mlock.c"

KMEND_KERNEL=$ver KMEND_BUILD=$old run_guest "$tmp/out" --file "$tmp/u:/u" \
	--file "$tmp/perfmlock:/perfmlock" -- '
/perfmlock >/tmp/before.out
expect_eq "$?" 1 "before: the registration with a perf ring buffer fails"
cat /tmp/before.out
expect_succeeds "kmend apply shadow-perf-mlock" kmend apply /u/shadow-perf-mlock.ko
/perfmlock >/tmp/after.out
expect_eq "$?" 0 "applied: it works"
expect_match "$(cat /tmp/after.out)" "with a 9-page perf ring buffer: ok" "applied: says ok"
expect_succeeds "kmend undo shadow-perf-mlock" kmend undo shadow-perf-mlock
/perfmlock >/dev/null
expect_eq "$?" 1 "undone: it fails again"
sleep 0.1	# shadow variables go after a grace period
expect_eq "$(engine_allocations)" 0 "the shadow variables were freed"

F=/sys/kernel/debug/sched/features
feature() { tr " " "\n" <$F | grep RT_PUSH_IPI; }
expect_eq "$(feature)" RT_PUSH_IPI "before: RT_PUSH_IPI on"
expect_succeeds "kmend apply callback-rt-push-ipi" kmend apply /u/callback-rt-push-ipi.ko
expect_eq "$(feature)" NO_RT_PUSH_IPI "applied: the post_patch callback turned it off"
expect_match "$(kmend show callback-rt-push-ipi)" "vmlinux +patched" "an update of no function, applied"
expect_succeeds "kmend undo callback-rt-push-ipi" kmend undo callback-rt-push-ipi
expect_eq "$(feature)" RT_PUSH_IPI "undone: pre_unpatch turned it on again"
'
