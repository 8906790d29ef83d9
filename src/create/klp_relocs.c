// SPDX-License-Identifier: GPL-2.0
/*
 * The references kmend's engine would resolve (kmend relocations), written
 * into the linked update module as the kernel's livepatch relocations
 * (Documentation/livepatch/module-elf-format.rst): one section
 * ".klp.rela.OBJECT.SECTION" (SHF_RELA_LIVEPATCH, SHF_ALLOC) per object and
 * section they are in, against symbols ".klp.sym.OBJECT.NAME,0" (SHN_LIVEPATCH).
 * The module loader applies those of vmlinux while the module loads, and
 * livepatch those of a module when that module is present.
 */
#include "klp_tables.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfwrite.h"
#include "util.h"

#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH	0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH		0xff20
#endif

/* One kmend relocation, as livepatch sees it. */
struct klp_ref {
	char *section_object;	/* whose relocations these are: when applied */
	char *symbol;		/* ".klp.sym.OBJECT.NAME,0" */
	size_t target;		/* the module's section holding the field */
	uint64_t offset;	/* in it */
	uint32_t type;
	int64_t addend;
};

struct klp_work {
	Elf *elf;
	size_t symtab, strtab, shstrtab;
	size_t nr_syms;		/* before any are added */
	struct klp_ref *refs;
	size_t nr_refs;
	char *err;
	size_t errlen;
};

/* The section and value of global @name in the module's symbol table. */
static int find_global(struct klp_work *w, const char *name, size_t *section,
		       uint64_t *value)
{
	Elf_Data *d = elf_getdata(elf_getscn(w->elf, w->symtab), NULL);
	GElf_Sym sym;

	for (size_t i = 1; d && i < w->nr_syms; i++) {
		const char *s;

		if (!gelf_getsym(d, (int)i, &sym))
			break;
		s = elf_strptr(w->elf, w->strtab, sym.st_name);
		if (s && !strcmp(s, name) && GELF_ST_BIND(sym.st_info) == STB_GLOBAL &&
		    sym.st_shndx != SHN_UNDEF && sym.st_shndx < SHN_LORESERVE) {
			*section = sym.st_shndx;
			*value = sym.st_value;
			return 0;
		}
	}
	return set_error(w->err, w->errlen, "the linked module has no global %s", name);
}

/* Add the livepatch view of @r, a reference of a unit of @target. */
static int add_ref(struct klp_work *w, const char *target,
		   const struct payload_reloc *r)
{
	const char *colon = strchr(r->symbol, ':');
	const char *name = colon ? colon + 1 : r->symbol;
	int object_len = colon ? (int)(colon - r->symbol) : (int)strlen(target);
	const char *object = colon ? r->symbol : target;
	struct klp_ref *grown, *k;
	uint64_t value = 0;
	size_t section = 0;

	if (find_global(w, r->place_symbol, &section, &value))
		return -1;
	grown = realloc(w->refs, (w->nr_refs + 1) * sizeof(*grown));
	if (!grown)
		return set_error(w->err, w->errlen, "out of memory");
	w->refs = grown;
	k = &grown[w->nr_refs];
	/*
	 * A module's relocations may name another module's symbols (one its
	 * target depends on), never vmlinux's: livepatch refuses that.
	 */
	k->section_object = strdup(target);
	k->symbol = str_format(".klp.sym.%.*s.%s,0", object_len, object, name);
	k->target = section;
	k->offset = value + r->offset;
	k->type = r->type;
	k->addend = r->addend;
	if (!k->section_object || !k->symbol) {
		free(k->section_object);
		free(k->symbol);
		return set_error(w->err, w->errlen, "out of memory");
	}
	w->nr_refs++;
	return 0;
}

/* Append @size bytes to section @index as a new data block. */
static Elf_Data *append(struct klp_work *w, size_t index, void *buf, size_t size,
			Elf_Type type, size_t align)
{
	Elf_Scn *scn = elf_getscn(w->elf, index);

	return scn ? elf_add_data(scn, buf, size, type, align) : NULL;
}

/* The current size of section @index (every data block of it). */
static size_t section_size(struct klp_work *w, size_t index)
{
	GElf_Shdr sh;

	return gelf_getshdr(elf_getscn(w->elf, index), &sh) ? sh.sh_size : 0;
}

/*
 * Strings for @n names into one block for string table @index: each name's
 * offset in @offsets. The block is kept by libelf until elf_end(), so it
 * is handed back to the caller to free then.
 */
static char *add_strings(struct klp_work *w, size_t index, const char **names,
			 size_t n, size_t *offsets)
{
	size_t base = section_size(w, index), len = 0;
	char *buf, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		return NULL;
	p = buf;
	for (size_t i = 0; i < n; i++) {
		offsets[i] = base + (size_t)(p - buf);
		p = stpcpy(p, names[i]) + 1;
	}
	if (!append(w, index, buf, len, ELF_T_BYTE, 1)) {
		free(buf);
		return NULL;
	}
	elf_flagscn(elf_getscn(w->elf, index), ELF_C_SET, ELF_F_DIRTY);
	return buf;
}

static int by_section(const void *a, const void *b)
{
	const struct klp_ref *x = a, *y = b;
	int c = strcmp(x->section_object, y->section_object);

	if (c)
		return c;
	return (x->target > y->target) - (x->target < y->target);
}

/* Every block handed to libelf, freed after elf_end(). */
struct blocks {
	void **p;
	size_t n;
};

static int keep(struct blocks *b, void *p)
{
	void **grown = p ? realloc(b->p, (b->n + 1) * sizeof(*grown)) : NULL;

	if (!grown) {
		free(p);
		return -1;
	}
	b->p = grown;
	b->p[b->n++] = p;
	return 0;
}

/* Add the symbols and the relocation sections; @w->refs sorted by section. */
static int write_sections(struct klp_work *w, struct blocks *blocks)
{
	const char **names = calloc(w->nr_refs + 1, sizeof(*names));
	size_t *sym_of = calloc(w->nr_refs + 1, sizeof(*sym_of));
	size_t *offsets = calloc(w->nr_refs + 1, sizeof(*offsets));
	GElf_Sym *syms = calloc(w->nr_refs + 1, sizeof(*syms));
	size_t nr_names = 0, nr_groups = 0;
	char **group_names = NULL;
	int ret = -1;

	if (!names || !sym_of || !offsets || !syms)
		goto nomem;
	/* one symbol per distinct name */
	for (size_t i = 0; i < w->nr_refs; i++) {
		size_t k;

		for (k = 0; k < nr_names && strcmp(names[k], w->refs[i].symbol); k++)
			;
		if (k == nr_names)
			names[nr_names++] = w->refs[i].symbol;
		sym_of[i] = w->nr_syms + k;
	}
	if (keep(blocks, add_strings(w, w->strtab, names, nr_names, offsets)))
		goto nomem;
	for (size_t k = 0; k < nr_names; k++)
		syms[k] = (GElf_Sym){
			.st_name = (GElf_Word)offsets[k],
			.st_info = GELF_ST_INFO(STB_GLOBAL, STT_NOTYPE),
			.st_shndx = SHN_LIVEPATCH,
		};
	if (!append(w, w->symtab, syms, nr_names * sizeof(*syms), ELF_T_SYM, 8))
		goto libelf;
	if (keep(blocks, syms)) {
		syms = NULL;
		goto nomem;
	}
	syms = NULL;
	elf_flagscn(elf_getscn(w->elf, w->symtab), ELF_C_SET, ELF_F_DIRTY);

	/* one relocation section per object and section */
	group_names = calloc(w->nr_refs + 1, sizeof(*group_names));
	if (!group_names)
		goto nomem;
	for (size_t i = 0; i < w->nr_refs; i++) {
		GElf_Shdr sh;
		const char *secname;

		if (i && !by_section(&w->refs[i - 1], &w->refs[i]))
			continue;
		if (!gelf_getshdr(elf_getscn(w->elf, w->refs[i].target), &sh))
			goto libelf;
		secname = elf_strptr(w->elf, w->shstrtab, sh.sh_name);
		group_names[nr_groups] = str_format(".klp.rela.%s.%s", w->refs[i].section_object,
						    secname ? secname : "");
		if (!group_names[nr_groups++])
			goto nomem;
	}
	if (keep(blocks, add_strings(w, w->shstrtab, (const char **)group_names,
				     nr_groups, offsets)))
		goto nomem;
	for (size_t i = 0, g = 0; i < w->nr_refs; g++) {
		size_t end = i + 1, n;
		GElf_Rela *relas;
		Elf_Scn *scn;
		GElf_Shdr sh = { 0 };

		while (end < w->nr_refs && !by_section(&w->refs[i], &w->refs[end]))
			end++;
		n = end - i;
		relas = calloc(n, sizeof(*relas));
		if (keep(blocks, relas))
			goto nomem;
		for (size_t k = 0; k < n; k++)
			relas[k] = (GElf_Rela){
				.r_offset = w->refs[i + k].offset,
				.r_info = GELF_R_INFO(sym_of[i + k], w->refs[i + k].type),
				.r_addend = w->refs[i + k].addend,
			};
		scn = elf_newscn(w->elf);
		if (!scn || !append(w, elf_ndxscn(scn), relas, n * sizeof(*relas),
				    ELF_T_RELA, 8))
			goto libelf;
		sh.sh_name = (GElf_Word)offsets[g];
		sh.sh_type = SHT_RELA;
		sh.sh_flags = SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH;
		sh.sh_link = (GElf_Word)w->symtab;
		sh.sh_info = (GElf_Word)w->refs[i].target;
		sh.sh_entsize = sizeof(Elf64_Rela);
		sh.sh_addralign = 8;
		if (!gelf_update_shdr(scn, &sh))
			goto libelf;
		i = end;
	}
	ret = 0;
	goto out;
libelf:
	set_error(w->err, w->errlen, "libelf: %s", elf_errmsg(-1));
	goto out;
nomem:
	set_error(w->err, w->errlen, "out of memory");
out:
	for (size_t g = 0; group_names && g < nr_groups; g++)
		free(group_names[g]);
	free(group_names);
	free(syms);
	free(offsets);
	free(sym_of);
	free(names);
	return ret;
}

/* The sections the conversion needs: the symbol table, its strings, names. */
static int find_tables(struct klp_work *w)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(w->elf, &w->shstrtab))
		return set_error(w->err, w->errlen, "libelf: %s", elf_errmsg(-1));
	while ((scn = elf_nextscn(w->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			w->symtab = elf_ndxscn(scn);
			w->strtab = sh.sh_link;
			w->nr_syms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
			return 0;
		}
	return set_error(w->err, w->errlen, "no symbol table");
}

int klp_relocs_write(const char *ko, const struct update_module *m, char *err,
		     size_t errlen)
{
	struct klp_work w = { .err = err, .errlen = errlen };
	struct blocks blocks = { 0 };
	int fd, ret = -1;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return set_error(err, errlen, "libelf: %s", elf_errmsg(-1));
	fd = open(ko, O_RDWR);
	if (fd < 0)
		return set_error(err, errlen, "%s: %s", ko, strerror(errno));
	w.elf = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!w.elf) {
		set_error(err, errlen, "%s: libelf: %s", ko, elf_errmsg(-1));
		goto close;
	}
	if (find_tables(&w))
		goto end;
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct payload *p = m->units[i].payload;

		for (size_t k = 0; k < p->nr_relocs; k++)
			if (add_ref(&w, m->units[i].target, &p->relocs[k]))
				goto end;
	}
	ret = 0;
	if (!w.nr_refs)
		goto end;
	qsort(w.refs, w.nr_refs, sizeof(*w.refs), by_section);
	ret = -1;
	if (write_sections(&w, &blocks))
		goto end;
	if (elf_update(w.elf, ELF_C_WRITE) < 0) {
		set_error(err, errlen, "%s: libelf: %s", ko, elf_errmsg(-1));
		goto end;
	}
	ret = 0;
end:
	elf_end(w.elf);
close:
	close(fd);
	for (size_t i = 0; i < blocks.n; i++)
		free(blocks.p[i]);
	free(blocks.p);
	for (size_t i = 0; i < w.nr_refs; i++) {
		free(w.refs[i].section_object);
		free(w.refs[i].symbol);
	}
	free(w.refs);
	return ret;
}
