// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-shadow-b": once applied, finds the shadow variable an earlier
 * update gave SHARED_OBJ; frees it when undone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "shadow_share.h"

static void post_patch(struct kmend_pack *pack)
{
	int *sv = kmend_shadow_get(SHARED_OBJ, SHARED_ID);

	pr_info("found the shared shadow variable: %d\n", sv ? *sv : -1);
}

static void freed(void *obj, void *shadow_data)
{
	pr_info("freeing the shared shadow variable: %d\n", *(int *)shadow_data);
}

static void pre_unpatch(struct kmend_pack *pack)
{
	kmend_shadow_free(SHARED_OBJ, SHARED_ID, freed);
}

CALLBACK_UPDATE("test-shadow-b", .post_patch = post_patch,
		.pre_unpatch = pre_unpatch);
