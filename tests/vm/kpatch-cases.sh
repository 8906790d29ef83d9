#!/usr/bin/env bash
# kpatch's integration cases (dynup/kpatch test/integration, the linux-6.2.0
# and rhel-9 sets: 11 distinct cases), written again as kmend's own patches
# for Debian's 6.1 (tests/kpatch-cases/*.patch; the cases' shapes, not
# their code). Each says what kmend create must make of it ("Expect:"), and
# for an update, what shows it works: "Check:" run in the VM must print
# "Want:" (a regex, whole) once applied and not before; after undo, not any
# more, or "After:" prints "Gone:"; "Unchanged:" names functions kmend
# create must not report changed. Every update is applied and undone in
# one boot ("Module:" loaded first); the FAIL cases are refused or have
# nothing to replace.
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
mkdir -p "$tmp/u"
field() { sed -n "s/^$1: //p" "$2"; }
modules=() cmds= made=0
for p in "$top"/tests/kpatch-cases/*.patch; do
	name=$(basename "$p" .patch)
	expect=$(field Expect "$p")
	case $expect in
	created)
		id=k$made
		"$build/bin/kmend" create --source "$SOURCE" --id "$id" -o "$tmp/u/$id.ko" "$p" \
			>"$tmp/$name.out" 2>&1
		status=$?
		cat "$tmp/$name.out"
		expect_status 0 "$status" "$name: kmend create"
		for f in $(field Unchanged "$p"); do
			expect_not_in "$tmp/$name.out" "^  changed   function $f " "$name: $f unchanged"
		done
		mod=$(field Module "$p")
		[ -z "$mod" ] || modules+=(--module "$mod")
		cp "$p" "$tmp/u/$id.case"
		cmds+="one $id $name
"
		made=$((made + 1))
		;;
	*) create_expect "$name" "$p" "$expect" "$tmp/$name.out" ||
		fail "$name: no 'Expect:' line" ;;
	esac
	echo "ok: $name: $expect"
done
[ "$made" -eq 9 ] || fail "$made updates among tests/kpatch-cases, expected 9"

run_guest "$tmp/out" --file "$tmp/u:/u" "${modules[@]}" -- '
field() { sed -n "s/^$1: //p" "$2"; }
one() {
	id=$1 name=$2 case=/u/$1.case
	mod=$(field Module $case) check=$(field Check $case) want=$(field Want $case)
	after=$(field After $case) gone=$(field Gone $case)
	[ -z "$mod" ] || expect_succeeds "$name: modprobe $mod" modprobe $mod
	expect_no_match "$(sh -c "$check" 2>&1)" "^$want\$" "$name: not there before"
	expect_succeeds "$name: kmend apply" kmend apply -q /u/$id.ko
	expect_match "$(sh -c "$check" 2>&1)" "^$want\$" "$name: $check"
	expect_succeeds "$name: kmend undo" kmend undo $id
	if [ -n "$after" ]; then
		expect_match "$(sh -c "$after" 2>&1)" "^$gone\$" "$name: after undo, $after"
	else
		expect_no_match "$(sh -c "$check" 2>&1)" "^$want\$" "$name: gone after undo"
	fi
}
'"$cmds"'
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
