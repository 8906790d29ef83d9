// SPDX-License-Identifier: GPL-2.0
/*
 * resolve.c - finding the functions an update replaces in the running kernel.
 */
#include <linux/module.h>
#include <linux/string.h>

#include "ksyms.h"
#include "match.h"
#include "resolve.h"

struct lookup {
	const char *target;	/* module name, or NULL for vmlinux */
	const char *name;
	unsigned long sympos;
	unsigned long count;	/* symbols of that name seen */
	unsigned long addr;	/* the chosen one */
	struct module *mod;	/* referenced module owning it */
	bool mod_seen;		/* the target module is loaded */
};

/* Count the symbols called l->name; keep the one old_sympos asks for. */
static int match_symbol(void *data, const char *name, struct module *mod,
			unsigned long addr)
{
	struct lookup *l = data;

	if (l->target) {
		if (!mod || strcmp(mod->name, l->target))
			return 0;
		/* a coming module lists its init symbols too; they go after init */
		if (within_module_init(addr, mod))
			return 0;
		/* module_mutex is held here, so the module cannot go away. */
		if (!l->mod_seen) {
			l->mod_seen = true;
			if (try_module_get(mod))
				l->mod = mod;
		}
	}
	if (strcmp(name, l->name))
		return 0;

	l->count++;
	if ((l->sympos == 0 && l->count == 1) || l->count == l->sympos)
		l->addr = addr;
	/* Counting further only matters for telling duplicates apart. */
	return l->sympos && l->count == l->sympos;
}

int kmend_target_get(struct kmend_pack *pack, bool *going)
{
	struct lookup l = { .target = pack->target, .name = "" };

	kmend_ksyms.module_on_each_symbol(match_symbol, &l);
	*going = l.mod_seen && !l.mod;
	if (!l.mod)
		return -ENOENT;
	pack->mod = l.mod;
	return 0;
}

void kmend_target_put(struct kmend_pack *pack)
{
	module_put(pack->mod);
}

int kmend_lookup(const char *target, const char *name, unsigned long sympos,
		 unsigned long *addr, unsigned long *count)
{
	struct lookup l = { .target = target, .name = name, .sympos = sympos };

	if (target)
		kmend_ksyms.module_on_each_symbol(match_symbol, &l);
	else
		kmend_ksyms.on_each_symbol(match_symbol, &l);
	/* match_symbol took a reference to keep the module while looking */
	if (l.mod)
		module_put(l.mod);
	*count = l.count;
	if (!l.addr || (!sympos && l.count > 1))
		return -ENOENT;
	*addr = l.addr;
	return 0;
}

/* Say why @name was not found in @pack's target (@count have that name). */
static int not_found(struct kmend_state *st, const struct kmend_pack *pack,
		     const char *name, unsigned long sympos, unsigned long count)
{
	if (count && sympos && count < sympos)
		kmend_abort(st, KMEND_FAILED_TO_FIND,
			    "%s: there are only %lu symbols named %s, not %lu",
			    kmend_pack_name(pack), count, name, sympos);
	else if (count > 1)
		kmend_abort(st, KMEND_FAILED_TO_FIND,
			    "%s: %lu symbols are named %s; the update must say which (sympos)",
			    kmend_pack_name(pack), count, name);
	else
		kmend_abort(st, KMEND_FAILED_TO_FIND, "%s: no symbol %s",
			    kmend_pack_name(pack), name);
	return -ENOENT;
}

int kmend_resolve_symbol(struct kmend_state *st, struct kmend_pack *pack,
			 const char *name, unsigned long sympos,
			 unsigned long *addr)
{
	const char *target = kmend_pack_is_vmlinux(pack) ? NULL : pack->target;
	unsigned long count;

	if (!kmend_lookup(target, name, sympos, addr, &count))
		return 0;
	return not_found(st, pack, name, sympos, count);
}

static int resolve_func(struct kmend_state *st, struct kmend_pack *pack,
			struct kmend_func *func)
{
	const char *target = kmend_pack_is_vmlinux(pack) ? NULL : pack->target;
	unsigned long size, offset, addr, count;
	int ret;

	ret = kmend_lookup(target, func->old_name, func->old_sympos, &addr, &count);
	if (ret && !func->old_sympos && count > 1 && func->pre_copy)
		/* several of that name: the one whose code is the pre code */
		ret = kmend_match_pick(st, pack, func, count, &addr);
	else if (ret)
		ret = not_found(st, pack, func->old_name, func->old_sympos, count);
	if (ret)
		return ret;

	if (!kmend_ksyms.lookup_size_offset(addr, &size, &offset) || offset) {
		kmend_abort(st, KMEND_FAILED_TO_FIND,
			    "%s: %s is %pS, not the start of a function",
			    kmend_pack_name(pack), func->old_name, (void *)addr);
		return -ENOENT;
	}
	func->old_addr = addr;
	func->old_size = size;

	if (!kmend_ksyms.ftrace_location(func->old_addr)) {
		kmend_abort(st, KMEND_NO_FTRACE_SITE,
			    "%s: %s has no ftrace call site (notrace, or not traceable); it cannot be redirected",
			    kmend_pack_name(pack), func->old_name);
		return -EINVAL;
	}

	if (!kmend_ksyms.lookup_size_offset((unsigned long)func->new_func,
					    &size, &offset) || offset) {
		kmend_log(st, "the replacement of %s (%pS) is not a known function",
			  func->old_name, func->new_func);
		st->cause = KMEND_UNEXPECTED;
		return -EINVAL;
	}
	func->new_size = size;

	kmend_dbg(st, "%s: %s is %pS with an ftrace site -> %pS",
		  kmend_pack_name(pack), func->old_name, (void *)func->old_addr,
		  func->new_func);
	return 0;
}

int kmend_resolve_pack(struct kmend_state *st, struct kmend_pack *pack)
{
	struct kmend_func *func;
	int ret;

	kmend_for_each_func(pack, func) {
		ret = resolve_func(st, pack, func);
		if (ret) {
			kmend_resolve_forget(pack);
			return ret;
		}
	}
	return 0;
}

void kmend_resolve_forget(struct kmend_pack *pack)
{
	struct kmend_func *func;

	kmend_for_each_func(pack, func) {
		func->old_addr = 0;
		func->old_size = 0;
	}
}
