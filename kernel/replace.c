// SPDX-License-Identifier: GPL-2.0
/*
 * replace.c - atomic replace, as the kernel's livepatch has it for a
 * cumulative patch: the new update and the ones it replaces change over in
 * one stop of the machine, so that no task ever runs a mix of them, and a
 * fleet keeps one update per kernel instead of a growing stack.
 *
 * Only models that switch in a stop (switch=kernel) may replace: the
 * replaced updates' functions are switched off in the same stop as the new
 * one's are switched on, and the stack check covers the code of both. The
 * replaced updates are the ones applied when the replace starts; no other
 * transition runs until it ends, so they stay the same.
 */
#include "ksyms.h"
#include "log.h"
#include "pack.h"
#include "redirect.h"
#include "replace.h"

static bool replaced(const struct kmend_state *st, const struct kmend_state *other)
{
	return other != st && other->stage == KMEND_APPLIED;
}

/* Queue the stop's entry jumps, as kmend_replace_switch() will. */
static int queue_jumps(struct kmend_state *st)
{
	struct kmend_state *other;
	int ret;

	/* @st's first: its functions go on top of every stack */
	ret = kmend_redirect_queue(st->update, true, false);
	list_for_each_entry(other, &kmend_updates, node)
		if (!ret && replaced(st, other))
			ret = kmend_redirect_queue(other->update, false, true);
	return ret;
}

int kmend_replace_check_entries(struct kmend_state *st)
{
	struct kmend_state *other;
	int ret;

	list_for_each_entry(other, &kmend_updates, node) {
		if (!replaced(st, other))
			continue;
		ret = kmend_redirect_check_entries(st, other->update, NULL);
		if (ret)
			return ret;
	}
	/* a dry run: a function several of them carry is one jump */
	ret = queue_jumps(st);
	kmend_redirect_queue_drop();
	if (ret) {
		kmend_abort(st, KMEND_NO_FTRACE_SITE,
			    "apply: the replace would write more than %u entry jumps in its stop; undo some of the updates it replaces first",
			    KMEND_MAX_STOP_JUMPS);
		return ret;
	}
	return 0;
}

/*
 * Take back @other's jumps. A module target of @other that loaded during
 * that transition got its pack switched on and its post_patch left for the
 * transition's end: run it now, as an undo that stops does. A failure is
 * @st's: its cause, detail and the tasks in the way go to @st, and @other
 * keeps what its own last transition said.
 */
static int unjump(struct kmend_state *st, struct kmend_state *other)
{
	enum kmend_cause cause = other->cause;
	char detail[KMEND_DETAIL_LEN];
	struct kmend_pack *pack;
	int ret;

	memcpy(detail, other->abort_detail, sizeof(detail));
	ret = kmend_redirect_unjump(other);
	kmend_for_each_pack(other->update, pack)
		if (pack->patched && !pack->pre_unpatch_due)
			kmend_post_patch(other, pack);
	if (ret) {
		kmend_abort(st, other->cause,
			    "apply: the jumps of update %s could not be taken back: %s",
			    other->update->id, other->abort_detail);
		st->nr_conflicts = other->nr_conflicts;
		memcpy(st->conflicts, other->conflicts, sizeof(st->conflicts));
		other->nr_conflicts = 0;
	}
	other->cause = cause;
	memcpy(other->abort_detail, detail, sizeof(detail));
	return ret;
}

int kmend_replace_prepare(struct kmend_state *st)
{
	struct kmend_state *other;
	int ret;

	lockdep_assert_held(&kmend_mutex);

	if (!kmend_model_ops(&st->update->model)->runs_hooks) {
		kmend_abort(st, KMEND_UNEXPECTED,
			    "apply: a replacing update needs a model that switches in a stop (switch=kernel)");
		return -EINVAL;
	}
	/* what is refused before anything else changes (checked again later) */
	mutex_lock(kmend_ksyms.kprobe_mutex);
	ret = kmend_replace_check_entries(st);
	mutex_unlock(kmend_ksyms.kprobe_mutex);
	if (ret)
		return ret;
	/* in any order: each takes back the jumps of the functions it is last on */
	list_for_each_entry(other, &kmend_updates, node) {
		if (!replaced(st, other))
			continue;
		ret = unjump(st, other);
		if (ret)
			return ret;
		kmend_log(st, "replace: update %s goes through ftrace for the switch",
			  other->update->id);
	}
	return 0;
}

void kmend_replace_packs_changed(struct kmend_state *changed)
{
	struct kmend_state *t = kmend_transition_state();

	if (t && t != changed && kmend_replaces(t) && t->stage != KMEND_APPLIED)
		t->packs_changed++;
}

unsigned int kmend_replace_count_ranges(const struct kmend_state *st)
{
	const struct kmend_state *other;
	struct kmend_pack *pack;
	struct kmend_func *func;
	unsigned int n = 0;

	list_for_each_entry(other, &kmend_updates, node) {
		if (!replaced(st, other))
			continue;
		n++;		/* its module's text */
		kmend_for_each_pack(other->update, pack)
			kmend_for_each_func(pack, func)
				n++;
	}
	return n;
}

void kmend_replace_add_ranges(const struct kmend_state *st, struct kmend_transition *t,
			      void (*add)(struct kmend_transition *t,
					  unsigned long start, unsigned long size))
{
	const struct kmend_state *other;
	struct kmend_pack *pack;
	struct kmend_func *func;

	/*
	 * The original, where calls go back to, and the code that goes away:
	 * all of the replaced update's module text, which is unloaded next
	 * (helpers its functions call, whatever else it runs).
	 */
	list_for_each_entry(other, &kmend_updates, node) {
		if (!replaced(st, other))
			continue;
		add(t, (unsigned long)other->update->mod->core_layout.base,
		    other->update->mod->core_layout.text_size);
		kmend_for_each_pack(other->update, pack)
			kmend_for_each_func(pack, func) {
				if (!func->patched)
					continue;
				add(t, func->old_addr, func->old_size);
				add(t, func->old_cold_addr, func->old_cold_size);
				add(t, (unsigned long)func->new_func, func->new_size);
				add(t, func->new_cold_addr, func->new_cold_size);
			}
	}
}

int kmend_replace_switch(struct kmend_state *st)
{
	struct kmend_state *other;
	int ret;

	/*
	 * One write of every entry jump: a function @st carries jumps to its
	 * code, one it does not gets its own bytes back. Nothing switches
	 * unless all are written.
	 */
	ret = queue_jumps(st);	/* a failure empties the queue */
	if (!ret)
		ret = kmend_redirect_write_queued();
	if (ret)
		return ret;
	kmend_redirect_switch_packs(st->update, true, KMEND_JUMP_STOPPED);
	list_for_each_entry(other, &kmend_updates, node)
		if (replaced(st, other))
			kmend_redirect_switch_packs(other->update, false,
						    KMEND_JUMP_STOPPED);
	return 0;
}

void kmend_replace_finish(struct kmend_state *st)
{
	struct kmend_state *other, *next;
	struct kmend_pack *pack;

	list_for_each_entry_safe(other, next, &kmend_updates, node) {
		if (!replaced(st, other))
			continue;
		if (other->update->on_access)
			WRITE_ONCE(*other->update->on_access, false);
		kmend_for_each_pack(other->update, pack) {
			if (pack->prepared)
				kmend_pack_release(pack);
			pack->mod = NULL;
		}
		module_put(other->update->mod);
		other->replaced_by = st;
		other->stage = KMEND_REVERSED;
		other->applied_at = 0;
		kmend_log(other, "replaced by update %s, in one stop: reversed without its callbacks, as livepatch's atomic replace does",
			  st->update->id);
		kmend_log(st, "replace: update %s replaced", other->update->id);
	}
}

void kmend_replace_forget(struct kmend_state *st)
{
	struct kmend_state *other;

	list_for_each_entry(other, &kmend_updates, node)
		if (other->replaced_by == st)
			other->replaced_by = NULL;
}
