# The guest half of make bench (bench/run), sourced by the VM's shell after
# the updates are at /u and kmend_bench.ko, timed at /b. Prints one line per
# measurement, "B WHAT UPDATE SCENARIO VALUE", for bench/run to read; any
# other line is progress.
#
# UPDATES: "ID FILE" pairs, the engine's first, the livepatch last.
# REPS: repetitions of the idle and load runs.

# rmmod that waits for livepatch to let go of its module
gone() { grep -q "^$1 " /proc/modules || return 0; n=0
	while ! rmmod "$1" 2>/dev/null; do n=$((n + 1)); [ $n -lt 100 ] || return 1; sleep 0.1; done; }

# timed COMMAND...: run it, its output in /tmp/timed.out; then took prints
# its microseconds (nothing when it failed). Not in a command substitution:
# the shell would wait in pipe_read, a function the bench's fix replaces.
timed() { /b/timed "$@" >/tmp/timed.out 2>/tmp/timed; }
took() { tail -n 1 /tmp/timed | awk '$1 == "timed" && $3 == 0 { print $2 }'; }

readers() {	# one reader of /proc/version per CPU, until /tmp/stop
	rm -f /tmp/stop
	cpu=0
	while [ $cpu -lt $(nproc) ]; do
		( while [ ! -e /tmp/stop ]; do cat /proc/version >/dev/null; done ) &
		taskset -p -c $cpu $! >/dev/null
		cpu=$((cpu + 1))
	done
	sleep 0.5
}
stop_readers() { touch /tmp/stop; wait; }

# min of N reads of debugfs file $1
min_of() {
	i=0 best=
	while [ $i -lt ${2:-5} ]; do
		v=$(cat /sys/kernel/debug/kmend_bench/$1)
		[ -z "$best" ] || [ "$v" -lt "$best" ] && best=$v
		i=$((i + 1))
	done
	echo $best
}

# via_of ID: how calls reach jiffies_to_msecs's replacement (kmend only),
# once its jump is in (plain via=ftrace until then)
via_of() {
	[ -e /sys/kernel/kmend/$1/functions ] || return 0
	n=0
	while grep -q " via=ftrace$" /sys/kernel/kmend/$1/functions && [ $n -lt 100 ]; do
		n=$((n + 1)); sleep 0.1
	done
	[ -e /sys/kernel/kmend/$1/functions ] &&
		sed -n "s/^vmlinux jiffies_to_msecs -> .* via=\([^ ]*\)$/B via $1 - \1/p" \
			/sys/kernel/kmend/$1/functions
}

allocated() { cat /sys/kernel/debug/kmend/allocated_bytes 2>/dev/null || echo 0; }

# cycles ID FILE MODULE SCENARIO: REPS applies and undoes, timed; after the
# first idle apply, the cost of a call and the memory held
cycles() {
	r=0
	while [ $r -lt $REPS ]; do
		before=$(allocated)
		timed kmend apply -q $2
		us=$(took)
		echo "B apply $1 $4 $us"
		[ -n "$us" ] || { cat /tmp/timed.out /tmp/timed; break; }
		if [ $r -eq 0 ] && [ $4 = idle ]; then
			grep -q "kmend bench" /proc/version || echo "FAIL: $1: not applied"
			via_of $1
			echo "B calls $1 - $(min_of calls 5)"
			echo "B module_bytes $1 - $(awk -v m=$3 '$1 == m { print $2 }' /proc/modules)"
			echo "B engine_bytes $1 - $(( $(allocated) - before ))"
			[ -e /sys/kernel/debug/kmend/pre_bytes ] &&
				echo "B pre_bytes $1 - $(cat /sys/kernel/debug/kmend/pre_bytes)"
		fi
		[ -e /sys/kernel/debug/kmend/$1 ] &&
			sed -n "s/.*stop window \([0-9]*\) us (stop_machine \([0-9]*\) us): switched.*/B window $1 $4 \1\nB stop $1 $4 \2/p" \
				/sys/kernel/debug/kmend/$1
		timed kmend undo -q $1
		echo "B undo $1 $4 $(took)"
		gone $3
		r=$((r + 1))
	done
}

insmod /lib/kmend/kmend.ko transition_timeout=20 || echo "FAIL: kmend.ko"
insmod /b/kmend_bench.ko || echo "FAIL: kmend_bench.ko"
mount -t debugfs none /sys/kernel/debug 2>/dev/null

echo "B stop empty - $(min_of stop 5)"
echo "B calls none - $(min_of calls 5)"

set -- $UPDATES
while [ $# -ge 2 ]; do
	id=$1 file=$2
	shift 2
	module=kmend_$(echo $id | tr - _)
	echo "== $id"
	cycles $id $file $module idle

	# where an apply's time goes: loading the module, then the switch
	# (for the livepatch, its init starts the transition)
	timed insmod $file
	echo "B load $id idle $(took)"
	if [ -e /sys/kernel/kmend/$id/stage ]; then
		echo 1 >/sys/kernel/kmend/$id/debug
		timed sh -c "echo applied >/sys/kernel/kmend/$id/stage"
		echo "B stage $id idle $(took)"
		sed 's/^/LOG /' /sys/kernel/debug/kmend/$id
	else
		timed sh -c "while [ \$(cat /sys/kernel/livepatch/$module/transition) = 1 ]; do sleep 0.01; done"
		echo "B stage $id idle $(took)"
	fi
	kmend undo -q $id
	gone $module

	readers
	cycles $id $file $module load
	stop_readers

	# a task asleep in pipe_read, on an empty pipe that nothing writes
	mkfifo /tmp/never 2>/dev/null
	sleep 100000 >/tmp/never &
	cat /tmp/never >/dev/null &
	sleeper=$!
	sleep 0.5
	timed kmend apply -q $file
	us=$(took)
	if [ -n "$us" ]; then
		echo "B apply $id sleeper $us"
	else
		echo "B refused $id sleeper $(sed -n 's/.*cannot apply [^:]*: \([a-z_]*\).*/\1/p' /tmp/timed | head -n 1)"
		tail -n 1 /tmp/timed | awk '{ print "B refused_after '"$id"' sleeper " $2 }'
	fi
	kill $sleeper $(pidof sleep) 2>/dev/null
	wait 2>/dev/null
	kmend undo -q $id 2>/dev/null
	gone $module
done
# kmend's own ftrace path, beside its jump: the first update with jumps off
set -- $UPDATES
echo N >/sys/module/kmend/parameters/jumps
if kmend apply -q $2; then
	via_of $1 | sed "s/ $1 / $1-ftrace /"
	echo "B calls $1-ftrace - $(min_of calls 5)"
	kmend undo -q $1
else
	echo "FAIL: $1 with jumps off"
fi
gone kmend_$(echo $1 | tr - _)
echo Y >/sys/module/kmend/parameters/jumps
echo "B calls none-after - $(min_of calls 5)"
echo "B done - - 0"
