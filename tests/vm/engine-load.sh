#!/usr/bin/env bash
# The engine loads into the stock Debian kernel, creates /sys/kernel/kmend, and
# unloads cleanly; a kernel lacking a symbol it needs refuses it, naming the
# symbol; the kmend command runs in the guest.
. "$(dirname "$0")/lib/host.bash"

[ -f "$build/kernel/kmend.ko" ] || fail "build/kernel/kmend.ko is missing; run make"
eval "$(KMEND_TARGET_NO_SOURCE=1 "$top/scripts/target-kernel" 2>/dev/null)"

"$vm_run" -- '
uname -r
insmod /lib/kmend/kmend.ko && test -d /sys/kernel/kmend && echo ok
grep -q "^kmend " /proc/modules && echo listed
rmmod kmend && test ! -e /sys/kernel/kmend && echo removed
insmod /lib/kmend/kmend.ko require_symbol=kmend_no_such_symbol || echo refused
test ! -e /sys/kernel/kmend && echo nothing-left
dmesg | grep "required kernel symbol"
kmend --version
' >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 0 "$status" "vm-run"
[ "$(head -n1 "$tmp/out")" = "$KVER" ] || fail "uname -r is not the target's release $KVER"
expect_in "$tmp/out" '^ok$' "engine load"
expect_in "$tmp/out" '^listed$' "engine in /proc/modules"
expect_in "$tmp/out" '^removed$' "engine unload"
expect_in "$tmp/out" "^kmend $(cat "$top/VERSION")\$" "kmend --version in the guest"
expect_in "$tmp/out" '^refused$' "a kernel lacking a required symbol refuses the engine"
expect_in "$tmp/out" '^nothing-left$' "nothing left after the refusal"
expect_in "$tmp/out" 'kmend: required kernel symbol kmend_no_such_symbol not found' "the kernel log names the symbol"
