#!/usr/bin/env bash
# Real stable fixes, on the kernel they are for (Debian 6.1.176-1, which
# lacks all four upstream fixes; the demo's target), two that change data,
# one that changes a header and one of untraced code, each
# created with kmend create, applied with kmend apply, seen working, undone:
# - shadow-perf-mlock: "perf: Track the perf mlock gift separately" with
#   the new user_struct field as a shadow variable: an io_uring buffer
#   registration that a perf ring buffer made fail works once applied, fails
#   again once undone, and the shadow variables are freed;
# - callback-rt-push-ipi: "sched/rt: Have RT_PUSH_IPI be default off for non
#   PREEMPT_RT", a changed default set by a post_patch callback (no function
#   replaced) and restored by pre_unpatch;
# - stable-fib-error-route: "ipv4: fib: Don't ignore error route in
#   local/main tables.", a change of a static inline in include/net/ip_fib.h
#   alone: of the 1599 units that reach it only the 7 that call it are
#   compiled; `ip route get` through a prohibit route in the main table
#   answers with its error once applied, with the default table's route
#   before and after undo. The update carries code for three modules that
#   are not loaded and depends on none of them.
# - stable-probe-args: "tracing/probes: Avoid temporary buffer truncation
#   in trace_probe_match_command_args()", a function of kernel/trace/, built
#   without an ftrace call site, and global: reached by a jump at its entry
#   written in the stop; a kprobe whose 68-byte argument names it cannot be
#   deleted by its arguments before (ENOENT), can once applied, cannot again
#   once undone.
. "$(dirname "$0")/lib/host.bash"

ver=${KMEND_DEMO_KERNEL:-6.1.176-1}
old=$top/build/targets/$ver
eval "$(KMEND_KERNEL=$ver "$top/scripts/target-kernel" 2>/dev/null)" || fail "no target $ver"
KMEND_KERNEL=$ver make -C "$top" --no-print-directory -s BUILD="build/targets/$ver" all \
	>"$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; fail "building for $ver"; }
mkdir -p "$tmp/u"
# create EXAMPLE NAME: examples/EXAMPLE.patch into $tmp/u/NAME.ko, what
# kmend create said in $tmp/NAME.out
create() {
	KMEND_INCLUDE=$top/include "$old/bin/kmend" create --source "$SOURCE" -o "$tmp/u/$2.ko" \
		"$top/examples/$1.patch" >"$tmp/$2.out" 2>&1
	local status=$?
	cat "$tmp/$2.out"
	expect_status 0 "$status" "kmend create examples/$1.patch"
}
create shadow-perf-mlock shadow-perf-mlock
create callback-rt-push-ipi callback-rt-push-ipi
expect_in "$tmp/callback-rt-push-ipi.out" "declares  post_patch callback kmend_rt_push_ipi_post_patch" "the callback is declared"
create stable-fib-error-route fib
expect_in "$tmp/fib.out" '^headers: 2007 files include them, 1599 built in this configuration$' \
	"every unit that reaches include/net/ip_fib.h is counted"
expect_in "$tmp/fib.out" '^headers: 7 units compile differently: compiling them before and after$' \
	"only the units that call fib_lookup() are compiled"
expect_in "$tmp/fib.out" '^  changed   function ip_route_output_key_hash_rcu ' \
	"ip_route_output_key_hash_rcu, which inlines fib_lookup(), is replaced"
expect_eq "$(modinfo -F depends "$tmp/u/fib.ko")" kmend \
	"the update depends on the engine alone, not on rdma_cm's or nft_fib_ipv4's modules"
create stable-probe-args probe
expect_in "$tmp/probe.out" "changed   function trace_probe_match_command_args .*no ftrace call site: a jump at its entry takes its calls" \
	"trace_probe_match_command_args, without an ftrace site, gets an entry jump"
cc -static -O2 -Wall -Wextra -Werror -o "$tmp/perfmlock" "$top/examples/shadow-perf-mlock.c" ||
	fail "cannot build examples/shadow-perf-mlock.c"

KMEND_KERNEL=$ver KMEND_BUILD=$old run_guest "$tmp/out" --file "$tmp/u:/u" --module nft_fib_ipv4 \
	--file "$tmp/perfmlock:/perfmlock" -- '
/perfmlock >/tmp/before.out
expect_eq "$?" 1 "before: the registration with a perf ring buffer fails"
cat /tmp/before.out
expect_succeeds "kmend apply shadow-perf-mlock" kmend apply /u/shadow-perf-mlock.ko
/perfmlock >/tmp/after.out
expect_eq "$?" 0 "applied: it works"
expect_match "$(cat /tmp/after.out)" "with a 9-page perf ring buffer: ok" "applied: says ok"
expect_succeeds "kmend undo shadow-perf-mlock" kmend undo shadow-perf-mlock
/perfmlock >/dev/null
expect_eq "$?" 1 "undone: it fails again"
sleep 0.1	# shadow variables go after a grace period
expect_eq "$(engine_allocations)" 0 "the shadow variables were freed"

ip link set lo up
expect_succeeds "a prohibit route in the main table" ip route add prohibit 10.9.9.0/24
expect_succeeds "a route in the default table" ip route add 10.9.9.0/24 dev lo table 253
expect_match "$(ip route get 10.9.9.1 2>&1)" "^10.9.9.1 dev lo" "before: the default table.s route serves it"
expect_succeeds "kmend apply stable-fib-error-route" kmend apply /u/fib.ko
expect_match "$(ip route get 10.9.9.1 2>&1)" "Permission denied" "applied: the prohibit route.s error"
expect_match "$(ip route get 127.0.0.1 2>&1)" "^local 127.0.0.1 dev lo" "applied: other routes as before"
expect_match "$(cat /sys/kernel/kmend/stable-fib-error-route/targets)" "rdma_cm waiting" "rdma_cm, not loaded, waited for"
# its code calls exports of nft_fib, resolved in nft_fib as it loads
expect_succeeds "nft_fib_ipv4 loads under the update" modprobe nft_fib_ipv4
expect_match "$(cat /sys/kernel/kmend/stable-fib-error-route/targets)" "nft_fib_ipv4 patched" \
	"nft_fib_ipv4 patched as it loads"
expect_succeeds "nft_fib_ipv4 unloads under the update" rmmod nft_fib_ipv4
expect_succeeds "kmend undo stable-fib-error-route" kmend undo stable-fib-error-route
expect_match "$(ip route get 10.9.9.1 2>&1)" "^10.9.9.1 dev lo" "undone: the default table.s route again"
expect_eq "$(engine_allocations)" 0 "nothing of the update is left"

E=/sys/kernel/tracing/kprobe_events
A="a23456789012345678901234567890ab=+0(+0(+0(+0(+0(+0(+0(+0(%di))))))))"
expect_succeeds "a kprobe with a 68-byte argument" sh -c "echo \"p:kp cmdline_proc_show $A\" >>$E"
expect_fails "before: deleting it by its arguments is ENOENT" sh -c "echo \"-:kp cmdline_proc_show $A\" >>$E"
expect_succeeds "kmend apply stable-probe-args" kmend apply /u/probe.ko
expect_match "$(cat /sys/kernel/kmend/stable-probe-args/functions)" "^vmlinux trace_probe_match_command_args -> .* via=entry_jump$" \
	"its calls are taken by a jump at its entry"
expect_succeeds "applied: deleting it by its arguments works" sh -c "echo \"-:kp cmdline_proc_show $A\" >>$E"
expect_eq "$(cat $E)" "" "the probe is gone"
echo "p:kp cmdline_proc_show $A" >>$E
expect_succeeds "kmend undo stable-probe-args" kmend undo stable-probe-args
expect_fails "undone: ENOENT again" sh -c "echo \"-:kp cmdline_proc_show $A\" >>$E"
echo "-:kp" >>$E
expect_eq "$(cat $E)" "" "deleted by name"
expect_eq "$(engine_allocations)" 0 "nothing of the update is left"

F=/sys/kernel/debug/sched/features
feature() { tr " " "\n" <$F | grep RT_PUSH_IPI; }
expect_eq "$(feature)" RT_PUSH_IPI "before: RT_PUSH_IPI on"
expect_succeeds "kmend apply callback-rt-push-ipi" kmend apply /u/callback-rt-push-ipi.ko
expect_eq "$(feature)" NO_RT_PUSH_IPI "applied: the post_patch callback turned it off"
expect_match "$(kmend show callback-rt-push-ipi)" "vmlinux +patched" "an update of no function, applied"
expect_succeeds "kmend undo callback-rt-push-ipi" kmend undo callback-rt-push-ipi
expect_eq "$(feature)" RT_PUSH_IPI "undone: pre_unpatch turned it on again"
'
