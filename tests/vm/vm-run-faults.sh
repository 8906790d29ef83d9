#!/usr/bin/env bash
# vm-run fails a run in which the kernel oopses, warns or panics, and prints
# the report, whatever the guest's commands returned.
. "$(dirname "$0")/lib/host.bash"

mods=$build/tests/modules/faults
[ -f "$mods/kmend_test_bug.ko" ] || fail "test modules are missing; run make check"

"$vm_run" --file "$mods/kmend_test_bug.ko:/root/bug.ko" -- \
	'insmod /root/bug.ko; echo after-bug; true' >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 125 "$status" "BUG() in a module"
expect_in "$tmp/out" 'kernel BUG at' "the BUG report is printed"
expect_in "$tmp/out" 'the kernel reported a problem' "vm-run says why it failed"

"$vm_run" --file "$build/tests/modules/faults/kmend_test_warn.ko:/root/warn.ko" -- \
	'insmod /root/warn.ko && rmmod kmend_test_warn && echo loaded-fine' >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 125 "$status" "WARN() with commands that succeed"
expect_in "$tmp/out" '^loaded-fine$' "the commands ran to the end"
expect_in "$tmp/out" 'WARNING:.*kmend_test_warn' "the WARNING is printed"

"$vm_run" -- 'echo 1 >/proc/sys/kernel/sysrq; echo c >/proc/sysrq-trigger; exit 0' \
	>"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 125 "$status" "a panic"
expect_in "$tmp/out" 'Kernel panic' "the panic is printed"
