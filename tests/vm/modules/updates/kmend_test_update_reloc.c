// SPDX-License-Identifier: GPL-2.0
/*
 * Replaces kmend_test_value with a function that calls the target's static
 * kmend_test_secret, which the module loader cannot resolve: three kmend
 * relocations, of three types and into writable and read-only data, give
 * the engine the places to write its address.
 */
#include <linux/elf.h>
#include "test_update.h"

typedef const char *(*secret_fn)(void);

static secret_fn abs_slot;
static s32 pc_slot;
/* Read-only once the module is loaded: written through text_poke. */
static const unsigned long ro_slot __section(".rodata.kmend_test");

static const char *new_value(void)
{
	secret_fn from_pc = (secret_fn)((unsigned long)&pc_slot + pc_slot);

	if (!abs_slot || (unsigned long)abs_slot != READ_ONCE(ro_slot) ||
	    abs_slot != from_pc)
		return "relocations disagree";
	return abs_slot();
}

static struct kmend_reloc relocs[] = {
	{ .place = &abs_slot, .symbol = "kmend_test_secret", .type = R_X86_64_64 },
	{ .place = &pc_slot, .symbol = "kmend_test_secret", .type = R_X86_64_PC32 },
	{ .place = (void *)&ro_slot, .symbol = "kmend_test_secret", .type = R_X86_64_64 },
	{ }
};

KMEND_TEST_UPDATE_RELOCS("test-reloc", "kmend_test_target", relocs,
			 { .old_name = "kmend_test_value", .new_func = new_value });
