/* SPDX-License-Identifier: GPL-2.0 */
/* Callbacks that print each call, as the kernel's livepatch selftests do. */
#ifndef KMEND_TEST_CALLBACKS_H
#define KMEND_TEST_CALLBACKS_H

#include <linux/module.h>
#include <kmend/patch.h>

static int pre_patch_ret;
module_param(pre_patch_ret, int, 0644);

static const char *const module_state[] = {
	[MODULE_STATE_LIVE] = "[MODULE_STATE_LIVE] Normal state",
	[MODULE_STATE_COMING] = "[MODULE_STATE_COMING] Full formed, running module_init",
	[MODULE_STATE_GOING] = "[MODULE_STATE_GOING] Going away",
	[MODULE_STATE_UNFORMED] = "[MODULE_STATE_UNFORMED] Still setting it up",
};

static void callback_info(const char *callback, struct kmend_pack *pack)
{
	if (pack->mod)
		pr_info("%s: %s -> %s\n", callback, pack->mod->name,
			module_state[pack->mod->state]);
	else
		pr_info("%s: vmlinux\n", callback);
}

static int pre_patch_callback(struct kmend_pack *pack)
{
	callback_info(__func__, pack);
	return pre_patch_ret;
}

static void post_patch_callback(struct kmend_pack *pack)
{
	callback_info(__func__, pack);
}

static void pre_unpatch_callback(struct kmend_pack *pack)
{
	callback_info(__func__, pack);
}

static void post_unpatch_callback(struct kmend_pack *pack)
{
	callback_info(__func__, pack);
}

#define TEST_CALLBACKS {				\
	.pre_patch = pre_patch_callback,		\
	.post_patch = post_patch_callback,		\
	.pre_unpatch = pre_unpatch_callback,		\
	.post_unpatch = post_unpatch_callback,		\
}

#endif
