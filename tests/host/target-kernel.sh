#!/usr/bin/env bash
# scripts/target-kernel: prints the target's paths, answers quickly from its
# cache, prepares a source tree that compiles single units, and refuses clearly.
. "$(dirname "$0")/../vm/lib/host.bash"

"$top/scripts/target-kernel" >"$tmp/env" 2>"$tmp/err" || { cat "$tmp/err"; fail "target-kernel failed"; }
cat "$tmp/env"
eval "$(cat "$tmp/env")"
[[ $KVER =~ ^6\.1\.0-[0-9]+-amd64$ ]] || fail "KVER '$KVER' is not a Debian 6.1 release"
[ -f "$VMLINUZ" ] || fail "VMLINUZ $VMLINUZ is missing"
[ -f "$MODULES/modules.dep" ] || fail "the image's modules.dep is missing"
[ -f "$HEADERS/.config" ] || fail "HEADERS has no .config"
[ -f "$SOURCE/.config" ] || fail "SOURCE is not configured"
case $VMLINUZ in /boot/*) fail "the image is under the host's /boot" ;; esac

# Cached: about a second.
start=$(date +%s.%N)
"$top/scripts/target-kernel" >"$tmp/env2" 2>&1 || fail "second call failed"
secs=$(echo "$(date +%s.%N) - $start" | bc)
cmp -s "$tmp/env" "$tmp/env2" || fail "a second call printed something else"
echo "second call: ${secs}s"
[ "$(echo "$secs < 5" | bc)" -eq 1 ] || fail "a cached call took ${secs}s"

# One unit compiles, as Debian compiled it: with gcc-12, for the same release.
rm -f "$SOURCE/kernel/sys.o"
make -C "$SOURCE" kernel/sys.o >"$tmp/make" 2>&1 || { tail "$tmp/make"; fail "make kernel/sys.o failed"; }
nm "$SOURCE/kernel/sys.o" >"$tmp/nm"
grep -q " T __x64_sys_getpid$" "$tmp/nm" || fail "kernel/sys.o lacks __x64_sys_getpid"
grep -q "UTS_RELEASE \"$KVER\"" "$SOURCE/include/generated/utsrelease.h" ||
	fail "the source tree is not prepared for release $KVER"
grep -q 'gcc-12' "$SOURCE/kernel/.sys.o.cmd" || fail "kernel/sys.o was not compiled with gcc-12"

# The engine built from these headers is for this release.
vermagic=$(modinfo -F vermagic "$build/kernel/kmend.ko")
[ "${vermagic%% *}" = "$KVER" ] || fail "kmend.ko's vermagic '$vermagic' is not for $KVER"

# A version the archive lacks is refused, naming the complete sets
# (scripts/debian-kernel does the work).
KMEND_KERNEL=6.1.0-no-such "$top/scripts/target-kernel" >"$tmp/out" 2>&1
expect_status 1 $? "an unknown KMEND_KERNEL"
expect_in "$tmp/out" "no longer has every piece of kernel 6.1.0-no-such.*complete sets: .*$PKGVER" "the refusal"

# A cache on a nearly full disk is refused before anything is downloaded.
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$tmp/small"
	mount -t tmpfs -o size=64m tmpfs "$tmp/small" || fail "cannot mount a small tmpfs"
	KMEND_CACHE=$tmp/small "$top/scripts/target-kernel" >"$tmp/out" 2>&1
	status=$?
	leftover=$(find "$tmp/small" -name '*.deb' | wc -l)
	umount "$tmp/small"
	cat "$tmp/out"
	expect_status 1 "$status" "a cache on a full disk"
	expect_in "$tmp/out" 'only [0-9]+ MiB free in .*needs about [0-9]+ MiB' "the disk-space message"
	[ "$leftover" -eq 0 ] || fail "debs were downloaded to a disk that is too small"
else
	echo "not root: the full-disk check needs a tmpfs mount; skipped that part"
fi
