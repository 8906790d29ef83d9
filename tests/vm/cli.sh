#!/usr/bin/env bash
# The kmend command in the target: apply, undo, list (--json), show, explain,
# install, uninstall and apply --installed, and every bad input answered with
# its exit status and no trace of change: not root, not an update, a corrupt
# module, a module the kernel refuses, another kernel release, the engine
# missing, a second apply, an unknown id, undo below a stacked update, and a
# busy function (the conflict table, exit status 16, the update unloaded).
. "$(dirname "$0")/lib/host.bash"

eval "$(KMEND_TARGET_NO_SOURCE=1 "$top/scripts/target-kernel")" ||
	fail "no target kernel"
sample=$build/samples/kmend-sample-cmdline.ko
[ -f "$sample" ] || fail "no $sample; run make"

# Bad files, made on the host: cut short; with its symbol table linked to
# no string table (kmend reads its modinfo, the kernel refuses it: sh_link
# 0); and with vermagic naming another release (same length).
head -c 4096 "$sample" >"$tmp/truncated.ko"
cp "$sample" "$tmp/symtab.ko"
shoff=$(readelf -hW "$sample" | sed -n 's/^ *Start of section headers: *\([0-9]*\).*/\1/p')
symtab=$(readelf -SW "$sample" | sed -n 's/^ *\[ *\([0-9]*\)\] \.symtab .*/\1/p')
[ -n "$shoff" ] && [ -n "$symtab" ] || fail "no section headers or .symtab in $sample"
# Elf64_Shdr is 64 bytes; sh_link is at offset 40
printf '\0\0\0\0' | dd of="$tmp/symtab.ko" bs=1 seek=$((shoff + symtab * 64 + 40)) conv=notrunc status=none
readelf -SW "$tmp/symtab.ko" | grep -q ' \.symtab .* 0 ' || fail "could not unlink .symtab"
other=6.1.0-99-amd64
[ ${#other} -eq ${#KVER} ] || fail "release $KVER: the test's other release must have its length"
perl -pe "s/\Q$KVER\E SMP/$other SMP/g" "$sample" >"$tmp/other-release.ko"
grep -q "$other SMP" "$tmp/other-release.ko" || fail "could not make the other-release module"

run_guest "$tmp/out" --file "$tmp/truncated.ko:/bad/truncated.ko" \
	--file "$tmp/symtab.ko:/bad/symtab.ko" \
	--file "$tmp/other-release.ko:/bad/other-release.ko" -- '
S=/kmend-test/samples
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
orig=$(cat /proc/cmdline)
one="this kernel'"'"'s cmdline_proc_show was live patched by kmend (sample-cmdline)"
two="this kernel'"'"'s cmdline_proc_show was live patched twice by kmend (sample-stack)"

# run NAME COMMAND...: output in /tmp/NAME.out, status in $st
run() { name=$1; shift; "$@" >/tmp/$name.out 2>&1; st=$?; sed "s/^/  | /" /tmp/$name.out; }
nothing_loaded() {
	expect_eq "$(grep -c "^kmend" /proc/modules)" 0 "$1: no kmend module loaded"
	expect_eq "$(ls /sys/kernel/kmend 2>&1)" "ls: /sys/kernel/kmend: No such file or directory" "$1: no engine"
}

# --- bad inputs, before anything is loaded ------------------------------------
printf "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n" >/etc/passwd
run notroot su -s /bin/sh nobody -c "kmend apply $S/kmend-sample-cmdline.ko"
expect_eq "$st" 3 "not root: exit status"
expect_match "$(cat /tmp/notroot.out)" "must be run as root" "not root: says so"
run notroot-undo su -s /bin/sh nobody -c "kmend undo --all"
expect_eq "$st" 3 "undo, not root: exit status"

run engine kmend apply /lib/kmend/kmend.ko
expect_eq "$st" 4 "the engine is not an update: exit status"
expect_match "$(cat /tmp/engine.out)" "not a kmend update: its modinfo names no kmend_id" "not an update: says so"
run text kmend apply /etc/passwd
expect_eq "$st" 4 "a text file: exit status"
expect_match "$(cat /tmp/text.out)" "not a kernel module \(not an ELF file\)" "a text file: says so"
run missing kmend apply /nonexistent.ko
expect_eq "$st" 4 "no such file: exit status"
expect_match "$(cat /tmp/missing.out)" "/nonexistent.ko: No such file or directory" "no such file: says so"
run truncated kmend apply /bad/truncated.ko
expect_eq "$st" 4 "a truncated module: exit status"
expect_match "$(cat /tmp/truncated.out)" "truncated or corrupt" "a truncated module: says so"
run other kmend apply /bad/other-release.ko
expect_eq "$st" 5 "another kernel release: exit status"
expect_match "$(cat /tmp/other.out)" "was built for kernel 6.1.0-99-amd64, but this kernel is $(uname -r)" "another release: names both"
run noengine env KMEND_ENGINE=/nowhere/kmend.ko kmend apply $S/kmend-sample-cmdline.ko
expect_eq "$st" 6 "engine missing: exit status"
expect_match "$(cat /tmp/noengine.out)" "the kmend engine is not loaded, and /nowhere/kmend.ko: No such file" "engine missing: says where it looked"
run noengine2 kmend apply --engine /nowhere/kmend.ko $S/kmend-sample-cmdline.ko
expect_eq "$st" 6 "engine missing (--engine): exit status"
run notengine kmend apply --engine $M/target/kmend_test_target.ko $S/kmend-sample-cmdline.ko
expect_eq "$st" 6 "another module as the engine: exit status"
expect_match "$(cat /tmp/notengine.out)" "is not the kmend engine \(its module is named kmend_test_target\)" "another module as the engine: says so"
nothing_loaded "after the refused files"
run symtab kmend apply /bad/symtab.ko
expect_eq "$st" 4 "a module the kernel refuses: exit status"
expect_match "$(cat /tmp/symtab.out)" "the kernel refused /bad/symtab.ko as malformed" "a refused module: says so"
expect_match "$(dmesg | tail -n 5)" "Invalid ELF sh_link" "the kernel said why"
nothing_loaded "after the kernel refused the module (the engine this run loaded is unloaded)"
expect_eq "$(cat /proc/cmdline)" "$orig" "nothing changed"
run unknown kmend undo nosuch
expect_eq "$st" 8 "undo of an unknown id: exit status"
run unknown-show kmend show nosuch
expect_eq "$st" 8 "show of an unknown id: exit status"
run empty kmend list
expect_eq "$(cat /tmp/empty.out)" "No updates are loaded (the kmend engine is not loaded)." "list with nothing loaded"
run usage kmend apply
expect_eq "$st" 2 "apply without a file: usage"

# --- apply, list, show, stacking, undo ------------------------------------------
run apply kmend apply $S/kmend-sample-cmdline.ko
expect_eq "$st" 0 "apply: exit status"
expect_match "$(cat /tmp/apply.out)" "^kmend: applied sample-cmdline in [0-9.]+ s: 1 function replaced, model leave=patched-set,switch=kernel" "apply: says so"
expect_eq "$(cat /proc/cmdline)" "$one" "applied: the new code runs"
expect_eq "$(grep -c "^kmend " /proc/modules)" 1 "apply loaded the engine"
run again kmend apply $S/kmend-sample-cmdline.ko
expect_eq "$st" 7 "a second apply: exit status"
expect_match "$(cat /tmp/again.out)" "update sample-cmdline is already applied" "a second apply: says so"
run stack kmend apply $S/kmend-sample-stack.ko
expect_eq "$st" 0 "apply a second update of the same function"
expect_eq "$(cat /proc/cmdline)" "$two" "the top of the stack runs"
expect_eq "$(cat /sys/kernel/kmend/sample-stack/stacked_on)" "sample-cmdline" "stacked_on names the update below"
run below kmend undo sample-cmdline
expect_eq "$st" 9 "undo below a stacked update: exit status"
expect_match "$(cat /tmp/below.out)" "update sample-stack was applied after sample-cmdline .* undo sample-stack first" "names the update to undo first"
expect_eq "$(cat /proc/cmdline)" "$two" "nothing changed"
kmend apply $S/kmend-sample-two.ko >/dev/null
run list kmend list
expect_match "$(cat /tmp/list.out)" "^ID +STAGE +APPLIED +MODEL +TARGETS +FUNCTIONS$" "list: header"
expect_match "$(cat /tmp/list.out)" "^sample-two +applied +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +leave=patched-set,switch=kernel +vmlinux +version_proc_show,uptime_proc_show$" "list: a row"
kmend list --json >/tmp/list.json
echo "JSON-BEGIN"; cat /tmp/list.json; echo "JSON-END"
run show kmend show sample-stack
expect_match "$(cat /tmp/show.out)" "^Stage: +applied$" "show: the stage"
expect_match "$(cat /tmp/show.out)" "^Stacked on: +sample-cmdline$" "show: what it is stacked on"
expect_match "$(cat /tmp/show.out)" "^  vmlinux cmdline_proc_show -> " "show: the functions"
run showfile kmend show $S/kmend-sample-two.ko
expect_match "$(cat /tmp/showfile.out)" "^Built for: +$(uname -r) \(this kernel\)$" "show FILE: the release"
expect_match "$(cat /tmp/showfile.out)" "^Loaded now: +yes, stage applied$" "show FILE: loaded"
run all kmend undo --all
expect_eq "$st" 0 "undo --all: exit status"
expect_match "$(cat /tmp/all.out)" "undid sample-stack" "undo --all: the top first"
expect_eq "$(cat /proc/cmdline)" "$orig" "undone: the original code runs"
expect_eq "$(ls /sys/kernel/kmend)" "" "undo unloaded every update"
expect_eq "$(grep -c "^kmend_sample" /proc/modules)" 0 "no update module left"

# --- a busy function ------------------------------------------------------------
insmod $M/target/kmend_test_target.ko
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
wait_for grep -qx 1 $T/sleepers
run busy kmend apply $M/updates/kmend_test_update_sleep.ko
expect_eq "$st" 16 "code_busy: exit status"
expect_match "$(cat /tmp/busy.out)" "cannot apply test-sleep: code_busy" "code_busy: the cause"
expect_match "$(cat /tmp/busy.out)" "^    PROCESS +PID +FUNCTION$" "code_busy: the table header"
expect_match "$(cat /tmp/busy.out)" "^    cat +$sleeper +kmend_test_sleep$" "code_busy: the sleeping task in the table"
expect_match "$(cat /tmp/busy.out)" "What to do: retry later" "code_busy: what to do"
expect_match "$(cat /tmp/busy.out)" "The update was unloaded again; nothing in the kernel changed" "code_busy: unloaded"
expect_eq "$(ls /sys/kernel/kmend)" "" "code_busy: the update is gone"
expect_eq "$(cat $T/value)" original "code_busy: nothing redirected"
# SIGTERM while the engine retries: 143, the update unloaded, nothing changed
kmend apply $M/updates/kmend_test_update_sleep.ko >/tmp/term.out 2>&1 &
applier=$!
sleep 0.5
kill -TERM $applier
wait $applier
expect_eq "$?" 143 "apply interrupted by SIGTERM: exit status"
expect_match "$(cat /tmp/term.out)" "interrupted; test-sleep was not applied and is unloaded again" "interrupted: says so"
expect_eq "$(ls /sys/kernel/kmend)" "" "interrupted: the update is gone"
expect_eq "$(cat $T/value)" original "interrupted: nothing redirected"
echo 1 >$T/wake
wait $sleeper
run busyok kmend apply $M/updates/kmend_test_update_sleep.ko
expect_eq "$st" 0 "apply once the task has left"
echo 1 >/sys/module/kmend_test_update_sleep/parameters/hold
cat $T/sleep >/tmp/sleeper.out &
sleeper=$!
sleep 0.5
run busyundo kmend undo test-sleep
expect_eq "$st" 16 "undo while busy: exit status"
expect_match "$(cat /tmp/busyundo.out)" "^    cat +$sleeper +new_sleep$" "undo while busy: the table"
expect_match "$(cat /tmp/busyundo.out)" "The update stays applied" "undo while busy: stays applied"
expect_eq "$(cat /sys/kernel/kmend/test-sleep/stage)" applied "still applied"
run explain kmend explain test-sleep
expect_match "$(cat /tmp/explain.out)" "test-sleep: its last transition stopped: code_busy" "explain ID"
echo 0 >/sys/module/kmend_test_update_sleep/parameters/hold
echo 1 >$T/wake
wait $sleeper
expect_succeeds "undo once the task has left" kmend undo -q test-sleep
rmmod kmend_test_target

# --- install, apply --installed, uninstall ------------------------------------
dir=/var/lib/kmend/updates/$(uname -r)
run inst kmend install $S/kmend-sample-cmdline.ko
expect_eq "$st" 0 "install: exit status"
expect_eq "$(ls $dir)" "0001-sample-cmdline.ko" "install: the file"
expect_eq "$(cat /proc/cmdline)" "$orig" "install does not apply"
run inst2 kmend install $S/kmend-sample-cmdline.ko
expect_eq "$st" 7 "install twice: exit status"
run inst3 kmend install /etc/passwd
expect_eq "$st" 4 "install a non-update: exit status"
kmend install $S/kmend-sample-two.ko >/dev/null
kmend install /bad/other-release.ko >/dev/null
expect_eq "$(ls /var/lib/kmend/updates/6.1.0-99-amd64)" "0001-sample-cmdline.ko" "an update for another release is kept apart"
run linst kmend list --installed
expect_match "$(cat /tmp/linst.out)" "^sample-cmdline +$dir/0001-sample-cmdline.ko$" "list --installed: first"
expect_match "$(cat /tmp/linst.out)" "^sample-two +$dir/0002-sample-two.ko$" "list --installed: second"
run boot kmend apply --installed
expect_eq "$st" 0 "apply --installed: exit status"
expect_eq "$(ls /sys/kernel/kmend | tr "\n" " ")" "sample-cmdline sample-two " "apply --installed: both applied, not the other release"
expect_eq "$(cat /proc/cmdline)" "$one" "apply --installed: the new code runs"
run boot2 kmend apply --installed
expect_eq "$st" 0 "apply --installed again: nothing to do"
run uninst kmend uninstall sample-cmdline
expect_eq "$st" 0 "uninstall: exit status"
expect_eq "$(ls $dir)" "0002-sample-two.ko" "uninstall: the file is gone"
run uninst2 kmend uninstall sample-cmdline
expect_eq "$st" 8 "uninstall twice: exit status"
expect_eq "$(cat /sys/kernel/kmend/sample-cmdline/stage)" applied "uninstall leaves the applied update alone"
kmend undo -q --all
expect_eq "$(cat /proc/cmdline)" "$orig" "all undone"
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
rmmod kmend
'
sed -n '/^JSON-BEGIN$/,/^JSON-END$/p' "$tmp/out" | sed '1d;$d' >"$tmp/list.json"
jq -e . "$tmp/list.json" >/dev/null || fail "kmend list --json is not JSON"
jq -e '.engine_loaded == true and (.updates | length) == 3' "$tmp/list.json" >/dev/null ||
	fail "list --json: three updates, engine loaded"
jq -e '.updates[] | select(.id == "sample-stack") | .stacked_on == ["sample-cmdline"] and .stage == "applied" and .targets == ["vmlinux"] and (.applied_at | test("^[0-9-]+T[0-9:]+Z$"))' \
	"$tmp/list.json" >/dev/null || fail "list --json: sample-stack's fields"
jq -e '.updates[] | select(.id == "sample-two") | [.functions[].function] == ["version_proc_show", "uptime_proc_show"]' \
	"$tmp/list.json" >/dev/null || fail "list --json: sample-two's functions"
echo "list --json parses with jq: $(jq -c '[.updates[].id]' "$tmp/list.json")"
