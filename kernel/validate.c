// SPDX-License-Identifier: GPL-2.0
/*
 * validate.c - an update module's tables are untrusted input. Before the
 * engine reads a field, the pointers that lead to it must point into the
 * update's own module, in the memory it keeps after its init (only pre
 * code may be in init memory: it is copied at registration): a table
 * wholly, a string up to its end, a function
 * at the start of a function of its code, a flag the engine writes into
 * its writable data. The module is the one holding the update itself,
 * found by address, not the one the update names.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/module.h>

#include "ksyms.h"
#include "validate.h"

/* Generous bounds on the tables' lengths. */
#define MAX_PACKS	1024
#define MAX_ITEMS	(1U << 16)
#define MAX_STRING	4096

static bool in_layout(const struct module_layout *l, unsigned long start,
		      unsigned long end)
{
	unsigned long base = (unsigned long)l->base;

	return base <= start && start <= end && end < base + l->size;
}

static bool in_module(const struct module *mod, const void *p, size_t len,
		      bool init_too)
{
	unsigned long start = (unsigned long)p;
	unsigned long end = start + (len ? len : 1) - 1;

	if (end < start)
		return false;
	return in_layout(&mod->core_layout, start, end) ||
	       (init_too && in_layout(&mod->init_layout, start, end));
}

bool kmend_in_module(const struct module *mod, const void *p, size_t len)
{
	return in_module(mod, p, len, false);
}

bool kmend_in_module_or_init(const struct module *mod, const void *p,
			     size_t len)
{
	return in_module(mod, p, len, true);
}

bool kmend_string_in_module(const struct module *mod, const char *s,
			    size_t max)
{
	size_t i;

	for (i = 0; i < max; i++) {
		if (!kmend_in_module(mod, s + i, 1))
			return false;
		if (!s[i])
			return true;
	}
	return false;
}

static bool in_text(const struct module_layout *l, unsigned long addr)
{
	return addr - (unsigned long)l->base < l->text_size;
}

bool kmend_function_in_module(const struct module *mod, const void *fn)
{
	unsigned long addr = (unsigned long)fn, size, offset;

	/* not in init text: the engine calls it after the module's init */
	return in_text(&mod->core_layout, addr) &&
	       kmend_ksyms.lookup_size_offset(addr, &size, &offset) &&
	       !offset;
}

/* In the data the module may still write after its init. */
static bool in_writable_data_len(const struct module *mod, const void *p,
				 size_t len)
{
	const struct module_layout *l = &mod->core_layout;
	unsigned long addr = (unsigned long)p, base = (unsigned long)l->base;

	return addr >= base + l->ro_after_init_size && addr < base + l->size &&
	       len <= base + l->size - addr;
}

static bool in_writable_data(const struct module *mod, const void *p)
{
	return in_writable_data_len(mod, p, 1);
}

struct check {
	const struct module *mod;
	const char *id;		/* once it is known to be a string */
};

static int bad(const struct check *c, const char *what)
{
	pr_err("update in module %s%s%s: %s points outside the module; refusing it\n",
	       c->mod->name, c->id ? ", id " : "", c->id ? c->id : "", what);
	return -EINVAL;
}

static int check_callbacks(const struct check *c,
			   const struct kmend_callbacks *cb)
{
	const void *fns[] = { cb->pre_patch, cb->post_patch, cb->pre_unpatch,
			      cb->post_unpatch };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fns); i++)
		if (fns[i] && !kmend_function_in_module(c->mod, fns[i]))
			return bad(c, "a callback");
	return 0;
}

static int check_hooks(const struct check *c, const struct kmend_hooks *h)
{
	const void *fns[] = { h->check_apply, h->apply, h->fail_apply,
			      h->check_reverse, h->reverse, h->fail_reverse };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fns); i++)
		if (fns[i] && !kmend_function_in_module(c->mod, fns[i]))
			return bad(c, "a hook");
	return 0;
}

static int check_funcs(const struct check *c, struct kmend_func *funcs,
		       unsigned int *nr)
{
	struct kmend_func *f;

	for (f = funcs, *nr = 0; ; f++, (*nr)++) {
		if (*nr >= MAX_ITEMS || !kmend_in_module(c->mod, f, sizeof(*f)))
			return bad(c, "a function table");
		if (!f->old_name)
			return 0;
		if (!kmend_string_in_module(c->mod, f->old_name, KSYM_NAME_LEN))
			return bad(c, "a function name");
		if (!kmend_function_in_module(c->mod, f->new_func))
			return bad(c, "a replacement function");
	}
}

static int check_relocs(const struct check *c, struct kmend_reloc *relocs)
{
	struct kmend_reloc *r;
	unsigned int n;

	for (r = relocs, n = 0; relocs; r++, n++) {
		if (n >= MAX_ITEMS || !kmend_in_module(c->mod, r, sizeof(*r)))
			return bad(c, "a kmend relocation table");
		if (!r->symbol)
			return 0;
		if (!kmend_string_in_module(c->mod, r->symbol, KSYM_NAME_LEN))
			return bad(c, "a kmend relocation's symbol");
		/* where it writes is checked with its width (reloc.c) */
	}
	return 0;
}

static int check_pack(const struct check *c, struct kmend_pack *pack)
{
	unsigned int nr_funcs;
	int ret;

	if (pack->target &&
	    !kmend_string_in_module(c->mod, pack->target, MODULE_NAME_LEN))
		return bad(c, "a target name");
	ret = check_funcs(c, pack->funcs, &nr_funcs);
	if (!ret)
		ret = check_relocs(c, pack->relocs);
	if (!ret)
		ret = check_callbacks(c, &pack->callbacks);
	/* each pre code itself is checked as it is copied (pre.c) */
	if (!ret && pack->pre &&
	    !kmend_in_module_or_init(c->mod, pack->pre,
				     nr_funcs * sizeof(*pack->pre)))
		ret = bad(c, "a pre code table");
	return ret;
}

/* Writable (callbacks set data), ids unique: kmend_get_state() finds one. */
static int check_states(const struct check *c, struct kmend_system_state *states)
{
	unsigned int n, k;

	for (n = 0; ; n++) {
		if (n >= MAX_ITEMS ||
		    !in_writable_data_len(c->mod, &states[n], sizeof(states[n])))
			return bad(c, "the state table");
		if (!states[n].id)
			return 0;
		for (k = 0; k < n; k++)
			if (states[k].id == states[n].id) {
				pr_err("update %s declares state %lu twice; refusing it\n",
				       c->id, states[n].id);
				return -EINVAL;
			}
	}
}

int kmend_validate_update(struct kmend_update *update)
{
	struct check c = { };
	struct kmend_pack *pack;
	unsigned int n;
	int ret;

	preempt_disable();
	c.mod = kmend_ksyms.module_address((unsigned long)update);
	preempt_enable();
	/* registering from its init: the module cannot go meanwhile */
	if (!c.mod || c.mod != update->mod ||
	    !kmend_in_module(c.mod, update, sizeof(*update))) {
		pr_err("an update must be registered from the module that holds it (THIS_MODULE)\n");
		return -EINVAL;
	}
	if (!kmend_string_in_module(c.mod, update->id, KMEND_ID_MAX + 1))
		return bad(&c, "the id");
	c.id = update->id;
	if (update->description &&
	    !kmend_string_in_module(c.mod, update->description, MAX_STRING))
		return bad(&c, "the description");
	if (update->on_access && !in_writable_data(c.mod, update->on_access))
		return bad(&c, "the on_access flag");
	ret = check_hooks(&c, &update->hooks);
	if (ret)
		return ret;
	if (update->states) {
		ret = check_states(&c, update->states);
		if (ret)
			return ret;
	}
	for (pack = update->packs, n = 0; ; pack++, n++) {
		if (n >= MAX_PACKS || !kmend_in_module(c.mod, pack, sizeof(*pack)))
			return bad(&c, "the pack table");
		if (!pack->funcs)
			return 0;
		ret = check_pack(&c, pack);
		if (ret)
			return ret;
	}
}
