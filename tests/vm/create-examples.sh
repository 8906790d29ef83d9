#!/usr/bin/env bash
# Every patch in examples/ through kmend create on the target's source (the
# time of each printed, not bounded: a timing claim needs a peer), then
# in one boot: apply, see the fix live, undo, see it gone,
# unload. The on-access example declares its model (per-task) and a
# TRANSFORM_ON_ACCESS flag, which must be on once it is applied. The user-copy example's new code must keep its exception-table
# entries (getdents64 into an unmapped buffer is EFAULT, not an oops); the
# tracepoint example's jump label must follow its (unexported) key; the
# module example patches binfmt_misc, loaded first, then unloaded and loaded
# again while the update is applied (its pack matched and patched as it
# loads); the across-units example calls a function its other unit adds.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
examples="proc-version on-access static-helpers new-function across-units user-copy tracepoint module-binfmt-misc"
mkdir -p "$tmp/u"
for ex in $examples; do
	start=$(date +%s.%N)
	"$build/bin/kmend" create --source "$SOURCE" -o "$tmp/u/$ex.ko" \
		"$top/examples/$ex.patch" >"$tmp/create.out" 2>&1
	status=$?
	took=$(echo "$(date +%s.%N) - $start" | bc)
	cat "$tmp/create.out"
	expect_status 0 "$status" "kmend create examples/$ex.patch"
	echo "examples/$ex.patch: created in $took s"
done
cc -static -O2 -Wall -Wextra -Werror -o "$tmp/getdents-fault" "$top/tests/vm/progs/getdents-fault.c" ||
	fail "cannot build tests/vm/progs/getdents-fault.c"

run_guest "$tmp/out" --file "$tmp/u:/u" --file "$tmp/getdents-fault:/getdents-fault" \
	--module binfmt_misc -- '
insmod /lib/kmend/kmend.ko
# apply ID: load /u/ID.ko and apply it
apply() {
	insmod /u/$1.ko || { bad "insmod $1"; return; }
	expect_succeeds "apply $1" set_stage $1 applied
	expect_eq "$(cause $1)" ok "$1: abort_cause"
}
# undo ID: reverse and unload it
undo() {
	expect_succeeds "undo $1" set_stage $1 reversed
	expect_succeeds "unload $1" rmmod kmend_$(echo $1 | tr - _)
}

before=$(cat /proc/version)
apply proc-version
expect_match "$(cat /proc/version)" " \(kmend example\)$" "proc-version: the new text"
undo proc-version
expect_eq "$(cat /proc/version)" "$before" "proc-version: the old text again"

apply on-access
expect_eq "$(cat /sys/kernel/kmend/on-access/model)" "leave=patched-set,switch=thread" "on-access: its model, from KMEND_MODEL"
expect_eq "$(tail -n 1 /proc/version)" "kmend example: every task switched" "on-access: the flag is on once applied"
expect_match "$(cat /sys/kernel/debug/kmend/on-access)" "on_access on: every task has switched" "on-access: the log says when it turned on"
undo on-access
expect_eq "$(cat /proc/version)" "$before" "on-access: the old text again"

apply across-units
expect_eq "$(tail -n 1 /proc/loadavg)" "kmend example: across units" "across-units: the new function of the other unit runs"
undo across-units
expect_no_match "$(cat /proc/loadavg)" "kmend example" "across-units: gone after undo"

sysctl=/proc/sys/net/core/high_order_alloc_disable
apply static-helpers
echo 1 >$sysctl
expect_match "$(dmesg | tail -n 1)" "sysctl: high_order_alloc_disable set to 1 by sh\[" "static-helpers: the new message"
expect_eq "$(cat $sysctl)" 1 "static-helpers: the static helpers still set the value"
echo 0 >$sysctl
undo static-helpers
echo 1 >$sysctl
expect_no_match "$(dmesg | tail -n 1)" "set to 1 by" "static-helpers: no message after undo"
echo 0 >$sysctl

apply new-function
expect_match "$(cat /proc/loadavg)" "^[0-9]+\.[0-9]{3} [0-9]+\.[0-9]{3} [0-9]+\.[0-9]{3} " "new-function: three decimals"
undo new-function
expect_match "$(cat /proc/loadavg)" "^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} " "new-function: two decimals again"

mkdir /tmp/d && touch /tmp/d/kmend-hidden /tmp/d/shown
apply user-copy
expect_eq "$(ls /tmp/d)" shown "user-copy: the entry is left out"
expect_eq "$(/getdents-fault /tmp/d)" EFAULT "user-copy: a fault in the new code is EFAULT"
expect_eq "$(/getdents-fault /)" EFAULT "user-copy: and again, on another folder"
undo user-copy
expect_eq "$(ls /tmp/d | tr "\n" " ")" "kmend-hidden shown " "user-copy: listed again"

# renamed: the name a shell ends up with after renaming itself kmend-jump
renamed() { sh -c "echo -n kmend-jump >/proc/\$\$/comm; read c </proc/\$\$/comm; echo \$c"; }
apply tracepoint
expect_eq "$(renamed)" kmend-jumped "tracepoint: the new code renames"
echo 1 >/sys/kernel/tracing/events/task/task_rename/enable
expect_eq "$(renamed)" kmend-jumped "tracepoint: with the event on"
expect_match "$(cat /sys/kernel/tracing/trace)" "task_rename: .* newcomm=kmend-jump " "tracepoint: the new code traced the rename (its jump label follows the key)"
echo 0 >/sys/kernel/tracing/events/task/task_rename/enable
undo tracepoint
expect_eq "$(renamed)" kmend-jump "tracepoint: the old code again"

modprobe binfmt_misc
mount -t binfmt_misc none /proc/sys/fs/binfmt_misc
status=/proc/sys/fs/binfmt_misc/status
expect_eq "$(cat $status)" enabled "binfmt_misc before"
apply module-binfmt-misc
expect_eq "$(cat $status)" "enabled (kmend example)" "module-binfmt-misc: the new text"
umount /proc/sys/fs/binfmt_misc
expect_succeeds "binfmt_misc unloads while the update is applied" rmmod binfmt_misc
expect_eq "$(stage module-binfmt-misc)" applied "the update stays applied"
modprobe binfmt_misc
mount -t binfmt_misc none /proc/sys/fs/binfmt_misc
expect_eq "$(cat $status)" "enabled (kmend example)" "module-binfmt-misc: loaded again after apply, it runs the new code (matched as it loads)"
undo module-binfmt-misc
expect_eq "$(cat $status)" enabled "module-binfmt-misc: the old text again"
umount /proc/sys/fs/binfmt_misc
expect_succeeds "binfmt_misc unloads after undo" rmmod binfmt_misc

expect_eq "$(traced)" "" "no ftrace ops left"
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
