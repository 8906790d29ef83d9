// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's tables (exception table, bug table, jump labels,
 * alternatives, ORC, ...) carried for the payload's code, and tables kmend
 * does not know that point into it, refused.
 */
#include <stdlib.h>
#include <string.h>

#include "payload_state.h"
#include "util.h"

bool payload_alt_in_use(const struct payload_state *st, uint64_t off)
{
	for (size_t i = 0; i < st->nr_alt_kept; i++)
		if (off >= st->alt_kept[i].start && off < st->alt_kept[i].end)
			return true;
	return false;
}

static size_t add_table(struct payload_state *st, const struct elf_section *like)
{
	size_t o = elf_builder_add_section(&st->b, like->name, SHT_PROGBITS,
					   like->shdr.sh_flags & (SHF_ALLOC | SHF_WRITE),
					   like->shdr.sh_addralign,
					   like->shdr.sh_entsize, NULL, 0);
	if (!o)
		st->nomem = true;
	return o;
}

static void remember_alternative(struct payload_state *st, const struct elf_section *sec,
				 uint64_t off)
{
	const struct elf_rela *r = elf_rela_at(sec, off + 4);
	struct range *grown;

	if (!r)
		return;
	grown = realloc(st->alt_kept, (st->nr_alt_kept + 1) * sizeof(*grown));
	if (!grown) {
		st->nomem = true;
		return;
	}
	st->alt_kept = grown;
	grown[st->nr_alt_kept].start = (uint64_t)r->addend;
	grown[st->nr_alt_kept].end = (uint64_t)r->addend + sec->data[off + 11];
	st->nr_alt_kept++;
}

/*
 * A jump-label entry of a module target's trace point: its key is the
 * module's own (__tracepoint_X, not exported), which only the module's
 * presence could resolve while the update loads. The entry is left out, as
 * klp-build does: the site stays the nop it was compiled as, so the new code
 * never fires the trace point (inert), and the report names it. Other static
 * keys are not left out: their site would stop following the key.
 */
#define JUMP_ENTRY_KEY	8

static bool inert_trace_point(struct payload_state *st, const struct elf_section *sec,
			      uint64_t off)
{
	const struct elf_rela *key = elf_rela_at(sec, off + JUMP_ENTRY_KEY);
	const struct elf_symbol *s;
	char **grown;

	if (strcmp(sec->name, "__jump_table") || !strcmp(st->in->target, "vmlinux") ||
	    !key || key->sym >= st->post->nr_symbols)
		return false;
	s = &st->post->symbols[key->sym];
	if (strncmp(s->name, "__tracepoint_", strlen("__tracepoint_")) ||
	    (s->bind != STB_LOCAL && symvers_find(st->in->exports, s->name)))
		return false;
	for (size_t i = 0; i < st->p->nr_inert; i++)
		if (!strcmp(st->p->inert[i], s->name))
			return true;
	grown = realloc(st->p->inert, (st->p->nr_inert + 1) * sizeof(*grown));
	if (!grown || !(grown[st->p->nr_inert] = strdup(s->name))) {
		if (grown)
			st->p->inert = grown;
		st->nomem = true;
		return true;
	}
	st->p->inert = grown;
	st->p->nr_inert++;
	return true;
}

/* Copy the entries of one kernel table that are about included code. */
int payload_carry_table(struct payload_state *st, const struct elf_section *sec,
			const struct special_section *sp, char *err, size_t errlen)
{
	const struct elf_section *comp = sp->companion ?
					 elf_section_named(st->post, sp->companion) : NULL;
	size_t o = 0, co = 0;

	if (sec->size % sp->entry_size || !sec->data ||
	    (comp && (!comp->data || comp->size % sp->companion_entry_size ||
		      comp->size / sp->companion_entry_size != sec->size / sp->entry_size)))
		return set_error(err, errlen, "%s: %s is not a table of %zu-byte entries",
				 st->post->path, sec->name, sp->entry_size);
	for (uint64_t off = 0; off < sec->size && !st->nomem; off += sp->entry_size) {
		const struct elf_rela *code = elf_rela_at(sec, off + sp->code_field);
		const struct elf_symbol *t;
		uint64_t at;

		if (!code)
			return set_error(err, errlen, "%s: %s entry at %#llx has no relocation",
					 st->post->path, sec->name, (unsigned long long)off);
		t = &st->post->symbols[code->sym];
		if (t->sym.st_shndx == SHN_UNDEF || t->sym.st_shndx >= SHN_LORESERVE ||
		    !st->out_of[t->sym.st_shndx])
			continue;
		if (inert_trace_point(st, sec, off))
			continue;
		if (!o && !(o = add_table(st, sec)))
			return 0;
		at = st->b.sections[o].size;
		if (elf_builder_append(&st->b, o, sec->data + off, sp->entry_size)) {
			st->nomem = true;
			return 0;
		}
		for (size_t k = 0; k < sec->nr_relas; k++) {
			const struct elf_rela *r = &sec->relas[k];

			if (r->offset >= off && r->offset < off + sp->entry_size)
				payload_carry_rela(st, sec->index, o, at + (r->offset - off), r,
					   strcmp(sec->name, "__jump_table") ?
					   READ_WHILE_LOADING : READ_WHILE_COMING);
		}
		if (!strcmp(sec->name, ".altinstructions"))
			remember_alternative(st, sec, off);
		if (comp) {
			size_t n = off / sp->entry_size;

			if (!co && !(co = add_table(st, comp)))
				return 0;
			if (elf_builder_append(&st->b, co, comp->data + n * sp->companion_entry_size,
					       sp->companion_entry_size))
				st->nomem = true;
		}
	}
	return 0;
}

/* A table kmend does not know that points into the update's code. */
void payload_refuse_unknown_tables(struct payload_state *st)
{
	const struct elf_object *post = st->post;

	for (size_t i = 1; i < post->nr_sections; i++) {
		const struct elf_section *sec = &post->sections[i];

		if (st->out_of[i] || !sec->name || !(sec->shdr.sh_flags & SHF_ALLOC) ||
		    special_find(sec->name) || special_is_ignored(sec->name) ||
		    st->named[i])
			continue;
		for (size_t k = 0; k < sec->nr_relas; k++) {
			const struct elf_symbol *t = &post->symbols[sec->relas[k].sym];

			if (t->sym.st_shndx && t->sym.st_shndx < SHN_LORESERVE &&
			    st->out_of[t->sym.st_shndx] &&
			    (post->sections[t->sym.st_shndx].shdr.sh_flags & SHF_EXECINSTR)) {
				payload_refuse(st, REFUSE_UNKNOWN_TABLE, sec->name, str_format("this section refers to the new code, and kmend does not know what the kernel does with it"));
				break;
			}
		}
	}
}

/* Where every alternative's original instruction lies (.altinstructions). */
int payload_find_alternative_sites(struct payload_state *st, char *err, size_t errlen)
{
	const struct elf_section *sec = elf_section_named(st->post, ".altinstructions");

	if (!sec)
		return 0;
	if (!sec->data || sec->size % 12)
		return set_error(err, errlen, "%s: .altinstructions is not a table of 12-byte entries",
				 st->post->path);
	st->alt_sites = calloc(sec->size / 12 + 1, sizeof(*st->alt_sites));
	if (!st->alt_sites)
		return set_error(err, errlen, "out of memory");
	for (uint64_t off = 0; off < sec->size; off += 12) {
		const struct elf_rela *r = elf_rela_at(sec, off);
		const struct elf_symbol *t = r ? &st->post->symbols[r->sym] : NULL;
		struct alt_site *a = &st->alt_sites[st->nr_alt_sites];

		if (!t || !t->sym.st_shndx || t->sym.st_shndx >= SHN_LORESERVE)
			continue;
		a->section = t->sym.st_shndx;
		a->start = (uint64_t)((int64_t)t->sym.st_value + r->addend);
		a->end = a->start + sec->data[off + 10];	/* instrlen */
		st->nr_alt_sites++;
	}
	return 0;
}
