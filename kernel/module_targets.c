// SPDX-License-Identifier: GPL-2.0
/*
 * module_targets.c - the packs of applied updates for modules that load or
 * unload while the updates are applied, as the kernel's livepatch does in
 * klp_module_coming() and klp_module_going().
 *
 * A coming module has not run its init: nothing runs its code, so its pack
 * switches on at once, with no stop and no stack check. A going module has
 * run its exit; its pack switches off, and unregistering its ftrace ops
 * waits for any handler still running.
 *
 * A model waiting for tasks releases kmend_mutex, so a module may come or
 * go while an update is in transition. Its pack then follows the rest of
 * the update: it switches on only if the update's code is on now (and, in
 * a per-task transition, calls ask the universe as for the others); its
 * post_patch waits for the end of the transition, which runs it if the
 * update ends up applied, as the kernel's livepatch does. The transition
 * is told (packs_changed), so that its patched set takes the module's
 * code in or out before it looks at a task again.
 */
#include <linux/module.h>
#include <linux/notifier.h>

#include "alloc.h"
#include "ksyms.h"
#include "match.h"
#include "model.h"
#include "module_targets.h"
#include "pack.h"
#include "redirect.h"
#include "replace.h"
#include "update.h"

/*
 * Modules this notifier has seen coming, and not yet live or gone; under
 * kmend_mutex. An apply may patch a coming module only once its COMING
 * notification is done: before that, the notifier patches it (in apply
 * order), and only then will the module get a GOING if its load fails.
 */
struct coming {
	struct list_head node;
	struct module *mod;
};
static LIST_HEAD(coming_modules);

bool kmend_module_ready(struct module *mod)
{
	struct coming *c;

	lockdep_assert_held(&kmend_mutex);
	if (mod->state == MODULE_STATE_LIVE)
		return true;
	list_for_each_entry(c, &coming_modules, node)
		if (c->mod == mod)
			return true;
	return false;
}

/* Forget @mod (NULL: every module). */
static void forget_coming(struct module *mod)
{
	struct coming *c, *tmp;

	list_for_each_entry_safe(c, tmp, &coming_modules, node) {
		if (!mod || c->mod == mod) {
			list_del(&c->node);
			kmend_free(c);
		}
	}
}

static struct kmend_pack *pack_for(struct kmend_update *update,
				   struct module *mod)
{
	struct kmend_pack *pack;

	kmend_for_each_pack(update, pack)
		if (!kmend_pack_is_vmlinux(pack) && !strcmp(pack->target, mod->name))
			return pack;
	return NULL;
}

/*
 * The applied update after @prev (NULL: the first) in the order they were
 * applied (@reverse: latest first), so that stacked updates of one module
 * function stack in the same order as when the module was loaded.
 */
static struct kmend_state *next_applied(struct kmend_state *prev, bool reverse)
{
	struct kmend_state *st, *best = NULL;

	list_for_each_entry(st, &kmend_updates, node) {
		if (st->stage != KMEND_APPLIED)
			continue;
		if (prev && (reverse ? st->apply_seq >= prev->apply_seq :
				       st->apply_seq <= prev->apply_seq))
			continue;
		if (!best || (reverse ? st->apply_seq > best->apply_seq :
					st->apply_seq < best->apply_seq))
			best = st;
	}
	return best;
}

static void unpatch(struct kmend_state *st, struct kmend_pack *pack)
{
	if (pack->patched) {
		kmend_pre_unpatch(st, pack);
		kmend_redirect_switch_pack(pack, false, KMEND_JUMP_GONE);
	}
	if (pack->prepared)
		kmend_pack_release(pack);
	kmend_post_unpatch(st, pack);
	pack->mod = NULL;
}

/* Is any code of @update switched on now? */
static bool update_live(struct kmend_update *update)
{
	struct kmend_pack *pack;

	kmend_for_each_pack(update, pack)
		if (pack->patched)
			return true;
	return false;
}

static int patch_coming(struct kmend_state *st, struct kmend_pack *pack,
			struct module *mod)
{
	enum kmend_cause cause = st->cause;
	char detail[KMEND_DETAIL_LEN];
	int ret;

	kmend_log(st, "module %s is loading: patching it%s", mod->name,
		  st->in_transition ? " (the update is in transition)" : "");
	/* a transition's own cause is not this module's: kept for it */
	if (st->in_transition)
		memcpy(detail, st->abort_detail, sizeof(detail));
	st->cause = KMEND_OK;
	pack->mod = mod;
	ret = kmend_pack_prepare(st, pack);
	kmend_learned_free(st);
	if (!ret)
		ret = kmend_pre_patch(st, pack);
	/* kprobe_mutex until its entry jumps are written (jump.c) */
	mutex_lock(kmend_ksyms.kprobe_mutex);
	if (!ret)
		ret = kmend_redirect_check_entries(st, st->update, pack);
	if (ret) {
		mutex_unlock(kmend_ksyms.kprobe_mutex);
		unpatch(st, pack);
		pr_err("kmend: update %s cannot patch module %s (%s); refusing to load it\n",
		       st->update->id, mod->name, kmend_cause_name(st->cause));
		if (st->in_transition) {
			st->cause = cause;
			memcpy(st->abort_detail, detail, sizeof(detail));
		}
		return ret;
	}
	if (st->in_transition) {
		st->cause = cause;
		st->packs_changed++;
		if (!update_live(st->update)) {
			mutex_unlock(kmend_ksyms.kprobe_mutex);
			kmend_log(st, "module %s: ready; it switches with the rest of the update",
				  mod->name);
			return 0;
		}
		kmend_redirect_switch_pack(pack, true, KMEND_JUMP_UNUSED);
		mutex_unlock(kmend_ksyms.kprobe_mutex);
		kmend_log(st, "module %s: patched before its init; post_patch at the end of the transition",
			  mod->name);
		return 0;
	}
	kmend_redirect_switch_pack(pack, true, KMEND_JUMP_UNUSED);
	mutex_unlock(kmend_ksyms.kprobe_mutex);
	kmend_replace_packs_changed(st);
	kmend_post_patch(st, pack);
	kmend_log(st, "module %s: patched before its init", mod->name);
	return 0;
}

/* An update being applied, not yet in the applied list, comes last. */
static struct kmend_state *applying(void)
{
	struct kmend_state *st = kmend_transition_state();

	return st && st->stage != KMEND_APPLIED ? st : NULL;
}

static void unpatch_going_one(struct kmend_state *st, struct module *mod)
{
	struct kmend_pack *pack = pack_for(st->update, mod);

	if (!pack || pack->mod != mod)
		return;
	unpatch(st, pack);
	if (st->in_transition)
		st->packs_changed++;
	kmend_replace_packs_changed(st);
	kmend_log(st, "module %s is unloading: unpatched it", mod->name);
}

/* Unpatch every pack patched for @mod, latest first. */
static void unpatch_going(struct module *mod)
{
	struct kmend_state *st = applying();

	if (st)
		unpatch_going_one(st, mod);
	for (st = next_applied(NULL, true); st; st = next_applied(st, true))
		unpatch_going_one(st, mod);
}

/* After @st in apply order: the next applied update, then one applying. */
static struct kmend_state *next_coming(struct kmend_state *st)
{
	struct kmend_state *next;

	if (st == applying())
		return NULL;
	next = next_applied(st, false);
	return next ? next : applying();
}

static int module_coming(struct module *mod)
{
	struct coming *c = kmend_alloc(sizeof(*c));
	struct kmend_state *st;
	struct kmend_pack *pack;
	int ret;

	if (!c)
		return -ENOMEM;
	c->mod = mod;
	st = next_applied(NULL, false);
	for (st = st ? st : applying(); st; st = next_coming(st)) {
		pack = pack_for(st->update, mod);
		if (!pack || pack->prepared)	/* an apply just did it */
			continue;
		ret = patch_coming(st, pack, mod);
		if (ret) {
			/* a refused module gets no GOING from this notifier */
			unpatch_going(mod);
			kmend_free(c);
			return ret;
		}
	}
	list_add(&c->node, &coming_modules);
	return 0;
}

/* The notifier is running callbacks of a module coming or going. */
static bool module_event;

bool kmend_module_event(void)
{
	lockdep_assert_held(&kmend_mutex);
	return module_event;
}

static int kmend_module_targets_notify(struct notifier_block *nb,
				       unsigned long action, void *data)
{
	struct module *mod = data;
	int ret = 0;

	mutex_lock(&kmend_mutex);
	module_event = true;
	switch (action) {
	case MODULE_STATE_COMING:
		ret = module_coming(mod);
		break;
	case MODULE_STATE_LIVE:
		forget_coming(mod);
		break;
	case MODULE_STATE_GOING:
		forget_coming(mod);
		unpatch_going(mod);
		break;
	}
	module_event = false;
	kmend_settle_all();
	mutex_unlock(&kmend_mutex);
	return ret ? notifier_from_errno(ret) : NOTIFY_OK;
}

static struct notifier_block kmend_module_targets_nb = {
	.notifier_call = kmend_module_targets_notify,
};

int kmend_module_targets_init(void)
{
	return register_module_notifier(&kmend_module_targets_nb);
}

void kmend_module_targets_exit(void)
{
	unregister_module_notifier(&kmend_module_targets_nb);
	mutex_lock(&kmend_mutex);
	forget_coming(NULL);
	mutex_unlock(&kmend_mutex);
}
