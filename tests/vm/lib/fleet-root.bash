# tests/vm/lib/fleet-root.bash: a minimal Debian 12 root, as a fleet's
# machine would start from (sourced, not run). fleet_root DEST copies a
# cached one to DEST: debootstrap --variant=minbase of bookworm from the
# archive, with bookworm-security in its sources, systemd as init and the
# target kernel's linux-image-$KVER ($PKGVER) installed, as a machine
# running it has (vm-run --root-image boots an image of it); built
# once per kernel under ~/.cache/kmend/roots (a few minutes), copied in a
# few seconds after. chroot_in ROOT CMD... runs CMD there with /proc.

fleet_root() {
	local dest=$1 cache=${KMEND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmend}/roots
	local root=$cache/bookworm-systemd-$KVER
	mkdir -p "$cache"
	(
		flock 9
		[ -f "$root/.ready" ] && exit 0
		rm -rf "$root"
		echo "fleet root: debootstrap --variant=minbase bookworm (once, about a minute)"
		debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian \
			>"$cache/debootstrap.log" 2>&1 ||
			{ tail -n 20 "$cache/debootstrap.log"; exit 1; }
		echo "deb http://deb.debian.org/debian-security bookworm-security main" \
			>"$root/etc/apt/sources.list.d/security.list"
		echo "fleet root: installing systemd and linux-image-$KVER $PKGVER into it (once, a few minutes)"
		chroot_in "$root" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends systemd-sysv \
			linux-image-$KVER=$PKGVER && apt-get clean" \
			>>"$cache/debootstrap.log" 2>&1 ||
			{ tail -n 20 "$cache/debootstrap.log"; exit 1; }
		touch "$root/.ready"
	) 9>"$cache/.lock-$KVER" || return 1
	rm -rf "$dest"
	cp -a "$root" "$dest"
}

chroot_in() {
	local root=$1 status
	shift
	mount -t proc proc "$root/proc" || return 1
	chroot "$root" "$@"
	status=$?
	umount "$root/proc"
	return $status
}
