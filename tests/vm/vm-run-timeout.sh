#!/usr/bin/env bash
# A guest that does not finish is killed at the timeout with a clear message.
. "$(dirname "$0")/lib/host.bash"

start=$(date +%s)
"$vm_run" --timeout 20 -- 'echo started; sleep 600; echo not-reached' >"$tmp/out" 2>&1
status=$?
elapsed=$(( $(date +%s) - start ))
cat "$tmp/out"
expect_status 124 "$status" "a hung guest"
expect_in "$tmp/out" 'did not finish within 20s' "the timeout message"
expect_in "$tmp/out" '^started$' "output before the hang"
expect_not_in "$tmp/out" 'not-reached' "commands after the hang"
[ "$elapsed" -lt 40 ] || fail "the guest was killed after ${elapsed}s, not about 20s"

"$vm_run" --timeout 0 -- true >"$tmp/out" 2>&1
expect_status 126 $? "--timeout 0 is refused"
