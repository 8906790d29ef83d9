#!/usr/bin/env bash
# kmend create on the target's source: finds the units a patch touches and
# whether each is built into vmlinux or a module, reports exactly the
# functions the patch changes, sees a moved line as no change, refuses what it
# cannot do yet (naming the file) and changes an update cannot carry (a
# variable's value), writes the update module with its modinfo, leaves nothing
# behind on Ctrl-C, and leaves the tree untouched.
. "$(dirname "$0")/../vm/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
kmend=$build/bin/kmend
export TMPDIR=$tmp/tmpdir
mkdir -p "$TMPDIR"

# make_patch FILE SED-SCRIPT-or-AWK: a -p1 patch of FILE in the target's tree.
make_patch() {
	local file=$1 out=$2
	mkdir -p "$tmp/p/a/$(dirname "$file")" "$tmp/p/b/$(dirname "$file")"
	cp "$SOURCE/$file" "$tmp/p/a/$file"
	cat >"$tmp/p/b/$file"
	(cd "$tmp/p" && diff -u "a/$file" "b/$file") >"$out"
	rm -rf "$tmp/p"
}

sed 's/mask = xchg(&current->fs->umask, mask & S_IRWXUGO);/mask = xchg(\&current->fs->umask, mask \& S_IRWXUGO \& ~S_IWOTH);/' \
	"$SOURCE/kernel/sys.c" | make_patch kernel/sys.c "$tmp/umask.patch"
awk 'NR == 20 {print "/* a comment that moves every line below */"} {print}' \
	"$SOURCE/kernel/sys.c" | make_patch kernel/sys.c "$tmp/moved.patch"
sed 's/\t\treturn -ECHILD;/\t\treturn -EAGAIN;/' "$SOURCE/fs/fat/namei_vfat.c" |
	make_patch fs/fat/namei_vfat.c "$tmp/vfat.patch"
grep -q EAGAIN "$tmp/vfat.patch" || fail "could not make the vfat patch"

sum_before=$(md5sum "$SOURCE/kernel/sys.c" "$SOURCE/fs/fat/namei_vfat.c")
touch "$tmp/stamp"; sleep 1

valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
	"$kmend" create --dry-run --source "$SOURCE" "$tmp/umask.patch" >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 0 "$status" "create --dry-run of a one-line fix (under valgrind)"
expect_in "$tmp/out" '^kernel/sys.c -> vmlinux$' "the unit and its target"
expect_in "$tmp/out" '^  changed +function __x64_sys_umask ' "umask's syscall entry changed"
expect_in "$tmp/out" '^  changed +function __ia32_sys_umask ' "umask's ia32 entry changed"
[ "$(grep -c '^  [a-z-]* *\(function\|data\)' "$tmp/out")" -eq 2 ] ||
	fail "more than the two umask entries reported"
expect_in "$tmp/out" '^  unchanged: 137 functions' "every other function unchanged"

"$kmend" create --dry-run --source "$SOURCE" "$tmp/moved.patch" >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 0 "$status" "a patch that only moves lines"
expect_not_in "$tmp/out" '^  (changed|new|deleted) ' "moved lines change no function"

"$kmend" create --dry-run --source "$SOURCE" "$tmp/vfat.patch" >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 0 "$status" "a patch to a module's unit"
expect_in "$tmp/out" '^fs/fat/namei_vfat.c -> vfat$' "Kbuild's module for the unit"
expect_in "$tmp/out" '^  changed +function vfat_revalidate_ci ' "the changed module function"

# Two patches, two units (one built in, one a module): the same report with
# one compile at a time and with several.
"$kmend" create --dry-run -j 1 --source "$SOURCE" "$tmp/umask.patch" "$tmp/vfat.patch" >"$tmp/j1" 2>&1
expect_status 0 $? "two units, -j 1"
"$kmend" create --dry-run -j 4 --source "$SOURCE" "$tmp/umask.patch" "$tmp/vfat.patch" >"$tmp/j4" 2>&1
expect_status 0 $? "two units, -j 4"
cat "$tmp/j4"
expect_in "$tmp/j4" '^kernel/sys.c -> vmlinux$' "the built-in unit"
expect_in "$tmp/j4" '^fs/fat/namei_vfat.c -> vfat$' "the module unit"
cmp -s "$tmp/j1" "$tmp/j4" || fail "-j 1 and -j 4 report differently"
"$kmend" create --dry-run -j 0 --source "$SOURCE" "$tmp/umask.patch" >"$tmp/out" 2>&1
expect_status 2 $? "-j 0"
expect_in "$tmp/out" "-j takes a number of compiles at once" "the -j refusal"

# A change of an existing variable's value is reported and refused.
sed 's/^int overflowuid = DEFAULT_OVERFLOWUID;/int overflowuid = 65535;/' "$SOURCE/kernel/sys.c" |
	make_patch kernel/sys.c "$tmp/data.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/data.patch" >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 1 "$status" "a patch changing a variable's initial value"
expect_in "$tmp/out" '^  changed +data +overflowuid ' "the changed variable is reported"
expect_in "$tmp/out" '^  refused +overflowuid: its value changes, .*callback.*shadow variable' "and refused, saying what to do"
expect_in "$tmp/out" '1 change cannot be live patched as written' "the summary"
# stdout and stderr in one file (a build log): the report before the summary
refused_at=$(grep -n "^  refused" "$tmp/out" | head -n1 | cut -d: -f1)
summary_at=$(grep -n "cannot be live patched as written" "$tmp/out" | cut -d: -f1)
[ -n "$refused_at" ] && [ -n "$summary_at" ] && [ "$refused_at" -lt "$summary_at" ] ||
	fail "stdout and stderr in one file: the summary (line $summary_at) came before the refusal (line $refused_at)"

# A unit Kbuild builds from another folder's Makefile (amdgpu's Makefile
# builds "amdgpu/../acp/acp_hw.c", with its include path): compiled with
# that command, both sides; a file the configuration does not build (an
# OMAP driver on x86) is refused as such, though make can compile it alone.
sed 's/unsigned int acp_mode = ACP_MODE_I2S;/unsigned int acp_mode = ACP_MODE_AZ;/' \
	"$SOURCE/drivers/gpu/drm/amd/acp/acp_hw.c" | make_patch drivers/gpu/drm/amd/acp/acp_hw.c "$tmp/acp.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/acp.patch" >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 0 "$status" "a unit built from another folder's Makefile"
expect_in "$tmp/out" '^drivers/gpu/drm/amd/acp/acp_hw.c -> amdgpu$' "its target"
expect_in "$tmp/out" '^  changed +function +amd_acp_hw_init ' "its changed function"
sed 's/MBOX_KFIFO_SIZE/MBOX_KFIFO_SIZE + 0/' "$SOURCE/drivers/mailbox/omap-mailbox.c" |
	make_patch drivers/mailbox/omap-mailbox.c "$tmp/omap.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/omap.patch" >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 1 "$status" "a file the configuration does not build"
expect_in "$tmp/out" 'omap-mailbox.c: Kbuild does not build it in this configuration' "is refused as such"

# A trace point of a module target in changed code (ext4 is a module in
# Debian's config): its jump-label key is the module's own, left out, and
# the report says the new code never fires it; the update is made.
sed 's/return -EIO;$/return -EIO; \/\* inert \*\/ if (datasync < 0) return -EINVAL;/' \
	"$SOURCE/fs/ext4/fsync.c" | make_patch fs/ext4/fsync.c "$tmp/tp.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/tp.patch" >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 0 "$status" "a change with a trace point of a module target"
expect_in "$tmp/out" '^  inert +__tracepoint_ext4_sync_file_enter: a trace point of module ext4, which the new code never fires' \
	"the trace point is named inert"

# The same change declared ignored, with a callback that sets the new value:
# accepted; a changed function declared not to be replaced is left alone; a
# model is read; declarations that name nothing, or a bad model, are errors.
{ sed -e 's/^int overflowuid = DEFAULT_OVERFLOWUID;/int overflowuid = 65535;/' \
      -e 's/^\tmask = xchg(&current->fs->umask, mask & S_IRWXUGO);/\tmask = xchg(\&current->fs->umask, mask \& S_IRWXUGO \& ~S_IWOTH);/' \
      "$SOURCE/kernel/sys.c"
  cat <<'DECL'
#include <kmend/patch.h>
static void overflowuid_post_patch(struct kmend_pack *pack)
{
	WRITE_ONCE(overflowuid, 65535);
}
KMEND_POST_PATCH_CALLBACK(overflowuid_post_patch);
KMEND_IGNORE_SYMBOL("overflowuid");
KMEND_NO_REPLACE(__do_sys_umask);
KMEND_NO_REPLACE(__x64_sys_umask);	/* __do_sys_umask is inlined in both */
KMEND_NO_REPLACE(__ia32_sys_umask);
KMEND_MODEL("leave=patched-set,switch=kernel");
DECL
} | make_patch kernel/sys.c "$tmp/decl.patch"
"$kmend" create --source "$SOURCE" -o "$tmp/decl.ko" "$tmp/decl.patch" >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 0 "$status" "the value change declared ignored, with a callback"
expect_in "$tmp/out" '^  declares  post_patch callback overflowuid_post_patch$' "the callback is declared"
expect_in "$tmp/out" '^  ignored   data     overflowuid \(KMEND_IGNORE_SYMBOL\)$' "the value change is ignored"
expect_in "$tmp/out" '^  ignored   function __do_sys_umask \(KMEND_NO_REPLACE\)$' "the changed function is left alone"
expect_in "$tmp/out" '^  ignored   function __x64_sys_umask \(KMEND_NO_REPLACE\)$' "and its callers too"
expect_not_in "$tmp/out" '^  refused' "nothing refused"
expect_in "$tmp/out" '^  update:   0 functions replaced' "no function replaced"
[ "$(modinfo -F kmend_model "$tmp/decl.ko")" = "leave=patched-set,switch=kernel" ] || fail "the model in modinfo"
sed 's/KMEND_IGNORE_SYMBOL("overflowuid")/KMEND_IGNORE_SYMBOL("no_such_symbol")/' "$tmp/decl.patch" >"$tmp/bad.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/bad.patch" >"$tmp/out" 2>&1
expect_status 1 $? "an ignore naming nothing"
expect_in "$tmp/out" 'KMEND_IGNORE_SYMBOL\(no_such_symbol\): the unit has no such symbol' "names it"
sed 's/KMEND_MODEL("leave=patched-set,switch=kernel")/KMEND_MODEL("leave=everything")/' "$tmp/decl.patch" >"$tmp/bad.patch"
"$kmend" create --source "$SOURCE" -o "$tmp/bad.ko" "$tmp/bad.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a bad model"
expect_in "$tmp/out" 'KMEND_MODEL\("leave=everything"\): not leave=' "says what a model is"

# --model: into the module; against the patch's own KMEND_MODEL, an error.
"$kmend" create --source "$SOURCE" --model leave=function,switch=function -o "$tmp/model.ko" \
	"$tmp/umask.patch" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "create --model"; }
[ "$(modinfo -F kmend_model "$tmp/model.ko")" = "leave=function,switch=function" ] || fail "--model in modinfo"
"$kmend" create --source "$SOURCE" --model leave=function,switch=function -o "$tmp/model.ko" \
	"$tmp/decl.patch" >"$tmp/out" 2>&1
expect_status 1 $? "--model against KMEND_MODEL"
expect_in "$tmp/out" 'but the patch declares KMEND_MODEL' "says so"
"$kmend" create --source "$SOURCE" --model sideways "$tmp/umask.patch" >"$tmp/out" 2>&1
expect_status 2 $? "a bad --model"
expect_in "$tmp/out" '--model takes leave=' "says what a model is"

# Hooks under a model that does not stop the machine: refused at create time.
{ cat "$SOURCE/kernel/sys.c"
  printf '#include <kmend/patch.h>\nstatic void sys_apply(void)\n{\n}\nKMEND_APPLY_HOOK(sys_apply);\n'
} | sed 's/mask = xchg(&current->fs->umask, mask & S_IRWXUGO);/mask = xchg(\&current->fs->umask, mask \& S_IRWXUGO \& ~S_IWOTH);/' |
	make_patch kernel/sys.c "$tmp/hook.patch"
"$kmend" create --source "$SOURCE" --model leave=function,switch=function -o "$tmp/hook.ko" \
	"$tmp/hook.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a hook under switch=function"
expect_in "$tmp/out" 'apply hook sys_apply: hooks \(TRANSFORM_WORLD\) run while the machine is stopped, and model leave=function,switch=function does not stop it' "says why"
for model in leave=patched-set,switch=thread leave=kernel,switch=thread; do
	"$kmend" create --source "$SOURCE" --model $model -o "$tmp/hook.ko" \
		"$tmp/hook.patch" >"$tmp/out" 2>&1
	expect_status 1 $? "a hook under the per-task model $model"
	expect_in "$tmp/out" "apply hook sys_apply: hooks \\(TRANSFORM_WORLD\\) run while the machine is stopped, and model $model does not stop it; use a switch=kernel model" "says why and what to use"
done
"$kmend" create --source "$SOURCE" --model leave=kernel,switch=kernel -o "$tmp/hook.ko" \
	"$tmp/hook.patch" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "a hook under leave=kernel,switch=kernel"; }

# A hook in a module's unit: refused (hooks run with the machine stopped,
# where the module may be absent).
{ cat "$SOURCE/fs/fat/namei_vfat.c"
  printf '#include <kmend/patch.h>\nstatic void vfat_apply(void)\n{\n}\nKMEND_APPLY_HOOK(vfat_apply);\n'
} | make_patch fs/fat/namei_vfat.c "$tmp/modhook.patch"
"$kmend" create --source "$SOURCE" -o "$tmp/modhook.ko" "$tmp/modhook.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a hook in a module's unit"
expect_in "$tmp/out" 'apply hook vfat_apply is in a unit of module vfat: hooks run with the machine stopped' "says why"

# __init parts: left out as "next boot" beside a runtime change, which is
# carried; refused when they are all there is.
sed 's/pde = proc_create_single("version", 0, NULL, version_proc_show);/pde = proc_create_single("version", 0444, NULL, version_proc_show);/' \
	"$SOURCE/fs/proc/version.c" | make_patch fs/proc/version.c "$tmp/init-only.patch"
grep -q 0444 "$tmp/init-only.patch" || fail "the sed made no change to proc_version_init"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/init-only.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a patch that changes only __init code"
expect_in "$tmp/out" '^  next boot function proc_version_init \(__init code in .init.text: already run; the change takes effect when the kernel starts from a new build\)$' \
	"the __init function is reported as next boot"
expect_in "$tmp/out" 'the patches change only __init or __exit parts' "refused for that reason"
sed 's/pde = proc_create_single("version", 0, NULL, version_proc_show);/pde = proc_create_single("version", 0444, NULL, version_proc_show);/; s/^\tseq_printf(m, linux_proc_banner,$/\tseq_puts(m, "");\n&/' \
	"$SOURCE/fs/proc/version.c" | make_patch fs/proc/version.c "$tmp/init-and-runtime.patch"
"$kmend" create --source "$SOURCE" -o "$tmp/init-and-runtime.ko" "$tmp/init-and-runtime.patch" \
	>"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "a runtime change beside an __init one"; }
expect_in "$tmp/out" '^  changed   function version_proc_show ' "the runtime part is changed"
expect_in "$tmp/out" '^next boot: 1 __init or __exit part of the change is not carried; the update carries the rest$' \
	"the next-boot part is summed up"
expect_eq "$(modinfo -F kmend_function "$tmp/init-and-runtime.ko")" "vmlinux version_proc_show" \
	"only the runtime function is replaced"

# A header no built unit includes (the sound sequencer's OSS emulation is
# off in Debian's configuration): nothing to replace, memory clean (the
# empty list of units was once freed twice).
awk 'NR == 2 {print "#define KMEND_TEST_UNUSED 1"} {print}' \
	"$SOURCE/sound/core/seq/oss/seq_oss_event.h" | make_patch sound/core/seq/oss/seq_oss_event.h "$tmp/unbuilt.patch"
valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
	"$kmend" create --dry-run --source "$SOURCE" "$tmp/unbuilt.patch" >"$tmp/out" 2>&1
expect_status 0 $? "a header no built unit includes (under valgrind)"
expect_in "$tmp/out" '^headers: [0-9]+ files include them, 0 built in this configuration$' "no unit is built"
expect_in "$tmp/out" '^nothing to replace' "nothing to replace"

# Refusals of input, each naming what is wrong.
# (header changes are taken: tests/vm/create-header.sh)
printf -- '--- a/kernel/Makefile\n+++ b/kernel/Makefile\n@@ -1 +1 @@\n-x\n+y\n' >"$tmp/makefile.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/makefile.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a Makefile patch"
expect_in "$tmp/out" 'changes kernel/Makefile: only C and assembly \(\.S\) files and headers can be live patched' "the Makefile is named"

printf -- '--- a/include/linux/kernel.h\n+++ b/include/linux/kernel.h\n@@ -1 +1 @@\n-x\n+y\n' >"$tmp/header.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/header.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a header patch that does not apply"
expect_in "$tmp/out" 'header.patch does not apply to ' "a header that does not patch is named"

# Assembly that cannot be carried as a function, refused by name (the .S
# path that works: tests/vm/create-asm.sh). copy_user_short_string is
# SYM_CODE; copy_user_generic_unrolled reaches .Lcopy_user_handle_tail, past
# copy_user_enhanced_fast_string, with a short jump the assembler resolved.
sed '/^SYM_CODE_START_LOCAL(copy_user_short_string)/,/^SYM_CODE_END/s/^\tmovl %edx,%ecx$/\tmovl %edx,%ecx\n\tnop/' \
	"$SOURCE/arch/x86/lib/copy_user_64.S" | make_patch arch/x86/lib/copy_user_64.S "$tmp/asm-code.patch"
valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
	"$kmend" create --dry-run --source "$SOURCE" "$tmp/asm-code.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a change to SYM_CODE assembly (under valgrind)"
expect_in "$tmp/out" 'refused   copy_user_short_string: it is assembly outside SYM_FUNC \(SYM_CODE\).*\(kmend explain asm_code\)' \
	"SYM_CODE is refused by name"
expect_in "$tmp/out" 'changed   function copy_user_generic_unrolled \(reference at \+0x8: copy_user_short_string' \
	"a function that jumps into it by a resolved label changes with it"
sed '/^SYM_FUNC_START(copy_user_generic_unrolled)/,/^SYM_FUNC_END/s/^\tcmpl \$8,%edx$/\tnop\n\tcmpl $8,%edx/' \
	"$SOURCE/arch/x86/lib/copy_user_64.S" | make_patch arch/x86/lib/copy_user_64.S "$tmp/asm-short.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/asm-short.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a function with a short jump to another"
expect_in "$tmp/out" 'refused   copy_user_generic_unrolled: a short jump at \+0x8c reaches copy_user_enhanced_fast_string, another function of the file' \
	"the short jump is named"
sed '/^SYM_CODE_START(entry_SYSCALL_64)/,/^SYM_CODE_END/s/^\tswapgs$/\tswapgs\n\tnop/' \
	"$SOURCE/arch/x86/entry/entry_64.S" | make_patch arch/x86/entry/entry_64.S "$tmp/asm-entry.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/asm-entry.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a change to the syscall entry"
expect_in "$tmp/out" 'refused   entry_SYSCALL_64: ' "entry code is refused by name"

sed 's/S_IRWXUGO);/S_IRWXUGO | 1);/; s/^-\tmask = xchg/-\tmask = xchg_no_such/' "$tmp/umask.patch" >"$tmp/stale.patch"
"$kmend" create --dry-run --source "$SOURCE" "$tmp/stale.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a patch that does not apply"
expect_in "$tmp/out" 'stale.patch does not apply to' "the refusal names the patch"

"$kmend" create --dry-run --source "$tmp" "$tmp/umask.patch" >"$tmp/out" 2>&1
expect_status 1 $? "a folder that is not a source tree"
expect_in "$tmp/out" 'is not a prepared kernel source tree' "the refusal says why"

# The update module itself: default id and file name from the patch's name,
# given relative to the current folder; modinfo says what it is.
mkdir -p "$tmp/cwd" && cp "$tmp/umask.patch" "$tmp/cwd/fix-umask.patch"
(cd "$tmp/cwd" && valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
	"$kmend" create --source "$SOURCE" fix-umask.patch) >"$tmp/out" 2>&1
status=$?
cat "$tmp/out"
expect_status 0 "$status" "create of a one-line fix (under valgrind)"
expect_in "$tmp/out" '^wrote kmend-fix-umask.ko \(update id fix-umask\)$' "names the module it wrote"
modinfo "$tmp/cwd/kmend-fix-umask.ko" >"$tmp/modinfo" || fail "modinfo cannot read the module"
cat "$tmp/modinfo"
expect_in "$tmp/modinfo" "^kmend_id: +fix-umask$" "modinfo: the id"
expect_in "$tmp/modinfo" "^kmend_release: +$KVER$" "modinfo: the target kernel release"
expect_in "$tmp/modinfo" "^kmend_patch_sha256: +$(sha256sum <"$tmp/umask.patch" | cut -d' ' -f1)$" "modinfo: the patch's SHA-256"
expect_in "$tmp/modinfo" "^vermagic: +$KVER " "vermagic of the target"
expect_in "$tmp/modinfo" "^depends: +kmend$" "depends on the engine only"

"$kmend" create --source "$SOURCE" --id umask --description "umask: no world-writable files" \
	-o "$tmp/u.ko" "$tmp/umask.patch" >"$tmp/out" 2>&1
expect_status 0 $? "create with --id, --description and -o"
expect_in <(modinfo -F description "$tmp/u.ko") '^umask: no world-writable files$' "modinfo: the description"
expect_in <(modinfo -F kmend_id "$tmp/u.ko") '^umask$' "modinfo: the id given"

# Two runs at once on one tree, on the same unit and on another: each gets
# its own work folder and its own, correct, module.
"$kmend" create --source "$SOURCE" --id par-a -o "$tmp/par-a.ko" "$tmp/umask.patch" >"$tmp/par-a.out" 2>&1 &
pa=$!
"$kmend" create --source "$SOURCE" --id par-b -o "$tmp/par-b.ko" "$tmp/umask.patch" >"$tmp/par-b.out" 2>&1 &
pb=$!
"$kmend" create --source "$SOURCE" --id par-c -o "$tmp/par-c.ko" "$tmp/vfat.patch" >"$tmp/par-c.out" 2>&1
expect_status 0 $? "a run beside two others (vfat)"
wait $pa; expect_status 0 $? "two runs at once on one unit (first)"
wait $pb; expect_status 0 $? "two runs at once on one unit (second)"
for x in a b; do
	expect_in <(modinfo -F kmend_id "$tmp/par-$x.ko") "^par-$x$" "run $x: its own id"
	expect_in <(strings "$tmp/par-$x.ko") '^__x64_sys_umask$' "run $x: replaces umask"
done
expect_in <(modinfo -F depends "$tmp/par-c.ko") 'kmend' "run c: a module"
expect_not_in <(strings "$tmp/par-c.ko") '^__x64_sys_umask$' "run c: does not replace umask"

"$kmend" create --source "$SOURCE" --id 'bad id' -o "$tmp/bad.ko" "$tmp/umask.patch" >"$tmp/out" 2>&1
expect_status 2 $? "an id with a space"
expect_in "$tmp/out" "the id 'bad id' is not 1 to 49" "says what an id may hold"
"$kmend" create --source "$SOURCE" -o "$tmp/no/such/dir/u.ko" "$tmp/umask.patch" >"$tmp/out" 2>&1
expect_status 1 $? "an output folder that does not exist"
expect_in "$tmp/out" "cannot write $tmp/no/such/dir/u.ko" "names the file it cannot write"
[ ! -e "$tmp/bad.ko" ] || fail "a refused create wrote a module"

# Ctrl-C in the middle (SIGINT to the process group, as a terminal sends it):
# no work folder is left, at whichever step it lands.
interrupted=0
for delay in 0.2 0.6 1.0 1.4 1.8 2.2; do
	setsid "$kmend" create --source "$SOURCE" -o "$tmp/int.ko" "$tmp/umask.patch" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -INT -- -$pid 2>/dev/null
	wait $pid
	status=$?
	[ "$status" -eq 130 ] && interrupted=$((interrupted + 1))
	sleep 0.2
	left=$(ls "$TMPDIR" "$tmp" | grep -e kmend-create -e kmend-tmp || true)
	[ -z "$left" ] || fail "Ctrl-C after ${delay}s left $left"
done
[ "$interrupted" -ge 3 ] || fail "only $interrupted of 6 runs were interrupted (exit 130)"

# SIGTERM to kmend alone (not its process group): it stops the compiles and
# the module link it started, with all their children, before cleaning up.
for delay in 0.5 1.5; do
	"$kmend" create --source "$SOURCE" -o "$tmp/term.ko" "$tmp/umask.patch" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -TERM $pid
	wait $pid
	status=$?
	[ "$status" -eq 143 ] || echo "note: SIGTERM after ${delay}s: exit $status (finished first)"
	sleep 0.5
	running=$(pgrep -af "$TMPDIR/kmend-create" || true)
	[ -z "$running" ] || fail "SIGTERM after ${delay}s left running: $running"
	left=$(ls "$TMPDIR" "$tmp" | grep -e kmend-create -e kmend-tmp || true)
	[ -z "$left" ] || fail "SIGTERM after ${delay}s left $left"
done
echo "SIGTERM to kmend alone left no process and no file behind"
echo "Ctrl-C at 0.2 to 2.2 s ($interrupted runs interrupted) left nothing behind"

# Nothing in the tree changed, and no work folder is left.
[ "$(md5sum "$SOURCE/kernel/sys.c" "$SOURCE/fs/fat/namei_vfat.c")" = "$sum_before" ] ||
	fail "a source file changed"
changed=$(find "$SOURCE" -newer "$tmp/stamp" | head -n 5)
[ -z "$changed" ] || fail "files in the source tree changed: $changed"
[ -z "$(ls -A "$TMPDIR")" ] || fail "work folders left in TMPDIR: $(ls "$TMPDIR")"
echo "the source tree is untouched"
