#!/usr/bin/env bash
# Every consistency model, 100 apply/undo cycles each (KMEND_MODEL_CYCLES)
# under a load calling the replaced functions from every CPU: a reader of
# kmend_test_value and one of the chain of kmend_test_step calls pinned to
# each CPU. Every read must be the original or the patched value, and no
# chain may mix old and new code; each cycle must apply and undo; no oops.
# The mean apply and undo times of each model, measured in this one run, are
# printed with their ratio to the default model's; docs/models.md must list
# exactly these models, and the claims of its table must hold in this run.
. "$(dirname "$0")/lib/host.bash"

cycles=${KMEND_MODEL_CYCLES:-100}

run_guest "$tmp/out" --timeout 1200 -- '
M=/kmend-test/modules
T=/sys/kernel/debug/kmend_test_target
cycles='"$cycles"'
load_engine_and_target

# centiseconds since boot
now() { read up rest </proc/uptime; echo ${up%.*}${up#*.}; }

loader() {
	: >/tmp/bad.$1
	while [ ! -e /tmp/stop ]; do
		v=$(cat $T/value)
		case $v in original|patched) ;; *) echo "value: $v" >>/tmp/bad.$1 ;; esac
		c=$(cat $T/chain)
		case $c in O:old,old,old,old|N:new,new,new,new) ;; *) echo "chain: $c" >>/tmp/bad.$1 ;; esac
		echo "$v $c" >>/tmp/reads.$1
	done
}

# clean_up MODULE ID: whatever a failure left, the update undone and
# unloaded, so that the next model starts from the original code
clean_up() {
	grep -q "^$1 " /proc/modules || return 0
	n=0
	while [ "$(stage $2)" = applied ] && [ $n -lt 20 ]; do
		set_stage $2 reversed || sleep 0.5
		n=$((n + 1))
	done
	rmmod $1 || bad "$2: cannot be unloaded after its cycles (stage $(stage $2))"
}

# model MODULE ID: cycles under load; prints "ID apply_ms undo_ms"
model() {
	insmod $M/updates/$1.ko || { bad "$2: insmod"; return; }
	echo "model $2 $(cat /sys/kernel/kmend/$2/model)" >>/tmp/times
	rm -f /tmp/stop /tmp/reads.* /tmp/bad.*
	# the reads start before the cycles and go on through them
	cpu=0
	while [ $cpu -lt $(nproc) ]; do
		loader $cpu &
		taskset -p -c $cpu $! >/dev/null
		cpu=$((cpu + 1))
	done
	sleep 0.5
	k=0 apply=0 undo=0 failed=
	while [ $k -lt $cycles ]; do
		t0=$(now)
		set_stage $2 applied || { failed="apply $k: $(cause $2)"; break; }
		t1=$(now)
		[ "$(cat $T/value)" = patched ] || { failed="cycle $k: not patched"; break; }
		sleep 0.1	# for the load to run the new code too
		set_stage $2 reversed || { failed="undo $k: $(cause $2)"; break; }
		t2=$(now)
		[ "$(cat $T/value)" = original ] || { failed="cycle $k: not original"; break; }
		apply=$((apply + t1 - t0)) undo=$((undo + t2 - t1))
		rmmod $1 && insmod $M/updates/$1.ko || { failed="reload $k"; break; }
		k=$((k + 1))
	done
	touch /tmp/stop
	wait
	expect_eq "$failed" "" "$2: $cycles apply/undo cycles under load"
	expect_eq "$(cat /tmp/bad.*)" "" "$2: every concurrent read was right"
	reads=$(cat /tmp/reads.* | wc -l)
	patched=$(grep -c "^patched" /tmp/reads.* | awk -F: "{n += \$2} END {print n}")
	expect_match "$reads $patched" "^[1-9][0-9]* [1-9]" "$2: the load ran and saw the new code ($reads reads, $patched patched)"
	clean_up $1 $2
	echo "time $2 $((apply * 10 / cycles)) $((undo * 10 / cycles))" >>/tmp/times
}

: >/tmp/times
echo 1 >/sys/module/kmend_test_target/parameters/sleep_killable
model kmend_test_update_sleep test-sleep
model kmend_test_update_sleep_function test-sleep-function
model kmend_test_update_sleep_leave test-sleep-leave
model kmend_test_update_thread test-thread
model kmend_test_update_thread_kernel test-thread-kernel
grep . /tmp/times
rmmod kmend_test_target
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
expect_eq "$(traced)" "" "nothing redirected"
'
grep '^time ' "$tmp/out" >"$tmp/times" || fail "no times"
grep '^model ' "$tmp/out" >"$tmp/models" || fail "no models"
# The table: each model with its mean apply and undo times and their ratio to
# the default model's.
awk 'NR == FNR { model[$2] = $3; next }
     $2 == "test-sleep" { da = $3; du = $4 }
     { a[++n] = $0 }
     END { printf "%-32s %9s %9s %7s %7s\n", "model", "apply ms", "undo ms", "apply/", "undo/"
	   for (i = 1; i <= n; i++) { split(a[i], f, " ")
		printf "%-32s %9d %9d %7.2f %7.2f\n", model[f[2]], f[3], f[4], f[3] / (da ? da : 1), f[4] / (du ? du : 1) } }' \
	"$tmp/models" "$tmp/times" | tee "$tmp/table"

# docs/models.md: its first column is exactly the models run here...
doc=$top/docs/models.md
grep -o '^| `leave=[a-z-]*,switch=[a-z]*`' "$doc" | sed 's/^| `//; s/`$//' | sort >"$tmp/doc-models"
awk '{print $3}' "$tmp/models" | sort >"$tmp/run-models"
diff "$tmp/doc-models" "$tmp/run-models" || fail "docs/models.md does not list exactly the models the engine ran"
# ...and the claims of its last column hold in this run.
ms() { awk -v id="$1" -v col="$2" '$2 == id {print $col}' "$tmp/times"; }
default=$(ms test-sleep 3)
grep -q 'no stop, no wait at apply' "$doc" || fail "docs/models.md: the claim for switch=function changed; update this test"
[ "$(ms test-sleep-function 3)" -le $((2 * default + 10)) ] ||
	fail "leave=function,switch=function applies no slower than the default (docs/models.md): $(ms test-sleep-function 3) ms vs $default"
grep -q 'user space frozen, then one stop' "$doc" || fail "docs/models.md: the claim for leave=kernel,switch=kernel changed"
[ "$(ms test-sleep-leave 3)" -ge "$default" ] ||
	fail "leave=kernel,switch=kernel costs a freeze on top of the stop (docs/models.md)"
grep -q 'a pass every 100 ms' "$doc" || fail "docs/models.md: the claim for leave=patched-set,switch=thread changed"
[ "$(ms test-thread 3)" -ge "$default" ] ||
	fail "leave=patched-set,switch=thread waits for passes (docs/models.md)"
grep -q 'at least a second' "$doc" || fail "docs/models.md: the claim for leave=kernel,switch=thread changed"
[ "$(ms test-thread-kernel 3)" -ge 1000 ] ||
	fail "leave=kernel,switch=thread takes at least a second (docs/models.md): $(ms test-thread-kernel 3) ms"
echo "docs/models.md agrees with this run"
