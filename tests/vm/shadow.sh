#!/usr/bin/env bash
# The shadow-variable scenario of the kernel's livepatch selftests
# (tools/testing/selftests/livepatch/test-shadow-vars.sh) on kmend's shadow
# variables: the test module's messages must be exactly those expected
# (the kernel's, with kmend's names); then, across two updates that share an
# id, the variables one update made are found by the other, in atomic
# context too, and nothing is left allocated.
. "$(dirname "$0")/lib/host.bash"

expected='
kmend_test_shadow: kmend_shadow_get(obj=PTR1, id=0x1234) = PTR0
kmend_test_shadow:   got expected NULL result
kmend_test_shadow: shadow_ctor: PTR3 -> PTR2
kmend_test_shadow: kmend_shadow_get_or_alloc(obj=PTR1, id=0x1234, size=8, gfp=GFP_KERNEL), ctor=PTR4, ctor_data=PTR2 = PTR3
kmend_test_shadow: shadow_ctor: PTR6 -> PTR5
kmend_test_shadow: kmend_shadow_alloc(obj=PTR1, id=0x1235, size=8, gfp=GFP_KERNEL), ctor=PTR4, ctor_data=PTR5 = PTR6
kmend_test_shadow: shadow_ctor: PTR8 -> PTR7
kmend_test_shadow: kmend_shadow_alloc(obj=PTR9, id=0x1234, size=8, gfp=GFP_KERNEL), ctor=PTR4, ctor_data=PTR7 = PTR8
kmend_test_shadow: shadow_ctor: PTR11 -> PTR10
kmend_test_shadow: kmend_shadow_alloc(obj=PTR9, id=0x1235, size=8, gfp=GFP_KERNEL), ctor=PTR4, ctor_data=PTR10 = PTR11
kmend_test_shadow: shadow_ctor: PTR13 -> PTR12
kmend_test_shadow: kmend_shadow_get_or_alloc(obj=PTR14, id=0x1234, size=8, gfp=GFP_KERNEL), ctor=PTR4, ctor_data=PTR12 = PTR13
kmend_test_shadow: shadow_ctor: PTR16 -> PTR15
kmend_test_shadow: kmend_shadow_alloc(obj=PTR14, id=0x1235, size=8, gfp=GFP_KERNEL), ctor=PTR4, ctor_data=PTR15 = PTR16
kmend_test_shadow: kmend_shadow_get(obj=PTR1, id=0x1234) = PTR3
kmend_test_shadow:   got expected PTR3 -> PTR2 result
kmend_test_shadow: kmend_shadow_get(obj=PTR1, id=0x1235) = PTR6
kmend_test_shadow:   got expected PTR6 -> PTR5 result
kmend_test_shadow: kmend_shadow_get(obj=PTR9, id=0x1234) = PTR8
kmend_test_shadow:   got expected PTR8 -> PTR7 result
kmend_test_shadow: kmend_shadow_get(obj=PTR9, id=0x1235) = PTR11
kmend_test_shadow:   got expected PTR11 -> PTR10 result
kmend_test_shadow: kmend_shadow_get(obj=PTR14, id=0x1234) = PTR13
kmend_test_shadow:   got expected PTR13 -> PTR12 result
kmend_test_shadow: kmend_shadow_get(obj=PTR14, id=0x1235) = PTR16
kmend_test_shadow:   got expected PTR16 -> PTR15 result
kmend_test_shadow: kmend_shadow_get_or_alloc(obj=PTR1, id=0x1234, size=8, gfp=GFP_KERNEL), ctor=PTR4, ctor_data=PTR2 = PTR3
kmend_test_shadow:   got expected PTR3 -> PTR2 result
kmend_test_shadow: kmend_shadow_get_or_alloc(obj=PTR9, id=0x1234, size=8, gfp=GFP_KERNEL), ctor=PTR4, ctor_data=PTR7 = PTR8
kmend_test_shadow:   got expected PTR8 -> PTR7 result
kmend_test_shadow: kmend_shadow_get_or_alloc(obj=PTR14, id=0x1234, size=8, gfp=GFP_KERNEL), ctor=PTR4, ctor_data=PTR12 = PTR13
kmend_test_shadow:   got expected PTR13 -> PTR12 result
kmend_test_shadow: shadow_dtor(obj=PTR1, shadow_data=PTR3)
kmend_test_shadow: kmend_shadow_free(obj=PTR1, id=0x1234, dtor=PTR17)
kmend_test_shadow: kmend_shadow_get(obj=PTR1, id=0x1234) = PTR0
kmend_test_shadow:   got expected NULL result
kmend_test_shadow: shadow_dtor(obj=PTR9, shadow_data=PTR8)
kmend_test_shadow: kmend_shadow_free(obj=PTR9, id=0x1234, dtor=PTR17)
kmend_test_shadow: kmend_shadow_get(obj=PTR9, id=0x1234) = PTR0
kmend_test_shadow:   got expected NULL result
kmend_test_shadow: shadow_dtor(obj=PTR14, shadow_data=PTR13)
kmend_test_shadow: kmend_shadow_free(obj=PTR14, id=0x1234, dtor=PTR17)
kmend_test_shadow: kmend_shadow_get(obj=PTR14, id=0x1234) = PTR0
kmend_test_shadow:   got expected NULL result
kmend_test_shadow: kmend_shadow_get(obj=PTR1, id=0x1235) = PTR6
kmend_test_shadow:   got expected PTR6 -> PTR5 result
kmend_test_shadow: kmend_shadow_get(obj=PTR9, id=0x1235) = PTR11
kmend_test_shadow:   got expected PTR11 -> PTR10 result
kmend_test_shadow: kmend_shadow_get(obj=PTR14, id=0x1235) = PTR16
kmend_test_shadow:   got expected PTR16 -> PTR15 result
kmend_test_shadow: kmend_shadow_free_all(id=0x1235, dtor=PTR0)
kmend_test_shadow: kmend_shadow_get(obj=PTR1, id=0x1235) = PTR0
kmend_test_shadow:   got expected NULL result
kmend_test_shadow: kmend_shadow_get(obj=PTR9, id=0x1235) = PTR0
kmend_test_shadow:   got expected NULL result
kmend_test_shadow: kmend_shadow_get(obj=PTR14, id=0x1235) = PTR0
kmend_test_shadow:   got expected NULL result
'

run_guest "$tmp/out" -- '
insmod /lib/kmend/kmend.ko
dmesg -c >/dev/null
base=$(engine_allocations)
insmod /kmend-test/modules/api/kmend_test_shadow.ko
got=$(dmesg -c | sed "s/^\[[ 0-9.]*\] //" | grep "^kmend_test_shadow: ")
expect_eq "$got" "$(printf "%s" "'"$expected"'" | sed "/^$/d")" "the scenario prints what the kernel'"'"'s does"
rmmod kmend_test_shadow
expect_eq "$(engine_allocations)" "$base" "every shadow variable freed"

A=/kmend-test/modules/api
kmend apply -q $A/kmend_test_update_shadow_a.ko
expect_match "$(dmesg -c)" "kmend_test_update_shadow_a: made the shared shadow variable: 42" "update a made it (interrupts off, GFP_ATOMIC)"
kmend undo -q test-shadow-a
expect_eq "$(grep -c kmend_test_update_shadow_a /proc/modules)" 0 "update a is gone"
expect_eq "$(engine_allocations)" "$((base + 1))" "its variable stays with the engine"
kmend apply -q $A/kmend_test_update_shadow_b.ko
expect_match "$(dmesg -c)" "kmend_test_update_shadow_b: found the shared shadow variable: 42" "a later update finds it by the same id"
kmend undo -q test-shadow-b
expect_match "$(dmesg -c)" "kmend_test_update_shadow_b: freeing the shared shadow variable: 42" "and frees it, with its destructor"
sleep 0.1	# freed after an RCU grace period
expect_eq "$(engine_allocations)" "$base" "nothing left allocated"
'
