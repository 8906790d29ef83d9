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
#include "pack.h"
#include "redirect.h"
#include "replace.h"

static bool replaced(const struct kmend_state *st, const struct kmend_state *other)
{
	return other != st && other->stage == KMEND_APPLIED;
}

int kmend_replace_prepare(struct kmend_state *st)
{
	struct kmend_state *other;
	struct kmend_pack *pack;
	struct kmend_func *func;
	int ret;

	lockdep_assert_held(&kmend_mutex);

	if (!kmend_model_ops(&st->update->model)->runs_hooks) {
		kmend_abort(st, KMEND_UNEXPECTED,
			    "apply: a replacing update needs a model that switches in a stop (switch=kernel)");
		return -EINVAL;
	}
	list_for_each_entry(other, &kmend_updates, node) {
		if (!replaced(st, other))
			continue;
		kmend_for_each_pack(other->update, pack)
			kmend_for_each_func(pack, func)
				if (func->patched && func->ops->entry) {
					kmend_abort(st, KMEND_NO_FTRACE_SITE,
						    "apply: update %s reaches %s by a jump at its entry, which a replace cannot take over yet; undo %s first",
						    other->update->id, func->old_name,
						    other->update->id);
					return -EINVAL;
				}
	}
	/* newest first: each takes back the jumps of the functions it is last on */
	list_for_each_entry_reverse(other, &kmend_updates, node) {
		if (!replaced(st, other))
			continue;
		ret = kmend_redirect_unjump(other);
		if (ret) {
			st->cause = other->cause;
			kmend_abort(st, other->cause,
				    "apply: the jumps of update %s could not be taken back: %s",
				    other->update->id, other->abort_detail);
			return ret;
		}
		kmend_log(st, "replace: update %s goes through ftrace for the switch",
			  other->update->id);
	}
	return 0;
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

	/* the original, where calls go back to, and the code that goes away */
	list_for_each_entry(other, &kmend_updates, node) {
		if (!replaced(st, other))
			continue;
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

void kmend_replace_switch_off(struct kmend_state *st)
{
	struct kmend_state *other;

	/* no entry jumps among them (kmend_replace_prepare()): nothing to write */
	list_for_each_entry(other, &kmend_updates, node)
		if (replaced(st, other))
			kmend_redirect_switch(other->update, false, KMEND_JUMP_STOPPED);
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
		other->stage = KMEND_REVERSED;
		other->applied_at = 0;
		kmend_log(other, "replaced by update %s, in one stop: reversed without its callbacks, as livepatch's atomic replace does",
			  st->update->id);
		kmend_log(st, "replace: update %s replaced", other->update->id);
	}
}
