#!/usr/bin/env bash
# Apply and undo sample-cmdline 200 times (load, apply, undo, unload) while
# another process reads /proc/cmdline without pause: each cycle sees the
# patched line once applied and the original once undone, every concurrent
# read is one of the two, and nothing oopses. Then 200 cycles more without
# the reader for leaks: the engine's live allocations return to where they
# were, no slab cache grows by an object a cycle, and unreclaimable slab
# does not grow.
. "$(dirname "$0")/lib/host.bash"

cycles=${KMEND_LOOP_CYCLES:-200}

run_guest "$tmp/out" --timeout 600 -- '
S=/kmend-test/samples
cycles='"$cycles"'
insmod /lib/kmend/kmend.ko
orig=$(cat /proc/cmdline)
patched="this kernel'"'"'s cmdline_proc_show was live patched by kmend (sample-cmdline)"

# One cycle; each step and what /proc/cmdline shows after it must be right.
cycle() {
	insmod $S/kmend-sample-cmdline.ko &&
	set_stage sample-cmdline applied &&
	[ "$(cat /proc/cmdline)" = "$patched" ] &&
	set_stage sample-cmdline reversed &&
	[ "$(cat /proc/cmdline)" = "$orig" ] &&
	rmmod kmend_sample_cmdline
}

# run_cycles N: returns non-zero and says where on the first failure.
run_cycles() {
	k=0
	while [ $k -lt $1 ]; do
		cycle || { echo "cycle failed: stage $(stage sample-cmdline 2>&1), cause $(cause sample-cmdline 2>&1)"; return 1; }
		k=$((k + 1))
	done
}

# The reader keeps its counts in variables and writes them when told to stop
# (a write on every read could be cut off by the kill, leaving an empty file);
# a wrong line goes to a file at once.
reader() {
	n=0; n_patched=0; : >/tmp/bad
	trap "echo \"\$n \$n_patched\" >/tmp/count; exit 0" TERM
	while :; do
		l=$(cat /proc/cmdline)
		case $l in
		"$orig") ;;
		"$patched") n_patched=$((n_patched + 1)) ;;
		*) echo "$l" >>/tmp/bad ;;
		esac
		n=$((n + 1))
	done
}
# Slab use, with RCU-deferred frees drained; and the objects of each cache,
# to name one that grows.
slab() {
	sync; echo 3 >/proc/sys/vm/drop_caches; sleep 8
	awk "NR > 2 {print \$1, \$2}" /proc/slabinfo >$1
	awk "/^SUnreclaim:/ {print \$2}" /proc/meminfo
}

# Warm up, so that caches the first cycles fill do not count as growth.
expect_succeeds "10 warm-up cycles" run_cycles 10
allocs_before=$(engine_allocations)

# Under load: the reader reads all the time, every read must be right.
start=$(date +%s)
reader &
reader_pid=$!
expect_succeeds "$cycles cycles with a concurrent reader" run_cycles $cycles
echo "$cycles cycles with the reader in $(( $(date +%s) - start ))s"
kill $reader_pid; wait $reader_pid 2>/dev/null
set -- $(cat /tmp/count)
reads=$1 n_patched=$2
echo "reader: $reads reads, $n_patched of them patched"
expect_eq "$(cat /tmp/bad)" "" "every concurrent read was the original or the patched line"
expect_match "$reads" "^[1-9][0-9][0-9]" "the reader ran throughout ($reads reads)"
expect_eq "$(engine_allocations)" "$allocs_before" "the engine live allocations are back where they were"

# Leaks, measured over as many cycles without the reader: its thousands of
# forks leave RCU-deferred and lazily freed objects (creds, proc inodes,
# vmap areas) that would hide a leak of the cycles themselves.
slab_before=$(slab /tmp/slab-before)
start=$(date +%s)
expect_succeeds "$cycles cycles alone" run_cycles $cycles
echo "$cycles cycles alone in $(( $(date +%s) - start ))s"
slab_after=$(slab /tmp/slab-after)

# One object a cycle left behind in any cache would be $cycles more objects;
# per-CPU slabs make counts move by up to about 100 without any leak.
grown=$(awk -v limit=$((cycles * 3 / 4)) "NR == FNR {before[\$1] = \$2; next} \$2 - before[\$1] >= limit {print \$1, \$2 - before[\$1]}" /tmp/slab-before /tmp/slab-after)
expect_eq "$grown" "" "no slab cache grew by $((cycles * 3 / 4)) objects or more"
echo "SUnreclaim: ${slab_before} kB before, ${slab_after} kB after"
expect_match "$((slab_after - slab_before))" "^(-?[0-9]|-?[0-9][0-9]|-[0-9]+)$" "unreclaimable slab grew by less than 100 kB ($((slab_after - slab_before)) kB)"
expect_eq "$(engine_allocations)" "$allocs_before" "the engine live allocations are still where they were"
expect_eq "$(traced)" "" "no ftrace ops left"
expect_eq "$(ls /sys/kernel/kmend)" "" "no update left"
'
