// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-shadow-a": once applied, gives SHARED_OBJ a shadow variable
 * holding 42, allocated with interrupts off (GFP_ATOMIC); it leaves it
 * there when undone, for a later update.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irqflags.h>
#include "shadow_share.h"

static int set_42(void *obj, void *shadow_data, void *ctor_data)
{
	*(int *)shadow_data = 42;
	return 0;
}

static void post_patch(struct kmend_pack *pack)
{
	unsigned long flags;
	int *sv;

	local_irq_save(flags);
	sv = kmend_shadow_get_or_alloc(SHARED_OBJ, SHARED_ID, sizeof(*sv),
				       GFP_ATOMIC, set_42, NULL);
	local_irq_restore(flags);
	pr_info("made the shared shadow variable: %d\n", sv ? *sv : -1);
}

CALLBACK_UPDATE("test-shadow-a", .post_patch = post_patch);
