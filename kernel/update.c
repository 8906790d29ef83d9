// SPDX-License-Identifier: GPL-2.0
/*
 * update.c - applying and undoing an update: find its functions, prepare
 * their redirection, let its consistency model switch them, and unwind every
 * step if anything fails.
 */
#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/workqueue.h>

#include "alloc.h"
#include "match.h"
#include "model.h"
#include "module_targets.h"
#include "pack.h"
#include "pre.h"
#include "redirect.h"
#include "replace.h"
#include "state.h"
#include "resolve.h"
#include "update.h"

/* Counts applications, so that undo can follow stacking order. */
static u64 kmend_apply_counter;

static void patched_set_add(struct kmend_transition *t, unsigned long start,
			    unsigned long size)
{
	if (!start)
		return;
	t->ranges[t->nr_ranges].start = start;
	t->ranges[t->nr_ranges].end = start + size;
	t->nr_ranges++;
}

/* A function's code, and its cold part if it has one. */
static void patched_set_add_new(struct kmend_transition *t,
				const struct kmend_func *func)
{
	patched_set_add(t, (unsigned long)func->new_func, func->new_size);
	patched_set_add(t, func->new_cold_addr, func->new_cold_size);
}

/*
 * The patched set: for each function, the original, the other code in
 * effect (an earlier update's, when stacked) and the replacement, each
 * with its cold part. Including the original when undoing also catches a
 * task preempted in the ftrace trampoline on its way to the new code.
 */
static int build_patched_set(struct kmend_transition *t)
{
	struct kmend_update *update = t->st->update;
	struct kmend_pack *pack;
	struct kmend_func *func;
	unsigned int n = 0;

	kmend_for_each_pack(update, pack)
		kmend_for_each_func(pack, func)
			n++;
	/* and, for a replace, the functions of the updates it replaces */
	if (kmend_replaces(t->st) && !t->revert)
		n += kmend_replace_count_ranges(t->st);
	t->ranges = kmend_alloc(KMEND_RANGES_PER_FUNC * n * sizeof(*t->ranges));
	if (!t->ranges) {
		t->st->cause = KMEND_OUT_OF_MEMORY;
		return -ENOMEM;
	}
	t->nr_ranges = 0;
	kmend_for_each_pack(update, pack) {
		kmend_for_each_func(pack, func) {
			const struct kmend_func *other = kmend_redirect_other(func);

			patched_set_add(t, func->old_addr, func->old_size);
			patched_set_add(t, func->old_cold_addr,
					func->old_cold_size);
			if (other)
				patched_set_add_new(t, other);
			patched_set_add_new(t, func);
		}
	}
	if (kmend_replaces(t->st) && !t->revert)
		kmend_replace_add_ranges(t->st, t, patched_set_add);
	return 0;
}

static int check_entries(struct kmend_transition *t)
{
	int ret = kmend_redirect_check_entries(t->st, t->st->update, NULL);

	if (!ret && kmend_replaces(t->st) && !t->revert)
		ret = kmend_replace_check_entries(t->st);
	return ret;
}

static int run_model(struct kmend_state *st, bool revert)
{
	const struct kmend_model_ops *model = kmend_model_ops(&st->update->model);
	struct kmend_transition t = { .st = st, .revert = revert };
	int ret;

	if (WARN_ON_ONCE(!model)) {	/* kmend_register() checked it */
		st->cause = KMEND_UNEXPECTED;
		return -EINVAL;
	}
	/*
	 * Entry jumps are written in the stop, checked just before it; also
	 * those of a module target that loads while the model waits.
	 */
	t.check_text = check_entries;
	kmend_transition_begin(st);
	ret = kmend_transition_build(&t, build_patched_set);
	if (!ret)
		ret = model->switch_update(&t);
	kmend_free(t.ranges);
	kmend_transition_end(st);
	return ret;
}

/* The update's TRANSFORM_ON_ACCESS flag, if it has one. */
static void set_on_access(struct kmend_state *st, bool on)
{
	if (!st->update->on_access)
		return;
	WRITE_ONCE(*st->update->on_access, on);
	kmend_log(st, "on_access %s", on ? "on: every task has switched" : "off");
}

/* A transition starts with no cause, no detail and no conflicts. */
static void transition_begin(struct kmend_state *st)
{
	st->cause = KMEND_OK;
	st->abort_detail[0] = '\0';
	st->nr_conflicts = 0;
}

/*
 * Find each target: vmlinux, and each module that is loaded (referenced
 * until the apply ends). A module that is not loaded is patched when it
 * loads, unless the update requires every target.
 */
static int get_targets(struct kmend_state *st)
{
	struct kmend_pack *pack;
	bool going;

	kmend_for_each_pack(st->update, pack) {
		if (kmend_pack_is_vmlinux(pack))
			continue;
		if (!kmend_target_get(pack, &going)) {
			if (kmend_module_ready(pack->mod)) {
				pack->mod_held = true;
				continue;
			}
			/* its COMING notification, waiting for us, patches it */
			kmend_target_put(pack);
			pack->mod = NULL;
			kmend_log(st, "target module %s is loading: its functions switch as its load goes on",
				  pack->target);
			continue;
		}
		if (st->update->flags & KMEND_REQUIRE_TARGETS) {
			kmend_abort(st, KMEND_TARGET_NOT_LOADED,
				    "target module %s is %s, and the update requires every target",
				    pack->target,
				    going ? "being unloaded" : "not loaded");
			return -ENOENT;
		}
		kmend_log(st, "target module %s is %s: its functions switch when it loads",
			  pack->target, going ? "being unloaded" : "not loaded");
	}
	return 0;
}

/* Drop the references get_targets() took; @forget: patched or not, forget. */
static void put_targets(struct kmend_state *st, bool forget)
{
	struct kmend_pack *pack;

	kmend_for_each_pack(st->update, pack) {
		/* not those the module notifier patched during the transition */
		if (pack->mod_held) {
			kmend_target_put(pack);
			pack->mod_held = false;
		}
		/* a patched module keeps its pointer until it goes */
		if (forget || !pack->patched)
			pack->mod = NULL;
	}
}

static bool target_present(const struct kmend_pack *pack)
{
	return kmend_pack_is_vmlinux(pack) || pack->mod;
}

static void release_packs(struct kmend_state *st)
{
	struct kmend_pack *pack;

	kmend_for_each_pack(st->update, pack)
		if (pack->prepared)
			kmend_pack_release(pack);
}

static int prepare_packs(struct kmend_state *st)
{
	struct kmend_pack *pack;
	int ret;

	kmend_for_each_pack(st->update, pack) {
		if (!target_present(pack))
			continue;
		ret = kmend_pack_prepare(st, pack);
		if (ret) {
			release_packs(st);
			return ret;
		}
	}
	return 0;
}

/* pre_patch for every prepared pack, until one refuses. */
static int pre_patch_all(struct kmend_state *st)
{
	struct kmend_pack *pack;
	int ret;

	kmend_for_each_pack(st->update, pack) {
		if (!pack->prepared)
			continue;
		ret = kmend_pre_patch(st, pack);
		if (ret)
			return ret;
	}
	return 0;
}

int kmend_apply(struct kmend_state *st)
{
	struct kmend_pack *pack;
	size_t pre_bytes = 0;
	int ret;

	lockdep_assert_held(&kmend_mutex);

	switch (st->stage) {
	case KMEND_APPLIED:
		kmend_log(st, "apply: already applied; nothing to do");
		return 0;
	case KMEND_REVERSED:
		transition_begin(st);
		kmend_abort(st, KMEND_ALREADY_REVERSED,
			    "apply: refused, the update was reversed; load it again to apply it");
		return -EINVAL;
	case KMEND_PREPARING:
		break;
	}

	transition_begin(st);
	kmend_log(st, "apply: starting");

	/* Held while applied, so that the new code cannot be unloaded. */
	if (!try_module_get(st->update->mod)) {
		kmend_abort(st, KMEND_MODULE_BUSY,
			    "apply: the update module is being unloaded");
		return -EBUSY;
	}
	ret = kmend_states_check(st);
	if (ret)
		goto put_targets;
	/* first: a module target loading meanwhile comes to our notifier */
	if (kmend_replaces(st)) {
		ret = kmend_replace_prepare(st);
		if (ret)
			goto put_targets;
	}
	ret = get_targets(st);
	if (ret)
		goto put_targets;
	ret = prepare_packs(st);
	kmend_learned_free(st);
	if (ret)
		goto put_targets;
	ret = pre_patch_all(st);
	if (!ret)
		ret = run_model(st, false);
	if (ret)
		goto release;

	st->stage = KMEND_APPLIED;
	if (kmend_replaces(st))
		kmend_replace_finish(st);
	set_on_access(st, true);
	st->apply_seq = ++kmend_apply_counter;
	st->applied_at = ktime_get_real_seconds();
	add_taint(TAINT_LIVEPATCH, LOCKDEP_STILL_OK);
	kmend_for_each_pack(st->update, pack)
		if (pack->patched)
			kmend_post_patch(st, pack);
	kmend_replace_forget(st);
	put_targets(st, false);
	/* a module's pack keeps its pre code: the module may load again */
	kmend_for_each_pack(st->update, pack)
		if (kmend_pack_is_vmlinux(pack))
			pre_bytes += kmend_pre_drop_pack(pack);
	if (pre_bytes)
		kmend_log(st, "apply: applied; pre code freed (%zu bytes)", pre_bytes);
	else
		kmend_log(st, "apply: applied");
	return 0;

release:
	/* the transition did not happen: post_unpatch where pre_patch ran */
	kmend_for_each_pack(st->update, pack)
		kmend_post_unpatch(st, pack);
	release_packs(st);
put_targets:
	put_targets(st, true);
	module_put(st->update->mod);
	kmend_log(st, "apply: aborted (%s); nothing was changed",
		  kmend_cause_name(st->cause));
	return ret;
}

static bool share_functions(struct kmend_update *a, struct kmend_update *b)
{
	struct kmend_pack *pa, *pb;
	struct kmend_func *fa, *fb;

	kmend_for_each_pack(a, pa)
		kmend_for_each_func(pa, fa)
			kmend_for_each_pack(b, pb)
				kmend_for_each_func(pb, fb)
					if (fa->old_addr &&
					    fa->old_addr == fb->old_addr)
						return true;
	return false;
}

bool kmend_stacked_on(struct kmend_state *upper, struct kmend_state *lower)
{
	lockdep_assert_held(&kmend_mutex);

	return upper != lower && upper->stage == KMEND_APPLIED &&
	       lower->stage == KMEND_APPLIED &&
	       upper->apply_seq > lower->apply_seq &&
	       share_functions(upper->update, lower->update);
}

/* An update applied later that replaces one of our functions again. */
static struct kmend_state *stacked_above(struct kmend_state *st)
{
	struct kmend_state *other;

	list_for_each_entry(other, &kmend_updates, node)
		if (kmend_stacked_on(other, st))
			return other;
	return NULL;
}

/*
 * An undo that stops with the update still applied: each patched pack
 * whose post_patch has not run (or whose pre_unpatch took it down, or a
 * module target that loaded meanwhile) gets it, and the log says why.
 */
static int undo_aborted(struct kmend_state *st, int ret)
{
	struct kmend_pack *pack;

	kmend_for_each_pack(st->update, pack)
		if (pack->patched && !pack->pre_unpatch_due)
			kmend_post_patch(st, pack);
	kmend_log(st, "undo: aborted (%s); the update stays applied",
		  kmend_cause_name(st->cause));
	return ret;
}

int kmend_revert(struct kmend_state *st)
{
	struct kmend_state *above;
	const char *why;
	struct kmend_pack *pack;
	int ret;

	lockdep_assert_held(&kmend_mutex);

	switch (st->stage) {
	case KMEND_REVERSED:
		transition_begin(st);
		kmend_abort(st, KMEND_ALREADY_REVERSED, "undo: already reversed");
		return -EINVAL;
	case KMEND_PREPARING:
		/*
		 * Never applied: nothing to undo, and it may not be applied
		 * now. No transition either: abort_cause keeps saying why the
		 * last one (an apply reversed on the way, say) stopped.
		 */
		st->stage = KMEND_REVERSED;
		kmend_log(st, "undo: reversed before it was applied");
		return 0;
	case KMEND_APPLIED:
		break;
	}

	transition_begin(st);
	kmend_log(st, "undo: starting");

	/* stacked: an update applied later that uses what this one changed */
	above = stacked_above(st);
	why = "replaces some of the same functions";
	if (!above) {
		above = kmend_states_above(st);
		why = "declares a system state of this one, whose data it may use";
	}
	if (above) {
		kmend_abort(st, KMEND_MODULE_BUSY,
			    "undo: refused, update %s was applied later and %s; undo it first",
			    above->update->id, why);
		return -EBUSY;
	}

	/* calls go through ftrace again for the transition */
	ret = kmend_redirect_unjump(st);
	if (ret)
		return undo_aborted(st, ret);
	kmend_for_each_pack(st->update, pack)
		if (pack->patched)
			kmend_pre_unpatch(st, pack);
	set_on_access(st, false);
	ret = run_model(st, true);
	if (ret) {
		set_on_access(st, true);
		return undo_aborted(st, ret);
	}

	kmend_for_each_pack(st->update, pack) {
		if (pack->prepared)
			kmend_pack_release(pack);
		kmend_post_unpatch(st, pack);
		pack->mod = NULL;
	}
	module_put(st->update->mod);
	st->stage = KMEND_REVERSED;
	st->applied_at = 0;
	kmend_log(st, "undo: reversed");
	return 0;
}

/*
 * Settling writes the jumps and then unregisters the ftrace ops they make
 * useless, which waits for an RCU-tasks grace period: both from work
 * items, so that an apply returns once switched, the second with
 * kmend_mutex released, and a second after the switch, so that an undo
 * soon after (which needs the handlers) does not wait for one.
 */
static void settle_all(struct work_struct *work);
static void handlers_off(struct work_struct *work);
static DECLARE_WORK(settle_work, settle_all);
static DECLARE_DELAYED_WORK(handlers_work, handlers_off);

static void settle_all(struct work_struct *work)
{
	struct kmend_state *st;

	mutex_lock(&kmend_mutex);
	/* a transition's end schedules this again */
	if (!kmend_transition_state())
		list_for_each_entry(st, &kmend_updates, node)
			if (st->stage == KMEND_APPLIED)
				kmend_redirect_settle(st);
	mutex_unlock(&kmend_mutex);
	mod_delayed_work(system_wq, &handlers_work, HZ);
}

static void handlers_off(struct work_struct *work)
{
	if (kmend_redirect_handlers_off())
		mod_delayed_work(system_wq, &handlers_work, HZ);
}

void kmend_settle_all(void)
{
	schedule_work(&settle_work);
}

void kmend_settle_wait(void)
{
	/* each may queue the other, or itself, again */
	while (flush_work(&settle_work) | flush_delayed_work(&handlers_work))
		;
}
