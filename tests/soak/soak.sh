#!/usr/bin/env bash
# make soak: every consistency model, KMEND_SOAK_CYCLES apply/undo cycles
# each (1000 by default), in one boot, under load:
# - on every CPU a reader of kmend_test_target's value and of its chain of
#   calls, and of the churn module's value while it is loaded (every read
#   must be the original or the patched one; no chain may mix versions:
#   the models that keep a task on one version replace the chain, the
#   others leave it, as in tests/vm/model-cycles.sh);
# - a fork/exec/exit storm (busybox run anew, as fast as it goes);
# - kmend_test_churn, a target of every soak update, loaded and unloaded in
#   a loop, so its pack is patched and unpatched as it comes and goes,
#   during transitions too.
# After each apply the test target runs the new code, and the churn module
# too if it is loaded; after each undo, the old. At the end: the engine's
# allocations back to 0, nothing redirected, the kernel's unreclaimable
# slab within KMEND_SOAK_SLAB_KB (1024) of where it was before the first
# cycle (after the load stopped and caches were dropped), no oops or
# WARNING (vm-run). Progress on the terminal: cycles done, rate, ETA; the
# figures at the end as "soak:" lines, for docs/reliability.md.
. "$(dirname "$0")/../vm/lib/host.bash"

cycles=${KMEND_SOAK_CYCLES:-1000}
slab_kb=${KMEND_SOAK_SLAB_KB:-1024}
models=${KMEND_SOAK_MODELS:-"default function leave thread thread_kernel"}

# about 3 s a cycle for the slowest model under emulation
timeout=$(( cycles * 5 * 4 + 600 ))
"$vm_run" --timeout "$timeout" \
	--file "$top/tests/vm/lib/guest.sh:/kmend-test/guest.sh" \
	--file "$build/tests/modules:/kmend-test/modules" -- '
. /kmend-test/guest.sh
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
C=/sys/kernel/debug/kmend_test_churn
cycles='"$cycles"'
load_engine_and_target
echo 1 >/sys/module/kmend_test_target/parameters/sleep_killable

now() { read up rest </proc/uptime; echo ${up%.*}${up#*.}; }	# 1/100 s
unreclaimable_kb() {
	sync; echo 3 >/proc/sys/vm/drop_caches
	awk "/^SUnreclaim:/ {print \$2}" /proc/meminfo
}

slabs() {	# each cache: name, objects in use, object size
	sync; echo 3 >/proc/sys/vm/drop_caches
	awk "NR > 2 {print \$1, \$2, \$4}" /proc/slabinfo
}

reader() {	# reader CPU: until /tmp/stop
	: >/tmp/bad.$1
	n=0
	while [ ! -e /tmp/stop ]; do
		v=$(cat $T/value)
		case $v in original|patched) ;; *) echo "value: $v" >>/tmp/bad.$1 ;; esac
		c=$(cat $T/chain)
		case $c in O:old,old,old,old|N:new,new,new,new) ;; *) echo "chain: $c" >>/tmp/bad.$1 ;; esac
		w=$(cat $C/value 2>/dev/null)
		case $w in ""|original|patched) ;; *) echo "churn: $w" >>/tmp/bad.$1 ;; esac
		n=$((n + 1))
	done
	echo $n >/tmp/reads.$1
}
storm() {	# programs started and ended
	n=0
	while [ ! -e /tmp/stop ]; do /bin/busybox true; n=$((n + 1)); done
	echo $n >/tmp/execs
}
churn() {	# loads and unloads of the churn module (an apply holds it a while)
	n=0
	while [ ! -e /tmp/stop ]; do
		if grep -q "^kmend_test_churn " /proc/modules; then
			rmmod kmend_test_churn 2>/dev/null || sleep 0.05
		elif insmod $M/soak/kmend_test_churn.ko; then
			n=$((n + 1))
			sleep 0.05
		fi
	done
	echo $n >/tmp/churns
}
# churn_reads WANT: the churn module, if loaded now, runs WANT
churn_reads() {
	w=$(cat $C/value 2>/dev/null)
	[ -z "$w" ] || [ "$w" = "$1" ]
}

# model NAME: the cycles of soak-NAME under load
model() {
	mod=kmend_soak_$1 id=soak-$(echo $1 | tr _ -)
	rm -f /tmp/stop /tmp/bad.* /tmp/reads.* /tmp/execs /tmp/churns
	cpu=0
	while [ $cpu -lt $(nproc) ]; do
		reader $cpu & taskset -p -c $cpu $! >/dev/null
		cpu=$((cpu + 1))
	done
	storm &
	churn &
	k=0 failed= start=$(now) wrong=0
	while [ $k -lt $cycles ]; do
		insmod $M/soak/$mod.ko || { failed="insmod $k"; break; }
		set_stage $id applied || { failed="apply $k: $(cause $id)"; break; }
		[ "$(cat $T/value)" = patched ] || { failed="cycle $k: not patched"; break; }
		churn_reads patched || wrong=$((wrong + 1))
		set_stage $id reversed || { failed="undo $k: $(cause $id)"; break; }
		[ "$(cat $T/value)" = original ] || { failed="cycle $k: not original"; break; }
		churn_reads original || wrong=$((wrong + 1))
		rmmod $mod || { failed="rmmod $k"; break; }
		k=$((k + 1))
		if [ $((k % 25)) = 0 ] || [ $k = $cycles ]; then
			t=$(( $(now) - start ))
			echo "soak: $id: $k/$cycles cycles, $((k * 6000 / (t + 1))) a minute, ETA $(( (cycles - k) * t / k / 100 )) s"
		fi
	done
	t=$(( $(now) - start ))
	touch /tmp/stop
	wait
	expect_eq "$failed" "" "$id: $cycles apply/undo cycles under load"
	expect_eq "$wrong" 0 "$id: the churn module ran the right code after each switch"
	expect_eq "$(cat /tmp/bad.*)" "" "$id: every concurrent read was right"
	reads=$(cat /tmp/reads.* | awk "{n += \$1} END {print n}")
	echo "soak: $id: $k cycles in $((t / 100)) s; $reads reads, $(cat /tmp/execs) programs run, $(cat /tmp/churns) churn loads, $wrong wrong after a switch, $(cat /tmp/bad.* | wc -l) wrong reads"
	grep -q "^$mod " /proc/modules && { set_stage $id reversed; rmmod $mod; }
	if grep -q "^kmend_test_churn " /proc/modules; then rmmod kmend_test_churn; fi
}

slab_before=$(unreclaimable_kb)
slabs >/tmp/slabs.before
for m in '"$models"'; do
	model $m
done
rmmod kmend_test_target
slab_after=$(unreclaimable_kb)
echo "soak: unreclaimable slab $slab_before kB before, $slab_after kB after"
slabs >/tmp/slabs.after
# the caches that grew most: a leak per cycle shows as thousands of objects
awk "NR == FNR {n[\$1] = \$2; next} {d = \$2 - n[\$1]; if (d > 0) print d, \$1, int(d * \$3 / 1024)}" \
	/tmp/slabs.before /tmp/slabs.after | sort -rn | head -n 8 |
	while read d name kb; do echo "soak: slab cache $name: +$d objects in use (+$kb kB)"; done
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
expect_eq "$(traced)" "" "nothing redirected"
[ $((slab_after - slab_before)) -le '"$slab_kb"' ] && ok "unreclaimable slab back near its baseline" ||
	bad "unreclaimable slab grew by $((slab_after - slab_before)) kB (at most '"$slab_kb"')"
finish' 2>&1 | tee "$tmp/out"
status=${PIPESTATUS[0]}
expect_status 0 "$status" "the soak"
expect_in "$tmp/out" '^guest: [0-9]+ checks, 0 failed$' "the soak ran to the end"
grep '^soak: ' "$tmp/out" | grep -v ETA
