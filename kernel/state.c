// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - system states: what an update declares it changed beyond its
 * code, so that a later update, above all a cumulative one, applies only
 * when it knows those changes (Documentation/livepatch/system-state.rst).
 * The engine only checks versions and finds states; what a state means is
 * the updates' own business, done in their callbacks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "log.h"
#include "module_targets.h"
#include "replace.h"
#include "state.h"

#define kmend_for_each_state(update, s) \
	for (s = (update)->states; s && s->id; s++)

static struct kmend_system_state *find_state(struct kmend_update *update,
					     unsigned long id)
{
	struct kmend_system_state *s;

	kmend_for_each_state(update, s)
		if (s->id == id)
			return s;
	return NULL;
}

int kmend_states_check(struct kmend_state *st)
{
	struct kmend_system_state *old, *mine;
	struct kmend_state *other;

	lockdep_assert_held(&kmend_mutex);

	list_for_each_entry(other, &kmend_updates, node) {
		if (other == st || other->stage != KMEND_APPLIED)
			continue;
		kmend_for_each_state(other->update, old) {
			mine = find_state(st->update, old->id);
			if (!mine && !kmend_replaces(st))
				continue;
			if (!mine) {
				kmend_abort(st, KMEND_INCOMPATIBLE_STATE,
					    "apply: update %s changed system state %lu (version %u), which this replacing update does not declare: it would drop that change unknowingly",
					    other->update->id, old->id, old->version);
				return -EINVAL;
			}
			if (mine->version < old->version) {
				kmend_abort(st, KMEND_INCOMPATIBLE_STATE,
					    "apply: update %s left system state %lu at version %u, newer than this update's %u",
					    other->update->id, old->id, old->version,
					    mine->version);
				return -EINVAL;
			}
		}
	}
	return 0;
}

struct kmend_state *kmend_states_above(struct kmend_state *st)
{
	struct kmend_system_state *s;
	struct kmend_state *other;

	lockdep_assert_held(&kmend_mutex);

	list_for_each_entry(other, &kmend_updates, node) {
		if (other == st || other->stage != KMEND_APPLIED ||
		    other->apply_seq < st->apply_seq)
			continue;
		kmend_for_each_state(st->update, s)
			if (find_state(other->update, s->id))
				return other;
	}
	return NULL;
}

/* The registered update @pack belongs to. */
static struct kmend_state *pack_owner(const struct kmend_pack *pack)
{
	struct kmend_state *st;
	struct kmend_pack *p;

	list_for_each_entry(st, &kmend_updates, node)
		kmend_for_each_pack(st->update, p)
			if (p == pack)
				return st;
	return NULL;
}

struct kmend_system_state *kmend_get_state(struct kmend_pack *pack,
					   unsigned long id)
{
	struct kmend_state *st;

	lockdep_assert_held(&kmend_mutex);

	st = pack_owner(pack);
	return st ? find_state(st->update, id) : NULL;
}
EXPORT_SYMBOL_GPL(kmend_get_state);

/* Was @other applied before @st, and is it still, or replaced by @st? */
static bool applied_before(const struct kmend_state *other,
			   const struct kmend_state *st)
{
	if (other == st)
		return false;
	if (other->stage != KMEND_APPLIED && other->replaced_by != st)
		return false;
	return st->stage != KMEND_APPLIED || other->apply_seq < st->apply_seq;
}

struct kmend_system_state *kmend_get_prev_state(struct kmend_pack *pack,
						unsigned long id)
{
	struct kmend_system_state *found = NULL, *s;
	struct kmend_state *st, *other;
	u64 newest = 0;

	lockdep_assert_held(&kmend_mutex);

	/* as livepatch's: for the update's own apply and undo only */
	st = pack_owner(pack);
	if (!st || kmend_module_event())
		return NULL;
	list_for_each_entry(other, &kmend_updates, node) {
		if (!applied_before(other, st) || other->apply_seq < newest)
			continue;
		s = find_state(other->update, id);
		if (s) {
			found = s;
			newest = other->apply_seq;
		}
	}
	return found;
}
EXPORT_SYMBOL_GPL(kmend_get_prev_state);
