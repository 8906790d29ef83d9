// SPDX-License-Identifier: GPL-2.0
/*
 * Cutting an assembly object's code sections into one section per function.
 *
 * The assembler puts every function of a .S file into one section (.text,
 * unless the file says otherwise) and resolves what one of them reaches in
 * another through a local label itself, with no relocation. kmend carries
 * sections, so the object is rebuilt (elfwrite.c) with the code cut at each
 * function's first byte: the bytes up to the next function go with it
 * (alignment padding, and any unnamed code after its end that it may jump
 * to), references are moved to the piece the code they reach is in, named
 * by its function as a C object names them, and the resolved branches
 * between pieces get a relocation (pcrel_refs.c finds them).
 */
#include "function_sections.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfobj.h"
#include "elfwrite.h"
#include "pcrel_refs.h"
#include "util.h"

#define ORC_IP_SIZE	4
#define ORC_ENTRY_SIZE	6

/* One function's piece of a cut section: [start, end) of the original. */
struct piece {
	uint64_t start, end;
	size_t anchor;		/* the original symbol at start that names it */
	size_t out;		/* its builder section */
	size_t out_sym;		/* the builder symbol of its anchor */
	bool orc_start, orc_end;
};

struct cut {
	struct piece *pieces;	/* by start */
	size_t nr;
	size_t head_out;	/* builder section of the bytes before the first */
};

struct split {
	const struct elf_object *obj;
	struct elf_builder b;
	struct cut *cut_of;	/* by original section; nr == 0: not cut */
	size_t *sec_out;	/* original section -> builder section, 0: left out */
	size_t *sym_out;	/* original symbol -> builder symbol, 0: none */
};

/* A symbol that starts a piece: a function, or code with a size (SYM_CODE). */
static bool starts_piece(const struct elf_symbol *s)
{
	return *s->name && (s->type == STT_FUNC ||
			    (s->type == STT_NOTYPE && s->sym.st_size));
}

static bool left_out(const struct elf_section *sec)
{
	return sec->shdr.sh_type == SHT_RELA || sec->shdr.sh_type == SHT_SYMTAB ||
	       sec->shdr.sh_type == SHT_STRTAB || !strncmp(sec->name, ".debug", 6);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Where section @index is cut, into sp->cut_of[index]; none: nr stays 0. */
static int find_pieces(struct split *sp, size_t index)
{
	const struct elf_object *obj = sp->obj;
	const struct elf_section *sec = &obj->sections[index];
	struct cut *c = &sp->cut_of[index];
	uint64_t *starts = calloc(obj->nr_symbols + 1, sizeof(*starts));
	size_t n = 0, kept = 0;

	if (!starts)
		return -1;
	for (size_t i = 1; i < obj->nr_symbols; i++) {
		const struct elf_symbol *s = &obj->symbols[i];

		if (s->sym.st_shndx == index && starts_piece(s) && s->sym.st_value < sec->size)
			starts[n++] = s->sym.st_value;
	}
	qsort(starts, n, sizeof(*starts), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (!kept || starts[kept - 1] != starts[i])
			starts[kept++] = starts[i];
	if (!kept || (kept == 1 && starts[0] == 0)) {
		free(starts);
		return 0;
	}
	c->pieces = calloc(kept, sizeof(*c->pieces));
	if (!c->pieces) {
		free(starts);
		return -1;
	}
	for (size_t k = 0; k < kept; k++) {
		struct piece *p = &c->pieces[k];

		p->start = starts[k];
		p->end = k + 1 < kept ? starts[k + 1] : sec->size;
		/* named by a global function there, else the first one */
		for (size_t i = 1; i < obj->nr_symbols; i++) {
			const struct elf_symbol *s = &obj->symbols[i];

			if (s->sym.st_shndx != index || s->sym.st_value != p->start ||
			    !starts_piece(s))
				continue;
			if (!p->anchor || (s->type == STT_FUNC &&
					   (obj->symbols[p->anchor].type != STT_FUNC ||
					    (s->bind != STB_LOCAL &&
					     obj->symbols[p->anchor].bind == STB_LOCAL))))
				p->anchor = i;
		}
	}
	c->nr = kept;
	free(starts);
	return 0;
}

/*
 * The piece of @c holding offset @off (one that starts there, not one that
 * ends there; the last for the section's end), or NULL for the head.
 */
static struct piece *piece_at(const struct cut *c, int64_t off)
{
	struct piece *found = NULL;

	for (size_t k = 0; k < c->nr; k++)
		if ((int64_t)c->pieces[k].start <= off)
			found = &c->pieces[k];
	return found;
}

/* The builder section and offset of @off in original section @index. */
static size_t place_of(const struct split *sp, size_t index, uint64_t *off)
{
	const struct cut *c = &sp->cut_of[index];
	const struct piece *p;

	if (!c->nr)
		return sp->sec_out[index];
	p = piece_at(c, (int64_t)*off);
	if (!p)
		return c->head_out;
	*off -= p->start;
	return p->out;
}

static int add_sections(struct split *sp, char *err, size_t errlen)
{
	const struct elf_object *obj = sp->obj;

	for (size_t i = 1; i < obj->nr_sections; i++) {
		const struct elf_section *sec = &obj->sections[i];
		const GElf_Shdr *h = &sec->shdr;
		struct cut *c = &sp->cut_of[i];
		GElf_Xword flags = h->sh_flags & ~(GElf_Xword)(SHF_INFO_LINK | SHF_GROUP);

		if (h->sh_type == SHT_GROUP || h->sh_type == SHT_REL)
			return set_error(err, errlen, "%s: section %s: %s cannot be cut into functions",
					 obj->path, sec->name,
					 h->sh_type == SHT_GROUP ? "a section group" : "REL relocations");
		if (left_out(sec))
			continue;
		if (!c->nr) {
			sp->sec_out[i] = elf_builder_add_section(&sp->b, sec->name, h->sh_type,
								 flags, h->sh_addralign,
								 h->sh_entsize, sec->data,
								 sec->size);
			if (!sp->sec_out[i])
				return set_error(err, errlen, "out of memory");
			continue;
		}
		if (c->pieces[0].start) {
			c->head_out = elf_builder_add_section(&sp->b, sec->name, h->sh_type,
							      flags, h->sh_addralign, 0,
							      sec->data, c->pieces[0].start);
			if (!c->head_out)
				return set_error(err, errlen, "out of memory");
		}
		for (size_t k = 0; k < c->nr; k++) {
			struct piece *p = &c->pieces[k];
			char *name = str_format("%s.%s", sec->name, obj->symbols[p->anchor].name);

			p->out = name ? elf_builder_add_section(&sp->b, name, h->sh_type, flags,
							       h->sh_addralign, 0,
							       sec->data + p->start,
							       p->end - p->start) : 0;
			free(name);
			if (!p->out)
				return set_error(err, errlen, "out of memory");
		}
	}
	return 0;
}

static int add_symbols(struct split *sp, char *err, size_t errlen)
{
	const struct elf_object *obj = sp->obj;

	for (size_t i = 1; i < obj->nr_symbols; i++) {
		const struct elf_symbol *s = &obj->symbols[i];
		size_t shndx = s->sym.st_shndx, section = shndx;
		uint64_t value = s->sym.st_value;
		const struct cut *c;
		struct piece *p = NULL;

		if (shndx >= SHN_LORESERVE && shndx != SHN_XINDEX) {
			section = shndx;	/* absolute, common: as they are */
		} else if (shndx) {
			if (shndx >= obj->nr_sections)
				return set_error(err, errlen, "%s: symbol %s in section %zu",
						 obj->path, s->name, shndx);
			c = &sp->cut_of[shndx];
			if (s->type == STT_SECTION) {
				if (!c->nr)
					sp->sym_out[i] = sp->b.sections[sp->sec_out[shndx]].symbol;
				continue;	/* a cut one's: by piece, in add_relas() */
			}
			if (c->nr) {
				p = piece_at(c, (int64_t)value);
				section = p ? p->out : c->head_out;
				value -= p ? p->start : 0;
			} else {
				section = sp->sec_out[shndx];
			}
			if (!section)
				continue;	/* in a debug section */
		}
		sp->sym_out[i] = elf_builder_add_symbol(&sp->b, s->name, s->type, s->bind,
							section, value, s->sym.st_size);
		if (!sp->sym_out[i])
			return set_error(err, errlen, "out of memory");
		if (p && p->anchor == i)
			p->out_sym = sp->sym_out[i];
	}
	return 0;
}

static bool pc_relative(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32 ||
	       type == R_X86_64_PC64 || type == R_X86_64_PC16 || type == R_X86_64_PC8;
}

/*
 * A reference to offset @target of cut section @c, counted from @bias
 * bytes past where it is written: the piece's function (or the head's
 * section) and the addend from it, into *@sym and *@addend.
 */
static void reference_into(const struct split *sp, const struct cut *c,
			   int64_t target, int64_t bias, size_t *sym, int64_t *addend)
{
	const struct piece *p = piece_at(c, target);

	*sym = p ? p->out_sym : sp->b.sections[c->head_out].symbol;
	*addend = target - (p ? (int64_t)p->start : 0) - bias;
}

/* Every relocation of the kept sections, moved with the code it is in or reaches. */
static int add_relas(struct split *sp, char *err, size_t errlen)
{
	const struct elf_object *obj = sp->obj;

	for (size_t i = 1; i < obj->nr_sections; i++) {
		const struct elf_section *sec = &obj->sections[i];

		if (left_out(sec))
			continue;
		for (size_t k = 0; k < sec->nr_relas; k++) {
			const struct elf_rela *r = &sec->relas[k];
			const struct elf_symbol *t = &obj->symbols[r->sym];
			uint64_t off = r->offset;
			size_t out = place_of(sp, i, &off), sym = sp->sym_out[r->sym];
			int64_t addend = r->addend;
			size_t tsec = t->sym.st_shndx;

			if (tsec && tsec < obj->nr_sections && sp->cut_of[tsec].nr &&
			    (t->type == STT_SECTION ||
			     (t->bind == STB_LOCAL && !starts_piece(t)))) {
				int64_t bias = pc_relative(r->type) ? elf_pcrel_bias(sec, r->offset) : 0;

				reference_into(sp, &sp->cut_of[tsec],
					       (int64_t)t->sym.st_value + r->addend + bias, bias,
					       &sym, &addend);
			}
			if (!out || (!sym && r->sym))
				return set_error(err, errlen, "%s: a relocation of %s refers to a section kmend leaves out",
						 obj->path, sec->name);
			if (elf_builder_add_rela(&sp->b, out, off, r->type, sym, addend))
				return set_error(err, errlen, "out of memory");
		}
	}
	return 0;
}

/*
 * The branches and RIP-relative references the assembler resolved from one
 * piece (or the head) of section @index into another: a relocation each,
 * the displacement cleared as an assembler leaves it.
 */
static int add_resolved(struct split *sp, size_t index, char *err, size_t errlen)
{
	const struct elf_section *sec = &sp->obj->sections[index];
	const struct cut *c = &sp->cut_of[index];
	int ret = 0;

	for (size_t k = 0; k <= c->nr && !ret; k++) {
		uint64_t from = k ? c->pieces[k - 1].start : 0;
		uint64_t to = k ? c->pieces[k - 1].end : c->pieces[0].start;
		struct pcrel_ref *refs;
		size_t nr;

		if (from == to)
			continue;
		if (pcrel_refs_find(sec->data + from, to - from, from, &refs, &nr, err, errlen))
			return -1;
		for (size_t j = 0; j < nr && !ret; j++) {
			const struct pcrel_ref *f = &refs[j];
			uint64_t off = f->at;
			size_t out, sym;
			int64_t addend;
			uint32_t type = f->size == 4 ? R_X86_64_PC32 :
					f->size == 2 ? R_X86_64_PC16 : R_X86_64_PC8;

			if (f->target < 0 || (uint64_t)f->target > sec->size ||
			    ((uint64_t)f->target >= from && (uint64_t)f->target < to) ||
			    elf_rela_at(sec, f->at))
				continue;
			out = place_of(sp, index, &off);
			reference_into(sp, c, f->target, (int64_t)(f->end - f->at), &sym, &addend);
			memset(sp->b.sections[out].data + off, 0, f->size);
			if (elf_builder_add_rela(&sp->b, out, off, type, sym, addend))
				ret = set_error(err, errlen, "out of memory");
		}
		free(refs);
	}
	return ret;
}

/* Append an ORC entry @orc for offset @at of piece @p. */
static int add_orc(struct split *sp, size_t ip_out, size_t orc_out,
		   const struct piece *p, uint64_t at, const unsigned char *orc)
{
	static const unsigned char zero[ORC_IP_SIZE];
	size_t off = sp->b.sections[ip_out].size;

	return elf_builder_append(&sp->b, ip_out, zero, sizeof(zero)) ||
	       elf_builder_add_rela(&sp->b, ip_out, off, R_X86_64_PC32, p->out_sym,
				    (int64_t)at) ||
	       elf_builder_append(&sp->b, orc_out, orc, ORC_ENTRY_SIZE) ? -1 : 0;
}

/*
 * ORC at each piece's first byte (the state there, from the entry before
 * it) and past its last (the end mark objtool writes at a section's end):
 * the unwinder finds the entry at or before an address, and a piece now
 * follows whatever code the module has before it.
 */
static int add_orc_bounds(struct split *sp, char *err, size_t errlen)
{
	const struct elf_object *obj = sp->obj;
	const struct elf_section *ip = elf_section_named(obj, ".orc_unwind_ip");
	const struct elf_section *orc = elf_section_named(obj, ".orc_unwind");
	static const unsigned char end_mark[ORC_ENTRY_SIZE];

	if (!ip || !orc)
		return 0;
	if (!ip->data || !orc->data || ip->size % ORC_IP_SIZE ||
	    ip->size / ORC_IP_SIZE != orc->size / ORC_ENTRY_SIZE)
		return set_error(err, errlen, "%s: ORC tables of unequal length", obj->path);
	for (size_t i = 1; i < obj->nr_sections; i++) {
		const struct cut *c = &sp->cut_of[i];

		for (size_t k = 0; k < c->nr; k++) {
			struct piece *p = &c->pieces[k];
			const unsigned char *before = end_mark;
			int64_t best = -1;

			for (uint64_t e = 0; e < ip->size; e += ORC_IP_SIZE) {
				const struct elf_rela *r = elf_rela_at(ip, e);
				const struct elf_symbol *t = r ? &obj->symbols[r->sym] : NULL;
				int64_t at;

				if (!t || t->sym.st_shndx != i)
					continue;
				at = (int64_t)t->sym.st_value + r->addend;
				if (at == (int64_t)p->start)
					p->orc_start = true;
				if (at == (int64_t)p->end && k + 1 == c->nr)
					p->orc_end = true;
				if (at <= (int64_t)p->start && at > best) {
					best = at;
					before = orc->data + e / ORC_IP_SIZE * ORC_ENTRY_SIZE;
				}
			}
			if ((!p->orc_start &&
			     add_orc(sp, sp->sec_out[ip->index], sp->sec_out[orc->index], p, 0,
				     before)) ||
			    (!p->orc_end &&
			     add_orc(sp, sp->sec_out[ip->index], sp->sec_out[orc->index], p,
				     p->end - p->start, end_mark)))
				return set_error(err, errlen, "out of memory");
		}
	}
	return 0;
}

static int rebuild(struct split *sp, const char *path, char *err, size_t errlen)
{
	char *tmp = str_format("%s.cut.%d", path, (int)getpid());
	int ret = -1;

	if (!tmp)
		return set_error(err, errlen, "out of memory");
	if (add_sections(sp, err, errlen) || add_symbols(sp, err, errlen) ||
	    add_relas(sp, err, errlen))
		goto out;
	for (size_t i = 1; i < sp->obj->nr_sections; i++)
		if (sp->cut_of[i].nr && add_resolved(sp, i, err, errlen))
			goto out;
	if (add_orc_bounds(sp, err, errlen) ||
	    elf_builder_write(&sp->b, tmp, err, errlen))
		goto out;
	if (rename(tmp, path)) {
		set_error(err, errlen, "cannot replace %s", path);
		goto out;
	}
	ret = 0;
out:
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int function_sections_split(const char *path, bool *changed, char *err,
			    size_t errlen)
{
	struct elf_object obj;
	struct split sp = { .obj = &obj };
	bool cut = false;
	int ret = -1;

	*changed = false;
	if (elf_object_open(&obj, path, err, errlen))
		return -1;
	sp.cut_of = calloc(obj.nr_sections, sizeof(*sp.cut_of));
	sp.sec_out = calloc(obj.nr_sections, sizeof(*sp.sec_out));
	sp.sym_out = calloc(obj.nr_symbols + 1, sizeof(*sp.sym_out));
	if (!sp.cut_of || !sp.sec_out || !sp.sym_out || elf_builder_init(&sp.b)) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 1; i < obj.nr_sections; i++) {
		const struct elf_section *sec = &obj.sections[i];

		if (sec->shdr.sh_type != SHT_PROGBITS ||
		    !(sec->shdr.sh_flags & SHF_EXECINSTR) || !sec->data)
			continue;
		if (find_pieces(&sp, i)) {
			set_error(err, errlen, "out of memory");
			goto out;
		}
		cut |= sp.cut_of[i].nr != 0;
	}
	if (cut && rebuild(&sp, path, err, errlen))
		goto out;
	*changed = cut;
	ret = 0;
out:
	for (size_t i = 0; sp.cut_of && i < obj.nr_sections; i++)
		free(sp.cut_of[i].pieces);
	free(sp.cut_of);
	free(sp.sec_out);
	free(sp.sym_out);
	elf_builder_free(&sp.b);
	elf_object_close(&obj);
	return ret;
}
