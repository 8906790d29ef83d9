// SPDX-License-Identifier: GPL-2.0
/*
 * Changed read-only tables whose every reader the update can replace: a
 * quirk table, a constant array of limits. The running kernel keeps the
 * old table, so the change cannot be written over it; but when only
 * functions of the unit read it (no other data points to it, it is
 * static) and it holds plain values (no addresses: not an ops table, whose
 * address the kernel keeps and compares), the update carries its own copy
 * and replaces each of those functions, whose new code reads the copy. A
 * reader whose code did not change is replaced for that reason, and the
 * report says so. What a reader handed out before the switch (a pointer
 * into the old table, kept in a device) stays as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "table_copy.h"
#include "util.h"

/* Does relocation @r point into @s (by its symbol, or its section's)? */
static bool points_into(const struct elf_object *post, const struct elf_rela *r,
			const struct elf_symbol *s)
{
	const struct elf_symbol *t = &post->symbols[r->sym];
	int64_t at;

	if (t->index == s->index)
		return true;
	if (t->type != STT_SECTION || t->sym.st_shndx != s->sym.st_shndx)
		return false;
	/* a place in the table, or its end (a loop's bound) */
	at = r->addend + (int64_t)t->sym.st_value;
	return at >= (int64_t)s->sym.st_value &&
	       at <= (int64_t)(s->sym.st_value + s->sym.st_size);
}

/*
 * Does table @s hold addresses (function pointers, pointers to other
 * data)? Then it is an ops table or a table of tables, whose address the
 * running kernel keeps and compares (ring->funcs == &foo_funcs): a copy
 * would not be the same table. Only plain values are copied.
 */
static bool holds_addresses(const struct elf_section *sec, const struct elf_symbol *s)
{
	for (size_t k = 0; k < sec->nr_relas; k++)
		if (sec->relas[k].offset >= s->sym.st_value &&
		    sec->relas[k].offset < s->sym.st_value + s->sym.st_size)
			return true;
	return false;
}

/*
 * Can every reader of table @s be replaced? Collects them in @readers
 * (post symbol indexes, up to @max); false when something else refers to
 * it: data (an ops table, a list of tables), an export, a table of the
 * kernel's, __init or __exit code, a section of several functions.
 */
static bool readers_replaceable(const struct elf_object *post, struct objdiff *d,
				const struct elf_symbol *s, size_t *readers, size_t *n,
				size_t max)
{
	*n = 0;
	for (size_t i = 1; i < post->nr_sections; i++) {
		const struct elf_section *sec = &post->sections[i];
		const struct elf_symbol *f;
		const struct objdiff_entry *e;
		bool refers = false;

		if (!(sec->shdr.sh_flags & SHF_ALLOC))
			continue;	/* debug information */
		for (size_t k = 0; k < sec->nr_relas && !refers; k++)
			refers = points_into(post, &sec->relas[k], s);
		if (!refers || i == s->sym.st_shndx)
			continue;
		if (!(sec->shdr.sh_flags & SHF_EXECINSTR) || !strncmp(sec->name, ".init.", 6) ||
		    !strncmp(sec->name, ".exit.", 6))
			return false;
		f = elf_section_function(post, i);
		e = f ? objdiff_entry_of(d, f->index) : NULL;
		if (!e || *n == max)
			return false;
		readers[(*n)++] = f->index;
	}
	return true;
}

size_t table_copy_mark(const struct elf_object *post, struct objdiff *d)
{
	size_t copied = 0, readers[64], n;
	char *reasons[64] = { NULL }, *why;

	for (size_t i = 0; i < d->nr_entries; i++) {
		struct objdiff_entry *e = &d->entries[i];
		const struct elf_symbol *s;
		const struct elf_section *sec;

		if (e->kind != OBJDIFF_DATA || e->status != OBJDIFF_CHANGED ||
		    e->post_index >= post->nr_symbols)
			continue;
		s = &post->symbols[e->post_index];
		sec = elf_symbol_section(post, s);
		if (!sec || (sec->shdr.sh_flags & SHF_WRITE) || !(sec->shdr.sh_flags & SHF_ALLOC) ||
		    s->bind != STB_LOCAL || payload_private_copy(post, s) ||
		    holds_addresses(sec, s) ||
		    !readers_replaceable(post, d, s, readers, &n, 64) || !n)
			continue;
		why = str_format("a read-only table only functions of this unit read: the update carries its own copy and replaces %zu reader%s",
				 n, n == 1 ? "" : "s");
		for (size_t k = 0; k < n && why; k++)
			reasons[k] = str_format("it reads %s, a changed read-only table the update carries its own copy of",
						e->name);
		for (size_t k = 0; k < n; k++)
			if (!reasons[k]) {
				free(why);
				why = NULL;	/* out of memory: refused as before */
			}
		for (size_t k = 0; k < n; k++) {
			struct objdiff_entry *r = objdiff_entry_of(d, readers[k]);

			if (why && (r->status == OBJDIFF_SAME || r->status == OBJDIFF_LINE_ONLY)) {
				free(r->why);
				r->why = reasons[k];
				r->status = OBJDIFF_CHANGED;
			} else {
				free(reasons[k]);
			}
			reasons[k] = NULL;
		}
		if (!why)
			continue;
		free(e->why);
		e->why = why;
		e->status = OBJDIFF_COPIED;
		copied++;
	}
	return copied;
}
