// SPDX-License-Identifier: GPL-2.0
/*
 * loadtime.c - the references the kernel reads while an update loads.
 *
 * The jump-label module notifier registers every entry of a coming module's
 * __jump_table with its static key, before the module's init runs, and so
 * before the update registers with the engine. Keys the module loader cannot
 * resolve (not exported) are listed by the update in __kmend_load_relocs;
 * this notifier, called ahead of jump_label's, writes them, or refuses the
 * module if one cannot be found.
 */
#include <linux/elf.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/notifier.h>

#include <kmend/patch.h>

#include "ksyms.h"
#include "loadtime.h"
#include "reloc.h"
#include "resolve.h"
#include "validate.h"

/* A field of the module's own __jump_table: the only place these go. */
static bool in_jump_table(const struct module *mod, const void *place,
			  size_t len)
{
	const void *start = mod->jump_entries;
	const void *end = mod->jump_entries + mod->num_jump_entries;

	return place >= start && place + len <= end;
}

static int write_one(struct module *mod, struct kmend_load_reloc *r)
{
	unsigned long sym, count;
	size_t len;
	u8 buf[8];
	int ret;

	ret = kmend_lookup(NULL, r->symbol, r->sympos, &sym, &count);
	if (ret) {
		pr_err("kmend: %s: %s %s in vmlinux, which its jump labels need; not loading it\n",
		       mod->name, count > 1 ? "several symbols are named" : "there is no",
		       r->symbol);
		return ret;
	}
	ret = kmend_reloc_encode(r->type, r->place, sym, r->addend, buf, &len);
	if (ret || !in_jump_table(mod, r->place, len)) {
		pr_err("kmend: %s: a load-time reference to %s is malformed\n",
		       mod->name, r->symbol);
		return -EINVAL;
	}
	/* __jump_table is ro_after_init: still writable while coming */
	mutex_lock(kmend_ksyms.text_mutex);
	kmend_ksyms.text_poke(r->place, buf, len);
	mutex_unlock(kmend_ksyms.text_mutex);
	return 0;
}

static int kmend_module_notify(struct notifier_block *nb, unsigned long action,
			       void *data)
{
	struct module *mod = data;
	struct kmend_load_reloc *r;
	unsigned long table, count;
	int ret;

	if (action != MODULE_STATE_COMING)
		return NOTIFY_DONE;
	if (kmend_lookup(mod->name, "__kmend_load_relocs", 0, &table, &count))
		return NOTIFY_DONE;
	for (r = (struct kmend_load_reloc *)table; ; r++) {
		if (!kmend_within_module(mod, r, sizeof(*r))) {
			pr_err("kmend: %s: __kmend_load_relocs runs past the module; not loading it\n",
			       mod->name);
			return notifier_from_errno(-EINVAL);
		}
		if (!r->place)
			break;
		if (!kmend_string_in_module(mod, r->symbol, KSYM_NAME_LEN)) {
			pr_err("kmend: %s: a load-time reference names no string of the module; not loading it\n",
			       mod->name);
			return notifier_from_errno(-EINVAL);
		}
		ret = write_one(mod, r);
		if (ret)
			return notifier_from_errno(ret);
	}
	return NOTIFY_OK;
}

static struct notifier_block kmend_module_nb = {
	.notifier_call = kmend_module_notify,
	/* ahead of jump_label_module_nb (1), which reads the keys */
	.priority = 2,
};

int kmend_loadtime_init(void)
{
	return register_module_notifier(&kmend_module_nb);
}

void kmend_loadtime_exit(void)
{
	unregister_module_notifier(&kmend_module_nb);
}
