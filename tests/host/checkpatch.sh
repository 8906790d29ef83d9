#!/usr/bin/env bash
# The engine, the public header, the samples and the test modules are clean
# under the target kernel's own scripts/checkpatch.pl (errors and warnings;
# --strict's style checks are not required). MACRO_WITH_FLOW_CONTROL is
# ignored: KMEND_UPDATE defines module init/exit functions, whose "return" it
# mistakes for a return from the macro, as it would for module_driver().
. "$(dirname "$0")/../vm/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
cd "$top" || exit 1
"$SOURCE/scripts/checkpatch.pl" --no-tree -q --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,MACRO_WITH_FLOW_CONTROL \
	-f $(find kernel -name "*.[ch]" | sort) include/kmend/*.h samples/*.c \
	tests/vm/modules/*/*.c tests/vm/modules/*/*.h >"$tmp/out" 2>"$tmp/err"
status=$?
cat "$tmp/out"
expect_status 0 "$status" "checkpatch"
