#!/usr/bin/env bash
# Stack traces through created code are reliable: with an update to
# pipe_read applied, a reader asleep in the new pipe_read blocks undo with
# code_busy, and `conflicts` names the reader and pipe_read, found by the ORC
# unwinder inside the update module (without the update's ORC data, the trace
# is unreliable and the conflict names no function). Once it wakes, undo
# succeeds. The new code's pr_debug works too: its dynamic-debug descriptor
# and jump label live in the update.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
mkdir -p "$tmp/p/a/fs" "$tmp/p/b/fs"
cp "$SOURCE/fs/pipe.c" "$tmp/p/a/fs/"
awk '/^pipe_read\(/ { inside = 1 }
	     inside && /^\t__pipe_lock\(pipe\);$/ {
		print "\tpr_debug(\"kmend test: pipe_read of %zu bytes\\n\", total_len);"; inside = 0 }
	     { print }' "$SOURCE/fs/pipe.c" >"$tmp/p/b/fs/pipe.c"
(cd "$tmp/p" && diff -u a/fs/pipe.c b/fs/pipe.c) >"$tmp/pipe.patch"
grep -q '^+.*kmend test: pipe_read' "$tmp/pipe.patch" || fail "could not make the pipe_read patch"
"$build/bin/kmend" create --source "$SOURCE" --id pipe -o "$tmp/pipe.ko" "$tmp/pipe.patch" >"$tmp/create.out" 2>&1
status=$?
cat "$tmp/create.out"
expect_status 0 "$status" "kmend create of a pipe_read change"

run_guest "$tmp/out" --file "$tmp/pipe.ko:/pipe.ko" -- '
insmod /lib/kmend/kmend.ko
insmod /pipe.ko
expect_succeeds "apply" set_stage pipe applied
echo "file fs/pipe.c +p" >/sys/kernel/debug/dynamic_debug/control
expect_eq "$(echo hello | cat)" hello "a pipe still carries data"
expect_match "$(dmesg | tail -n 5)" "kmend test: pipe_read of" "the new code pr_debug prints, once enabled"
echo "file fs/pipe.c -p" >/sys/kernel/debug/dynamic_debug/control

mkfifo /tmp/fifo
sleep 1000 >/tmp/fifo &
writer=$!
cat /tmp/fifo >/tmp/read &
reader=$!
if wait_for sh -c "grep -q pipe_read /proc/$reader/stack"; then
	ok "the reader sleeps in pipe_read"
else
	bad "the reader never slept in pipe_read: $(cat /proc/$reader/stack)"
fi
expect_fails "undo while a task sleeps in the new pipe_read" set_stage pipe reversed
expect_eq "$(cause pipe)" code_busy "abort_cause"
expect_eq "$(cat /sys/kernel/kmend/pipe/conflicts)" "cat $reader pipe_read" "conflicts: the reader, in pipe_read"
expect_eq "$(stage pipe)" applied "still applied"
kill $writer
wait $reader
expect_succeeds "undo once the reader is gone" set_stage pipe reversed
expect_succeeds "unload" rmmod kmend_pipe
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
