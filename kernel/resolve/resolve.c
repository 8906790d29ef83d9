// SPDX-License-Identifier: GPL-2.0
/*
 * resolve.c - finding the functions an update replaces in the running kernel.
 */
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "alloc.h"
#include "ksyms.h"
#include "match.h"
#include "resolve.h"

#define COLD_SUFFIX	".cold"
#define MAX_COLD	4

struct lookup {
	const char *target;	/* module name, or NULL for vmlinux */
	const char *name;
	unsigned long sympos;
	unsigned long count;	/* symbols of that name seen */
	unsigned long addr;	/* the chosen one */
	struct module *mod;	/* referenced module owning it */
	bool mod_seen;		/* the target module is loaded */
	/* with want_cold, every "<name>.cold" too: where cold parts may be */
	bool want_cold;
	unsigned int nr_cold;
	unsigned long cold[MAX_COLD];
};

static bool is_cold_of(const char *sym, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(sym, name, len) && !strcmp(sym + len, COLD_SUFFIX);
}

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
	if (l->want_cold && is_cold_of(name, l->name)) {
		/* more than MAX_COLD namesakes: found through their jumps only */
		if (l->nr_cold < MAX_COLD)
			l->cold[l->nr_cold++] = addr;
		return 0;
	}
	if (strcmp(name, l->name))
		return 0;

	l->count++;
	if ((l->sympos == 0 && l->count == 1) || l->count == l->sympos)
		l->addr = addr;
	/* Counting further only matters for telling duplicates apart. */
	return !l->want_cold && l->sympos && l->count == l->sympos;
}

static void walk(struct lookup *l)
{
	if (l->target)
		kmend_ksyms.module_on_each_symbol(match_symbol, l);
	else
		kmend_ksyms.on_each_symbol(match_symbol, l);
	/* match_symbol took a reference to keep the module while looking */
	if (l->mod)
		module_put(l->mod);
}

struct lookups {
	struct lookup *l;
	unsigned int n;
};

static int match_each(void *data, const char *name, struct module *mod,
		      unsigned long addr)
{
	struct lookups *ls = data;
	unsigned int i;

	for (i = 0; i < ls->n; i++)
		match_symbol(&ls->l[i], name, mod, addr);
	return 0;
}

/*
 * Every lookup of @ls (of one target) in one pass: a pass over vmlinux's
 * kallsyms expands every compressed name, tens of milliseconds under
 * emulation, so a pack's functions share one.
 */
static void walk_each(struct lookups *ls)
{
	unsigned int i;

	if (!ls->n)
		return;
	if (ls->l[0].target)
		kmend_ksyms.module_on_each_symbol(match_each, ls);
	else
		kmend_ksyms.on_each_symbol(match_each, ls);
	for (i = 0; i < ls->n; i++)
		if (ls->l[i].mod)
			module_put(ls->l[i].mod);
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

	walk(&l);
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
	const char *colon = strchr(name, ':');
	char owner[MODULE_NAME_LEN];
	unsigned long count = 0;

	/*
	 * "MODULE:SYMBOL": an export of a module the target depends on, so
	 * loaded (and held) while the target is: looked up in that module.
	 */
	if (colon && target) {
		if (colon - name >= (ptrdiff_t)sizeof(owner) || colon == name)
			return not_found(st, pack, name, sympos, 0);
		memcpy(owner, name, colon - name);
		owner[colon - name] = '\0';
		if (!kmend_lookup(owner, colon + 1, sympos, addr, &count))
			return 0;
		return not_found(st, pack, name, sympos, count);
	}
	if (!kmend_lookup(target, name, sympos, addr, &count))
		return 0;
	return not_found(st, pack, name, sympos, count);
}

/* Does the code at [@addr, +@size) jump or call into [@start, +@len)? */
static bool branches_into(unsigned long addr, unsigned long size,
			  unsigned long start, unsigned long len)
{
	const u8 *code = (const u8 *)addr;
	unsigned long i, n;
	s32 rel;

	/*
	 * Byte by byte, not instruction by instruction: a false hit only
	 * makes the patched set larger, and a jump label written since the
	 * build is found as it is now.
	 */
	for (i = 0; i + 5 <= size; i++) {
		if (code[i] == 0xe9 || code[i] == 0xe8)
			n = 5;
		else if (code[i] == 0x0f && i + 6 <= size &&
			 (code[i + 1] & 0xf0) == 0x80)
			n = 6;
		else
			continue;
		memcpy(&rel, code + i + n - 4, sizeof(rel));
		if (addr + i + n + rel - start < len)
			return true;
	}
	return false;
}

/*
 * The cold part of the function at @addr among @l's "<name>.cold"
 * symbols: the one its code branches into, or the only one when the
 * function's name is unique in its object. A task in a cold part has no
 * return address in the function itself (it got there by a jump), so the
 * stack check must know it.
 */
static void pick_cold(const struct lookup *l, unsigned long addr,
		      unsigned long size, unsigned long *cold_addr,
		      unsigned long *cold_size)
{
	unsigned long csize, offset;
	unsigned int i;

	*cold_addr = 0;
	*cold_size = 0;
	for (i = 0; i < l->nr_cold; i++) {
		if (!kmend_ksyms.lookup_size_offset(l->cold[i], &csize, &offset) ||
		    offset)
			continue;
		if (branches_into(addr, size, l->cold[i], csize) ||
		    (l->nr_cold == 1 && l->count == 1)) {
			*cold_addr = l->cold[i];
			*cold_size = csize;
			return;
		}
	}
}

/* The replacement's own cold part, in the update module @mod. */
static void new_cold(struct module *mod, struct kmend_func *func)
{
	char name[KSYM_NAME_LEN + MODULE_NAME_LEN + 4];
	struct lookup l = { .target = mod->name, .name = name,
			    .want_cold = true };

	/* "%ps" adds " [module]" to a module's symbol: keep the name */
	snprintf(name, sizeof(name), "%ps", func->new_func);
	strreplace(name, ' ', '\0');
	walk(&l);
	pick_cold(&l, (unsigned long)func->new_func, func->new_size,
		  &func->new_cold_addr, &func->new_cold_size);
}

/* @func, whose symbols @l (already walked) counted and found. */
static int resolve_func(struct kmend_state *st, struct kmend_pack *pack,
			struct kmend_func *func, const struct lookup *l)
{
	unsigned long size, offset, addr = 0, count;
	int ret = 0;

	count = l->count;
	if (!l->addr || (!func->old_sympos && count > 1)) {
		if (!func->old_sympos && count > 1 && func->pre_copy)
			/* several of that name: the one whose code is the pre code */
			ret = kmend_match_pick(st, pack, func, count, &addr);
		else
			ret = not_found(st, pack, func->old_name,
					func->old_sympos, count);
	} else {
		addr = l->addr;
	}
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
		/* a jump at its entry, written in a stop (redirect/jump.c) */
		if (!func->entry_jump) {
			kmend_abort(st, KMEND_NO_FTRACE_SITE,
				    "%s: %s has no ftrace call site (notrace, or not traceable); it cannot be redirected (kmend create marks such a function entry_jump)",
				    kmend_pack_name(pack), func->old_name);
			return -EINVAL;
		}
		if (st->update->model.sw != KMEND_SWITCH_KERNEL) {
			kmend_abort(st, KMEND_NO_FTRACE_SITE,
				    "%s: %s has no ftrace call site: a jump at its entry takes its calls, written while the machine is stopped, and this update's model does not stop it",
				    kmend_pack_name(pack), func->old_name);
			return -EINVAL;
		}
	}

	if (!kmend_ksyms.lookup_size_offset((unsigned long)func->new_func,
					    &size, &offset) || offset) {
		kmend_log(st, "the replacement of %s (%pS) is not a known function",
			  func->old_name, func->new_func);
		st->cause = KMEND_UNEXPECTED;
		return -EINVAL;
	}
	func->new_size = size;

	pick_cold(l, func->old_addr, func->old_size, &func->old_cold_addr,
		  &func->old_cold_size);
	new_cold(st->update->mod, func);
	kmend_dbg(st, "%s: %s is %pS %s -> %pS",
		  kmend_pack_name(pack), func->old_name, (void *)func->old_addr,
		  kmend_ksyms.ftrace_location(func->old_addr) ?
		  "with an ftrace site" : "without an ftrace site",
		  func->new_func);
	if (func->old_cold_addr || func->new_cold_addr)
		kmend_dbg(st, "%s: cold parts %pS (%lu bytes) -> %pS (%lu bytes)",
			  func->old_name, (void *)func->old_cold_addr,
			  func->old_cold_size, (void *)func->new_cold_addr,
			  func->new_cold_size);
	return 0;
}

int kmend_resolve_pack(struct kmend_state *st, struct kmend_pack *pack)
{
	const char *target = kmend_pack_is_vmlinux(pack) ? NULL : pack->target;
	struct lookups ls = { };
	struct kmend_func *func;
	int ret = 0;

	kmend_for_each_func(pack, func)
		ls.n++;
	ls.l = kmend_alloc(array_size(ls.n ?: 1, sizeof(*ls.l)));
	if (!ls.l) {
		st->cause = KMEND_OUT_OF_MEMORY;
		return -ENOMEM;
	}
	ls.n = 0;
	kmend_for_each_func(pack, func)
		ls.l[ls.n++] = (struct lookup){
			.target = target, .name = func->old_name,
			.sympos = func->old_sympos, .want_cold = true,
		};
	walk_each(&ls);

	ls.n = 0;
	kmend_for_each_func(pack, func) {
		ret = resolve_func(st, pack, func, &ls.l[ls.n++]);
		if (ret) {
			kmend_resolve_forget(pack);
			break;
		}
	}
	kmend_free(ls.l);
	return ret;
}

void kmend_resolve_forget(struct kmend_pack *pack)
{
	struct kmend_func *func;

	kmend_for_each_func(pack, func) {
		func->old_addr = 0;
		func->old_size = 0;
		func->old_cold_addr = 0;
		func->old_cold_size = 0;
		func->new_cold_addr = 0;
		func->new_cold_size = 0;
	}
}
