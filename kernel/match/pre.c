// SPDX-License-Identifier: GPL-2.0
/*
 * pre.c - the engine's copy of an update's pre code.
 *
 * The update hands its pre code over from init memory, which the kernel
 * frees once the update's init has run; the engine keeps one allocation per
 * function (and one per cold part) until the update is applied (or unloaded), as Ksplice unloaded
 * its helper module: an applied update holds no pre code for vmlinux. A
 * module's pack keeps its own until the update is unloaded, for the module
 * may load again (and be matched then).
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/kallsyms.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "alloc.h"
#include "match_core.h"
#include "log.h"
#include "pre.h"
#include "validate.h"

/* bytes of pre code the engine holds, for every update */
static atomic_long_t held = ATOMIC_LONG_INIT(0);

/* Generous bounds, so that a malformed update cannot ask for much. */
#define KMEND_PRE_MAX_SIZE	(1U << 18)
#define KMEND_PRE_MAX_ITEMS	(1U << 13)

static size_t copy_size(const struct kmend_pre_func *src)
{
	size_t n = sizeof(*src) + ALIGN(src->size, 8);
	unsigned int i;

	n += src->nr_relocs * sizeof(*src->relocs);
	n += src->nr_sites * sizeof(*src->sites);
	for (i = 0; i < src->nr_sites; i++)
		n += 2 * (size_t)src->sites[i].repl_len;
	return n;
}

/* What a copy holds, its cold part's included. */
static size_t held_size(const struct kmend_pre_func *copy)
{
	return copy_size(copy) + (copy->cold ? copy_size(copy->cold) : 0);
}

static void free_copy(struct kmend_pre_func *copy)
{
	kmend_free(copy->cold);
	kmend_free(copy);
}

/* Its bounds, and every pointer into the update's module @mod. */
static bool well_formed(const struct module *mod,
			const struct kmend_pre_func *src, bool cold)
{
	unsigned int i;

	if (!kmend_in_module_or_init(mod, src, sizeof(*src)))
		return false;
	/* one cold part, of the same unit, with none of its own */
	if (src->cold && (cold || !well_formed(mod, src->cold, true) ||
			  src->cold->unit != src->unit))
		return false;
	if (!src->code || !src->size || src->size > KMEND_PRE_MAX_SIZE ||
	    src->nr_relocs > KMEND_PRE_MAX_ITEMS || src->nr_sites > KMEND_PRE_MAX_ITEMS ||
	    (src->nr_relocs && !src->relocs) || (src->nr_sites && !src->sites))
		return false;
	if (!kmend_in_module_or_init(mod, src->code, src->size) ||
	    (src->nr_relocs &&
	     !kmend_in_module_or_init(mod, src->relocs, src->nr_relocs * sizeof(*src->relocs))) ||
	    (src->nr_sites &&
	     !kmend_in_module_or_init(mod, src->sites, src->nr_sites * sizeof(*src->sites))))
		return false;
	/* the matcher walks both lists in order, within the code */
	for (i = 0; i < src->nr_sites; i++) {
		const struct kmend_pre_site *s = &src->sites[i];

		if (!s->len || s->len > 64 || s->offset >= src->size ||
		    s->len > src->size - s->offset || s->repl_len > 64 ||
		    (s->repl_len && (!kmend_in_module_or_init(mod, s->repl, s->repl_len) ||
				     !kmend_in_module_or_init(mod, s->repl_wild, s->repl_len))) ||
		    (i && s->offset < src->sites[i - 1].offset))
			return false;
	}
	for (i = 0; i < src->nr_relocs; i++) {
		const struct kmend_pre_reloc *r = &src->relocs[i];
		unsigned int width = kmend_reloc_width(r->type);

		if (r->offset >= src->size || width > src->size - r->offset ||
		    (r->symbol &&
		     !kmend_string_in_module(mod, r->symbol, KSYM_NAME_LEN)) ||
		    (i && r->offset < src->relocs[i - 1].offset))
			return false;
	}
	return true;
}

/*
 * One allocation: the header, the code, the relocations, the sites and the
 * replacements' bytes. Symbol names stay in the update's read-only data.
 */
static struct kmend_pre_func *copy_one(const struct kmend_pre_func *src)
{
	struct kmend_pre_func *dst = kmend_alloc(copy_size(src));
	struct kmend_pre_reloc *relocs;
	struct kmend_pre_site *sites;
	unsigned char *p;
	unsigned int i;

	if (!dst)
		return NULL;
	p = (unsigned char *)(dst + 1);
	*dst = *src;
	memcpy(p, src->code, src->size);
	dst->code = p;
	p += ALIGN(src->size, 8);	/* the relocations hold longs */
	relocs = (struct kmend_pre_reloc *)p;
	memcpy(relocs, src->relocs, src->nr_relocs * sizeof(*relocs));
	dst->relocs = relocs;
	p += src->nr_relocs * sizeof(*relocs);
	sites = (struct kmend_pre_site *)p;
	memcpy(sites, src->sites, src->nr_sites * sizeof(*sites));
	dst->sites = sites;
	p += src->nr_sites * sizeof(*sites);
	for (i = 0; i < src->nr_sites; i++) {
		unsigned int len = src->sites[i].repl_len;

		if (!len)
			continue;
		memcpy(p, src->sites[i].repl, len);
		sites[i].repl = p;
		memcpy(p + len, src->sites[i].repl_wild, len);
		sites[i].repl_wild = p + len;
		p += 2 * len;
	}
	dst->cold = NULL;
	if (src->cold) {
		dst->cold = copy_one(src->cold);
		if (!dst->cold) {
			kmend_free(dst);
			return NULL;
		}
	}
	return dst;
}

int kmend_pre_take(struct kmend_update *update)
{
	struct kmend_pack *pack;
	struct kmend_func *func;
	int ret = 0;

	kmend_for_each_pack(update, pack) {
		const struct kmend_pre_func *const *pre = pack->pre;

		if (!pre)
			continue;
		kmend_for_each_func(pack, func) {
			const struct kmend_pre_func *src = *pre++;

			if (!src)
				continue;
			if (!well_formed(update->mod, src, false)) {
				pr_err("kmend: %s: the pre code of %s is malformed\n",
				       update->id, func->old_name);
				ret = -EINVAL;
				goto fail;
			}
			func->pre_copy = copy_one(src);
			if (!func->pre_copy) {
				ret = -ENOMEM;
				goto fail;
			}
			atomic_long_add(held_size(func->pre_copy), &held);
		}
	}
fail:
	kmend_for_each_pack(update, pack)
		pack->pre = NULL;
	if (ret)
		kmend_pre_drop(update);
	return ret;
}

size_t kmend_pre_drop_pack(struct kmend_pack *pack)
{
	struct kmend_func *func;
	size_t bytes = 0;

	kmend_for_each_func(pack, func) {
		size_t size;

		if (!func->pre_copy)
			continue;
		size = held_size(func->pre_copy);
		bytes += size;
		atomic_long_sub(size, &held);
		free_copy(func->pre_copy);
		func->pre_copy = NULL;
	}
	return bytes;
}

size_t kmend_pre_drop(struct kmend_update *update)
{
	struct kmend_pack *pack;
	size_t bytes = 0;

	kmend_for_each_pack(update, pack)
		bytes += kmend_pre_drop_pack(pack);
	return bytes;
}

static int held_get(void *data, u64 *val)
{
	*val = atomic_long_read(&held);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(held_fops, held_get, NULL, "%llu\n");

void kmend_pre_debugfs_init(void)
{
	debugfs_create_file_unsafe("pre_bytes", 0400, kmend_debugfs_root(),
				   NULL, &held_fops);
}
