#!/usr/bin/env bash
# The callbacks scenarios of the kernel's livepatch selftests
# (tools/testing/selftests/livepatch/test-callbacks.sh), with kmend: each
# scenario's kernel messages from the test modules, in order, must be
# exactly those expected. kmend apply loads and applies, kmend undo undoes
# and unloads; the model is switch=kernel, so "during a transition" is
# during the engine's retries while a task sits in a replaced function.
# Not ported: atomic replace, which kmend does not have.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" -- '
U=/kmend-test/modules/callbacks
insmod /lib/kmend/kmend.ko
dmesg -c >/dev/null

# events: what the test modules printed since the last call
events() {
	dmesg -c | sed "s/^\[[ 0-9.]*\] //" |
		grep -E "^kmend_test_(cbmod|busymod|update_cb2?): " >>/tmp/events
}
# step COMMAND...: run it, then record "% COMMAND" and what it printed
step() {
	events
	echo "% $*" | sed "s#$U/##g" >>/tmp/events
	"$@" >/tmp/step.out 2>&1
	status=$?
	events
	[ $status = 0 ] || echo "(exit status $status)" >>/tmp/events
}
# scenario NAME EXPECTED: compare the events so far, then start anew
scenario() {
	events
	expect_eq "$(cat /tmp/events)" "$2" "$1"
	[ "$(cat /tmp/events)" = "$2" ] || cat /tmp/events
	: >/tmp/events
}
: >/tmp/events
LIVE="[MODULE_STATE_LIVE] Normal state"
COMING="[MODULE_STATE_COMING] Full formed, running module_init"
GOING="[MODULE_STATE_GOING] Going away"
CB=kmend_test_update_cb

step insmod $U/kmend_test_cbmod.ko
step kmend apply -q $U/kmend_test_update_cb.ko
step kmend undo -q test-cb
step rmmod kmend_test_cbmod
scenario "target module before the update" "% insmod kmend_test_cbmod.ko
kmend_test_cbmod: kmend_test_cbmod_init: loading
% kmend apply -q kmend_test_update_cb.ko
$CB: pre_patch_callback: vmlinux
$CB: pre_patch_callback: kmend_test_cbmod -> $LIVE
$CB: post_patch_callback: vmlinux
$CB: post_patch_callback: kmend_test_cbmod -> $LIVE
% kmend undo -q test-cb
$CB: pre_unpatch_callback: vmlinux
$CB: pre_unpatch_callback: kmend_test_cbmod -> $LIVE
$CB: post_unpatch_callback: vmlinux
$CB: post_unpatch_callback: kmend_test_cbmod -> $LIVE
% rmmod kmend_test_cbmod
kmend_test_cbmod: kmend_test_cbmod_exit: unloading"

step kmend apply -q $U/kmend_test_update_cb.ko
step insmod $U/kmend_test_cbmod.ko
step kmend undo -q test-cb
step rmmod kmend_test_cbmod
scenario "a target module loading after the update (coming)" "% kmend apply -q kmend_test_update_cb.ko
$CB: pre_patch_callback: vmlinux
$CB: post_patch_callback: vmlinux
% insmod kmend_test_cbmod.ko
$CB: pre_patch_callback: kmend_test_cbmod -> $COMING
$CB: post_patch_callback: kmend_test_cbmod -> $COMING
kmend_test_cbmod: kmend_test_cbmod_init: loading
% kmend undo -q test-cb
$CB: pre_unpatch_callback: vmlinux
$CB: pre_unpatch_callback: kmend_test_cbmod -> $LIVE
$CB: post_unpatch_callback: vmlinux
$CB: post_unpatch_callback: kmend_test_cbmod -> $LIVE
% rmmod kmend_test_cbmod
kmend_test_cbmod: kmend_test_cbmod_exit: unloading"

step insmod $U/kmend_test_cbmod.ko
step kmend apply -q $U/kmend_test_update_cb.ko
step rmmod kmend_test_cbmod
step kmend undo -q test-cb
scenario "a target module unloading while the update is applied (going)" "% insmod kmend_test_cbmod.ko
kmend_test_cbmod: kmend_test_cbmod_init: loading
% kmend apply -q kmend_test_update_cb.ko
$CB: pre_patch_callback: vmlinux
$CB: pre_patch_callback: kmend_test_cbmod -> $LIVE
$CB: post_patch_callback: vmlinux
$CB: post_patch_callback: kmend_test_cbmod -> $LIVE
% rmmod kmend_test_cbmod
kmend_test_cbmod: kmend_test_cbmod_exit: unloading
$CB: pre_unpatch_callback: kmend_test_cbmod -> $GOING
$CB: post_unpatch_callback: kmend_test_cbmod -> $GOING
% kmend undo -q test-cb
$CB: pre_unpatch_callback: vmlinux
$CB: post_unpatch_callback: vmlinux"

step kmend apply -q $U/kmend_test_update_cb.ko
step insmod $U/kmend_test_cbmod.ko
step rmmod kmend_test_cbmod
step kmend undo -q test-cb
scenario "a target module coming and going" "% kmend apply -q kmend_test_update_cb.ko
$CB: pre_patch_callback: vmlinux
$CB: post_patch_callback: vmlinux
% insmod kmend_test_cbmod.ko
$CB: pre_patch_callback: kmend_test_cbmod -> $COMING
$CB: post_patch_callback: kmend_test_cbmod -> $COMING
kmend_test_cbmod: kmend_test_cbmod_init: loading
% rmmod kmend_test_cbmod
kmend_test_cbmod: kmend_test_cbmod_exit: unloading
$CB: pre_unpatch_callback: kmend_test_cbmod -> $GOING
$CB: post_unpatch_callback: kmend_test_cbmod -> $GOING
% kmend undo -q test-cb
$CB: pre_unpatch_callback: vmlinux
$CB: post_unpatch_callback: vmlinux"

step kmend apply -q $U/kmend_test_update_cb.ko
step kmend undo -q test-cb
scenario "target module not present" "% kmend apply -q kmend_test_update_cb.ko
$CB: pre_patch_callback: vmlinux
$CB: post_patch_callback: vmlinux
% kmend undo -q test-cb
$CB: pre_unpatch_callback: vmlinux
$CB: post_unpatch_callback: vmlinux"

step insmod $U/kmend_test_cbmod.ko
step insmod $U/kmend_test_update_cb.ko pre_patch_ret=-19
step set_stage test-cb applied
expect_eq "$(cause test-cb)" call_failed "a refusing pre_patch: abort_cause"
expect_eq "$(cat /sys/kernel/kmend/test-cb/abort_detail)" "vmlinux: the pre_patch callback refused (-19)" "a refusing pre_patch: abort_detail"
step rmmod kmend_test_update_cb
step rmmod kmend_test_cbmod
scenario "pre_patch callback -ENODEV" "% insmod kmend_test_cbmod.ko
kmend_test_cbmod: kmend_test_cbmod_init: loading
% insmod kmend_test_update_cb.ko pre_patch_ret=-19
% set_stage test-cb applied
$CB: pre_patch_callback: vmlinux
(exit status 1)
% rmmod kmend_test_update_cb
% rmmod kmend_test_cbmod
kmend_test_cbmod: kmend_test_cbmod_exit: unloading"

# (busybox insmod tries finit_module, then init_module: two loads, two
# refusals, and the errno as its exit status)
step kmend apply -q $U/kmend_test_update_cb.ko
echo -19 >/sys/module/kmend_test_update_cb/parameters/pre_patch_ret
step insmod $U/kmend_test_cbmod.ko
expect_eq "$(grep -c ^kmend_test_cbmod /proc/modules)" 0 "the module whose pre_patch refused is not loaded"
step kmend undo -q test-cb
scenario "a coming module whose pre_patch callback refuses (-ENODEV)" "% kmend apply -q kmend_test_update_cb.ko
$CB: pre_patch_callback: vmlinux
$CB: post_patch_callback: vmlinux
% insmod kmend_test_cbmod.ko
$CB: pre_patch_callback: kmend_test_cbmod -> $COMING
$CB: pre_patch_callback: kmend_test_cbmod -> $COMING
(exit status 19)
% kmend undo -q test-cb
$CB: pre_unpatch_callback: vmlinux
$CB: post_unpatch_callback: vmlinux"

step insmod $U/kmend_test_busymod.ko block_transition=0
step kmend apply -q $U/kmend_test_update_cb.ko
step insmod $U/kmend_test_cbmod.ko
step rmmod kmend_test_cbmod
step kmend undo -q test-cb
step rmmod kmend_test_busymod
scenario "several target modules" "% insmod kmend_test_busymod.ko block_transition=0
kmend_test_busymod: kmend_test_busymod_init: loading
kmend_test_busymod: busymod_work_func: running
kmend_test_busymod: busymod_work_func: returns
% kmend apply -q kmend_test_update_cb.ko
$CB: pre_patch_callback: vmlinux
$CB: pre_patch_callback: kmend_test_busymod -> $LIVE
$CB: post_patch_callback: vmlinux
$CB: post_patch_callback: kmend_test_busymod -> $LIVE
% insmod kmend_test_cbmod.ko
$CB: pre_patch_callback: kmend_test_cbmod -> $COMING
$CB: post_patch_callback: kmend_test_cbmod -> $COMING
kmend_test_cbmod: kmend_test_cbmod_init: loading
% rmmod kmend_test_cbmod
kmend_test_cbmod: kmend_test_cbmod_exit: unloading
$CB: pre_unpatch_callback: kmend_test_cbmod -> $GOING
$CB: post_unpatch_callback: kmend_test_cbmod -> $GOING
% kmend undo -q test-cb
$CB: pre_unpatch_callback: vmlinux
$CB: pre_unpatch_callback: kmend_test_busymod -> $LIVE
$CB: post_unpatch_callback: vmlinux
$CB: post_unpatch_callback: kmend_test_busymod -> $LIVE
% rmmod kmend_test_busymod
kmend_test_busymod: kmend_test_busymod_exit: unloading"

# A task stays in busymod_work_func: the apply retries, then gives up
# (code_busy). A module loading meanwhile is patched as part of the
# transition (pre_patch, no post_patch yet) while the engine waits between
# its retries, as livepatch patches a module loading during a transition;
# the transition that never happened gets post_unpatch only, for every
# pack, the loaded module too (test-callbacks.sh of the kernel, "busy
# target module", has the same messages).
step insmod $U/kmend_test_busymod.ko block_transition=1
events
echo "% kmend apply -q kmend_test_update_cb.ko (in the background)" >>/tmp/events
kmend apply -q $U/kmend_test_update_cb.ko >/tmp/apply.out 2>&1 &
applier=$!
# (dmesg was cleared: a line there now is this apply'"'"'s)
wait_for sh -c "dmesg | grep -q \"pre_patch_callback: kmend_test_busymod\""
step insmod $U/kmend_test_cbmod.ko
wait $applier
echo "(the apply exits $?)" >>/tmp/events
echo N >/sys/module/kmend_test_busymod/parameters/block_transition
sleep 0.1
step rmmod kmend_test_cbmod
step rmmod kmend_test_busymod
scenario "a busy target module; a module loading during the transition" "% insmod kmend_test_busymod.ko block_transition=1
kmend_test_busymod: kmend_test_busymod_init: loading
kmend_test_busymod: busymod_work_func: running
% kmend apply -q kmend_test_update_cb.ko (in the background)
$CB: pre_patch_callback: vmlinux
$CB: pre_patch_callback: kmend_test_busymod -> $LIVE
% insmod kmend_test_cbmod.ko
$CB: pre_patch_callback: kmend_test_cbmod -> $COMING
kmend_test_cbmod: kmend_test_cbmod_init: loading
(the apply exits 16)
$CB: post_unpatch_callback: vmlinux
$CB: post_unpatch_callback: kmend_test_cbmod -> $LIVE
$CB: post_unpatch_callback: kmend_test_busymod -> $LIVE
kmend_test_busymod: busymod_work_func: returns
% rmmod kmend_test_cbmod
kmend_test_cbmod: kmend_test_cbmod_exit: unloading
% rmmod kmend_test_busymod
kmend_test_busymod: kmend_test_busymod_exit: unloading"
grep -q "code_busy" /tmp/apply.out && ok "the busy apply said code_busy" || bad "the busy apply: $(cat /tmp/apply.out)"

step kmend apply -q $U/kmend_test_update_cb.ko
step kmend apply -q $U/kmend_test_update_cb2.ko
step kmend undo -q test-cb2
step kmend undo -q test-cb
scenario "two updates" "% kmend apply -q kmend_test_update_cb.ko
$CB: pre_patch_callback: vmlinux
$CB: post_patch_callback: vmlinux
% kmend apply -q kmend_test_update_cb2.ko
kmend_test_update_cb2: pre_patch_callback: vmlinux
kmend_test_update_cb2: post_patch_callback: vmlinux
% kmend undo -q test-cb2
kmend_test_update_cb2: pre_unpatch_callback: vmlinux
kmend_test_update_cb2: post_unpatch_callback: vmlinux
% kmend undo -q test-cb
$CB: pre_unpatch_callback: vmlinux
$CB: post_unpatch_callback: vmlinux"

expect_eq "$(traced)" "" "no ftrace ops left"
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
