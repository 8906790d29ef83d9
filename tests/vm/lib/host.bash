# tests/vm/lib/host.bash: helpers for VM scenarios (sourced, not run).
# A scenario exits 0 when it passes, 77 when it cannot run here (its last line
# says why), anything else when it fails; `fail` says what went wrong.
set -uo pipefail

top=${KMEND_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
build=${KMEND_BUILD:-$top/build}
vm_run=$top/scripts/vm-run

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_status WANT GOT WHAT
expect_status() {
	[ "$2" -eq "$1" ] || fail "$3: exit status $2, expected $1"
}

# expect_eq GOT WANT WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# expect_in FILE PATTERN WHAT: an extended regex must match a line of FILE.
expect_in() {
	grep -Eq -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "$3: no line matches /$2/"; }
}

# expect_not_in FILE PATTERN WHAT
expect_not_in() {
	! grep -Eq -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "$3: a line matches /$2/"; }
}

# create_expect NAME PATCH EXPECT OUT: kmend create --dry-run of PATCH must
# end as EXPECT says, "refused TEXT" (exit 1, a line with TEXT) or
# "nothing" (nothing to replace); returns 1 for any other EXPECT.
create_expect() {
	local name=$1 patch=$2 expect=$3 out=$4
	case $expect in
	refused\ *)
		"$build/bin/kmend" create --dry-run --source "$SOURCE" "$patch" >"$out" 2>&1
		expect_status 1 $? "$name: kmend create refuses it"
		grep -qF -- "${expect#refused }" "$out" ||
			{ cat "$out"; fail "$name: not refused as '${expect#refused }'"; }
		;;
	nothing)
		"$build/bin/kmend" create --dry-run --source "$SOURCE" "$patch" >"$out" 2>&1
		expect_status 0 $? "$name: kmend create --dry-run"
		expect_in "$out" '^nothing to replace' "$name: nothing to replace"
		;;
	*) return 1 ;;
	esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_guest OUTPUT [vm-run options...] -- COMMANDS: run COMMANDS in the VM with
# the guest assertions, the samples and the test modules at /kmend-test/, and
# fail unless every guest check passed and the kernel stayed clean.
run_guest() {
	local out=$1; shift
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	"$vm_run" --file "$top/tests/vm/lib/guest.sh:/kmend-test/guest.sh" \
		--file "$build/samples:/kmend-test/samples" \
		--file "$build/tests/modules:/kmend-test/modules" \
		"${opts[@]}" -- ". /kmend-test/guest.sh
$1
finish" >"$out" 2>&1
	local status=$?
	cat "$out"
	expect_status 0 "$status" "the guest's checks"
	expect_in "$out" '^guest: [0-9]+ checks, 0 failed$' "the guest ran to the end"
}
