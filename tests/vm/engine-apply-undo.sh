#!/usr/bin/env bash
# Samples apply and undo: /proc/cmdline changes on "applied" and returns on
# "reversed"; two functions switch together; the sysfs files read as
# documented; the update module cannot be unloaded while applied; the debugfs
# log gives the stop window; nothing is left behind.
. "$(dirname "$0")/lib/host.bash"

run_guest "$tmp/out" -- '
S=/kmend-test/samples
insmod /lib/kmend/kmend.ko
base_allocs=$(engine_allocations)
orig_cmdline=$(cat /proc/cmdline)
orig_version=$(cat /proc/version)
insmod $S/kmend-sample-cmdline.ko
d=/sys/kernel/kmend/sample-cmdline
expect_eq "$(ls $d | tr "\n" " ")" "abort_cause abort_detail applied_at conflicts debug description functions model module stacked_on stage targets transition " "the update'"'"'s files"
expect_eq "$(stat -c %a $d/stage $d/abort_cause $d/conflicts $d/debug $d/model $d/functions $d/description $d/abort_detail $d/module $d/applied_at $d/stacked_on $d/targets | tr "\n" " ")" "600 400 400 600 400 400 400 400 400 400 400 400 " "file modes"
expect_eq "$(cat $d/module)" kmend_sample_cmdline "module"
expect_eq "$(cat $d/applied_at)" 0 "applied_at before apply"
expect_eq "$(cat $d/abort_detail)" "" "no abort_detail"
expect_eq "$(stage sample-cmdline)" preparing "stage after load"
expect_eq "$(cause sample-cmdline)" ok "abort_cause after load"
expect_eq "$(cat $d/model)" "leave=patched-set,switch=kernel" "model"
expect_eq "$(cat $d/functions)" "vmlinux cmdline_proc_show -> sample_cmdline_proc_show [kmend_sample_cmdline]" "functions"
expect_eq "$(cat /proc/cmdline)" "$orig_cmdline" "loading changes nothing"
expect_eq "$(traced)" "" "loading registers no ftrace ops"
expect_eq "$(($(cat /proc/sys/kernel/tainted) & 32768))" 0 "not tainted K before applying"

before=$(date +%s)
expect_succeeds "apply" set_stage sample-cmdline applied
expect_eq "$(stage sample-cmdline)" applied "stage after apply"
at=$(cat $d/applied_at)
expect_succeeds "applied_at is the wall clock of the apply ($at, date said $before)" test "$at" -ge "$before" -a "$at" -le "$(date +%s)"
expect_eq "$(cat /proc/cmdline)" "this kernel'"'"'s cmdline_proc_show was live patched by kmend (sample-cmdline)" "cat /proc/cmdline after apply"
expect_succeeds "the jump goes in soon after the switch" settled sample-cmdline
expect_eq "$(cat $d/functions)" "vmlinux cmdline_proc_show -> sample_cmdline_proc_show [kmend_sample_cmdline] via=jump" "functions: calls jump to the replacement"
expect_eq "$(traced)" "" "switched: the ftrace handler is off, a jump took over"
expect_eq "$(($(cat /proc/sys/kernel/tainted) & 32768))" 32768 "tainted K (livepatch) once applied"
expect_fails "rmmod of an applied update" rmmod kmend_sample_cmdline
expect_eq "$(stage sample-cmdline)" applied "still applied after the refused rmmod"
expect_fails "an unknown stage is refused" set_stage sample-cmdline frobbed

log=$(cat /sys/kernel/debug/kmend/sample-cmdline)
echo "$log"
expect_match "$log" "apply attempt 1: stopped [0-9]+ CPUs, checked [0-9]+ tasks, stop window [0-9]+ us" "the log gives the stop window in us"
expect_match "$log" "cmdline_proc_show: calls jump to sample_cmdline_proc_show .kmend_sample_cmdline. at cmdline_proc_show\+0x5/" "the log says where the jump went"

expect_succeeds "undo" set_stage sample-cmdline reversed
expect_eq "$(stage sample-cmdline)" reversed "stage after undo"
expect_eq "$(cat /proc/cmdline)" "$orig_cmdline" "cat /proc/cmdline after undo"
expect_eq "$(traced)" "" "no ftrace ops left after undo"
expect_fails "applying a reversed update" set_stage sample-cmdline applied
expect_eq "$(cause sample-cmdline)" already_reversed "abort_cause after re-apply"
expect_match "$(cat $d/abort_detail)" "refused, the update was reversed" "abort_detail says why"
expect_eq "$(cat $d/applied_at)" 0 "applied_at after undo"
expect_fails "reversing twice" set_stage sample-cmdline reversed
expect_eq "$(cat /proc/cmdline)" "$orig_cmdline" "still original"
expect_succeeds "rmmod after undo" rmmod kmend_sample_cmdline
expect_eq "$(ls /sys/kernel/kmend)" "" "the update'"'"'s directory is gone"

# Two functions at once; debug detail.
insmod $S/kmend-sample-two.ko
echo 1 >/sys/kernel/kmend/sample-two/debug
expect_eq "$(cat /sys/kernel/kmend/sample-two/debug)" 1 "debug reads back"
expect_succeeds "apply sample-two" set_stage sample-two applied
expect_eq "$(cat /proc/version)" "version: live patched by kmend (sample-two)" "/proc/version patched"
expect_eq "$(cat /proc/uptime)" "uptime: live patched by kmend (sample-two)" "/proc/uptime patched"
expect_match "$(cat /sys/kernel/debug/kmend/sample-two)" "vmlinux: version_proc_show is version_proc_show\+0x0/0x[0-9a-f]+ with an ftrace site -> sample_version_proc_show\+0x0/0x[0-9a-f]+ \[kmend_sample_two\]" "debug shows each resolved function"
expect_succeeds "undo sample-two" set_stage sample-two reversed
expect_eq "$(cat /proc/version)" "$orig_version" "/proc/version back"
expect_match "$(cat /proc/uptime)" "^[0-9.]+ [0-9.]+$" "/proc/uptime back"
expect_succeeds "rmmod sample-two" rmmod kmend_sample_two

# A preparing update may be reversed (and then never applied) and unloaded.
insmod $S/kmend-sample-cmdline.ko
expect_succeeds "reverse a preparing update" set_stage sample-cmdline reversed
expect_fails "apply after that" set_stage sample-cmdline applied
expect_eq "$(cat /proc/cmdline)" "$orig_cmdline" "cmdline untouched"
rmmod kmend_sample_cmdline

expect_eq "$(engine_allocations)" "$base_allocs" "every engine allocation freed"
expect_succeeds "the engine unloads" rmmod kmend
'
