/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A module the kernel refused for its signature: whether it is signed, by
 * whom, and what the user can do (module_sig.c).
 */
#ifndef KMEND_MODULE_SIG_H
#define KMEND_MODULE_SIG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Did the kernel refuse @path (finit_module's -errno @ret) for its
 * signature? -EKEYREJECTED: it enforces signatures (module.sig_enforce,
 * or a Secure Boot kernel's) and the module is unsigned or signed by a key
 * it does not trust; -EPERM under lockdown: the same. If so, say which
 * and what to do into @msg (@how_to_sign: how this module gets a
 * signature) and return true.
 */
bool module_sig_refused(int ret, const char *path, const char *how_to_sign,
			char *msg, size_t len);

#endif /* KMEND_MODULE_SIG_H */
