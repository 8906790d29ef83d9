#!/usr/bin/env bash
# kmend create --kernel: a Debian kernel named by version or release, its
# source fetched and prepared by scripts/debian-kernel (cached); several in
# one call, one update each, and a table; what the archive lacks, and a
# kernel that is not Debian's, refused saying what to do.
. "$(dirname "$0")/../vm/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
kmend=$build/bin/kmend
patch=$top/examples/proc-version.patch
# the other version the archive holds (tests/vm/data-examples.sh boots it)
other=6.1.176-1
other_release=$("$top/scripts/debian-kernel" --resolve "$other" | sed -n 's/^KVER=//p')
[ -n "$other_release" ] || fail "the archive has no $other"

mkdir -p "$tmp/out"
valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
	"$kmend" create --kernel "$PKGVER" --kernel "$other_release" --kernel 6.1.170-3 \
	-o "$tmp/out" "$patch" >"$tmp/log" 2>&1
status=$?
cat "$tmp/log"
expect_status 1 "$status" "three kernels, one of them not in the archive (under valgrind)"
expect_in "$tmp/log" "^kmend create: 2 kernels, 1 compiles? at once each" "two run at once, within -j"
for pair in "$PKGVER $KVER" "$other $other_release"; do
	set -- $pair
	ko=$tmp/out/kmend-proc-version-$2.ko
	[ -f "$ko" ] || fail "no update for $1"
	expect_eq "$(modinfo -F kmend_release "$ko")" "$2" "the update for $1 is built for $2"
	expect_in "$tmp/log" "^$1: wrote $ko" "its output is headed by its kernel"
	expect_in "$tmp/log" "^$1 +$2 +$ko$" "the table lists it"
done
expect_in "$tmp/log" "no longer has every piece of kernel 6.1.170-3 \(apt lists no linux-headers-6.1.\*-amd64 of that version\)\. apt's sources have these complete sets: .*$PKGVER" \
	"what the archive lacks is said, with what it has"
expect_in "$tmp/log" "^6.1.170-3 +- +kernel 6.1.170-3: not available" "the table says it got none"
expect_in "$tmp/log" "^2 of 3 kernels got an update$" "and counts"
[ "$(ls "$tmp/out" | wc -l)" -eq 2 ] || fail "more than the two updates in $tmp/out"

# one kernel by release: the tree comes from the cache, quickly
start=$(date +%s)
"$kmend" create --kernel "$KVER" --dry-run "$patch" >"$tmp/log" 2>&1
expect_status 0 $? "--kernel RELEASE"
expect_in "$tmp/log" "^kernel $PKGVER \($KVER\): $SOURCE$" "resolved to the cached tree"
expect_in "$tmp/log" "changed   function version_proc_show" "and compared"
[ $(($(date +%s) - start)) -lt 60 ] || fail "a cached kernel took over a minute"

"$kmend" create --kernel "$PKGVER" --source "$SOURCE" "$patch" >"$tmp/log" 2>&1
expect_status 2 $? "--kernel with --source"
"$kmend" create --kernel "$PKGVER" --kernel "$other" -o "$tmp/log" "$patch" >"$tmp/log2" 2>&1
expect_status 2 $? "several --kernel and -o a file"
expect_in "$tmp/log2" "with several --kernel, -o names a folder" "says -o is a folder then"
if ! grep -q ' Debian ' /proc/version; then
	"$kmend" create --kernel running "$patch" >"$tmp/log" 2>&1
	expect_status 1 $? "--kernel running on a kernel that is not Debian's"
	expect_in "$tmp/log" "the running kernel \($(uname -r)\) is not a Debian kernel" "says so"
else
	echo "this machine runs a Debian kernel: the refusal of a non-Debian one is not checked here"
fi
"$kmend" create --kernel no-such "$patch" >"$tmp/log" 2>&1
expect_status 1 $? "a name that is no kernel"
expect_in "$tmp/log" "'no-such' is not a kernel: give running, a Debian package version" "says what it takes"
