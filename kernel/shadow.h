/* SPDX-License-Identifier: GPL-2.0 */
/* shadow.h - the engine's side of shadow variables. */
#ifndef _KMEND_SHADOW_ENGINE_H
#define _KMEND_SHADOW_ENGINE_H

/* At engine exit: free what updates left, and wait for pending frees. */
void kmend_shadow_exit(void);

#endif
