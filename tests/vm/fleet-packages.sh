#!/usr/bin/env bash
# Fleets through apt, end to end. One patch -> kmend create --kernel A
# --kernel B (the two versions the archive holds) -> kmend package (one
# package per kernel) -> kmend repo (signed with gpg), beside make deb's
# kmend and kmend-engine packages; lintian finds no error in any. Into a
# minimal Debian root (debootstrap, from the archive, with the target
# kernel's image as a machine running it has): apt-get install of the
# update's package from the repository pulls kmend and the engine, installs
# the update for kmend.service and enables the unit; a newer cumulative
# package (made with --replace) replaces it; removing it uninstalls it. In the
# VM, running that kernel, an image of that root boots with systemd as init
# (vm-run --root-image), three times: kmend.service applies at boot what the
# package installed, and the boot crashes before it is marked healthy; the
# next boot's kmend.service holds the update (the journal says why), it is
# released and the machine shuts down in order; the third applies it again,
# kmend-healthy.service marks the boot healthy, dpkg -i of the newer package
# replaces the update live in one stop, dpkg --remove undoes and uninstalls it.
. "$(dirname "$0")/lib/host.bash"
. "$(dirname "$0")/lib/fleet-root.bash"

[ "$(id -u)" -eq 0 ] || { echo "not root: debootstrap and chroot need root; skipped"; exit 77; }
eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
kmend=$build/bin/kmend
other=6.1.176-1
export DEBEMAIL=fleet@example.org DEBFULLNAME="Fleet Ops"
pkg=kmend-patch-$KVER
vg() { valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 "$@"; }
v2_patch=$tmp/proc-version-v2.patch
sed 's/(kmend example)/(kmend fleet v2)/g' "$top/examples/proc-version.patch" >"$v2_patch"

echo "=== kmend create --kernel $PKGVER --kernel $other"
mkdir -p "$tmp/updates" "$tmp/debs"
"$kmend" create --id fleet-1 --description "the fleet's first fix" --kernel "$PKGVER" \
	--kernel "$other" -o "$tmp/updates" "$top/examples/proc-version.patch" >"$tmp/log" 2>&1
status=$?
cat "$tmp/log"
expect_status 0 "$status" "one update per kernel"
expect_in "$tmp/log" "^2 of 2 kernels got an update$" "both kernels"

echo "=== kmend package (under valgrind)"
vg "$kmend" package -o "$tmp/debs" "$tmp/updates"/*.ko >"$tmp/log" 2>&1
status=$?
cat "$tmp/log"
expect_status 0 "$status" "kmend package"
[ -f "$tmp/debs/${pkg}_1_amd64.deb" ] || fail "no package for $KVER"
ls "$tmp/debs"/kmend-patch-6.1.0-*-amd64_1_amd64.deb | grep -qv "$KVER" || fail "no package for $other"
dpkg-deb -f "$tmp/debs/${pkg}_1_amd64.deb" Depends >"$tmp/depends"
expect_in "$tmp/depends" "linux-image-$KVER \(= $PKGVER\)" "it depends on that exact kernel build"
expect_in "$tmp/depends" "kmend-engine-$KVER" "and on its engine"

echo "=== make deb"
make -s -C "$top" deb >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make deb"; }
cat "$tmp/log"
version=$(cat "$top/VERSION")
for f in "$build/deb/kmend_${version}_amd64.deb" "$build/deb/kmend-engine-${KVER}_${version}_amd64.deb"; do
	[ -f "$f" ] || fail "make deb wrote no $f"
done
lintian --allow-root --fail-on error "$tmp/debs"/*.deb >"$tmp/lintian" 2>&1
status=$?
cat "$tmp/lintian"
expect_status 0 "$status" "lintian: no error in the update packages"

echo "=== kmend repo (under valgrind)"
export GNUPGHOME=$tmp/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key 'kmend fleet test <fleet@example.org>' ed25519 sign never \
	>/dev/null 2>&1 || fail "gpg key"
vg "$kmend" repo "$tmp/repo" --sign-key fleet@example.org "$tmp/debs"/*.deb \
	"$build/deb"/*.deb >"$tmp/log" 2>&1
status=$?
cat "$tmp/log"
expect_status 0 "$status" "kmend repo"
expect_in "$tmp/log" "deb \[signed-by=/usr/share/keyrings/kmend-archive-key.gpg\] file://" "it says the sources line"
gpgv --keyring "$tmp/repo/archive-key.gpg" "$tmp/repo/InRelease" >/dev/null 2>&1
expect_status 0 $? "InRelease verifies with the repository's key"
expect_eq "$(grep -c '^Package: ' "$tmp/repo/Packages")" 4 "Packages lists the four packages"
"$kmend" repo "$tmp/repo" "$tmp/debs/${pkg}_1_amd64.deb" >"$tmp/log" 2>&1
expect_status 1 $? "an unsigned run over a signed repository"
expect_in "$tmp/log" "is a signed repository \(InRelease\): give --sign-key to keep it signed" "is refused"
"$kmend" repo "$tmp/repo" --sign-key fleet@example.org "$tmp/debs/${pkg}_1_amd64.deb" >"$tmp/log" 2>&1
expect_status 0 $? "adding a package it has again"
mkdir -p "$tmp/x"
sleep 1	# another second in the changelog: another file
"$kmend" package -o "$tmp/x" "$tmp/updates/kmend-fleet-1-$KVER.ko" >/dev/null 2>&1 || fail "package again"
"$kmend" repo "$tmp/repo" --sign-key fleet@example.org "$tmp/x/${pkg}_1_amd64.deb" >"$tmp/log" 2>&1
expect_status 1 $? "another build under a version the repository has"
expect_in "$tmp/log" "is in the repository already with other contents" "is refused"

echo "=== into a minimal Debian root"
fleet_root "$tmp/root" || fail "no Debian root"
root=$tmp/root
mkdir -p "$root/srv" "$root/usr/share/keyrings"
cp -a "$tmp/repo" "$root/srv/kmend-repo"
cp "$tmp/repo/archive-key.gpg" "$root/usr/share/keyrings/kmend-archive-key.gpg"
echo "deb [signed-by=/usr/share/keyrings/kmend-archive-key.gpg] file:///srv/kmend-repo ./" \
	>"$root/etc/apt/sources.list.d/kmend.list"
chroot_in "$root" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkg" \
	>"$tmp/log" 2>&1
status=$?
tail -n 25 "$tmp/log"
expect_status 0 "$status" "apt-get install $pkg from the repository"
expect_in "$tmp/log" "Setting up kmend \($version\)" "it pulled kmend"
expect_in "$tmp/log" "Setting up kmend-engine-$KVER \($version\)" "and the engine for $KVER"
expect_in "$tmp/log" "kmend: installed fleet-1 as /var/lib/kmend/updates/$KVER/0001-fleet-1.ko" "its postinst installed the update"
cmp -s "$root/var/lib/kmend/updates/$KVER/0001-fleet-1.ko" "$tmp/updates/kmend-fleet-1-$KVER.ko"
expect_status 0 $? "the installed update is the one made"
[ -f "$root/lib/modules/$KVER/extra/kmend.ko" ] || fail "the engine is not installed"
[ -L "$root/etc/systemd/system/sysinit.target.wants/kmend.service" ] || fail "kmend.service is not enabled"
chroot_in "$root" kmend list --installed --release "$KVER" >"$tmp/log" 2>&1
cat "$tmp/log"
expect_in "$tmp/log" "^fleet-1 +/var/lib/kmend/updates/$KVER/0001-fleet-1.ko$" "kmend list --installed lists it"
# what the VM boots: an image of the machine once the package is installed
mkfs.ext4 -q -F -L kmend-fleet -d "$root" "$tmp/fleet.img" 2G >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "mkfs.ext4 -d of the Debian root"; }

echo "=== a newer cumulative package replaces it"
"$kmend" create --id fleet-2 --replace --kernel "$PKGVER" -o "$tmp/fleet-2.ko" "$v2_patch" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "kmend create fleet-2"; }
"$kmend" package -o "$tmp/debs2" --version 2 "$tmp/fleet-2.ko" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "kmend package --version 2"; }
"$kmend" repo "$tmp/repo" --sign-key fleet@example.org "$tmp/debs2/${pkg}_2_amd64.deb" >/dev/null 2>&1 ||
	fail "kmend repo with version 2"
rm -rf "$root/srv/kmend-repo"
cp -a "$tmp/repo" "$root/srv/kmend-repo"
chroot_in "$root" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkg" \
	>"$tmp/log" 2>&1
status=$?
tail -n 8 "$tmp/log"
expect_status 0 "$status" "apt-get upgrade to version 2"
expect_in "$tmp/log" "Unpacking $pkg \(2\) over \(1\)" "version 2 over 1"
expect_eq "$(ls "$root/var/lib/kmend/updates/$KVER")" "0001-fleet-2.ko" "fleet-2 in place of fleet-1"
expect_eq "$(cat "$root/var/lib/kmend/packages/$pkg")" fleet-2 "the package knows what it installed"

echo "=== removed"
chroot_in "$root" sh -c "DEBIAN_FRONTEND=noninteractive apt-get remove -y -q $pkg" >"$tmp/log" 2>&1
expect_status 0 $? "apt-get remove $pkg"
expect_eq "$(ls "$root/var/lib/kmend/updates/$KVER" | wc -l)" 0 "no update installed"
[ ! -e "$root/var/lib/kmend/packages/$pkg" ] || fail "the package's state is left"

echo "=== in the VM, running $KVER: the image of the root, booted with systemd"
# boot NAME COMMANDS: boot the image (its own systemd, kmend and engine);
# COMMANDS run once the boot is done
boot() {
	echo "--- boot: $1"
	run_guest "$tmp/$1.out" --root-image "$tmp/fleet.img" --timeout 600 \
		--file "$tmp/debs2/${pkg}_2_amd64.deb:/srv/${pkg}_2.deb" -- "$2"
}
boot "kmend.service applies what the package installed; then a crash" '
P=/sys/kernel/kmend
expect_eq "$(readlink /proc/1/exe)" /usr/lib/systemd/systemd "systemd is init"
expect_eq "$(systemctl is-active kmend.service)" active "kmend.service ran at boot"
expect_match "$(journalctl -b -u kmend.service -o cat)" "fleet-1" "the journal has its apply"
expect_eq "$(stage fleet-1)" applied "fleet-1, installed by the package, applied by the service"
expect_match "$(cat /proc/version)" "\(kmend example\)$" "its code runs"
expect_eq "$(cat /var/lib/kmend/boot/pending/'"$KVER"'/fleet-1)" "$(cat /proc/sys/kernel/random/boot_id)" "pending in this boot"
expect_eq "$(systemctl is-active kmend-shutdown.service) $(systemctl is-active kmend-healthy.timer)" "active active" "the guard'"'"'s units run"
# the boot ends before the healthy timer, without an orderly shutdown
touch /run/kmend-vm-crash'
boot "the guard holds the update; released" '
expect_eq "$(systemctl is-active kmend.service)" active "kmend.service ran (and did not fail the boot)"
expect_match "$(journalctl -b -u kmend.service -o cat)" "not applying fleet-1 at boot: the boot that applied it \(boot id [0-9a-f-]+\) ended before it was marked healthy" "the journal says why it held fleet-1"
expect_eq "$(ls /sys/kernel/kmend 2>/dev/null | grep -c fleet-1)" 0 "not applied"
expect_no_match "$(cat /proc/version)" "kmend" "the original code runs"
expect_match "$(kmend list --installed)" "held, not applied at boot" "kmend list --installed says so"
expect_succeeds "kmend apply --release-hold fleet-1" kmend apply --release-hold fleet-1
# an orderly shutdown: systemctl poweroff'
boot "applied again; the newer cumulative package replaces it live; removed" '
P=/sys/kernel/kmend
expect_eq "$(stage fleet-1)" applied "released: the service applies it again"
expect_succeeds "kmend-healthy.service (what the timer starts)" systemctl start kmend-healthy.service
expect_eq "$(ls /var/lib/kmend/boot/pending/'"$KVER"' | wc -l)" 0 "the boot is marked healthy"
dpkg -i /srv/'"$pkg"'_2.deb >/tmp/dpkg.out 2>&1
expect_eq "$?" 0 "dpkg -i version 2 of the package"
cat /tmp/dpkg.out
expect_match "$(cat /sys/kernel/debug/kmend/fleet-2)" "replace: update fleet-1 replaced" "its postinst applied fleet-2, which replaced fleet-1"
expect_eq "$(ls $P)" "fleet-2" "fleet-2 alone applied (cumulative), fleet-1 unloaded"
expect_match "$(cat /proc/version)" "\(kmend fleet v2\)$" "its code runs"
expect_eq "$(ls /var/lib/kmend/updates/'"$KVER"')" "0001-fleet-2.ko" "and installed for the next boot"
expect_succeeds "dpkg --remove" dpkg --remove '"$pkg"'
expect_eq "$(ls $P | wc -l)" 0 "fleet-2 undone and unloaded"
expect_no_match "$(cat /proc/version)" "kmend" "the original code runs"
expect_eq "$(ls /var/lib/kmend/updates/'"$KVER"' | wc -l)" 0 "nothing installed"
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"'
