#!/usr/bin/env bash
# kmend create --format klp: updates for the kernel's own livepatch, applied,
# checked and undone in the VM with kmend.ko never loaded:
# - proc-version (the simplest), static-helpers (references to statics of
#   vmlinux as livepatch relocations), tracepoint (a jump label whose
#   unexported key is a livepatch relocation the module loader writes while
#   the update loads), on-access (the flag livepatch's post_patch turns on),
#   module-binfmt-misc (a klp_object for a module, applied before the module
#   loads: patched when it comes), and a patch written here that counts reads
#   of /proc/version in a shadow variable (kmend_shadow_* on klp_shadow) and
#   logs from its callbacks (livepatch's, in order);
# - kmend apply, list, show and undo through /sys/kernel/livepatch;
# - what livepatch cannot express is refused at create time: another model,
#   a hook, --require-targets.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
kmend=$build/bin/kmend
mkdir -p "$tmp/u"

# The shadow and callback patch: fs/proc/version.c counts its readers.
mkdir -p "$tmp/p/a/fs/proc" "$tmp/p/b/fs/proc"
cp "$SOURCE/fs/proc/version.c" "$tmp/p/a/fs/proc/version.c"
awk '
/#include "internal.h"/ {
	print "#include <kmend/patch.h>"
	print "#include <kmend/shadow.h>"
	print
	print ""
	print "#define READS_ID 0x6b6d656eUL"
	print ""
	print "static void reads_post_patch(struct kmend_pack *pack)"
	print "{"
	print "\tpr_info(\"kmend klp test: post_patch %s\\n\", pack->target ?: \"vmlinux\");"
	print "}"
	print "KMEND_POST_PATCH_CALLBACK(reads_post_patch);"
	print ""
	print "static void reads_pre_unpatch(struct kmend_pack *pack)"
	print "{"
	print "\tpr_info(\"kmend klp test: pre_unpatch %s\\n\", pack->target ?: \"vmlinux\");"
	print "\tkmend_shadow_free_all(READS_ID, NULL);"
	print "}"
	print "KMEND_PRE_UNPATCH_CALLBACK(reads_pre_unpatch);"
	next
}
/^\t\tutsname\(\)->version\);$/ {
	print
	print "\t{"
	print "\t\tunsigned long *reads = kmend_shadow_get_or_alloc(&init_uts_ns, READS_ID,"
	print "\t\t\t\t\t\t\t\t   sizeof(*reads), GFP_KERNEL, NULL, NULL);"
	print ""
	print "\t\tif (reads)"
	print "\t\t\tseq_printf(m, \"kmend klp test: read %lu\\n\", ++*reads);"
	print "\t}"
	next
}
{ print }' "$SOURCE/fs/proc/version.c" >"$tmp/p/b/fs/proc/version.c"
(cd "$tmp/p" && diff -u a/fs/proc/version.c b/fs/proc/version.c) >"$tmp/reads.patch"
grep -q kmend_shadow_get_or_alloc "$tmp/reads.patch" || fail "could not write the shadow patch"

create() {	# create ID PATCH [OPTION...]: a livepatch update /u/ID.ko
	local id=$1 patch=$2
	shift 2
	"$kmend" create --format klp --source "$SOURCE" --id "$id" -o "$tmp/u/$id.ko" \
		"$@" "$patch" >"$tmp/$id.out" 2>&1
	local status=$?
	cat "$tmp/$id.out"
	expect_status 0 $status "kmend create --format klp $(basename "$patch")"
}
for ex in proc-version static-helpers tracepoint on-access module-binfmt-misc; do
	create "$ex" "$top/examples/$ex.patch"
done
create reads "$tmp/reads.patch"

/sbin/modinfo "$tmp/u/static-helpers.ko" >"$tmp/modinfo" || fail "modinfo"
expect_in "$tmp/modinfo" "^livepatch: +Y$" "the module says it is a livepatch"
expect_not_in "$tmp/modinfo" "^depends: .*kmend" "it does not depend on kmend.ko"
readelf -rW "$tmp/u/static-helpers.ko" >"$tmp/relocs" || fail "readelf"
expect_in "$tmp/relocs" "^Relocation section '\.klp\.rela\.vmlinux\.\.text\.proc_do_static_key'" "a livepatch relocation section for the changed function"
expect_in "$tmp/relocs" "\.klp\.sym\.vmlinux\.__do_proc_dointvec,0" "the static helper as a livepatch symbol"
readelf -SW "$tmp/u/static-helpers.ko" >"$tmp/sections" || fail "readelf"
expect_in "$tmp/sections" "\.klp\.rela\..* AIo " "SHF_ALLOC, SHF_INFO_LINK and SHF_RELA_LIVEPATCH"
readelf -rW "$tmp/u/tracepoint.ko" >"$tmp/relocs" || fail "readelf"
expect_in "$tmp/relocs" "\.klp\.rela\.vmlinux\.__jump_table" "the jump label's key, written while the update loads"

# refused at create time, with the reason
refused() {	# refused WHAT PATTERN OPTION...
	local what=$1 pattern=$2
	shift 2
	"$kmend" create --format klp --source "$SOURCE" -o "$tmp/refused.ko" --dry-run "$@" \
		>"$tmp/refused.out" 2>&1
	local status=$?
	cat "$tmp/refused.out"
	expect_status 1 $status "$what is refused"
	expect_in "$tmp/refused.out" "$pattern" "$what: the reason"
	[ ! -e "$tmp/refused.ko" ] || fail "$what: a module was written"
}
refused "another model" "livepatch has one, leave=patched-set,switch=thread" \
	--model leave=patched-set,switch=kernel "$top/examples/proc-version.patch"
refused "--require-targets" "require-targets is kmend's" \
	--require-targets "$top/examples/module-binfmt-misc.patch"
mkdir -p "$tmp/h/a/fs/proc" "$tmp/h/b/fs/proc"
cp "$SOURCE/fs/proc/version.c" "$tmp/h/a/fs/proc/version.c"
awk '/#include "internal.h"/ {
	print "#include <kmend/patch.h>"
	print
	print "static void stopped(void) { }"
	print "KMEND_APPLY_HOOK(stopped);"
	next
}
/^\t\tutsname\(\)->version\);$/ { print; print "\tseq_puts(m, \"hook\\n\");"; next }
{ print }' "$SOURCE/fs/proc/version.c" >"$tmp/h/b/fs/proc/version.c"
(cd "$tmp/h" && diff -u a/fs/proc/version.c b/fs/proc/version.c) >"$tmp/hook.patch"
grep -q KMEND_APPLY_HOOK "$tmp/hook.patch" || fail "could not write the hook patch"
refused "a hook" "never stops it" "$tmp/hook.patch"

run_guest "$tmp/out" --file "$tmp/u:/u" --module binfmt_misc -- '
apply() {
	expect_succeeds "kmend apply $1" kmend apply /u/$1.ko
	expect_eq "$(cat /sys/kernel/livepatch/kmend_$(echo $1 | tr - _)/enabled)" 1 "$1: enabled in /sys/kernel/livepatch"
}
undo() {
	expect_succeeds "kmend undo $1" kmend undo $1
	expect_eq "$(grep -c "^kmend_$(echo $1 | tr - _) " /proc/modules)" 0 "$1: unloaded"
}

before=$(cat /proc/version)
apply proc-version
expect_match "$(cat /proc/version)" " \(kmend example\)$" "proc-version: the new text"
list=$(kmend list)
echo "$list"
# the id as the kernel names the module: "-" reads as "_"
expect_match "$list" "proc_version +applied .*leave=patched-set,switch=thread +vmlinux +version_proc_show" "kmend list shows it"
show=$(kmend show proc-version)
echo "$show"
expect_match "$show" "Module: +kmend_proc_version" "kmend show names its module"
expect_match "$show" "vmlinux version_proc_show" "kmend show lists its function"
expect_fails "applying it twice is refused" kmend apply /u/proc-version.ko
undo proc-version
expect_eq "$(cat /proc/version)" "$before" "proc-version: the old text again"

sysctl=/proc/sys/net/core/high_order_alloc_disable
apply static-helpers
echo 1 >$sysctl
expect_match "$(dmesg | tail -n 1)" "sysctl: high_order_alloc_disable set to 1 by sh\[" "static-helpers: the new message (its static helpers reached through livepatch relocations)"
expect_eq "$(cat $sysctl)" 1 "static-helpers: the value is set"
echo 0 >$sysctl
undo static-helpers

renamed() { sh -c "echo -n kmend-jump >/proc/\$\$/comm; read c </proc/\$\$/comm; echo \$c"; }
apply tracepoint
expect_eq "$(renamed)" kmend-jumped "tracepoint: the new code renames"
echo 1 >/sys/kernel/tracing/events/task/task_rename/enable
expect_eq "$(renamed)" kmend-jumped "tracepoint: with the event on"
expect_match "$(cat /sys/kernel/tracing/trace)" "task_rename: .* newcomm=kmend-jump " "tracepoint: traced by the new code (its jump label follows the key)"
echo 0 >/sys/kernel/tracing/events/task/task_rename/enable
undo tracepoint
expect_eq "$(renamed)" kmend-jump "tracepoint: the old code again"

apply on-access
expect_eq "$(tail -n 1 /proc/version)" "kmend example: every task switched" "on-access: the flag is on once every task switched (post_patch)"
undo on-access
expect_eq "$(cat /proc/version)" "$before" "on-access: the old text again"

apply reads
expect_eq "$(grep "kmend klp test: read" /proc/version)" "kmend klp test: read 1" "reads: a shadow variable, allocated on the first read"
expect_eq "$(grep "kmend klp test: read" /proc/version)" "kmend klp test: read 2" "reads: found again on the next"
expect_match "$(dmesg | grep "kmend klp test")" "post_patch vmlinux" "reads: post_patch ran"
undo reads
expect_match "$(dmesg | grep "kmend klp test" | tail -n 1)" "pre_unpatch vmlinux" "reads: pre_unpatch ran"
expect_eq "$(cat /proc/version)" "$before" "reads: the old text again"

status=/proc/sys/fs/binfmt_misc/status
expect_eq "$(grep -c "^binfmt_misc " /proc/modules)" 0 "binfmt_misc is not loaded yet"
apply module-binfmt-misc
expect_match "$(kmend show module-binfmt-misc)" "binfmt_misc +not loaded" "kmend show: its target is not loaded"
modprobe binfmt_misc
mount -t binfmt_misc none /proc/sys/fs/binfmt_misc
expect_eq "$(cat $status)" "enabled (kmend example)" "module-binfmt-misc: loaded after apply, the module runs the new code"
expect_match "$(kmend show module-binfmt-misc)" "binfmt_misc +patched" "kmend show: its target is patched"
undo module-binfmt-misc
expect_eq "$(cat $status)" enabled "module-binfmt-misc: the old text again"
umount /proc/sys/fs/binfmt_misc
expect_succeeds "binfmt_misc unloads after undo" rmmod binfmt_misc

expect_eq "$(ls /sys/kernel/livepatch)" "" "no livepatch left"
expect_eq "$(grep -c "^kmend " /proc/modules)" 0 "kmend.ko was never loaded"
expect_eq "$(kmend list)" "No updates are loaded (the kmend engine is not loaded)." "kmend list: nothing"
'
