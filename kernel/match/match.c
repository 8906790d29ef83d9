// SPDX-License-Identifier: GPL-2.0
/*
 * match.c - run-pre matching in the engine: read each running function,
 * hand it to the shared matcher (match_core.c), keep what it learns.
 */
#include <linux/kallsyms.h>
#include <linux/uaccess.h>

#include "alloc.h"
#include "ksyms.h"
#include "jump.h"
#include "redirect.h"
#include "match.h"
#include "match_core.h"
#include "resolve.h"

struct learn_ctx {
	struct kmend_state *st;
	const struct kmend_pack *pack;
	const char *func;
	unsigned int unit;
	bool conflict_logged;
	bool nomem;
};

static int learn(void *data, const char *symbol, unsigned long value,
		 unsigned int offset)
{
	struct learn_ctx *c = data;
	struct kmend_state *st = c->st;
	struct kmend_learned *l;
	unsigned int i;

	for (i = 0; i < st->nr_learned; i++) {
		l = &st->learned[i];
		if (l->pack != c->pack || l->unit != c->unit || strcmp(l->name, symbol))
			continue;
		if (l->value == value)
			return 0;
		kmend_log(st, "%s: %s at +%#x refers to %s at %pS, but earlier code found it at %pS",
			  kmend_pack_name(c->pack), c->func, offset, symbol,
			  (void *)value, (void *)l->value);
		c->conflict_logged = true;
		return 1;
	}
	if (st->nr_learned == st->max_learned) {
		unsigned int max = st->max_learned ? 2 * st->max_learned : 64;
		struct kmend_learned *grown = kmend_alloc(max * sizeof(*grown));

		if (!grown) {
			c->nomem = true;
			return 1;
		}
		if (st->learned)
			memcpy(grown, st->learned, st->nr_learned * sizeof(*grown));
		kmend_free(st->learned);
		st->learned = grown;
		st->max_learned = max;
	}
	st->learned[st->nr_learned++] = (struct kmend_learned){
		.pack = c->pack, .unit = c->unit, .name = symbol, .value = value,
	};
	return 0;
}

/*
 * Match @pre, the pre code of @name, at @addr; log why not (when @quiet is
 * false).
 */
static int match_at(struct kmend_state *st, struct kmend_pack *pack,
		    const char *name, const struct kmend_pre_func *pre,
		    unsigned long addr, unsigned long size, bool learning,
		    bool quiet)
{
	struct learn_ctx c = {
		.st = st, .pack = pack, .func = name, .unit = pre->unit,
	};
	struct kmend_mismatch mm;
	unsigned char *running;
	unsigned int n = 0;
	bool ok, probed = false;

	if (size > pre->size + 4096)
		size = pre->size + 4096;
	running = kmend_alloc(size);
	if (!running) {
		st->cause = KMEND_OUT_OF_MEMORY;
		return -ENOMEM;
	}
	/* ftrace, jump labels and static calls rewrite code under text_mutex */
	mutex_lock(kmend_ksyms.text_mutex);
	if (copy_from_kernel_nofault(running, (void *)addr, size)) {
		mutex_unlock(kmend_ksyms.text_mutex);
		kmend_free(running);
		kmend_log(st, "%s: cannot read %s at %pS", kmend_pack_name(pack),
			  name, (void *)addr);
		st->cause = KMEND_UNEXPECTED;
		return -EFAULT;
	}
	mutex_unlock(kmend_ksyms.text_mutex);
	/* an update applied earlier may jump from these bytes: see past it */
	kmend_redirect_own_bytes(addr, running, size);
	ok = kmend_match(pre, running, size, addr, learning ? learn : NULL, &c, &mm);
	if (!ok && !quiet && !c.conflict_logged && !c.nomem) {
		unsigned int at = min(mm.offset, pre->size);
		unsigned int r = min_t(unsigned long, 16, size - min_t(unsigned long, at, size));
		/* an optimized probe's jump covers the bytes after its address */
		unsigned long probe = kmend_kprobe_within(addr + at - min(at, 16U),
							  addr + at + 1);

		n = min(16U, pre->size - at);
		if (probe) {
			kmend_abort(st, KMEND_CODE_BUSY,
				    "%s: %s: a kprobe at %pS stands in its running code at +%#x; remove it, then apply",
				    kmend_pack_name(pack), name, (void *)probe,
				    mm.offset);
			probed = true;
		} else {
			kmend_abort(st, KMEND_NO_MATCH,
				    "%s: %s does not match its pre code at +%#x: %s; expected %*ph, running %*ph",
				    kmend_pack_name(pack), name, mm.offset, mm.why,
				    n, pre->code + at, r,
				    running + min_t(unsigned long, at, size));
		}
	}
	kmend_free(running);
	if (c.nomem) {
		st->cause = KMEND_OUT_OF_MEMORY;
		return -ENOMEM;
	}
	if (!ok) {
		st->cause = probed ? KMEND_CODE_BUSY : KMEND_NO_MATCH;
		return -EINVAL;
	}
	return 0;
}

/*
 * The cold part too: its code is the function's as much as the rest, and
 * what only its unlikely paths refer to is read from it.
 */
static int match_cold(struct kmend_state *st, struct kmend_pack *pack,
		      struct kmend_func *func)
{
	char name[KSYM_NAME_LEN + 8];

	snprintf(name, sizeof(name), "%s.cold", func->old_name);
	if (!func->old_cold_addr) {
		kmend_abort(st, KMEND_NO_MATCH,
			    "%s: the pre code of %s has a cold part, and the running %s has none",
			    kmend_pack_name(pack), func->old_name, func->old_name);
		return -EINVAL;
	}
	return match_at(st, pack, name, func->pre_copy->cold,
			func->old_cold_addr, func->old_cold_size, true, false);
}

int kmend_match_pack(struct kmend_state *st, struct kmend_pack *pack)
{
	unsigned int matched = 0, cold = 0;
	struct kmend_func *func;
	int ret;

	kmend_for_each_func(pack, func) {
		if (!func->pre_copy)
			continue;
		ret = match_at(st, pack, func->old_name, func->pre_copy,
			       func->old_addr, func->old_size, true, false);
		if (!ret && func->pre_copy->cold)
			ret = match_cold(st, pack, func);
		if (ret) {
			kmend_learned_free(st);
			return ret;
		}
		kmend_dbg(st, "%s: %s matches its pre code (%u bytes, %u sites)",
			  kmend_pack_name(pack), func->old_name,
			  func->pre_copy->size, func->pre_copy->nr_sites);
		matched++;
		cold += !!func->pre_copy->cold;
	}
	if (matched)
		kmend_log(st, "run-pre matching: %u function%s of %s match%s the running code, with %u cold part%s; %u symbol values read from it",
			  matched, matched == 1 ? "" : "s", kmend_pack_name(pack),
			  matched == 1 ? "es" : "", cold, cold == 1 ? "" : "s",
			  st->nr_learned);
	return 0;
}

int kmend_match_pick(struct kmend_state *st, struct kmend_pack *pack,
		     struct kmend_func *func, unsigned long count,
		     unsigned long *addr)
{
	const char *target = kmend_pack_is_vmlinux(pack) ? NULL : pack->target;
	unsigned long pos, found = 0, n = 0, candidate, size, offset, ignored;
	int ret;

	for (pos = 1; pos <= count; pos++) {
		if (kmend_lookup(target, func->old_name, pos, &candidate, &ignored) ||
		    !kmend_ksyms.lookup_size_offset(candidate, &size, &offset) || offset)
			continue;
		ret = match_at(st, pack, func->old_name, func->pre_copy,
			       candidate, size, false, true);
		if (!ret) {
			found = candidate;
			n++;
		} else if (ret != -EINVAL) {
			return ret;	/* out of memory, unreadable: cause set */
		}
	}
	st->cause = KMEND_OK;
	if (n == 1) {
		kmend_log(st, "%s: of %lu functions named %s, the pre code matches %pS",
			  kmend_pack_name(pack), count, func->old_name, (void *)found);
		*addr = found;
		return 0;
	}
	kmend_abort(st, n ? KMEND_FAILED_TO_FIND : KMEND_NO_MATCH,
		    "%s: of %lu functions named %s, the pre code matches %lu",
		    kmend_pack_name(pack), count, func->old_name, n);
	return -ENOENT;
}

bool kmend_learned_value(struct kmend_state *st, const struct kmend_pack *pack,
			 unsigned int unit, const char *name,
			 unsigned long *value)
{
	unsigned int i;

	if (!unit)
		return false;
	for (i = 0; i < st->nr_learned; i++) {
		if (st->learned[i].pack == pack && st->learned[i].unit == unit &&
		    !strcmp(st->learned[i].name, name)) {
			*value = st->learned[i].value;
			return true;
		}
	}
	return false;
}

void kmend_learned_free(struct kmend_state *st)
{
	kmend_free(st->learned);
	st->learned = NULL;
	st->nr_learned = 0;
	st->max_learned = 0;
}
