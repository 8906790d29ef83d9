#!/usr/bin/env bash
# Cumulative updates (kmend create --replace; kernel/replace.c): over two
# updates applied earlier (fleet-1: /proc/version; new-function: /proc/loadavg),
# an update made with --replace that carries /proc/version's fix alone takes
# it over, puts /proc/loadavg back to the original, and leaves one update
# loaded: the other two reversed in its stop and unloaded by kmend apply.
# A task asleep in a replaced update's code makes the replace code_busy and
# changes nothing. Over an update reached by an entry jump (no ftrace site):
# a replace that does not carry its function gives the function its own
# bytes back, one that carries it moves the jump to its own code, in the
# stop; a kprobe in the jump's bytes makes the replace code_busy. A
# per-task model is refused by create.
# With --format klp, livepatch's own atomic replace does it.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
kmend=$build/bin/kmend
mkdir -p "$tmp/u"
v2=$tmp/proc-version-v2.patch
sed 's/(kmend example)/(kmend fleet v2)/g' "$top/examples/proc-version.patch" >"$v2"
create() {
	"$kmend" create --source "$SOURCE" "$@" >"$tmp/create" 2>&1 || { cat "$tmp/create"; fail "kmend create $*"; }
}
create --id fleet-1 -o "$tmp/u/fleet-1.ko" "$top/examples/proc-version.patch"
create -o "$tmp/u/new-function.ko" "$top/examples/new-function.patch"
create --id entry -o "$tmp/u/entry.ko" "$top/examples/notrace-entry-jump.patch"
create --id fleet-3 --replace -o "$tmp/u/fleet-3.ko" "$v2"
sed 's/read through a jump at the entry of tracing_readme_read/version 2, through the same jump/' \
	"$top/examples/notrace-entry-jump.patch" >"$tmp/entry-v2.patch"
create --id entry-2 --replace -o "$tmp/u/entry-2.ko" "$tmp/entry-v2.patch"
# for the kernel's livepatch: its own atomic replace (klp_patch.replace)
create --format klp --id klp-1 -o "$tmp/u/klp-1.ko" "$top/examples/proc-version.patch"
create --format klp --id klp-2 --replace -o "$tmp/u/klp-2.ko" "$v2"
"$kmend" show "$tmp/u/fleet-3.ko" >"$tmp/show"
expect_in "$tmp/show" "^Replace: +yes" "kmend show says it replaces"
"$kmend" create --source "$SOURCE" --replace --model leave=patched-set,switch=thread \
	-o "$tmp/x.ko" "$v2" >"$tmp/out" 2>&1
expect_status 1 $? "--replace with a per-task model"
expect_in "$tmp/out" "replace: the updates it replaces are switched off in the same stop of the machine as it is switched on, and model leave=patched-set,switch=thread does not stop it" \
	"is refused, saying why"

run_guest "$tmp/out" --file "$tmp/u:/u" -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
P=/sys/kernel/kmend
load_engine_and_target
orig_version=$(cat /proc/version)
orig_loadavg_fields=$(awk "{ print NF }" /proc/loadavg)
expect_succeeds "apply fleet-1" kmend apply -q /u/fleet-1.ko
expect_succeeds "apply new-function" kmend apply -q /u/new-function.ko
insmod $M/updates/kmend_test_update_sleep.ko
expect_succeeds "apply test-sleep (a module target)" set_stage test-sleep applied
settled fleet-1
settled new-function
expect_match "$(cat /proc/version)" "\(kmend example\)$" "fleet-1 runs"
expect_match "$(cat /proc/loadavg)" "^[0-9]+\.[0-9]{3} " "new-function runs"
expect_eq "$(cat $T/value)" patched "test-sleep runs"

# a task asleep in the code of an update it replaces: code_busy, nothing changed
echo 1 >/sys/module/kmend_test_update_sleep/parameters/hold
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
sleep 0.5
kmend apply /u/fleet-3.ko >/tmp/apply.out 2>&1
expect_eq "$?" 16 "the replace while a task sleeps in a replaced update: code_busy (16)"
expect_match "$(cat /tmp/apply.out)" "new_sleep" "the conflict names the replaced update'"'"'s function"
expect_eq "$(ls $P | grep -c fleet-3)" 0 "the replacing update unloaded again"
expect_eq "$(stage fleet-1) $(stage new-function) $(stage test-sleep)" "applied applied applied" "the others still applied"
expect_match "$(cat /proc/version)" "\(kmend example\)$" "fleet-1 still runs"
expect_match "$(cat /proc/loadavg)" "^[0-9]+\.[0-9]{3} " "new-function still runs"
settled fleet-1
expect_match "$(cat $P/fleet-1/functions)" " via=jump$" "and reaches its code by a jump again"
echo 0 >/sys/module/kmend_test_update_sleep/parameters/hold
wait $sleeper

# replaced
kmend apply /u/fleet-3.ko >/tmp/apply.out 2>&1
expect_eq "$?" 0 "kmend apply of the replacing update"
cat /tmp/apply.out
for id in fleet-1 new-function test-sleep; do
	expect_match "$(cat /tmp/apply.out)" "^kmend: replaced $id \(switched off in the same stop\) and unloaded it$" "$id replaced and unloaded"
done
expect_eq "$(ls $P)" "fleet-3" "one update loaded"
expect_eq "$(lsmod | grep -c "^kmend_fleet_1 \|^kmend_new_function \|^kmend_test_update_sleep ")" 0 "their modules are gone"
expect_match "$(cat /proc/version)" "\(kmend fleet v2\)$" "/proc/version: the replacing update'"'"'s code"
expect_eq "$(awk "{ print NF }" /proc/loadavg)" "$orig_loadavg_fields" "/proc/loadavg: the original again"
expect_no_match "$(cat /proc/loadavg)" "^[0-9]+\.[0-9]{3} " "three decimals no more"
expect_eq "$(cat $T/value)" original "the module target: the original again"
expect_match "$(cat /sys/kernel/debug/kmend/fleet-3)" "replace: update fleet-1 replaced" "its log says so"
settled fleet-3
expect_match "$(cat $P/fleet-3/functions)" "version_proc_show .* via=jump$" "and it settles to a jump"

# over an update reached by an entry jump
R=/sys/kernel/tracing/README
orig_readme=$(head -n 1 $R)
expect_succeeds "undo fleet-3" kmend undo -q fleet-3
expect_eq "$(cat /proc/version)" "$orig_version" "undone: the original /proc/version"
expect_succeeds "apply an entry-jump update" kmend apply -q /u/entry.ko
expect_eq "$(head -n 1 $R)" "kmend example: read through a jump at the entry of tracing_readme_read" "entry runs, through its entry jump"
# a kprobe in the jump'"'"'s bytes: the stop cannot rewrite them
addr=0x$(awk '"'"'$3 == "tracing_readme_read" && NF == 3 { print $1 }'"'"' /proc/kallsyms)
insmod $M/target/kmend_test_kprobe.ko addr=$addr
kmend apply /u/fleet-3.ko >/tmp/apply.out 2>&1
expect_eq "$?" 16 "a replace with a kprobe on the entry jump it takes back: code_busy (16)"
expect_match "$(cat /tmp/apply.out)" "the entry jump of tracing_readme_read .* cannot be written: kprobe there; remove that kprobe first" "named, with what to do"
expect_eq "$(stage entry)" applied "entry still applied"
expect_eq "$(ls $P | grep -c fleet-3)" 0 "the replacing update unloaded again"
rmmod kmend_test_kprobe
# a replace that does not carry the function: its own bytes back
kmend apply /u/fleet-3.ko >/tmp/apply.out 2>&1
expect_eq "$?" 0 "replace over the entry-jump update"
expect_match "$(cat /tmp/apply.out)" "replaced entry" "entry replaced and unloaded"
expect_eq "$(ls $P)" "fleet-3" "one update loaded"
expect_eq "$(head -n 1 $R)" "$orig_readme" "tracing_readme_read: the original again"
expect_match "$(cat /proc/version)" "\(kmend fleet v2\)$" "fleet-3 runs"
expect_succeeds "undo fleet-3" kmend undo -q fleet-3
# a replace that carries it: the jump goes to the new code, in the stop
expect_succeeds "apply entry again" kmend apply -q /u/entry.ko
expect_succeeds "apply fleet-1 beside it" kmend apply -q /u/fleet-1.ko
kmend apply /u/entry-2.ko >/tmp/apply.out 2>&1
expect_eq "$?" 0 "replace that carries the entry-jump function"
expect_eq "$(ls $P)" "entry-2" "entry-2 alone (entry and fleet-1 replaced)"
expect_eq "$(head -n 1 $R)" "kmend example: version 2, through the same jump" "tracing_readme_read: entry-2'"'"'s code"
expect_match "$(cat $P/entry-2/functions)" "tracing_readme_read .* via=entry_jump$" "reached by the entry jump"
expect_eq "$(cat /proc/version)" "$orig_version" "/proc/version: the original again"
expect_succeeds "undo entry-2" kmend undo -q entry-2
expect_eq "$(head -n 1 $R)" "$orig_readme" "undone: the original README"
expect_eq "$(ls $P | wc -l)" 0 "nothing loaded"

# --format klp --replace: livepatch replaces the earlier livepatch itself
L=/sys/kernel/livepatch
expect_succeeds "kmend apply klp-1" kmend apply -q /u/klp-1.ko
expect_match "$(cat /proc/version)" "\(kmend example\)$" "klp-1 runs"
expect_succeeds "kmend apply klp-2 (replace)" kmend apply -q /u/klp-2.ko
expect_match "$(cat /proc/version)" "\(kmend fleet v2\)$" "klp-2 runs"
expect_eq "$(ls $L)" "kmend_klp_2" "livepatch keeps klp-2 alone"
expect_succeeds "klp-1'"'"'s module unloads" rmmod kmend_klp_1
expect_succeeds "kmend undo klp-2" kmend undo -q klp-2
expect_eq "$(cat /proc/version)" "$orig_version" "the original again"
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
