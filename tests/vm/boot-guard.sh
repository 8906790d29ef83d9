#!/usr/bin/env bash
# The crash-loop guard across two boots of the VM, state carried from the
# first to the second as a machine's disk would carry it:
# - boot 1: kmend apply --installed (kmend.service's command) applies the
#   installed update, marking it pending in this boot; the boot then ends
#   without the healthy mark (a simulated crash);
# - boot 2: kmend apply --installed holds it back, says why on standard
#   error (the journal), and kmend list --installed (text and JSON) says so;
#   kmend apply --release-hold releases it; applied, then marked healthy
#   (kmend apply --boot-healthy), nothing is pending any more;
# - a boot that reaches the healthy mark leaves nothing pending, and the
#   next applies the update again.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
mkdir -p "$tmp/state/updates/$KVER"
"$build/bin/kmend" create --source "$SOURCE" --id guarded -o "$tmp/guarded.ko" \
	"$top/examples/proc-version.patch" >"$tmp/create" 2>&1 || { cat "$tmp/create"; fail "kmend create"; }
cp "$tmp/guarded.ko" "$tmp/state/updates/$KVER/0001-guarded.ko"

# boot BOOT-NAME COMMANDS: run COMMANDS with $tmp/state as /var/lib/kmend,
# then print it; $tmp/state is what the boot left
boot() {
	local name=$1
	run_guest "$tmp/$name.out" --file "$tmp/state:/var/lib/kmend" --file "$tmp/guarded.ko:/guarded.ko" -- "
cat /proc/sys/kernel/random/boot_id >/tmp/boot_id
$2
echo STATE-BEGIN
tar cf - -C /var/lib/kmend . | base64
echo STATE-END"
	rm -rf "$tmp/state"
	mkdir -p "$tmp/state"
	sed -n '/^STATE-BEGIN/,/^STATE-END/p' "$tmp/$name.out" | sed '1d;$d' | tr -d '\r' |
		base64 -d | tar xf - -C "$tmp/state" || fail "$name: no state came back"
}

boot first '
expect_succeeds "kmend apply --installed" kmend apply --installed
expect_eq "$(stage guarded)" applied "the installed update is applied at boot"
expect_eq "$(cat /var/lib/kmend/boot/pending/'"$KVER"'/guarded)" "$(cat /tmp/boot_id)" "pending in this boot, for its kernel"
# no healthy mark: the boot ends here, as a crash would end it'
first_boot=$(cat "$tmp/state/boot/pending/$KVER/guarded")

boot second '
kmend apply --installed >/tmp/out 2>/tmp/err
expect_eq "$?" 0 "kmend apply --installed holds it back without failing the boot"
expect_match "$(cat /tmp/err)" "^kmend: not applying guarded at boot: the boot that applied it \(boot id '"$first_boot"'\) ended before it was marked healthy" "and says why on standard error (the journal)"
expect_match "$(cat /tmp/err)" "^kmend: guarded is held, not applied:" "once for the apply"
expect_eq "$(ls /sys/kernel/kmend 2>/dev/null | grep -c guarded)" 0 "not applied"
expect_match "$(kmend list --installed)" "held, not applied at boot: the boot that applied it \(boot id '"$first_boot"'\)" "kmend list --installed says so"
expect_match "$(kmend list --installed --json)" "\"held\":\"the boot that applied it" "and its JSON"
expect_eq "$(ls /var/lib/kmend/boot/pending/'"$KVER"' | wc -l)" 0 "nothing pending"
# released
expect_fails "kmend apply --release-hold of an update that is not held" kmend apply --release-hold nosuch
expect_succeeds "kmend apply --release-hold" kmend apply --release-hold guarded
expect_match "$(kmend list --installed --json)" "\"held\":null" "no longer held"
expect_succeeds "kmend apply --installed" kmend apply --installed
expect_eq "$(stage guarded)" applied "applied again"
expect_succeeds "kmend apply --boot-healthy" kmend apply --boot-healthy
expect_eq "$(ls /var/lib/kmend/boot/pending/'"$KVER"' | wc -l)" 0 "the healthy mark clears what this boot applied"'

boot third '
expect_succeeds "kmend apply --installed" kmend apply --installed
expect_eq "$(stage guarded)" applied "after a healthy boot, applied at the next"
expect_succeeds "kmend undo" kmend undo -q guarded
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"'
