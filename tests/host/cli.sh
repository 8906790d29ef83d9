#!/usr/bin/env bash
# The kmend command on the host, where it must change nothing: show, explain,
# list and the refusals of apply that come before any loading (not an
# update, corrupt, another release), each under valgrind; the man page is
# warning-free and names every command and cause with the status the command
# gives; the bash completion offers every command; make install lays out a
# tree whose kmend create works and whose systemd unit systemd-analyze
# accepts, with a condition that follows the running release.
. "$(dirname "$0")/../vm/lib/host.bash"

eval "$(KMEND_TARGET_NO_SOURCE=1 "$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
kmend=$build/bin/kmend
sample=$build/samples/kmend-sample-cmdline.ko
[ "$(uname -r)" != "$KVER" ] ||
	fail "this host runs the target's release $KVER: kmend apply here would load modules into it"

vg() {	# vg NAME WANT-STATUS ARGS...: kmend under valgrind, output in $tmp/NAME
	local name=$1 want=$2 status; shift 2
	valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
		--error-exitcode=99 "$kmend" "$@" >"$tmp/$name" 2>&1
	status=$?
	sed 's/^/  | /' "$tmp/$name"
	expect_status "$want" "$status" "kmend $* (under valgrind)"
}

head -c 4096 "$sample" >"$tmp/truncated.ko"
vg show 0 show "$sample"
expect_in "$tmp/show" "^Update id: +sample-cmdline$" "show FILE: the id"
expect_in "$tmp/show" "^Built for: +$KVER \(not this kernel\)$" "show FILE: the release"
vg showjson 0 show --json "$sample"
jq -e '.id == "sample-cmdline" and .release == "'"$KVER"'" and .for_running_kernel == false' \
	"$tmp/showjson" >/dev/null || fail "show --json FILE"
vg notupdate 4 show "$build/kernel/kmend.ko"
expect_in "$tmp/notupdate" "not a kmend update" "show of the engine"
vg truncated 4 show "$tmp/truncated.ko"
expect_in "$tmp/truncated" "truncated or corrupt" "show of a truncated module"
vg text 4 apply /etc/hostname
vg trunc-apply 4 apply "$tmp/truncated.ko"
vg release 5 apply "$sample"
expect_in "$tmp/release" "was built for kernel $KVER, but this kernel is $(uname -r)" "apply for another release"
vg explain 0 explain
vg explain16 0 explain 16
expect_in "$tmp/explain16" "^code_busy \(exit status 16\)" "explain 16"
vg installed 0 list --installed --json
jq -e '.installed | type == "array"' "$tmp/installed" >/dev/null || fail "list --installed --json"
if [ ! -d /sys/kernel/kmend ]; then
	vg list 0 list --json
	jq -e '.engine_loaded == false and .updates == []' "$tmp/list" >/dev/null || fail "list --json without the engine"
	vg undo 0 undo --all
	expect_in "$tmp/undo" "no updates are loaded" "undo --all without the engine"
	vg unknown 8 undo nosuch
fi

# The man page: no groff warning; every command, every cause and its status.
groff -t -man -ww -z "$top/docs/kmend.8" 2>"$tmp/groff" || fail "groff failed on docs/kmend.8"
[ ! -s "$tmp/groff" ] || { cat "$tmp/groff"; fail "groff warns about docs/kmend.8"; }
commands=$("$kmend" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' | grep -vx help)
[ "$(echo "$commands" | wc -l)" -ge 8 ] || fail "kmend --help lists too few commands: $commands"
for c in $commands; do
	grep -q "^\.B kmend $c\$" "$top/docs/kmend.8" || fail "kmend.8: no synopsis of $c"
	grep -q "^\.B $c\$" "$top/docs/kmend.8" || fail "kmend.8: no section for $c"
done
"$kmend" explain | sed -n 's/^\([a-z_]*\) (exit status \([0-9]*\)).*/\2\t\1/p' >"$tmp/causes"
[ "$(wc -l <"$tmp/causes")" -eq 15 ] || fail "kmend explain lists $(wc -l <"$tmp/causes") causes"
while IFS=$'\t' read -r st name; do
	grep -q "^$st	$name	" "$top/docs/kmend.8" || fail "kmend.8: no row '$st $name' in ABORT CAUSES"
done <"$tmp/causes"
"$kmend" explain | sed -n 's/^\([a-z_]*\) (kmend create refuses).*/\1/p' >"$tmp/kinds"
[ "$(wc -l <"$tmp/kinds")" -ge 13 ] || fail "kmend explain lists $(wc -l <"$tmp/kinds") kinds of refusal"
while read -r kind; do
	grep -q "^$kind	" "$top/docs/kmend.8" || fail "kmend.8: no row '$kind' in CREATE REFUSALS"
	macro=$(sed -n "s/^#define \(REFUSE_[A-Z_]*\)[[:space:]]*\"$kind\"\$/\1/p" "$top/src/create/refusal_kinds.h")
	[ -n "$macro" ] && grep -rqw "$macro" --exclude='refusal_kinds.*' "$top/src" ||
		fail "no refusal of kmend create is of kind $kind"
done <"$tmp/kinds"
vg explain-kind 0 explain layout_changed
expect_in "$tmp/explain-kind" "^  What to do: keep the type as it is and carry a new field in a shadow variable" \
	"explain of a kind of refusal"
echo "kmend.8: $(echo $commands | wc -w) commands, 15 causes and $(wc -l <"$tmp/kinds") kinds of refusal, as the command says"

# The completion: every command, and the causes for explain.
got=$(bash -c '. "$1"; COMP_WORDS=(kmend ""); COMP_CWORD=1; _kmend; printf "%s\n" "${COMPREPLY[@]}"' _ \
	"$top/completion/kmend.bash" | grep -v '^-' | grep -vx help | sort)
[ "$got" = "$(echo "$commands" | sort)" ] || fail "completion offers '$got', kmend --help lists '$commands'"
got=$(PATH=$build/bin:$PATH bash -c '. "$1"; COMP_WORDS=(kmend explain code); COMP_CWORD=2; _kmend; echo "${COMPREPLY[@]}"' _ \
	"$top/completion/kmend.bash")
[ "$got" = code_busy ] || fail "completion of 'kmend explain code': '$got'"

# make install into a staging folder; the installed kmend create finds its
# header and the engine's exports; the unit verifies.
make -C "$top" -s install DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/install.out" 2>&1 ||
	{ cat "$tmp/install.out"; fail "make install"; }
for f in usr/bin/kmend usr/share/man/man8/kmend.8 usr/share/bash-completion/completions/kmend \
	 usr/lib/systemd/system/kmend.service usr/include/kmend-sdk/kmend/patch.h \
	 usr/lib/kmend/Module.symvers usr/lib/kmend/debian-kernel "lib/modules/$KVER/extra/kmend.ko"; do
	[ -f "$tmp/root/$f" ] || fail "make install did not install /$f"
done
systemd-analyze verify --man=no --root="$tmp/root" /usr/lib/systemd/system/kmend.service \
	/usr/lib/systemd/system/kmend-healthy.service /usr/lib/systemd/system/kmend-healthy.timer \
	/usr/lib/systemd/system/kmend-shutdown.service \
	>"$tmp/verify" 2>&1 || { cat "$tmp/verify"; fail "systemd-analyze verify kmend.service"; }
cond=$(sed -n 's/^ConditionDirectoryNotEmpty=//p' "$tmp/root/usr/lib/systemd/system/kmend.service")
mkdir -p "$tmp/cond/$(uname -r)"
systemd-analyze condition "ConditionDirectoryNotEmpty=${cond/#\/var\/lib\/kmend\/updates/$tmp/cond}" >/dev/null 2>&1 &&
	fail "the unit's condition holds for an empty folder"
touch "$tmp/cond/$(uname -r)/0001-x.ko"
systemd-analyze condition "ConditionDirectoryNotEmpty=${cond/#\/var\/lib\/kmend\/updates/$tmp/cond}" >/dev/null 2>&1 ||
	fail "the unit's condition does not hold for an update installed for the running release"
eval "$("$top/scripts/target-kernel" 2>/dev/null)"
(cd "$tmp" && "$tmp/root/usr/bin/kmend" create --kernel "$PKGVER" -o "$tmp/u.ko" \
	"$top/examples/proc-version.patch") >"$tmp/create" 2>&1 || { cat "$tmp/create"; fail "the installed kmend create"; }
grep -q "^kernel $PKGVER ($KVER): $SOURCE$" "$tmp/create" ||
	{ cat "$tmp/create"; fail "the installed kmend create --kernel did not find its debian-kernel helper"; }
"$kmend" show "$tmp/u.ko" | grep -qx '  vmlinux version_proc_show' || fail "the installed create's module"
make -C "$top" -s uninstall DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/uninstall.out" 2>&1 ||
	{ cat "$tmp/uninstall.out"; fail "make uninstall"; }
left=$(find "$tmp/root" -type f)
[ -z "$left" ] || fail "make uninstall left $left"
echo "make install: 8 files; the installed kmend create wrote an update; make uninstall removed them"
