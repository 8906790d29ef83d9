#!/usr/bin/env bash
# make demo's script itself, so that it cannot rot: a real stable fix created
# against an older Debian kernel, applied there with kmend apply, undone with
# kmend undo; the demo checks each effect in the guest and exits non-zero
# otherwise. Here: its exit status and the lines a reader relies on.
. "$(dirname "$0")/lib/host.bash"

"$top/scripts/demo" >"$tmp/demo.out" 2>&1
status=$?
cat "$tmp/demo.out"
expect_status 0 "$status" "scripts/demo"
expect_in "$tmp/demo.out" "^   Debian's changelog lists it in linux 6\.1\.[0-9]+-[0-9]+$" "the fix's Debian version, from the changelog"
expect_in "$tmp/demo.out" "source lacks it: the patch applies" "the target lacks the fix"
expect_in "$tmp/demo.out" "changed   function fanotify_ioctl" "kmend create found the changed function"
expect_in "$tmp/demo.out" "^     FIONREAD says 24 bytes are ready; read\(\) returns 32 bytes: WRONG" "the bug before"
expect_in "$tmp/demo.out" "^     kmend: applied fanotify-fionread in " "kmend apply"
expect_in "$tmp/demo.out" "^     FIONREAD says 32 bytes are ready; read\(\) returns 32 bytes: they agree$" "the fix after"
expect_in "$tmp/demo.out" "^     fanotify-fionread +applied " "kmend list"
expect_in "$tmp/demo.out" "^     kmend: undid fanotify-fionread in " "kmend undo"
expect_in "$tmp/demo.out" "^The fix was applied to the running kernel and undone, without a reboot\.$" "the end"
