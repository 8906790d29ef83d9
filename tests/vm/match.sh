#!/usr/bin/env bash
# Run-pre matching, on updates made by kmend create:
# - seq_fdinfo_open refers to seq_show, a name vmlinux has twice: the value
#   read from the running code picks the right one (kallsyms alone would be
#   failed_to_find), and /proc/self/fdinfo still reads right;
# - the engine holds the pre code until apply and none after; the module
#   never held it (init memory, gone from kallsyms);
# - do_task_stat built from another Debian version's source (6.1.176's
#   fs/proc/array.c, which differs) is no_match, with the function, offset
#   and bytes in the log and abort_detail and nothing changed; kmend apply
#   of it says so in words, exits 10 and unloads it again;
# - sys_umask built with a compiler flag the kernel was not built with is
#   no_match too;
# - kmend create --check-kallsyms --check-image finds the same at create time.
# The mismatching builds use a tree of links to the target's source with the
# one file (or saved command) replaced, so that everything else, headers and
# module versions included, is the running kernel's.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
other=$(KMEND_KERNEL=6.1.176-1 "$top/scripts/target-kernel" 2>"$tmp/other.err" | sed -n 's/^SOURCE=//p')
[ -n "$other" ] && [ -f "$other/fs/proc/array.c" ] || { cat "$tmp/other.err"; fail "no 6.1.176-1 source"; }
kmend=$build/bin/kmend

# make_patch TREE FILE OUT: a -p1 patch of TREE/FILE to stdin's text
make_patch() {
	mkdir -p "$tmp/p/a/$(dirname "$2")" "$tmp/p/b/$(dirname "$2")"
	cp "$1/$2" "$tmp/p/a/$2"
	cat >"$tmp/p/b/$2"
	(cd "$tmp/p" && diff -u "a/$2" "b/$2") >"$3"
	rm -rf "$tmp/p"
	grep -q '^+' "$3" || fail "could not make $3"
}
create() {
	"$kmend" create "$@" >"$tmp/create.out" 2>&1
	local status=$?
	cat "$tmp/create.out"
	expect_status 0 "$status" "kmend create $*"
}

awk '/^static int seq_fdinfo_open/ { f = 1 }
     f && /return single_open/ { print "\tif (!inode)\n\t\treturn -ENOENT;"; f = 0 }
     { print }' "$SOURCE/fs/proc/fd.c" | make_patch "$SOURCE" fs/proc/fd.c "$tmp/fdinfo.patch"
create --source "$SOURCE" --id fdinfo -o "$tmp/fdinfo.ko" "$tmp/fdinfo.patch"

# Kbuild's saved command for kernel/sys.o (tests/host/target-kernel.sh
# builds it) is the model of both saved commands below: kmend then never runs
# make in the linked tree, where a build could write through the links.
[ -f "$SOURCE/kernel/.sys.o.cmd" ] || fail "kernel/.sys.o.cmd missing (tests/host/target-kernel.sh builds it)"
mkdir "$tmp/tree"
cp -as "$SOURCE/." "$tmp/tree/" || fail "cannot link the source tree"
rm -f "$tmp/tree/fs/proc/array.c" "$tmp/tree/fs/proc/.array.o.cmd"
cp "$other/fs/proc/array.c" "$tmp/tree/fs/proc/array.c"
head -n 1 "$SOURCE/kernel/.sys.o.cmd" |
	sed 's#kernel/sys#fs/proc/array#g; s#kernel/\.sys#fs/proc/.array#g; s#"sys"#"array"#g; s#kmod_sys#kmod_array#' \
	>"$tmp/tree/fs/proc/.array.o.cmd"
grep -q 'fs/proc/array.c' "$tmp/tree/fs/proc/.array.o.cmd" || fail "could not make the saved command for array.c"
cmp -s "$SOURCE/fs/proc/array.c" "$tmp/tree/fs/proc/array.c" && fail "array.c is the same in both versions"
sed 's/^\t\tseq_puts(m, " 0");$/\t\tseq_puts(m, " 00");/' "$tmp/tree/fs/proc/array.c" |
	make_patch "$tmp/tree" fs/proc/array.c "$tmp/stat.patch"
create --source "$tmp/tree" --id nomatch-source -o "$tmp/nomatch-source.ko" "$tmp/stat.patch"

sed 's/mask = xchg(&current->fs->umask, mask & S_IRWXUGO);/mask = xchg(\&current->fs->umask, mask \& S_IRWXUGO \& ~S_IWOTH);/' \
	"$SOURCE/kernel/sys.c" | make_patch "$SOURCE" kernel/sys.c "$tmp/umask.patch"
rm "$tmp/tree/kernel/.sys.o.cmd"
sed '1s/^cmd_kernel\/sys.o :=  gcc-12 /cmd_kernel\/sys.o :=  gcc-12 -fno-omit-frame-pointer /' \
	"$SOURCE/kernel/.sys.o.cmd" >"$tmp/tree/kernel/.sys.o.cmd"
grep -q -- '-fno-omit-frame-pointer' "$tmp/tree/kernel/.sys.o.cmd" || fail "could not change the saved command"
create --source "$tmp/tree" --id nomatch-flags -o "$tmp/nomatch-flags.ko" "$tmp/umask.patch"

# The same matching at create time, against the image (vmlinux from the
# target's vmlinuz) and a kallsyms listing from a boot of it.
# check_image KALLSYMS SOURCE PATCH: kmend create's check, printed and kept
# in $tmp/check.out; returns its status.
check_image() {
	"$kmend" create --dry-run --check-kallsyms "$1" --check-image "$tmp/vmlinux" \
		--source "$2" "$3" >"$tmp/check.out" 2>&1
	local status=$?
	cat "$tmp/check.out"
	return $status
}
"$SOURCE/scripts/extract-vmlinux" "$VMLINUZ" >"$tmp/vmlinux" || fail "cannot extract vmlinux"
"$vm_run" -- 'cat /proc/kallsyms' >"$tmp/kallsyms" 2>"$tmp/vm.err" || { cat "$tmp/vm.err"; fail "cannot read kallsyms in the VM"; }
check_image "$tmp/kallsyms" "$SOURCE" "$tmp/fdinfo.patch"
status=$?
expect_status 0 "$status" "create-time check of the fdinfo update"
expect_in "$tmp/check.out" "^  check     seq_fdinfo_open: matches the image at 0x" "it matches"
# The same with KASLR putting the running _text 2 MB above its link address,
# inside the image's own range (a boot does that a few times in a hundred):
# still a vmlinux file, whose addresses are link addresses.
python3 - "$tmp/kallsyms" "$tmp/kallsyms-inside" <<'PY' || fail "cannot shift the kallsyms listing"
import sys
lines = open(sys.argv[1]).read().splitlines()
text = next(int(l.split()[0], 16) for l in lines if l.split()[2:] == ["_text"])
delta = 0xffffffff81200000 - text
with open(sys.argv[2], "w") as out:
    for l in lines:
        addr, rest = l.split(" ", 1)
        out.write("%016x %s\n" % ((int(addr, 16) + delta) % (1 << 64), rest))
PY
check_image "$tmp/kallsyms-inside" "$SOURCE" "$tmp/fdinfo.patch"
status=$?
expect_status 0 "$status" "create-time check with _text inside the image's range"
expect_in "$tmp/check.out" "^  check     seq_fdinfo_open: matches the image at 0x" "it matches"
check_image "$tmp/kallsyms" "$tmp/tree" "$tmp/stat.patch"
status=$?
expect_status 1 "$status" "create-time check of the 6.1.176 update"
expect_in "$tmp/check.out" "^  check     do_task_stat: does not match the image at 0x[0-9a-f]+: \+0x[0-9a-f]+: " "names the function and offset"
expect_in "$tmp/check.out" "the engine would refuse it \(no_match\)" "says what it means"

run_guest "$tmp/out" --file "$tmp/fdinfo.ko:/u/fdinfo.ko" \
	--file "$tmp/nomatch-source.ko:/u/nomatch-source.ko" \
	--file "$tmp/nomatch-flags.ko:/u/nomatch-flags.ko" -- '
D=/sys/kernel/debug/kmend
insmod /lib/kmend/kmend.ko
expect_eq "$(grep -c " seq_show$" /proc/kallsyms)" 2 "vmlinux has two functions named seq_show"

insmod /u/fdinfo.ko
expect_eq "$(grep -c "kmend_pre_.*\[kmend_fdinfo\]" /proc/kallsyms)" 0 "the module holds no pre code (it was init memory)"
held=$(cat $D/pre_bytes)
expect_match "$held" "^[1-9][0-9]*$" "the engine holds the pre code before apply ($held bytes)"
bytes_before=$(cat $D/allocated_bytes)
echo 1 >/sys/kernel/kmend/fdinfo/debug
expect_succeeds "apply with a reference to seq_show" set_stage fdinfo applied
log=$(cat $D/fdinfo)
echo "$log"
expect_match "$log" "run-pre matching: 1 function of vmlinux matches the running code" "the log says it matched"
expect_match "$log" "wrote seq_show \(seq_show\+0x0" "seq_show resolved from the running code"
expect_match "$log" "pre code freed \($held bytes\)" "the pre code is freed once applied"
expect_eq "$(cat $D/pre_bytes)" 0 "the engine holds no pre code after apply"
echo "engine memory: $bytes_before bytes before apply, $(cat $D/allocated_bytes) after (pre code: $held)"
expect_match "$(cat /proc/self/fdinfo/0)" "^pos:" "fdinfo reads right through the new code"
expect_succeeds "undo" set_stage fdinfo reversed
rmmod kmend_fdinfo

stat_before=$(cut -d" " -f1-2 /proc/self/stat)
insmod /u/nomatch-source.ko
echo 1 >/sys/kernel/kmend/nomatch-source/debug
expect_fails "an update built from 6.1.176 source" set_stage nomatch-source applied
expect_eq "$(cause nomatch-source)" no_match "abort_cause"
log=$(cat $D/nomatch-source)
echo "$log"
expect_match "$log" "vmlinux: do_task_stat does not match its pre code at \+0x[0-9a-f]+: .*; expected [0-9a-f ]+, running [0-9a-f ]+" "the log: function, offset, bytes"
expect_eq "$(stage nomatch-source)" preparing "still preparing"
expect_eq "$(traced)" "" "nothing redirected"
expect_match "$(cat /proc/self/stat)" " 0$" "/proc/self/stat as before"
expect_match "$(cat /sys/kernel/kmend/nomatch-source/abort_detail)" "^vmlinux: do_task_stat does not match its pre code at \+0x" "abort_detail names function and offset"
rmmod kmend_nomatch_source

# The same through kmend apply: explained, exit status 10, unloaded again.
kmend apply /u/nomatch-source.ko >/tmp/apply.out 2>&1
expect_eq "$?" 10 "kmend apply: exit status of no_match"
cat /tmp/apply.out
expect_match "$(cat /tmp/apply.out)" "cannot apply nomatch-source: no_match" "kmend apply names the cause"
expect_match "$(cat /tmp/apply.out)" "built from other source than the running kernel" "and says what it means"
expect_match "$(cat /tmp/apply.out)" "Detail: vmlinux: do_task_stat does not match its pre code at \+0x[0-9a-f]+" "with the function and offset"
expect_eq "$(ls /sys/kernel/kmend)" "" "the update was unloaded again"
expect_eq "$(grep -c kmend_nomatch_source /proc/modules)" 0 "its module is gone"

insmod /u/nomatch-flags.ko
expect_fails "an update built with another compiler flag" set_stage nomatch-flags applied
expect_eq "$(cause nomatch-flags)" no_match "abort_cause"
expect_match "$(cat $D/nomatch-flags)" "sys_umask does not match its pre code at \+0x" "the log names the function"
expect_eq "$(traced)" "" "nothing redirected"
rmmod kmend_nomatch_flags
expect_eq "$(cat $D/pre_bytes)" 0 "no pre code left after unloading"
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'

# Nothing above may have written into the target's tree through the links.
changed=$(find "$SOURCE" -newer "$tmp/tree/fs/proc/array.c" | head -n 5)
[ -z "$changed" ] || fail "files in the source tree changed: $changed"
