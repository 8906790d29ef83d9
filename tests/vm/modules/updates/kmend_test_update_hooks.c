// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-hooks": kmend_test_value in kmend_test_target, with
 * TRANSFORM_WORLD hooks. Parameters: refuse (what check_apply and
 * check_reverse return), and, read back, what the hooks saw: transformed
 * (1 after apply, 0 after reverse), stopped (each hook ran with interrupts
 * off, as inside stop_machine), failed (fail hooks run).
 */
#include <linux/irqflags.h>
#include "test_update.h"

static int refuse;
module_param(refuse, int, 0600);
static int transformed;
module_param(transformed, int, 0400);
static int stopped = 1;
module_param(stopped, int, 0400);
static int failed;
module_param(failed, int, 0400);

static void seen(void)
{
	if (!irqs_disabled())
		stopped = 0;
}

static int check(void)
{
	seen();
	return READ_ONCE(refuse);
}

static void apply(void)
{
	seen();
	transformed = 1;
}

static void reverse(void)
{
	seen();
	transformed = 0;
}

static void fail(void)
{
	seen();
	failed++;
}

static const char *new_value(void)
{
	return transformed ? "patched-transformed" : "patched";
}

static struct kmend_func funcs[] = {
	{ .old_name = "kmend_test_value", .new_func = new_value },
	{ }
};
static struct kmend_pack packs[] = {
	{ .target = "kmend_test_target", .funcs = funcs },
	{ }
};
static struct kmend_update update = {
	.mod = THIS_MODULE, .id = "test-hooks", .packs = packs,
	.hooks = {
		.check_apply = check, .apply = apply, .fail_apply = fail,
		.check_reverse = check, .reverse = reverse,
		.fail_reverse = fail,
	},
};
KMEND_UPDATE(update);
MODULE_INFO(kmend_id, "test-hooks");
MODULE_LICENSE("GPL");
