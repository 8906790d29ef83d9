// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing what goes into a unit's payload, and where each of its
 * references must point.
 *
 * Sections are taken whole from the post object (-ffunction-sections
 * -fdata-sections make most hold one symbol): every changed or new
 * function's, then, following relocations, the data only the new code has
 * (new objects, constants, string literals). A reference to anything the
 * running kernel already has goes to the kernel's instance: state must not
 * be split between an old and a new copy.
 */
#include "payload.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "payload_state.h"
#include "util.h"

bool payload_shared(const struct payload_input *in, const struct elf_symbol *s)
{
	if (s->bind == STB_LOCAL || !s->name)
		return false;
	for (size_t i = 0; i < in->nr_shared; i++)
		if (!strcmp(in->shared[i], s->name))
			return true;
	return false;
}

/* One of @in->shared that this unit defines. */
static bool payload_shared_here(const struct payload_input *in, const struct elf_symbol *s)
{
	return s->sym.st_shndx != SHN_UNDEF && s->sym.st_shndx < SHN_LORESERVE &&
	       (s->type == STT_FUNC || s->type == STT_OBJECT) && payload_shared(in, s);
}

/* Mark the post sections that hold a function or object (st->named). */
static void find_named_sections(struct payload_state *st)
{
	for (size_t i = 0; i < st->post->nr_symbols; i++) {
		const struct elf_symbol *s = &st->post->symbols[i];

		if ((s->type == STT_FUNC || s->type == STT_OBJECT) &&
		    s->sym.st_shndx < st->post->nr_sections)
			st->named[s->sym.st_shndx] = true;
	}
}

void payload_refuse(struct payload_state *st, const char *kind, const char *name,
		    char *reason)
{
	if (refusals_add(st->refused, kind, name, reason))
		st->nomem = true;
}

size_t payload_include_section(struct payload_state *st, size_t index)
{
	const struct elf_section *sec = &st->post->sections[index];
	GElf_Xword keep = SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR | SHF_MERGE |
			  SHF_STRINGS;
	size_t o;

	if (st->out_of[index])
		return st->out_of[index];
	o = elf_builder_add_section(&st->b, sec->name,
				    sec->shdr.sh_type == SHT_NOBITS ? SHT_NOBITS : SHT_PROGBITS,
				    sec->shdr.sh_flags & keep, sec->shdr.sh_addralign,
				    sec->shdr.sh_entsize, sec->data, sec->size);
	if (!o) {
		st->nomem = true;
		return 0;
	}
	st->out_of[index] = o;
	st->queue[st->queued++] = index;
	for (size_t i = 0; i < st->post->nr_symbols; i++) {
		const struct elf_symbol *s = &st->post->symbols[i];

		if (s->sym.st_shndx != index || !*s->name ||
		    (s->type != STT_FUNC && s->type != STT_OBJECT))
			continue;
		st->sym_out[i] = elf_builder_add_symbol(&st->b, s->name, s->type,
							 STB_LOCAL, o, s->sym.st_value,
							 s->sym.st_size);
		if (!st->sym_out[i])
			st->nomem = true;
	}
	return o;
}

static int build(struct payload_state *st, const char *path, char *err, size_t errlen)
{
	const struct elf_object *post = st->post;
	const struct objdiff *d = st->in->diff;
	const struct elf_section *alt = elf_section_named(post, ".altinstr_replacement");

	st->alt_section = alt ? alt->index : 0;
	for (size_t i = 0; i < d->nr_entries; i++) {
		const struct objdiff_entry *e = &d->entries[i];

		if (e->post_index != SIZE_MAX)
			st->entry_of[e->post_index] = e;
	}
	if (payload_find_alternative_sites(st, err, errlen))
		return -1;
	for (size_t i = 0; i < d->nr_entries; i++) {
		const struct objdiff_entry *e = &d->entries[i];
		const struct elf_symbol *s;

		/* copied: new code its replaced callers call (through_callers.c) */
		if (e->kind != OBJDIFF_FUNC ||
		    (e->status != OBJDIFF_CHANGED && e->status != OBJDIFF_NEW &&
		     e->status != OBJDIFF_COPIED))
			continue;
		s = &post->symbols[e->post_index];
		if (!payload_can_carry_function(st, s, e->status != OBJDIFF_CHANGED))
			continue;
		payload_include_section(st, s->sym.st_shndx);
		if (payload_is_cold_part(s->name) && (s = payload_cold_parent(post, s)))
			payload_include_section(st, s->sym.st_shndx);
	}
	/* new globals another unit of the update uses: carried, named */
	for (size_t i = 0; i < post->nr_symbols && !st->nomem; i++)
		if (payload_shared_here(st->in, &post->symbols[i]))
			payload_include_section(st, post->symbols[i].sym.st_shndx);
	payload_follow_references(st);
	/*
	 * Alternatives first: they bring in replacement code, which the other
	 * tables (return sites, say) may have entries about.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 1; i < post->nr_sections && !st->nomem; i++) {
			const struct elf_section *sec = &post->sections[i];
			const struct special_section *sp = sec->name ? special_find(sec->name) : NULL;
			bool alternatives = sp && !strcmp(sp->name, ".altinstructions");

			if (sp && sp->use == SPECIAL_CARRY && alternatives == (pass == 0) &&
			    payload_carry_table(st, sec, sp, err, errlen))
				return -1;
		}
		payload_follow_references(st);
	}
	payload_refuse_unknown_tables(st);
	payload_add_function_symbols(st);
	for (size_t i = 0; i < post->nr_symbols && !st->nomem; i++) {
		const struct elf_symbol *s = &post->symbols[i];

		if (payload_shared_here(st->in, s) &&
		    !elf_builder_add_symbol(&st->b, s->name, s->type, STB_GLOBAL,
					    st->out_of[s->sym.st_shndx], s->sym.st_value,
					    s->sym.st_size))
			st->nomem = true;
	}
	if (st->in->nr_named) {
		st->p->named = calloc(st->in->nr_named, sizeof(*st->p->named));
		if (!st->p->named)
			st->nomem = true;
		else
			st->p->nr_named = st->in->nr_named;
		for (size_t k = 0; k < st->in->nr_named && !st->nomem; k++)
			payload_add_named(st, k, st->in->named[k]);
	}
	if (st->nomem)
		return set_error(err, errlen, "out of memory");
	for (size_t i = 1; i < st->b.nr_sections; i++)
		if (st->b.sections[i].flags & SHF_EXECINSTR)
			st->p->code_size += st->b.sections[i].size;
	if (st->refused->nr)
		return 0;
	return elf_builder_write(&st->b, path, err, errlen);
}

int payload_build(const struct payload_input *in, const char *path,
		  struct payload *out, struct refusals *refused,
		  char *err, size_t errlen)
{
	const struct elf_object *post = in->post;
	struct payload_state st = {
		.in = in, .post = post, .p = out, .refused = refused,
	};
	size_t nsec = post->nr_sections ? post->nr_sections : 1;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(refused, 0, sizeof(*refused));
	st.out_of = calloc(nsec, sizeof(*st.out_of));
	st.named = calloc(nsec, sizeof(*st.named));
	st.queue = calloc(nsec, sizeof(*st.queue));
	st.sym_out = calloc(post->nr_symbols + 1, sizeof(*st.sym_out));
	st.entry_of = calloc(post->nr_symbols + 1, sizeof(*st.entry_of));
	/* builder sections: at most the post object's, plus tables */
	st.place_alias = calloc(2 * nsec + 1, sizeof(*st.place_alias));
	if (!st.out_of || !st.named || !st.queue || !st.sym_out || !st.entry_of ||
	    !st.place_alias || elf_builder_init(&st.b)) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	find_named_sections(&st);
	ret = build(&st, path, err, errlen);
	elf_builder_free(&st.b);
out:
	if (ret) {
		payload_free(out);
		refusals_free(refused);
	}
	free(st.out_of);
	free(st.named);
	free(st.queue);
	free(st.sym_out);
	free(st.entry_of);
	free(st.place_alias);
	free(st.alt_kept);
	free(st.alt_sites);
	return ret;
}

void payload_free(struct payload *p)
{
	for (size_t i = 0; i < p->nr_funcs; i++) {
		free(p->funcs[i].old_name);
		free(p->funcs[i].new_symbol);
		pre_func_free(&p->funcs[i].pre);
	}
	for (size_t i = 0; i < p->nr_relocs; i++) {
		free(p->relocs[i].place_symbol);
		free(p->relocs[i].symbol);
	}
	for (size_t i = 0; i < p->nr_namespaces; i++)
		free(p->namespaces[i]);
	for (size_t i = 0; i < p->nr_named; i++)
		free(p->named[i]);
	for (size_t i = 0; i < p->nr_inert; i++)
		free(p->inert[i]);
	free(p->inert);
	free(p->named);
	free(p->funcs);
	free(p->relocs);
	free(p->namespaces);
	memset(p, 0, sizeof(*p));
}
