// SPDX-License-Identifier: GPL-2.0
/* A kmend relocation to a symbol the target lacks: failed_to_find. */
#include <linux/elf.h>
#include "test_update.h"

static unsigned long slot;

static const char *new_value(void)
{
	return slot ? "patched" : "no slot";
}

static struct kmend_reloc relocs[] = {
	{ .place = &slot, .symbol = "kmend_test_no_such", .type = R_X86_64_64 },
	{ }
};

KMEND_TEST_UPDATE_RELOCS("test-reloc-missing", "kmend_test_target", relocs,
			 { .old_name = "kmend_test_value", .new_func = new_value });
