#!/usr/bin/env bash
# Signed updates (kmend create --sign-key/--sign-cert, make install SIGN_KEY=
# SIGN_CERT=). On the host: the appended signature verifies with the
# certificate (openssl cms) and not with another; modinfo names the signer;
# the options go together; a key that is not the certificate's is refused;
# make install signs kmend.ko. In the VM, once the kernel enforces signatures
# (module.sig_enforce, which can be turned on, never off, at run time):
# kmend apply of an unsigned update, and of one signed by a key the kernel
# does not trust, is refused with exit status 30 and says what to do; the
# engine already loaded is untouched. (No key of ours can be made trusted
# here: that takes shim and MokManager at boot.)
. "$(dirname "$0")/lib/host.bash"

eval "$("$top/scripts/target-kernel" 2>/dev/null)" || fail "no target kernel"
kmend=$build/bin/kmend
mkdir -p "$tmp/u"
for k in a b; do
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -subj "/CN=kmend test key $k/" \
		-keyout "$tmp/key-$k.pem" -out "$tmp/cert-$k.pem" 2>/dev/null || fail "openssl req"
done
patch=$top/examples/proc-version.patch
"$kmend" create --source "$SOURCE" --sign-key "$tmp/key-a.pem" --sign-cert "$tmp/cert-a.pem" \
	-o "$tmp/u/signed.ko" "$patch" >"$tmp/out" 2>&1
expect_status 0 $? "kmend create --sign-key --sign-cert"
"$kmend" create --source "$SOURCE" -o "$tmp/u/unsigned.ko" "$patch" >"$tmp/out" 2>&1
expect_status 0 $? "kmend create, unsigned"

# split MODULE: $tmp/sig.p7 and $tmp/content (the module without its signature)
split_signature() {
	local f=$1 size len
	size=$(stat -c %s "$f")
	[ "$(tail -c 28 "$f")" = "~Module signature appended~" ] || return 1
	len=$(tail -c 32 "$f" | head -c 4 | od -An -tu1 | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	head -c $((size - 40 - len)) "$f" >"$tmp/content"
	tail -c $((40 + len)) "$f" | head -c "$len" >"$tmp/sig.p7"
}
verify() {
	openssl cms -verify -binary -inform DER -in "$tmp/sig.p7" -content "$tmp/content" \
		-certfile "$1" -CAfile "$1" -purpose any -out /dev/null 2>/dev/null
}
split_signature "$tmp/u/signed.ko"
expect_status 0 $? "the update carries a module signature"
verify "$tmp/cert-a.pem"
expect_status 0 $? "its signature verifies with the certificate"
verify "$tmp/cert-b.pem"
expect_status 4 $? "and not with another"
modinfo "$tmp/u/signed.ko" >"$tmp/modinfo"
expect_in "$tmp/modinfo" "^signer: +kmend test key a$" "modinfo names the signer"
expect_in "$tmp/modinfo" "^sig_hashalgo: +sha256$" "with the tree's hash (CONFIG_MODULE_SIG_HASH)"
split_signature "$tmp/u/unsigned.ko"
expect_status 1 $? "without the options, no signature"

"$kmend" create --source "$SOURCE" --sign-key "$tmp/key-a.pem" -o "$tmp/x.ko" "$patch" >"$tmp/out" 2>&1
expect_status 2 $? "--sign-key alone"
expect_in "$tmp/out" "sign-key and --sign-cert go together" "says they go together"
"$kmend" create --source "$SOURCE" --sign-key "$tmp/nokey.pem" --sign-cert "$tmp/cert-a.pem" \
	-o "$tmp/x.ko" "$patch" >"$tmp/out" 2>&1
expect_status 1 $? "a key that is not there"
expect_in "$tmp/out" "sign-key $tmp/nokey.pem: No such file or directory" "is named"
"$kmend" create --source "$SOURCE" --sign-key "$tmp/key-b.pem" --sign-cert "$tmp/cert-a.pem" \
	-o "$tmp/x.ko" "$patch" >"$tmp/out" 2>&1
expect_status 1 $? "a key that is not the certificate's"
expect_in "$tmp/out" "is $tmp/key-b.pem the private key of $tmp/cert-a.pem\?" "says so"
[ ! -e "$tmp/x.ko" ]
expect_status 0 $? "and writes no module"

make -s -C "$top" install DESTDIR="$tmp/root" SIGN_KEY="$tmp/key-a.pem" SIGN_CERT="$tmp/cert-a.pem" >"$tmp/out" 2>&1
expect_status 0 $? "make install SIGN_KEY= SIGN_CERT="
split_signature "$tmp/root/lib/modules/$KVER/extra/kmend.ko" && verify "$tmp/cert-a.pem"
expect_status 0 $? "kmend.ko is installed signed"

run_guest "$tmp/guest" --file "$tmp/u:/u" -- '
insmod /lib/kmend/kmend.ko
echo 1 >/sys/module/module/parameters/sig_enforce
expect_eq "$(cat /sys/module/module/parameters/sig_enforce)" Y "the kernel enforces module signatures"
kmend apply /u/unsigned.ko >/tmp/out 2>&1
expect_eq "$?" 30 "an unsigned update: exit status 30"
expect_match "$(cat /tmp/out)" "the kernel enforces module signatures \(Secure Boot or module.sig_enforce\) and /u/unsigned.ko is not signed: create it with .kmend create --sign-key KEY --sign-cert CERT., with a key whose certificate the kernel trusts \(enroll it with .mokutil --import CERT.der." "says what to do"
kmend apply /u/signed.ko >/tmp/out 2>&1
expect_eq "$?" 30 "an update signed by a key the kernel does not trust: exit status 30"
expect_match "$(cat /tmp/out)" "does not trust the key /u/signed.ko is signed with \(issuer /CN=kmend test key a\): enroll its certificate" "names the key and says what to do"
expect_eq "$(ls /sys/kernel/kmend | grep -c proc-version)" 0 "nothing registered"
expect_succeeds "the engine is still loaded" test -d /sys/kernel/kmend
expect_eq "$(engine_allocations)" 0 "every engine allocation freed"
'
