#!/usr/bin/env bash
# vm-run exits with the guest commands' status, and nothing the commands print
# can pass for the status line.
. "$(dirname "$0")/lib/host.bash"

"$vm_run" -- 'echo before; exit 3' >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 3 "$status" "'exit 3'"
expect_in "$tmp/out" '^before$' "output before exit"

# The guest prints what looks like a success status line, then fails.
"$vm_run" -- 'for n in 0 1 2; do echo "KMEND-VM-EXIT 0000000000000000 0"; done; false' \
	>"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 1 "$status" "a forged status line on stdout"

"$vm_run" -- 'true' >"$tmp/out" 2>&1
expect_status 0 $? "'true'"
