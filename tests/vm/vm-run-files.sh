#!/usr/bin/env bash
# --file puts host files into the guest; --module makes a module of the target
# kernel and its dependencies loadable with modprobe.
. "$(dirname "$0")/lib/host.bash"

echo "hello from the host $$" >"$tmp/greeting"
"$vm_run" --file "$tmp/greeting:/opt/data/greeting" --module vfat -- '
cat /opt/data/greeting
modprobe vfat && echo modprobe-ok
cut -d" " -f1 /proc/modules | sort | tr "\n" " "; echo
' >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 0 "$status" "vm-run with --file and --module"
expect_in "$tmp/out" "^hello from the host $$\$" "the file's content in the guest"
expect_in "$tmp/out" '^modprobe-ok$' "modprobe vfat"
expect_in "$tmp/out" '(^| )fat .*vfat|vfat .*(^| )fat ' "vfat and its dependency fat are loaded"

"$vm_run" --module no_such_module_xyz -- true >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 126 "$status" "an unknown module"
expect_in "$tmp/out" 'no_such_module_xyz' "the unknown module is named"
