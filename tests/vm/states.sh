#!/usr/bin/env bash
# System states (KMEND_STATE, kernel/state.c), livepatch's klp_state: with
# examples/system-state.patch (state 7, version 1, a count of applies in the
# state's data, shown in /proc/version) applied, a replacing update that does
# not declare the state is refused (incompatible_state, exit 24), nothing
# changed; one that declares it at version 2 replaces it and its post_patch
# takes the count over (kmend_get_prev_state() finds the replaced update's
# state in the same apply); an update stacked on it with version 1 is refused;
# one without states may stack; one declaring the same state on another
# function keeps st-2 from being undone before it. kmend show lists states. The same with
# --format klp, where livepatch's own klp_state does the check. create
# refuses a state with id 0 and a state declared with two versions.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
kmend=$build/bin/kmend
mkdir -p "$tmp/u"
v1=$top/examples/system-state.patch
v2=$tmp/state-v2.patch
sed 's/EXAMPLE_STATE_VERSION\t1/EXAMPLE_STATE_VERSION\t2/; s/"state v1"/"state v2"/' "$v1" >"$v2"
grep -q 'EXAMPLE_STATE_VERSION.2$' "$v2" || fail "the v2 patch was not made"
none=$tmp/state-none.patch
sed 's/^+KMEND_STATE(EXAMPLE_STATE, EXAMPLE_STATE_VERSION);$/+/' "$v2" >"$none"
grep -q '^+KMEND_STATE' "$none" && fail "the stateless patch still declares the state"
create() {
	"$kmend" create --source "$SOURCE" "$@" >"$tmp/create" 2>&1 || { cat "$tmp/create"; fail "kmend create $*"; }
}
create --id st-1 -o "$tmp/u/st-1.ko" "$v1"
create --id st-2 --replace -o "$tmp/u/st-2.ko" "$v2"
create --id st-none --replace -o "$tmp/u/st-none.ko" "$none"
create --id st-old -o "$tmp/u/st-old.ko" "$v1"
create -o "$tmp/u/new-function.ko" "$top/examples/new-function.patch"
# another function (/proc/loadavg) with the same state, version 2
mkdir -p "$tmp/a/fs/proc" "$tmp/b/fs/proc"
cp "$SOURCE/fs/proc/loadavg.c" "$tmp/a/fs/proc/"
cp "$SOURCE/fs/proc/loadavg.c" "$tmp/b/fs/proc/"
(cd "$tmp/b" && patch -s -p1 <"$top/examples/new-function.patch") || fail "new-function.patch"
printf '\n#include <kmend/patch.h>\nKMEND_STATE(7, 2);\n' >>"$tmp/b/fs/proc/loadavg.c"
(cd "$tmp" && diff -u a/fs/proc/loadavg.c b/fs/proc/loadavg.c) >"$tmp/loadavg-state.patch"
create --id la-state -o "$tmp/u/la-state.ko" "$tmp/loadavg-state.patch"
create --format klp --id klp-st-1 -o "$tmp/u/klp-st-1.ko" "$v1"
create --format klp --id klp-st-2 --replace -o "$tmp/u/klp-st-2.ko" "$v2"
create --format klp --id klp-st-none --replace -o "$tmp/u/klp-st-none.ko" "$none"

"$kmend" show "$tmp/u/st-2.ko" >"$tmp/show"
expect_in "$tmp/show" "^System states: id 7, version 2$" "kmend show lists the state"
"$kmend" show --json "$tmp/u/st-2.ko" >"$tmp/show.json"
expect_in "$tmp/show.json" '"states":\[\{"id":7,"version":2\}\]' "and in its JSON"
"$kmend" show --json "$tmp/u/st-none.ko" >"$tmp/show.json"
expect_in "$tmp/show.json" '"states":\[\]' "none for the stateless update"

sed 's/^+KMEND_STATE(EXAMPLE_STATE, EXAMPLE_STATE_VERSION);$/+KMEND_STATE(0, 1);/' "$v1" >"$tmp/zero.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/zero.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a state with id 0"
expect_in "$tmp/out" "KMEND_STATE\(0, 1\): the id must be nonzero" "is refused, saying why"
sed 's/^+KMEND_STATE(EXAMPLE_STATE, EXAMPLE_STATE_VERSION);$/&\n+KMEND_STATE(EXAMPLE_STATE, 3);/; s/^@@ -6,13 +6,73 @@/@@ -6,13 +6,74 @@/' \
	"$v1" >"$tmp/twice.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/twice.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a state declared with two versions"
expect_in "$tmp/out" "KMEND_STATE\(7, \.\.\.\) is declared with two versions, (1 and 3|3 and 1)" "is refused, saying why"

run_guest "$tmp/out" --file "$tmp/u:/u" -- '
P=/sys/kernel/kmend
load_engine_and_target
orig_version=$(cat /proc/version)
expect_succeeds "apply st-1" kmend apply -q /u/st-1.ko
expect_match "$(cat /proc/version)" "\(state v1: applied 1 times, handed over: no\)$" "st-1 runs with its own state data"

# a replacing update that does not know the state
kmend apply /u/st-none.ko >/tmp/apply.out 2>&1
expect_eq "$?" 24 "a replace without the state: incompatible_state (24)"
expect_match "$(cat /tmp/apply.out)" "update st-1 changed system state 7 \(version 1\), which this replacing update does not declare" "kmend apply names the update and the state"
expect_match "$(cat /tmp/apply.out)" "declares that state at the applied version or newer" "and says what to do"
expect_eq "$(ls $P)" "st-1" "the refused update unloaded again"
expect_eq "$(stage st-1)" applied "st-1 still applied"
expect_match "$(cat /proc/version)" "\(state v1: applied 1 times, handed over: no\)$" "st-1 still runs"

# the cumulative update at version 2 takes the state over
kmend apply /u/st-2.ko >/tmp/apply.out 2>&1
expect_eq "$?" 0 "kmend apply st-2 (replace, version 2)"
expect_match "$(cat /tmp/apply.out)" "replaced st-1" "st-1 replaced"
expect_eq "$(ls $P)" "st-2" "one update loaded"
expect_match "$(cat /proc/version)" "\(state v2: applied 2 times, handed over: yes\)$" "st-2 took the count over from st-1"

# stacked with an older version of the state: refused
kmend apply /u/st-old.ko >/tmp/apply.out 2>&1
expect_eq "$?" 24 "stacking version 1 over version 2: incompatible_state (24)"
expect_match "$(cat /tmp/apply.out)" "update st-2 left system state 7 at version 2, newer than this update.s 1" "named"
expect_eq "$(ls $P)" "st-2" "nothing else loaded"

# an update that declares no state may stack on one that does
expect_succeeds "apply new-function over it" kmend apply -q /u/new-function.ko
expect_match "$(cat /proc/loadavg)" "^[0-9]+\.[0-9]{3} " "new-function runs"
expect_succeeds "undo new-function" kmend undo -q new-function
# stacked with the same state on another function: st-2 may not go first
expect_succeeds "apply la-state (state 7, version 2, /proc/loadavg)" kmend apply -q /u/la-state.ko
kmend undo st-2 >/tmp/undo.out 2>&1
expect_eq "$?" 14 "undo of st-2 below an update declaring its state: module_busy (14)"
expect_match "$(cat /tmp/undo.out)" "update la-state was applied later and declares a system state of this one" "named"
expect_eq "$(stage st-2)" applied "st-2 stays applied"
expect_succeeds "undo la-state" kmend undo -q la-state
expect_match "$(cat /proc/version)" "\(state v2: applied 2 times, handed over: yes\)$" "st-2'"'"'s data still there"
expect_succeeds "undo st-2" kmend undo -q st-2
expect_eq "$(cat /proc/version)" "$orig_version" "the original /proc/version"
expect_eq "$(ls $P | wc -l)" 0 "nothing loaded"
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"

# the same as livepatches: livepatch checks the states itself
L=/sys/kernel/livepatch
expect_succeeds "kmend apply klp-st-1" kmend apply -q /u/klp-st-1.ko
expect_match "$(cat /proc/version)" "\(state v1: applied 1 times, handed over: no\)$" "klp-st-1 runs"
dmesg -c >/dev/null
expect_fails "kmend apply klp-st-none (replace, no state)" kmend apply -q /u/klp-st-none.ko
expect_match "$(dmesg)" "kmend_klp_st_none.*not compatible with the already installed livepatches" "livepatch refuses it"
expect_eq "$(ls $L)" "kmend_klp_st_1" "klp-st-1 alone"
expect_succeeds "kmend apply klp-st-2 (replace)" kmend apply -q /u/klp-st-2.ko
expect_match "$(cat /proc/version)" "\(state v2: applied 2 times, handed over: yes\)$" "klp-st-2 took the count over (klp_get_prev_state)"
expect_eq "$(ls $L)" "kmend_klp_st_2" "livepatch keeps klp-st-2 alone"
expect_succeeds "kmend undo klp-st-2" kmend undo -q klp-st-2
expect_eq "$(cat /proc/version)" "$orig_version" "the original again"
'
