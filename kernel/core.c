// SPDX-License-Identifier: GPL-2.0
/*
 * core.c - the kmend engine: its life cycle, and updates registering with it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kobject.h>
#include <linux/module.h>

#include "alloc.h"
#include "core.h"
#include "jump.h"
#include "ksyms.h"
#include "loadtime.h"
#include "match.h"
#include "model.h"
#include "module_targets.h"
#include "pre.h"
#include "shadow.h"
#include "sysfs.h"
#include "update.h"
#include "validate.h"

DEFINE_MUTEX(kmend_mutex);
struct task_struct *kmend_update_code_task;

/* Called from an update's own callback or hook, or where it cannot sleep? */
static bool called_from_update_code(const char *what)
{
	if (READ_ONCE(kmend_update_code_task) != current && preemptible())
		return false;
	pr_err("%s() called from an update's callback or hook, or where it cannot sleep; refused\n",
	       what);
	return true;
}
LIST_HEAD(kmend_updates);
struct kobject *kmend_root_kobj;

static const char *const stage_names[] = {
	[KMEND_PREPARING] = "preparing",
	[KMEND_APPLIED] = "applied",
	[KMEND_REVERSED] = "reversed",
};

static const char *const cause_names[] = {
	[KMEND_OK] = "ok",
	[KMEND_NO_MATCH] = "no_match",
	[KMEND_FAILED_TO_FIND] = "failed_to_find",
	[KMEND_MISSING_EXPORT] = "missing_export",
	[KMEND_ALREADY_REVERSED] = "already_reversed",
	[KMEND_MODULE_BUSY] = "module_busy",
	[KMEND_OUT_OF_MEMORY] = "out_of_memory",
	[KMEND_CODE_BUSY] = "code_busy",
	[KMEND_UNEXPECTED_RUNNING_TASK] = "unexpected_running_task",
	[KMEND_TARGET_NOT_LOADED] = "target_not_loaded",
	[KMEND_CALL_FAILED] = "call_failed",
	[KMEND_NO_FTRACE_SITE] = "no_ftrace_site",
	[KMEND_FTRACE_UNAVAILABLE] = "ftrace_unavailable",
	[KMEND_UNEXPECTED] = "unexpected",
	[KMEND_INTERRUPTED] = "interrupted",
	[KMEND_INCOMPATIBLE_STATE] = "incompatible_state",
};

const char *kmend_stage_name(enum kmend_stage stage)
{
	return stage < ARRAY_SIZE(stage_names) ? stage_names[stage] : "?";
}

const char *kmend_cause_name(enum kmend_cause cause)
{
	return cause < ARRAY_SIZE(cause_names) ? cause_names[cause] : "?";
}

static bool valid_name(const char *name, size_t max)
{
	size_t n;

	if (!name || !*name)
		return false;
	/* ASCII only: the kernel's isalnum() takes Latin-1 letters too */
	for (n = 0; name[n]; n++)
		if (n >= max || !isascii(name[n]) ||
		    !(isalnum(name[n]) || name[n] == '-' || name[n] == '_'))
			return false;
	return true;
}

/*
 * The engine-private tail of a table entry (from @offset on) is zero, as
 * an update must leave it: the engine trusts what it finds there.
 */
static bool engine_private_clear(const void *entry, size_t size, size_t offset)
{
	return !memchr_inv((const char *)entry + offset, 0, size - offset);
}

/* An earlier pack of the same target, or with the same (non-empty) funcs. */
static bool duplicate_pack(struct kmend_update *update, struct kmend_pack *pack)
{
	struct kmend_pack *other;

	for (other = update->packs; other != pack; other++)
		if ((kmend_pack_is_vmlinux(other) && kmend_pack_is_vmlinux(pack)) ||
		    (!kmend_pack_is_vmlinux(other) && !kmend_pack_is_vmlinux(pack) &&
		     !strcmp(other->target, pack->target)) ||
		    (other->funcs == pack->funcs && pack->funcs->old_name))
			return true;
	return false;
}

static bool has_callbacks(struct kmend_update *update)
{
	struct kmend_pack *pack;

	kmend_for_each_pack(update, pack)
		if (pack->callbacks.pre_patch || pack->callbacks.post_patch ||
		    pack->callbacks.pre_unpatch || pack->callbacks.post_unpatch)
			return true;
	return false;
}

/* Refuse a malformed update before anything is allocated. */
static int check_update(struct kmend_update *update)
{
	const struct kmend_hooks *h;
	struct kmend_pack *pack;
	bool has_hooks;
	struct kmend_func *func;
	unsigned int nr_funcs = 0;
	char model[64];

	if (!update || !update->mod || !update->packs || update->state) {
		pr_err("malformed update: no module, no packs, or engine-private fields set\n");
		return -EINVAL;
	}
	if (!valid_name(update->id, KMEND_ID_MAX)) {
		pr_err("update in module %s: id '%s' must be 1-%d characters of [A-Za-z0-9_-]\n",
		       update->mod->name, update->id ? update->id : "",
		       KMEND_ID_MAX);
		return -EINVAL;
	}
	kmend_for_each_pack(update, pack) {
		if (pack->target && !valid_name(pack->target, MODULE_NAME_LEN - 1)) {
			pr_err("update %s: bad target object name '%s'\n",
			       update->id, pack->target);
			return -EINVAL;
		}
		if (duplicate_pack(update, pack)) {
			pr_err("update %s: two packs for %s (one per target object; none may share another's functions)\n",
			       update->id, kmend_pack_name(pack));
			return -EINVAL;
		}
		if (!engine_private_clear(pack, sizeof(*pack),
					  offsetof(struct kmend_pack, mod))) {
			pr_err("update %s: the pack for %s has engine-private fields set\n",
			       update->id, kmend_pack_name(pack));
			return -EINVAL;
		}
		kmend_for_each_func(pack, func) {
			if (!*func->old_name || !func->new_func) {
				pr_err("update %s: a function of %s has no name or no replacement\n",
				       update->id, kmend_pack_name(pack));
				return -EINVAL;
			}
			if (!engine_private_clear(func, sizeof(*func),
						  offsetof(struct kmend_func, pre_copy))) {
				pr_err("update %s: %s has engine-private fields set\n",
				       update->id, func->old_name);
				return -EINVAL;
			}
			nr_funcs++;
		}
	}
	h = &update->hooks;
	has_hooks = h->check_apply || h->apply || h->fail_apply ||
		    h->check_reverse || h->reverse || h->fail_reverse;
	/* an update may only run code: a setting changed by a callback */
	if (!nr_funcs && !has_hooks && !has_callbacks(update)) {
		pr_err("update %s replaces no function and has no callback or hook\n",
		       update->id);
		return -EINVAL;
	}
	if (has_hooks && (!kmend_model_ops(&update->model) ||
			  !kmend_model_ops(&update->model)->runs_hooks)) {
		pr_err("update %s: TRANSFORM_WORLD hooks run while the machine is stopped, and its model does not stop it (switch=kernel)\n",
		       update->id);
		return -EINVAL;
	}
	if (update->flags & ~(KMEND_REQUIRE_TARGETS | KMEND_REPLACE)) {
		pr_err("update %s: unknown flags %#x\n", update->id, update->flags);
		return -EINVAL;
	}
	if (!kmend_model_ops(&update->model)) {
		kmend_model_print(&update->model, model, sizeof(model));
		pr_err("update %s: consistency model %s is not implemented by this engine\n",
		       update->id, model);
		return -EOPNOTSUPP;
	}
	return 0;
}

static struct kmend_state *find_state(const char *id)
{
	struct kmend_state *st;

	list_for_each_entry(st, &kmend_updates, node)
		if (!strcmp(st->update->id, id))
			return st;
	return NULL;
}

int kmend_register(struct kmend_update *update)
{
	struct kmend_state *st;
	int ret;

	if (!update)
		return -EINVAL;
	if (called_from_update_code(__func__))
		return -EDEADLK;
	ret = kmend_validate_update(update);
	if (!ret)
		ret = check_update(update);
	if (ret)
		return ret;

	mutex_lock(&kmend_mutex);
	if (find_state(update->id)) {
		pr_err("an update with id %s is already loaded\n", update->id);
		ret = -EEXIST;
		goto unlock;
	}
	/* before the update's init returns and its init memory goes */
	ret = kmend_pre_take(update);
	if (ret)
		goto unlock;

	st = kmend_alloc(sizeof(*st));
	if (!st) {
		ret = -ENOMEM;
		goto drop_pre;
	}
	st->update = update;
	kobject_init(&st->kobj, &kmend_state_ktype);
	/* From here on, kobject_put() frees the state and its log. */
	ret = kmend_log_init(st);
	if (ret)
		goto put;
	ret = kobject_add(&st->kobj, kmend_root_kobj, "%s", update->id);
	if (ret)
		goto put;

	st->registered = true;
	update->state = st;
	list_add_tail(&st->node, &kmend_updates);
	kmend_log(st, "loaded from module %s; stage preparing", update->mod->name);
	mutex_unlock(&kmend_mutex);
	return 0;

put:
	kobject_put(&st->kobj);
drop_pre:
	kmend_pre_drop(update);
unlock:
	mutex_unlock(&kmend_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(kmend_register);

void kmend_unregister(struct kmend_update *update)
{
	struct kmend_state *st = update->state;

	if (called_from_update_code(__func__))
		return;
	if (WARN_ON(!st))
		return;

	mutex_lock(&kmend_mutex);
	/* An applied update holds its module: it cannot be leaving. */
	WARN_ON(st->stage == KMEND_APPLIED);
	st->registered = false;
	mutex_unlock(&kmend_mutex);

	/*
	 * Outside the mutex: removal waits for sysfs writers, which take it.
	 * The id stays on the list until its directory is gone, so that an
	 * update loading meanwhile with the same id gets -EEXIST.
	 */
	kobject_del(&st->kobj);
	mutex_lock(&kmend_mutex);
	list_del(&st->node);
	kmend_pre_drop(update);
	kmend_learned_free(st);
	mutex_unlock(&kmend_mutex);
	kobject_put(&st->kobj);
	update->state = NULL;
}
EXPORT_SYMBOL_GPL(kmend_unregister);

static int __init kmend_init(void)
{
	int ret;

	ret = kmend_ksyms_init();
	if (ret)
		return ret;

	ret = kmend_jump_init();
	if (ret)
		return ret;
	kmend_root_kobj = kobject_create_and_add("kmend", kernel_kobj);
	if (!kmend_root_kobj) {
		ret = -ENOMEM;
		goto jump_exit;
	}
	ret = kmend_loadtime_init();
	if (ret)
		goto put_root;
	ret = kmend_module_targets_init();
	if (ret)
		goto loadtime_exit;
	kmend_debugfs_init();
	kmend_alloc_debugfs_init();
	kmend_pre_debugfs_init();

	pr_info("engine loaded\n");
	return 0;

loadtime_exit:
	kmend_loadtime_exit();
put_root:
	kobject_put(kmend_root_kobj);
jump_exit:
	kmend_jump_exit();
	return ret;
}

static void __exit kmend_exit(void)
{
	kmend_module_targets_exit();
	/* no update is left to settle; a queued settle may still run */
	kmend_settle_wait();
	kmend_loadtime_exit();
	kmend_shadow_exit();
	kmend_debugfs_exit();
	kobject_put(kmend_root_kobj);
	kmend_jump_exit();
	pr_info("engine unloaded\n");
}

module_init(kmend_init);
module_exit(kmend_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend live patching engine");
/* /sys/module/kmend/version: the kmend command checks it matches its own */
MODULE_VERSION(KMEND_VERSION);
