// SPDX-License-Identifier: GPL-2.0
/*
 * A load-time reference to a symbol vmlinux lacks: the engine's module
 * notifier refuses the module, which never registers.
 */
#include <linux/elf.h>
#include "test_update.h"

static unsigned long slot;

static const char *new_value(void)
{
	return slot ? "patched" : "no slot";
}

struct kmend_load_reloc __kmend_load_relocs[] __used = {
	{ .place = &slot, .symbol = "kmend_test_no_such_key", .type = R_X86_64_64 },
	{ }
};

KMEND_TEST_UPDATE_RELOCS("test-load-missing", "kmend_test_target", NULL,
			 { .old_name = "kmend_test_value", .new_func = new_value });
