#!/usr/bin/env bash
# Target modules that come and go in the middle of a per-task transition
# (issue 15): soak-thread-kernel (leave=kernel,switch=thread) patches
# kmend_test_target and kmend_test_churn; a task asleep in the kernel holds
# its transition open while:
# - churn, not loaded when the apply began, loads (its pack is patched with
#   the update, its calls ask the universe), unloads (unpatched: its ftrace
#   ops gone, nothing of it left redirected) and loads again;
# - the transition then completes (churn runs the new code, post_patch
#   ran) or is reversed (churn runs the old code);
# - churn loaded before the apply is held by it: its unload is refused while
#   the transition runs (the engine took a reference for the apply) and
#   succeeds once it ends, unpatching its pack alone.
# After each: the engine's allocations back to what they were, nothing
# redirected once undone, no oops or WARNING (vm-run).
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" --timeout 300 -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
C=/sys/kernel/debug/kmend_test_churn
D=/sys/kernel/kmend/soak-thread-kernel
load_engine_and_target
echo 1 >/sys/module/kmend_test_target/parameters/sleep_killable
base=$(engine_allocations)
churn_traced() { traced | grep -c "^kmend_test_churn "; }

# hold: apply soak-thread-kernel in the background, held by a sleeper
hold() {
	insmod $M/soak/kmend_soak_thread_kernel.ko
	cat $T/sleep >/tmp/sleeper.out &
	sleeper=$!
	wait_for grep -qx 1 $T/sleepers
	(set_stage soak-thread-kernel applied; echo $? >/tmp/apply.status) &
	writer=$!
	wait_for grep -q "^applying" $D/transition ||
		bad "the transition began"
}
release() {
	echo 1 >$T/wake
	wait $sleeper
}

# --- a target that comes and goes during the transition, which completes ---
rm -f /tmp/apply.status
hold
expect_succeeds "churn loads during the transition" insmod $M/soak/kmend_test_churn.ko
expect_eq "$(churn_traced)" 1 "its pack is patched with the update"
expect_match "$(cat $C/value)" "^(original|patched)$" "it runs one version or the other"
expect_match "$(cat /sys/kernel/debug/kmend/soak-thread-kernel)" \
	"module kmend_test_churn is loading: patching it \(the update is in transition\)" "the log says so"
expect_succeeds "churn unloads during the transition" rmmod kmend_test_churn
expect_eq "$(churn_traced)" 0 "its pack is unpatched"
expect_match "$(cat /sys/kernel/debug/kmend/soak-thread-kernel)" \
	"module kmend_test_churn is unloading: unpatched it" "the log says so"
expect_succeeds "churn loads again during the transition" insmod $M/soak/kmend_test_churn.ko
expect_eq "$(grep -c "^applying" $D/transition)" 1 "the transition still waits for the sleeper"
release
wait $writer
expect_eq "$(cat /tmp/apply.status)" 0 "the apply completes once the sleeper leaves"
expect_eq "$(stage soak-thread-kernel)" applied "applied"
expect_eq "$(cat $T/value) $(cat $C/value)" "patched patched" "both targets run the new code"
expect_succeeds "churn unloads while applied" rmmod kmend_test_churn
expect_succeeds "and loads again, patched" insmod $M/soak/kmend_test_churn.ko
expect_eq "$(cat $C/value)" patched "churn runs the new code"
expect_succeeds "undo" set_stage soak-thread-kernel reversed
expect_eq "$(cat $T/value) $(cat $C/value)" "original original" "both run the old code"
expect_succeeds "churn unloads after the undo" rmmod kmend_test_churn
expect_succeeds "the update unloads" rmmod kmend_soak_thread_kernel
expect_eq "$(traced | grep -c kmend_test_)" 0 "nothing redirected"
expect_eq "$(engine_allocations)" "$base" "every allocation of it freed"

# --- a target loaded during the transition, which is reversed ---------------
rm -f /tmp/apply.status
hold
expect_succeeds "churn loads during the transition" insmod $M/soak/kmend_test_churn.ko
expect_succeeds "the transition reversed" set_stage soak-thread-kernel reversed
wait $writer
expect_eq "$(cat /tmp/apply.status)" 1 "the apply failed"
expect_eq "$(cause soak-thread-kernel)" interrupted "abort_cause: interrupted"
release
expect_eq "$(cat $T/value) $(cat $C/value)" "original original" "both run the old code"
expect_eq "$(churn_traced)" 0 "churn is not redirected"
expect_succeeds "churn unloads" rmmod kmend_test_churn
expect_succeeds "the update unloads" rmmod kmend_soak_thread_kernel
expect_eq "$(engine_allocations)" "$base" "every allocation of it freed"

# --- a target loaded before the apply is held until the transition ends ----
rm -f /tmp/apply.status
insmod $M/soak/kmend_test_churn.ko
hold
expect_fails "churn cannot unload during the transition" rmmod kmend_test_churn
expect_eq "$(churn_traced)" 1 "its pack stays patched"
expect_match "$(cat $C/value)" "^(original|patched)$" "it runs one version or the other"
release
wait $writer
expect_eq "$(cat /tmp/apply.status)" 0 "the apply completes"
expect_eq "$(cat $C/value)" patched "churn runs the new code"
expect_succeeds "churn unloads once the transition ended" rmmod kmend_test_churn
expect_eq "$(churn_traced) $(cat $T/value)" "0 patched" "its pack alone unpatched"
expect_succeeds "undo" set_stage soak-thread-kernel reversed
expect_succeeds "the update unloads" rmmod kmend_soak_thread_kernel
expect_eq "$(traced | grep -c kmend_test_)" 0 "nothing redirected"
expect_eq "$(engine_allocations)" "$base" "every allocation of it freed"
'
