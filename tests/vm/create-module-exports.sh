#!/usr/bin/env bash
# An update of a module that calls the module's own exports: fs/fat/inode.c's
# fat_fill_inode() changed to set ctime with fat_time_fat2unix(), exported by
# fat itself. The engine resolves those references when it patches the
# module (as livepatch's klp relocations do), so the update does not depend
# on fat: it loads and is applied while fat is not loaded, waits for it,
# patches it as it loads, runs on a FAT file system (files created and read
# back through the new code), and undoes cleanly.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
mkdir -p "$tmp/p/a/fs/fat" "$tmp/p/b/fs/fat"
cp "$SOURCE/fs/fat/inode.c" "$tmp/p/a/fs/fat/"
sed 's/^\tinode->i_ctime = inode->i_mtime;$/\tfat_time_fat2unix(sbi, \&inode->i_ctime, de->time, de->date, 0);/' \
	"$SOURCE/fs/fat/inode.c" >"$tmp/p/b/fs/fat/inode.c"
(cd "$tmp/p" && diff -u a/fs/fat/inode.c b/fs/fat/inode.c) >"$tmp/fat.patch"
[ -s "$tmp/fat.patch" ] || fail "the sed made no change to fs/fat/inode.c"
"$build/bin/kmend" create --source "$SOURCE" --id fat-ctime -o "$tmp/fat.ko" "$tmp/fat.patch" \
	>"$tmp/create.out" 2>&1 || { cat "$tmp/create.out"; fail "kmend create"; }
cat "$tmp/create.out"
expect_eq "$(modinfo -F depends "$tmp/fat.ko")" kmend "the update depends on the engine alone, not on fat"

run_guest "$tmp/out" --file "$tmp/fat.ko:/u/fat.ko" --module vfat --module loop \
	--module nls_cp437 --module nls_ascii -- '
expect_succeeds "applied while fat is not loaded" kmend apply -q /u/fat.ko
expect_match "$(cat /sys/kernel/kmend/fat-ctime/targets)" "^fat waiting" "fat waiting"
expect_succeeds "fat and vfat load" modprobe vfat
expect_match "$(cat /sys/kernel/kmend/fat-ctime/targets)" "^fat patched" "fat patched as it loads"
expect_match "$(redirected)" "^fat_fill_inode$" "fat_fill_inode redirected"
modprobe loop
modprobe nls_cp437
modprobe nls_ascii
dd if=/dev/zero of=/tmp/fat.img bs=1k count=2048 2>/dev/null
mkdosfs /tmp/fat.img >/dev/null
mkdir -p /mnt
expect_succeeds "a FAT file system mounts" mount -o loop -t vfat /tmp/fat.img /mnt
echo hello >/mnt/file
umount /mnt
mount -o loop -t vfat /tmp/fat.img /mnt
expect_eq "$(cat /mnt/file)" hello "a file read back through the new fat_fill_inode"
expect_eq "$(stat -c %Z /mnt/file)" "$(stat -c %Y /mnt/file)" "its ctime is its mtime, as before"
umount /mnt
expect_succeeds "undo" kmend undo fat-ctime
expect_eq "$(traced | grep -c fat_)" 0 "nothing redirected"
rmmod vfat fat
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
