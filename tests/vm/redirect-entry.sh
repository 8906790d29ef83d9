#!/usr/bin/env bash
# Entry jumps (kernel/redirect/jump.c): a changed function without an ftrace
# call site that its callers cannot stand in for (examples/notrace-entry-jump.patch:
# tracing_readme_read, of kernel/trace/, whose address is taken) is created
# entry_jump and reached by a jump over its first bytes, written in the stop
# of a switch=kernel model:
# - create says so; a per-task model and --format klp are refused, saying why;
# - applied: README reads the new text, functions says via=entry_jump;
# - a kprobe on its entry before the apply (its int3 or jump changes the
#   running code): code_busy, named, nothing changed;
#   placed on the jump after it: the probe fires, the undo is code_busy
#   until it is removed; then the undo puts the function's bytes back;
# - a hand-written update marked entry_jump without pre code: no_ftrace_site.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
mkdir -p "$tmp/u"
patch=$top/examples/notrace-entry-jump.patch
"$build/bin/kmend" create --source "$SOURCE" -o "$tmp/u/readme.ko" "$patch" >"$tmp/create.out" 2>&1
status=$?
cat "$tmp/create.out"
expect_status 0 "$status" "kmend create examples/notrace-entry-jump.patch"
expect_in "$tmp/create.out" "changed   function tracing_readme_read .*no ftrace call site: a jump at its entry takes its calls, written while the machine is stopped" \
	"create says how its calls are taken"
"$build/bin/kmend" create --source "$SOURCE" --model leave=patched-set,switch=thread \
	-o "$tmp/thread.ko" "$patch" >"$tmp/thread.out" 2>&1
status=$?
cat "$tmp/thread.out"
expect_status 1 "$status" "a per-task model is refused"
expect_in "$tmp/thread.out" "tracing_readme_read has no ftrace call site: .* model leave=patched-set,switch=thread does not stop it; use a switch=kernel model" \
	"and says why"
"$build/bin/kmend" create --source "$SOURCE" --format klp -o "$tmp/klp.ko" "$patch" >"$tmp/klp.out" 2>&1
status=$?
cat "$tmp/klp.out"
expect_status 1 "$status" "--format klp is refused"
expect_in "$tmp/klp.out" "tracing_readme_read has no ftrace call site, and the kernel's livepatch redirects calls only through one" \
	"and says why"

run_guest "$tmp/out" --file "$tmp/u:/u" -- '
M=/kmend-test/modules
TR=/sys/kernel/tracing
D=/sys/kernel/kmend/notrace-entry-jump
L=/sys/kernel/debug/kmend/notrace-entry-jump
load_engine_and_target
orig=$(head -n 1 $TR/README)
new="kmend example: read through a jump at the entry of tracing_readme_read"
# the replacement has the same name: the probes name the address
addr=0x$(awk '"'"'$3 == "tracing_readme_read" && NF == 3 { print $1 }'"'"' /proc/kallsyms)

# tracefs refuses probes on notrace functions: a module places them
K=/sys/module/kmend_test_kprobe/parameters
insmod $M/target/kmend_test_kprobe.ko addr=$addr
insmod /u/readme.ko
expect_fails "apply with a kprobe on the entry" set_stage notrace-entry-jump applied
expect_eq "$(cause notrace-entry-jump)" code_busy "abort_cause"
expect_match "$(cat $D/abort_detail)" "tracing_readme_read: a kprobe at tracing_readme_read\+0x0/.* stands in its running code at \+0x0; remove it, then apply" "abort_detail says what to do"
expect_eq "$(head -n 1 $TR/README)" "$orig" "nothing changed"
expect_match "$(cat $K/hits)" "^[1-9]" "the kprobe fires in the original"
rmmod kmend_test_kprobe
expect_succeeds "apply once it is gone" set_stage notrace-entry-jump applied
expect_eq "$(cat $TR/README)" "$new" "the replacement runs"
expect_match "$(cat $D/functions)" "^vmlinux tracing_readme_read -> tracing_readme_read .kmend_notrace_entry_jump. via=entry_jump$" "functions: via=entry_jump"
expect_match "$(cat $L)" "tracing_readme_read: no ftrace call site; a jump at tracing_readme_read\+0x0/" "the log says so"
expect_match "$(cat $L)" "apply attempt 1: stopped .*: switched" "written in the stop"
expect_eq "$(grep -c tracing_readme_read $TR/enabled_functions)" 0 "no ftrace ops"

expect_succeeds "a kprobe on the jump" insmod $M/target/kmend_test_kprobe.ko addr=$addr
expect_eq "$(cat $TR/README)" "$new" "the replacement runs through the probed jump"
hits=$(cat $K/hits)
expect_match "$hits" "^[1-9]" "the kprobe on the jump fires"
expect_fails "undo with a kprobe on the jump" set_stage notrace-entry-jump reversed
expect_eq "$(cause notrace-entry-jump)" code_busy "abort_cause"
expect_match "$(cat $D/abort_detail)" "cannot be written: kprobe there; remove that kprobe first" "abort_detail says what to do"
expect_eq "$(stage notrace-entry-jump)" applied "still applied"
expect_eq "$(cat $TR/README)" "$new" "the replacement still runs"
expect_succeeds "and the kprobe still fires" test "$(cat $K/hits)" -gt "$hits"
rmmod kmend_test_kprobe
expect_succeeds "undo once the kprobe is gone" kmend undo -q notrace-entry-jump
expect_eq "$(head -n 1 $TR/README)" "$orig" "the original runs again"
expect_succeeds "a kprobe on the function'"'"'s own bytes again" insmod $M/target/kmend_test_kprobe.ko addr=$addr
head -n 1 $TR/README >/dev/null
expect_match "$(cat $K/hits)" "^[1-9]" "fires"
rmmod kmend_test_kprobe

insmod $M/updates/kmend_test_update_entry.ko
expect_fails "entry_jump without pre code" set_stage test-entry applied
expect_eq "$(cause test-entry)" no_ftrace_site "abort_cause"
expect_match "$(cat /sys/kernel/kmend/test-entry/abort_detail)" "kmend_test_notrace has no ftrace call site, and a jump at its entry is not safe: the update carries no pre code to check its branches against" "abort_detail says why"
expect_eq "$(cat /sys/kernel/debug/kmend_test_target/notrace)" untraced "the original runs"
rmmod kmend_test_update_entry
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
