/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmend/shadow.h - shadow variables: data an update attaches to an existing
 * object (a new field for a struct it cannot change), with the semantics of
 * the kernel's klp_shadow API (Documentation/livepatch/shadow-vars.rst).
 *
 * A shadow variable is found by the object's address and an id the update
 * chooses. The engine keeps them, so stacked updates that use the same id
 * see the same variables. Every call is safe in atomic context (allocation
 * then needs GFP_ATOMIC); get is lockless (RCU).
 */
#ifndef _KMEND_SHADOW_H
#define _KMEND_SHADOW_H

#include <linux/types.h>

/*
 * Fills a new shadow variable @shadow_data of @obj, with @ctor_data from
 * the caller; nonzero fails the allocation. Called with the engine's
 * shadow lock held (interrupts off): it must not sleep.
 */
typedef int (*kmend_shadow_ctor_t)(void *obj, void *shadow_data,
				   void *ctor_data);
/* Releases what @shadow_data holds, before it is freed; lock held. */
typedef void (*kmend_shadow_dtor_t)(void *obj, void *shadow_data);

/* The data of <@obj, @id>, or NULL. */
void *kmend_shadow_get(void *obj, unsigned long id);

/*
 * Allocate @size zeroed bytes for <@obj, @id>, fill them with @ctor (if
 * any) and return them; NULL when <@obj, @id> exists already (logged), the
 * allocation fails or @ctor fails.
 */
void *kmend_shadow_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp,
			 kmend_shadow_ctor_t ctor, void *ctor_data);

/* The data of <@obj, @id>; allocated as kmend_shadow_alloc() does if none. */
void *kmend_shadow_get_or_alloc(void *obj, unsigned long id, size_t size,
				gfp_t gfp, kmend_shadow_ctor_t ctor,
				void *ctor_data);

/* Remove <@obj, @id>, calling @dtor (if any) first. */
void kmend_shadow_free(void *obj, unsigned long id, kmend_shadow_dtor_t dtor);

/* Remove every variable of @id, calling @dtor (if any) for each. */
void kmend_shadow_free_all(unsigned long id, kmend_shadow_dtor_t dtor);

#endif /* _KMEND_SHADOW_H */
