# tests/vm/lib.bash: helpers for VM scenarios (sourced, not run).
# A scenario exits 0 when it passes, 77 when it cannot run here (its last line
# says why), anything else when it fails; `fail` says what went wrong.
set -uo pipefail

top=${KMEND_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
build=${KMEND_BUILD:-$top/build}
vm_run=$top/scripts/vm-run

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_status WANT GOT WHAT
expect_status() {
	[ "$2" -eq "$1" ] || fail "$3: exit status $2, expected $1"
}

# expect_in FILE PATTERN WHAT: an extended regex must match a line of FILE.
expect_in() {
	grep -Eq -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "$3: no line matches /$2/"; }
}

# expect_not_in FILE PATTERN WHAT
expect_not_in() {
	! grep -Eq -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "$3: a line matches /$2/"; }
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
