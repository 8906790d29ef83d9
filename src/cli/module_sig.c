// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a module's appended signature (scripts/sign-file's format: the
 * PKCS#7 message, struct module_signature, "~Module signature appended~\n")
 * to say who signed it, with OpenSSL, when the kernel refuses it.
 */
#include "module_sig.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "util.h"

#define SIG_MAGIC	"~Module signature appended~\n"
#define SIG_INFO_SIZE	12	/* struct module_signature, sig_len last, big-endian */

/*
 * The issuer named in the signature of the module @path, into @name;
 * "" when it is signed but names none. Returns 1 if signed, 0 if not, -1
 * if it cannot be read.
 */
static int signer_of(const char *path, char *name, size_t len)
{
	FILE *f = fopen(path, "rb");
	size_t magic = strlen(SIG_MAGIC);
	unsigned char tail[SIG_INFO_SIZE + sizeof(SIG_MAGIC)], *sig = NULL;
	const unsigned char *p;
	long size;
	uint32_t sig_len;
	PKCS7 *p7 = NULL;
	int ret = -1;

	name[0] = '\0';
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0)
		goto out;
	if ((size_t)size < SIG_INFO_SIZE + magic ||
	    fseek(f, size - (long)(SIG_INFO_SIZE + magic), SEEK_SET) ||
	    fread(tail, 1, SIG_INFO_SIZE + magic, f) != SIG_INFO_SIZE + magic)
		goto out;
	if (memcmp(tail + SIG_INFO_SIZE, SIG_MAGIC, magic)) {
		ret = 0;
		goto out;
	}
	ret = 1;
	sig_len = (uint32_t)tail[8] << 24 | (uint32_t)tail[9] << 16 |
		  (uint32_t)tail[10] << 8 | tail[11];
	if (!sig_len || sig_len > (uint64_t)size - SIG_INFO_SIZE - magic ||
	    !(sig = malloc(sig_len)) ||
	    fseek(f, size - (long)(SIG_INFO_SIZE + magic + sig_len), SEEK_SET) ||
	    fread(sig, 1, sig_len, f) != sig_len)
		goto out;
	p = sig;
	p7 = d2i_PKCS7(NULL, &p, sig_len);
	if (p7 && PKCS7_type_is_signed(p7)) {
		STACK_OF(PKCS7_SIGNER_INFO) *infos = PKCS7_get_signer_info(p7);
		PKCS7_SIGNER_INFO *si = infos && sk_PKCS7_SIGNER_INFO_num(infos) > 0 ?
					sk_PKCS7_SIGNER_INFO_value(infos, 0) : NULL;

		if (si && si->issuer_and_serial && si->issuer_and_serial->issuer)
			X509_NAME_oneline(si->issuer_and_serial->issuer, name, (int)len);
	}
out:
	PKCS7_free(p7);
	free(sig);
	if (f)
		fclose(f);
	return ret;
}

/* Is the kernel locked down (/sys/kernel/security/lockdown: "[integrity]")? */
static bool locked_down(void)
{
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	char line[128] = "";
	bool locked;

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	locked = strstr(line, "[none]") == NULL && strchr(line, '[');
	return locked;
}

bool module_sig_refused(int ret, const char *path, const char *how_to_sign,
			char *msg, size_t len)
{
	const char *why = ret == -EPERM ? "lockdown" : "Secure Boot or module.sig_enforce";
	char signer[256], issuer[300] = "";
	int signed_by;

	if (ret != -EKEYREJECTED && !(ret == -EPERM && locked_down()))
		return false;
	signed_by = signer_of(path, signer, sizeof(signer));
	if (signed_by == 1 && *signer)
		snprintf(issuer, sizeof(issuer), " (issuer %s)", signer);
	if (signed_by == 1)
		snprintf(msg, len,
			 "the kernel enforces module signatures (%s) and does not trust the key %s is signed with%s: enroll its certificate in the machine owner's keys ('mokutil --import CERT.der', confirmed in MokManager at the next boot), or sign it with a key the kernel trusts",
			 why, path, issuer);
	else
		snprintf(msg, len,
			 "the kernel enforces module signatures (%s) and %s is %s: %s, with a key whose certificate the kernel trusts (enroll it with 'mokutil --import CERT.der', confirmed in MokManager at the next boot)",
			 why, path, signed_by ? "not readable" : "not signed", how_to_sign);
	return true;
}
