// SPDX-License-Identifier: GPL-2.0
/*
 * Extracting a function's pre code, its relocation fields and the sites the
 * kernel rewrites (from __mcount_loc, .altinstructions, .parainstructions,
 * __jump_table, .static_call_sites, .retpoline_sites, .return_sites and
 * .smp_locks, laid out as in special.c).
 */
#include "prefunc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <kmend/pre.h>

#include "match_core.h"
#include "util.h"

struct extract {
	const struct elf_object *obj;
	const struct elf_symbol *func;
	struct pre_func *out;
	bool nomem;
	const char *bad;	/* a site kmend cannot size, in this table */
	uint64_t bad_offset;
};

/* Where a table's relocation points: section and offset, or false. */
static bool points_at(const struct elf_object *obj, const struct elf_rela *r,
		      size_t *section, int64_t *offset)
{
	const struct elf_symbol *t = &obj->symbols[r->sym];

	if (!t->sym.st_shndx || t->sym.st_shndx >= SHN_LORESERVE)
		return false;
	*section = t->sym.st_shndx;
	*offset = (int64_t)t->sym.st_value + r->addend;
	return true;
}

/* The offset in the function of the place @r points at, or -1. */
static int64_t in_func(const struct extract *x, const struct elf_rela *r)
{
	size_t section;
	int64_t at;

	if (!r || !points_at(x->obj, r, &section, &at) ||
	    section != x->func->sym.st_shndx ||
	    at < (int64_t)x->func->sym.st_value ||
	    at >= (int64_t)(x->func->sym.st_value + x->func->sym.st_size))
		return -1;
	return at - (int64_t)x->func->sym.st_value;
}

static struct pre_site *add_site(struct extract *x, int64_t offset, uint32_t len,
				 uint32_t kind)
{
	struct pre_func *f = x->out;
	struct pre_site *grown;

	if (offset < 0 || (uint64_t)offset + len > f->size)
		return NULL;
	if (!len) {
		x->bad = "a site of an instruction kmend cannot size";
		x->bad_offset = (uint64_t)offset;
		return NULL;
	}
	grown = realloc(f->sites, (f->nr_sites + 1) * sizeof(*grown));
	if (!grown) {
		x->nomem = true;
		return NULL;
	}
	f->sites = grown;
	memset(&grown[f->nr_sites], 0, sizeof(*grown));
	grown[f->nr_sites].offset = (uint32_t)offset;
	grown[f->nr_sites].len = len;
	grown[f->nr_sites].kind = kind;
	return &grown[f->nr_sites++];
}

/*
 * The length of the call, jump or conditional jump (or the nop a jump
 * label compiled to) at @offset: 2, 5 or 6; 0 when it is none of those.
 */
static uint32_t branch_len(const struct pre_func *f, int64_t offset)
{
	const unsigned char *c = f->code + offset;

	if (offset < 0 || (uint64_t)offset >= f->size)
		return 0;
	if (c[0] == 0x2e && (uint64_t)offset + 1 < f->size && (c[1] == 0xe8 || c[1] == 0xe9))
		return 6;	/* cs-prefixed thunk call */
	if (c[0] == 0xe8 || c[0] == 0xe9)
		return 5;
	if (c[0] == 0x0f && (uint64_t)offset + 1 < f->size && (c[1] & 0xf0) == 0x80)
		return 6;
	if (c[0] == 0xeb || c[0] == 0x66)
		return 2;
	if (c[0] == 0x0f && (uint64_t)offset + 1 < f->size && c[1] == 0x1f)
		return 5;
	return 0;
}

/* An alternative's replacement, with the bytes its relocations fill. */
static void add_replacement(struct extract *x, struct pre_site *s,
			    const struct elf_rela *r, uint32_t len)
{
	const struct elf_object *obj = x->obj;
	size_t section;
	int64_t at;
	const struct elf_section *sec;

	if (!r || !points_at(obj, r, &section, &at))
		return;
	sec = &obj->sections[section];
	if (at < 0 || !sec->data || (uint64_t)at + len > sec->size)
		return;
	s->repl = malloc(len ? len : 1);
	s->repl_wild = calloc(len ? len : 1, 1);
	if (!s->repl || !s->repl_wild) {
		x->nomem = true;
		return;
	}
	memcpy(s->repl, sec->data + at, len);
	s->repl_len = len;
	for (size_t i = 0; i < sec->nr_relas; i++) {
		const struct elf_rela *w = &sec->relas[i];
		unsigned width = kmend_reloc_width(w->type);

		for (unsigned k = 0; k < width; k++)
			if (w->offset + k >= (uint64_t)at && w->offset + k < (uint64_t)at + len)
				s->repl_wild[w->offset + k - (uint64_t)at] = 1;
	}
}

static void read_table(struct extract *x, const struct elf_section *sec)
{
	static const struct {
		const char *name;
		uint32_t entry, kind;
	} tables[] = {
		{ "__mcount_loc", 8, KMEND_SITE_FENTRY },
		{ ".altinstructions", 12, KMEND_SITE_ALTERNATIVE },
		{ ".parainstructions", 16, KMEND_SITE_PARAVIRT },
		{ "__jump_table", 16, KMEND_SITE_JUMP_LABEL },
		{ ".static_call_sites", 8, KMEND_SITE_STATIC_CALL },
		{ ".retpoline_sites", 4, KMEND_SITE_RETPOLINE },
		{ ".return_sites", 4, KMEND_SITE_RETURN },
		{ ".smp_locks", 4, KMEND_SITE_LOCK },
	};
	size_t t;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		if (!strcmp(sec->name, tables[t].name))
			break;
	if (t == sizeof(tables) / sizeof(tables[0]) || !sec->data)
		return;
	for (uint64_t off = 0; off + tables[t].entry <= sec->size && !x->nomem;
	     off += tables[t].entry) {
		int64_t at = in_func(x, elf_rela_at(sec, off));
		struct pre_site *s;

		if (at < 0)
			continue;
		switch (tables[t].kind) {
		case KMEND_SITE_FENTRY:
			add_site(x, at, 5, tables[t].kind);
			break;
		case KMEND_SITE_STATIC_CALL:
			add_site(x, at, branch_len(x->out, at), tables[t].kind);
			break;
		case KMEND_SITE_ALTERNATIVE:
			s = add_site(x, at, sec->data[off + 10], KMEND_SITE_ALTERNATIVE);
			if (s)
				add_replacement(x, s, elf_rela_at(sec, off + 4), sec->data[off + 11]);
			break;
		case KMEND_SITE_PARAVIRT:
			add_site(x, at, sec->data[off + 9], KMEND_SITE_PARAVIRT);
			break;
		case KMEND_SITE_JUMP_LABEL:
			s = add_site(x, at, branch_len(x->out, at), KMEND_SITE_JUMP_LABEL);
			if (s) {
				int64_t to = in_func(x, elf_rela_at(sec, off + 4));

				s->target = to < 0 ? KMEND_TARGET_OUTSIDE : (uint32_t)to;
			}
			break;
		case KMEND_SITE_RETPOLINE:
		case KMEND_SITE_RETURN:
			add_site(x, at, branch_len(x->out, at), tables[t].kind);
			break;
		case KMEND_SITE_LOCK:
			add_site(x, at, 1, KMEND_SITE_LOCK);
			break;
		}
	}
}

/* The relocation fields of the function, each by the name of its target. */
static void read_relocs(struct extract *x, const struct elf_section *sec)
{
	const struct elf_object *obj = x->obj;
	uint64_t start = x->func->sym.st_value, end = start + x->func->sym.st_size;

	for (size_t i = 0; i < sec->nr_relas && !x->nomem; i++) {
		const struct elf_rela *r = &sec->relas[i];
		const struct elf_symbol *t = &obj->symbols[r->sym];
		struct pre_reloc *grown, *p;
		const char *name = t->name;
		int64_t addend = r->addend;

		if (r->offset < start || r->offset >= end)
			continue;
		if (t->type != STT_FUNC && t->type != STT_OBJECT && t->sym.st_shndx &&
		    t->sym.st_shndx < SHN_LORESERVE) {
			/* a section or label: name what lies there, if anything */
			int64_t bias = r->type == R_X86_64_PC32 || r->type == R_X86_64_PLT32 ?
				       elf_pcrel_bias(sec, r->offset) : 0;
			int64_t at = (int64_t)t->sym.st_value + addend;
			const struct elf_symbol *s = elf_symbol_at(obj, &obj->sections[t->sym.st_shndx],
								   at + bias);

			name = s ? s->name : NULL;
			addend = s ? at - (int64_t)s->sym.st_value : 0;
		}
		grown = realloc(x->out->relocs, (x->out->nr_relocs + 1) * sizeof(*grown));
		if (!grown) {
			x->nomem = true;
			return;
		}
		x->out->relocs = grown;
		p = &grown[x->out->nr_relocs];
		p->offset = (uint32_t)(r->offset - start);
		p->type = r->type;
		p->addend = addend;
		p->symbol = name && *name ? strdup(name) : NULL;
		if (name && *name && !p->symbol) {
			x->nomem = true;
			return;
		}
		x->out->nr_relocs++;
	}
}

/* by offset, then kind: the same order whatever qsort does with ties */
static int by_offset(const void *a, const void *b)
{
	const struct pre_site *x = a, *y = b;

	if (x->offset != y->offset)
		return (x->offset > y->offset) - (x->offset < y->offset);
	return (x->kind > y->kind) - (x->kind < y->kind);
}

/* "<name>.cold" in @obj: where gcc put @func's unlikely paths, or NULL. */
static const struct elf_symbol *cold_part(const struct elf_object *obj,
					  const struct elf_symbol *func)
{
	size_t len = strlen(func->name);

	for (size_t i = 1; i < obj->nr_symbols; i++) {
		const struct elf_symbol *s = &obj->symbols[i];

		if (s->type == STT_FUNC && s != func && !strncmp(s->name, func->name, len) &&
		    !strcmp(s->name + len, ".cold") && elf_symbol_section(obj, s))
			return s;
	}
	return NULL;
}

static int extract_one(const struct elf_object *pre, const struct elf_symbol *func,
		       struct pre_func *out, char *err, size_t errlen)
{
	const struct elf_section *sec = elf_symbol_section(pre, func);
	struct extract x = { .obj = pre, .func = func, .out = out };

	memset(out, 0, sizeof(*out));
	if (!sec || !sec->data || func->sym.st_value + func->sym.st_size > sec->size)
		return set_error(err, errlen, "%s: no code for %s", pre->path, func->name);
	out->size = (uint32_t)func->sym.st_size;
	out->code = malloc(out->size ? out->size : 1);
	if (!out->code)
		return set_error(err, errlen, "out of memory");
	memcpy(out->code, sec->data + func->sym.st_value, out->size);
	read_relocs(&x, sec);
	for (size_t i = 1; i < pre->nr_sections && !x.nomem; i++)
		if (pre->sections[i].name)
			read_table(&x, &pre->sections[i]);
	if (x.nomem || x.bad) {
		pre_func_free(out);
		if (x.bad)
			return set_error(err, errlen, "%s at +%#llx", x.bad,
					 (unsigned long long)x.bad_offset);
		return set_error(err, errlen, "out of memory");
	}
	if (out->nr_sites)
		qsort(out->sites, out->nr_sites, sizeof(*out->sites), by_offset);
	return 0;
}

int pre_func_extract(const struct elf_object *pre, const struct elf_symbol *func,
		     struct pre_func *out, char *err, size_t errlen)
{
	const struct elf_symbol *cold = strstr(func->name, ".cold") ? NULL :
					cold_part(pre, func);

	if (extract_one(pre, func, out, err, errlen))
		return -1;
	if (!cold)
		return 0;
	out->cold = calloc(1, sizeof(*out->cold));
	if (!out->cold || extract_one(pre, cold, out->cold, err, errlen)) {
		if (!out->cold)
			set_error(err, errlen, "out of memory");
		pre_func_free(out);
		return -1;
	}
	return 0;
}

void pre_func_free(struct pre_func *f)
{
	if (f->cold) {
		pre_func_free(f->cold);
		free(f->cold);
	}
	for (size_t i = 0; i < f->nr_relocs; i++)
		free(f->relocs[i].symbol);
	for (size_t i = 0; i < f->nr_sites; i++) {
		free(f->sites[i].repl);
		free(f->sites[i].repl_wild);
	}
	free(f->relocs);
	free(f->sites);
	free(f->code);
	memset(f, 0, sizeof(*f));
}
