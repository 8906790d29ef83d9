// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c - /sys/kernel/kmend/<id>/, the interface of Ksplice's kernel half:
 * stage, abort_cause, conflicts and debug, plus model, functions,
 * description, abort_detail, module, applied_at, stacked_on, targets and
 * transition.
 * See docs/sysfs-abi.md.
 */
#include <linux/ctype.h>
#include <linux/kallsyms.h>
#include <linux/kobject.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "alloc.h"
#include "model.h"
#include "redirect.h"
#include "switch_thread.h"
#include "sysfs.h"
#include "update.h"

#define to_state(k) container_of(k, struct kmend_state, kobj)

static ssize_t stage_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  kmend_stage_name(READ_ONCE(to_state(kobj)->stage)));
}

static ssize_t stage_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	struct kmend_state *st = to_state(kobj);
	bool applied = sysfs_streq(buf, "applied");
	int ret;

	if (!applied && !sysfs_streq(buf, "reversed"))
		return -EINVAL;
	/*
	 * A per-task transition of this update may be running: ask it to end
	 * this way (reversing it if it goes the other) and wait for it; then
	 * the request is carried out as usual.
	 */
	ret = kmend_thread_request(st, applied);
	if (ret && ret != -ENOENT)
		return ret;
	/*
	 * Interruptible: a transition may hold it for long (and a
	 * transition's wakeup of this task is no reason to fail the write).
	 */
	if (mutex_lock_interruptible(&kmend_mutex))
		return -ERESTARTSYS;
	/* another transition releases the mutex while it waits: not now */
	if (kmend_transition_wait_idle())
		return -ERESTARTSYS;
	if (!st->registered)
		ret = -ENODEV;
	else if (!ret && st->stage == (applied ? KMEND_APPLIED : KMEND_REVERSED))
		ret = 0;	/* the transition waited for ended this way */
	else if (applied)
		ret = kmend_apply(st);
	else
		ret = kmend_revert(st);
	kmend_settle_all();
	mutex_unlock(&kmend_mutex);

	return ret ? ret : count;
}

static ssize_t abort_cause_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  kmend_cause_name(READ_ONCE(to_state(kobj)->cause)));
}

/*
 * Append @line to a sysfs buffer if it fits whole; else end with "...".
 * Returns false once the buffer is full.
 */
static bool emit_line(char *buf, ssize_t *len, const char *line)
{
	size_t n = strlen(line);

	if (*len + n + sizeof("...\n") > PAGE_SIZE) {
		*len += sysfs_emit_at(buf, *len, "...\n");
		return false;
	}
	*len += sysfs_emit_at(buf, *len, "%s", line);
	return true;
}

/*
 * A task's name as one word of a line: any byte that is not printable, or
 * is a space, becomes '_' (a task names itself: it must not forge a line).
 */
static void comm_word(char *dst, const char *comm)
{
	size_t i;

	for (i = 0; i < TASK_COMM_LEN - 1 && comm[i]; i++)
		dst[i] = isgraph(comm[i]) ? comm[i] : '_';
	dst[i] = '\0';
	if (!i)
		strscpy(dst, "?", TASK_COMM_LEN);
}

/* "<comm> <pid> <function>" per task. */
static ssize_t conflicts_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct kmend_state *st = to_state(kobj);
	char line[TASK_COMM_LEN + KSYM_SYMBOL_LEN + 16];
	unsigned int i, n;
	ssize_t len = 0;

	if (mutex_lock_interruptible(&kmend_mutex))
		return -ERESTARTSYS;
	n = min_t(unsigned int, st->nr_conflicts, KMEND_MAX_CONFLICTS);
	for (i = 0; i < n; i++) {
		struct kmend_conflict *c = &st->conflicts[i];
		char comm[TASK_COMM_LEN];
		char func[KSYM_SYMBOL_LEN] = "unreliable_stack";

		comm_word(comm, c->comm);
		if (c->addr) {
			/* %ps adds " [module]" for module code: keep the name. */
			snprintf(func, sizeof(func), "%ps", (void *)c->addr);
			strreplace(func, ' ', '\0');
		}
		snprintf(line, sizeof(line), "%s %d %s\n", comm, c->pid, func);
		if (!emit_line(buf, &len, line))
			break;
	}
	mutex_unlock(&kmend_mutex);
	return len;
}

static ssize_t debug_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(to_state(kobj)->debug));
}

static ssize_t debug_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	bool debug;
	int ret = kstrtobool(buf, &debug);

	if (ret)
		return ret;
	WRITE_ONCE(to_state(kobj)->debug, debug);
	return count;
}

static ssize_t model_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	char model[64];

	kmend_model_print(&to_state(kobj)->update->model, model, sizeof(model));
	return sysfs_emit(buf, "%s\n", model);
}

/*
 * "<target> <old function> -> <new function> [<module>]" per function, and
 * while it is switched on, how calls get there: "via=jump",
 * "via=entry_jump" (no ftrace site: a jump over its first bytes), "via=ftrace"
 * (also until the jump goes in, soon after the switch),
 * "via=ftrace:<why no jump>", or "via=superseded" (a later update's
 * replacement of the same function runs instead).
 */
static ssize_t functions_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct kmend_update *update = to_state(kobj)->update;
	char line[2 * KSYM_SYMBOL_LEN + MODULE_NAME_LEN + 48];
	struct kmend_pack *pack;
	struct kmend_func *func;
	const char *path;
	ssize_t len = 0;

	if (mutex_lock_interruptible(&kmend_mutex))
		return -ERESTARTSYS;
	kmend_for_each_pack(update, pack)
		kmend_for_each_func(pack, func) {
			path = kmend_redirect_path(func);
			snprintf(line, sizeof(line), "%s %s -> %ps%s%s%s\n",
				 kmend_pack_name(pack), func->old_name,
				 func->new_func, path ? " via=" : "",
				 path && strcmp(path, "jump") &&
				 strcmp(path, "entry_jump") &&
				 strcmp(path, "ftrace") &&
				 strcmp(path, "superseded") ? "ftrace:" : "",
				 path ? path : "");
			if (!emit_line(buf, &len, line))
				goto out;
		}
out:
	mutex_unlock(&kmend_mutex);
	return len;
}

/*
 * "<target> <state>" per target object: patched, or, while the update is
 * applied, waiting (a module not loaded: patched when it loads).
 */
static ssize_t targets_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct kmend_state *st = to_state(kobj);
	struct kmend_pack *pack;
	ssize_t len = 0;

	if (mutex_lock_interruptible(&kmend_mutex))
		return -ERESTARTSYS;
	kmend_for_each_pack(st->update, pack)
		len += sysfs_emit_at(buf, len, "%s %s\n", kmend_pack_name(pack),
				     pack->patched ? "patched" :
				     st->stage == KMEND_APPLIED ? "waiting" :
				     "unpatched");
	mutex_unlock(&kmend_mutex);
	return len;
}

static ssize_t description_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	const char *d = to_state(kobj)->update->description;

	return sysfs_emit(buf, "%s\n", d ? d : "");
}

static ssize_t abort_detail_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct kmend_state *st = to_state(kobj);
	ssize_t len;

	if (mutex_lock_interruptible(&kmend_mutex))
		return -ERESTARTSYS;
	len = st->abort_detail[0] ?
		sysfs_emit(buf, "%s\n", st->abort_detail) : 0;
	mutex_unlock(&kmend_mutex);
	return len;
}

static ssize_t module_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", to_state(kobj)->update->mod->name);
}

static ssize_t applied_at_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (long long)READ_ONCE(to_state(kobj)->applied_at));
}

/* The ids of the applied updates this one was stacked on, one per line. */
static ssize_t stacked_on_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct kmend_state *st = to_state(kobj), *lower;
	char line[KMEND_ID_MAX + 2];
	ssize_t len = 0;

	if (mutex_lock_interruptible(&kmend_mutex))
		return -ERESTARTSYS;
	list_for_each_entry(lower, &kmend_updates, node) {
		if (!kmend_stacked_on(st, lower))
			continue;
		snprintf(line, sizeof(line), "%s\n", lower->update->id);
		if (!emit_line(buf, &len, line))
			break;
	}
	mutex_unlock(&kmend_mutex);
	return len;
}

static ssize_t transition_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return kmend_thread_show(to_state(kobj), buf);
}

static struct kobj_attribute transition_attr = __ATTR(transition, 0400,
						      transition_show, NULL);
static struct kobj_attribute stage_attr = __ATTR(stage, 0600, stage_show,
						 stage_store);
static struct kobj_attribute abort_cause_attr = __ATTR(abort_cause, 0400,
						       abort_cause_show, NULL);
static struct kobj_attribute conflicts_attr = __ATTR(conflicts, 0400,
						     conflicts_show, NULL);
static struct kobj_attribute debug_attr = __ATTR(debug, 0600, debug_show,
						 debug_store);
static struct kobj_attribute model_attr = __ATTR(model, 0400, model_show, NULL);
static struct kobj_attribute functions_attr = __ATTR(functions, 0400,
						     functions_show, NULL);
static struct kobj_attribute description_attr = __ATTR(description, 0400,
							description_show, NULL);

static struct kobj_attribute targets_attr = __ATTR(targets, 0400, targets_show,
						   NULL);
static struct kobj_attribute abort_detail_attr = __ATTR(abort_detail, 0400,
							 abort_detail_show, NULL);
static struct kobj_attribute module_attr = __ATTR(module, 0400, module_show,
						  NULL);
static struct kobj_attribute applied_at_attr = __ATTR(applied_at, 0400,
						      applied_at_show, NULL);
static struct kobj_attribute stacked_on_attr = __ATTR(stacked_on, 0400,
						      stacked_on_show, NULL);

static struct attribute *kmend_state_attrs[] = {
	&stage_attr.attr,
	&abort_cause_attr.attr,
	&conflicts_attr.attr,
	&debug_attr.attr,
	&model_attr.attr,
	&functions_attr.attr,
	&description_attr.attr,
	&abort_detail_attr.attr,
	&module_attr.attr,
	&applied_at_attr.attr,
	&stacked_on_attr.attr,
	&targets_attr.attr,
	&transition_attr.attr,
	NULL
};
ATTRIBUTE_GROUPS(kmend_state);

static void kmend_state_release(struct kobject *kobj)
{
	struct kmend_state *st = to_state(kobj);

	kmend_log_exit(st);
	kmend_free(st);
}

const struct kobj_type kmend_state_ktype = {
	.release = kmend_state_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = kmend_state_groups,
};
