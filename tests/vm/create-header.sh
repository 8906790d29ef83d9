#!/usr/bin/env bash
# A header change: fs/fat/fat.h's static inline fat_make_mode() changed to
# clear the execute bits of regular files. kmend create finds the units that
# include fat.h, compiles those whose preprocessed text changes outside the
# static functions they do not use (those that call it) before and
# after, and replaces only the functions whose code changed (the callers it
# was inlined into); the other units are left out. In the VM the update
# patches fat as it loads, a file on a FAT file system reads back 644
# instead of 755, and undo brings 755 back.
#
# A second header change adds a field to struct msdos_inode_info: refused,
# naming the struct, as the running kernel's inodes keep the old layout.
# A second create of the first change takes every object before the patch
# from the tree's cache; --max-units refuses a header that reaches too many
# units; a change of kernel/sched/idle.c, which build_policy.c includes, is
# taken as a header.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
mkdir -p "$tmp/p/a/fs/fat" "$tmp/p/b/fs/fat" "$tmp/q/b/fs/fat"
cp "$SOURCE/fs/fat/fat.h" "$tmp/p/a/fs/fat/"
sed 's/^\t\treturn (mode & ~sbi->options.fs_fmask) | S_IFREG;$/\t\treturn (mode \& ~sbi->options.fs_fmask \& ~S_IXUGO) | S_IFREG;/' \
	"$SOURCE/fs/fat/fat.h" >"$tmp/p/b/fs/fat/fat.h"
(cd "$tmp/p" && diff -u a/fs/fat/fat.h b/fs/fat/fat.h) >"$tmp/mode.patch"
[ -s "$tmp/mode.patch" ] || fail "the sed made no change to fs/fat/fat.h"

"$build/bin/kmend" create --source "$SOURCE" --id fat-mode -o "$tmp/mode.ko" "$tmp/mode.patch" \
	>"$tmp/create.out" 2>&1 || { cat "$tmp/create.out"; fail "kmend create of a header change"; }
cat "$tmp/create.out"
expect_in "$tmp/create.out" '^headers: [0-9]+ files include them, [0-9]+ built in this configuration$' \
	"the units that include the header are counted"
expect_in "$tmp/create.out" '^  changed   function fat_fill_inode ' "fat_fill_inode, which inlines it, changed"
expect_in "$tmp/create.out" '^fs/fat/inode.c -> fat$' "inode.c is reported, for fat"
expect_not_in "$tmp/create.out" '^fs/fat/(cache|fatent|misc|nfs)\.c -> ' \
	"units whose code did not change are not reported"
# only inode.c and file.c call fat_make_mode(): the others are not compiled
expect_in "$tmp/create.out" '^headers: 7 units change only in static functions they do not use$' \
	"the units that do not call it are counted, not compiled"
expect_in "$tmp/create.out" '^headers: 2 units compile differently: compiling them before and after$' \
	"the two that call it are compiled"
expect_eq "$(modinfo -F kmend_function "$tmp/mode.ko" | grep -c '^fat ')" \
	"$(modinfo -F kmend_function "$tmp/mode.ko" | wc -l)" "every replaced function is fat's"

# the layout of a struct the running kernel has instances of
cp "$tmp/p/a/fs/fat/fat.h" "$tmp/q/b/fs/fat/fat.h"
# (an int would fit in the padding before i_pos and move nothing)
sed -i 's/^\tint i_attrs;\t\t\/\* unused attribute bits \*\/$/&\n\tunsigned long i_new_field;/' "$tmp/q/b/fs/fat/fat.h"
(cd "$tmp" && diff -u p/a/fs/fat/fat.h q/b/fs/fat/fat.h | sed 's|^--- p/a/|--- a/|; s|^+++ q/b/|+++ b/|') \
	>"$tmp/layout.patch"
grep -q '^+	unsigned long i_new_field;' "$tmp/layout.patch" || fail "the sed added no field to struct msdos_inode_info"
"$build/bin/kmend" create --dry-run --source "$SOURCE" "$tmp/layout.patch" >"$tmp/layout.out" 2>&1
expect_status 1 $? "kmend create of a struct layout change"
expect_in "$tmp/layout.out" '^  refused   struct msdos_inode_info: the patch changes its layout \(size 784 -> 792, "i_pos@[0-9]+ loff_t" -> "i_new_field@[0-9]+ long unsigned int"\)' \
	"the struct whose layout changes is refused, with its size and the first member that moved"
expect_eq "$(grep -c 'refused   struct msdos_inode_info: the patch' "$tmp/layout.out")" 1 \
	"said once, however many units it is in"

# the second create on the tree takes every object before the patch from
# the tree's cache: only the units after the patch compile
"$build/bin/kmend" create --dry-run --source "$SOURCE" "$tmp/mode.patch" >"$tmp/again.out" 2>&1 ||
	{ cat "$tmp/again.out"; fail "kmend create of the header change, again"; }
expect_in "$tmp/again.out" '^pre objects: ([0-9]+) of \1 from this tree.s cache: \1 compiles after the patch, 0 before$' \
	"the second create compiles only after the patch"
expect_in "$tmp/again.out" '^headers: texts before the patch: 9 of 9 from this tree.s cache$' \
	"and preprocesses only after the patch"
expect_in "$tmp/again.out" '^  changed   function fat_fill_inode ' "with the same result"

# --max-units bounds the units a header reaches, before any is preprocessed
"$build/bin/kmend" create --dry-run --max-units 3 --source "$SOURCE" "$tmp/mode.patch" \
	>"$tmp/max.out" 2>&1
expect_status 1 $? "a header reaching more units than --max-units"
expect_in "$tmp/max.out" 'the changed headers reach [0-9]+ units, more than --max-units 3' "says how many"

# a .c file that is no unit of its own but included by one, as a header
mkdir -p "$tmp/i/a/kernel/sched" "$tmp/i/b/kernel/sched"
cp "$SOURCE/kernel/sched/idle.c" "$tmp/i/a/kernel/sched/"
sed 's/^\t\tWARN_ON_ONCE(cpu_idle_force_poll < 0);$/\t\tif (WARN_ON_ONCE(cpu_idle_force_poll < 0))\n\t\t\tcpu_idle_force_poll = 0;/' \
	"$SOURCE/kernel/sched/idle.c" >"$tmp/i/b/kernel/sched/idle.c"
(cd "$tmp/i" && diff -u a/kernel/sched/idle.c b/kernel/sched/idle.c) >"$tmp/idle.patch"
[ -s "$tmp/idle.patch" ] || fail "the sed made no change to kernel/sched/idle.c"
"$build/bin/kmend" create --dry-run --source "$SOURCE" "$tmp/idle.patch" >"$tmp/idle.out" 2>&1 ||
	{ cat "$tmp/idle.out"; fail "kmend create of kernel/sched/idle.c"; }
expect_in "$tmp/idle.out" '^kernel/sched/idle.c: not a unit of its own; 1 file includes it: taken as a header$' \
	"an included .c file is taken as a header"
expect_in "$tmp/idle.out" '^kernel/sched/build_policy.c -> vmlinux$' "the unit that includes it is compiled"
expect_in "$tmp/idle.out" '^  changed   function cpu_idle_poll_ctrl ' "the changed function is found"

run_guest "$tmp/out" --file "$tmp/mode.ko:/u/mode.ko" --module vfat --module loop \
	--module nls_cp437 --module nls_ascii -- '
modprobe loop
modprobe nls_cp437
modprobe nls_ascii
expect_succeeds "fat and vfat load" modprobe vfat
dd if=/dev/zero of=/tmp/fat.img bs=1k count=2048 2>/dev/null
mkdosfs /tmp/fat.img >/dev/null
mkdir -p /mnt
expect_succeeds "a FAT file system mounts" mount -o loop,umask=022 -t vfat /tmp/fat.img /mnt
echo hello >/mnt/file
expect_eq "$(stat -c %a /mnt/file)" 755 "a file is 755 before the update"
umount /mnt
expect_succeeds "the header update applies" kmend apply -q /u/mode.ko
expect_match "$(redirected)" "^fat_fill_inode$" "fat_fill_inode redirected"
mount -o loop,umask=022 -t vfat /tmp/fat.img /mnt
expect_eq "$(stat -c %a /mnt/file)" 644 "read through the new fat_make_mode: 644"
expect_eq "$(cat /mnt/file)" hello "its contents are intact"
umount /mnt
expect_succeeds "undo" kmend undo fat-mode
expect_eq "$(traced | grep -c fat_)" 0 "nothing redirected"
mount -o loop,umask=022 -t vfat /tmp/fat.img /mnt
expect_eq "$(stat -c %a /mnt/file)" 755 "755 again after undo"
umount /mnt
rmmod vfat fat
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
