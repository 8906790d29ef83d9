#!/usr/bin/env bash
# Sixteen real changes kept from the corpus (tests/corpus/*.patch: changed
# files between Debian 6.1.192-3 and 6.1.190-1, reversed, as scripts/corpus
# makes them), so that coverage cannot slip back unseen. Each says what kmend
# create must make of it ("Expect:" before the diff): an update for a target,
# a refusal (the name and the start of the reason), or nothing to replace.
# The updates are then applied and undone in one boot, each target module
# loaded first; a "Log:" line is a pattern the engine's log of the apply
# must hold.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
mkdir -p "$tmp/u"
modules=() cmds= made=0
for p in "$top"/tests/corpus/*.patch; do
	name=$(basename "$p" .patch)
	expect=$(sed -n 's/^Expect: //p' "$p")
	id=c${name%%-*}
	case $expect in
	created\ *)
		target=${expect#created }
		"$build/bin/kmend" create --source "$SOURCE" --id "$id" -o "$tmp/u/$id.ko" "$p" \
			>"$tmp/$name.out" 2>&1
		expect_status 0 $? "$name: kmend create"
		expect_in "$tmp/$name.out" " -> $target\$" "$name: an update for $target"
		[ "$target" = vmlinux ] || modules+=(--module "$target")
		log=$(sed -n 's/^Log: //p' "$p")
		cmds+="one $id $target '${log//\'/}'
"
		made=$((made + 1))
		;;
	*) create_expect "$name" "$p" "$expect" "$tmp/$name.out" ||
		fail "$name: no 'Expect:' line" ;;
	esac
	echo "ok: $name: $expect"
done
[ "$made" -ge 10 ] || fail "only $made updates among tests/corpus"

run_guest "$tmp/out" --file "$tmp/u:/u" "${modules[@]}" -- '
one() {
	[ "$2" = vmlinux ] || expect_succeeds "$1: modprobe $2" modprobe $2
	expect_succeeds "$1: kmend apply" kmend apply -q /u/$1.ko
	expect_eq "$(stage $1)" applied "$1: applied"
	[ -z "$3" ] || expect_match "$(cat /sys/kernel/debug/kmend/$1)" "$3" "$1: the log says: $3"
	expect_succeeds "$1: kmend undo" kmend undo $1
	expect_eq "$(ls /sys/kernel/kmend | grep -c "^$1\$")" 0 "$1: unloaded"
}
'"$cmds"'
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
