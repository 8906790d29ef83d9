/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signing an update module as the kernel's modules are signed: with the
 * sign-file of the tree it is built against, the tree's hash algorithm,
 * and the user's key and certificate (sign.c).
 */
#ifndef KMEND_SIGN_H
#define KMEND_SIGN_H

#include <stddef.h>

/*
 * Check @key (a PEM private key, or a "pkcs11:" URI) and @cert (an X.509
 * certificate, PEM or DER) before any work: 0, or -1 with a message in
 * @err.
 */
int sign_check_inputs(const char *key, const char *cert, char *err, size_t errlen);

/*
 * Append a signature of @module, made with @key and @cert, in place: the
 * sign-file and CONFIG_MODULE_SIG_HASH of the tree @source (sign-file from
 * the tree's scripts/, or else from Debian's linux-kbuild package). Its
 * output goes to @log. Returns 0, or -1 with a message in @err.
 */
int sign_module(const char *source, const char *key, const char *cert,
		const char *module, const char *log, char *err, size_t errlen);

#endif /* KMEND_SIGN_H */
