// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a relocatable ELF object with libelf.
 */
#include "elfobj.h"


#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Far beyond any section alignment a kernel object asks for (pages). */
#define SECTION_ALIGN_MAX ((uint64_t)1 << 20)

static int cmp_rela(const void *a, const void *b)
{
	const struct elf_rela *x = a, *y = b;

	return (x->offset > y->offset) - (x->offset < y->offset);
}

static int load_sections(struct elf_object *obj, size_t shstrndx, char *err,
			 size_t errlen)
{
	Elf_Scn *scn = NULL;

	obj->sections = calloc(obj->nr_sections, sizeof(*obj->sections));
	if (!obj->sections)
		return set_error(err, errlen, "%s: out of memory", obj->path);

	while ((scn = elf_nextscn(obj->elf, scn))) {
		size_t i = elf_ndxscn(scn);
		struct elf_section *s = &obj->sections[i];
		Elf_Data *data;

		if (i >= obj->nr_sections || !gelf_getshdr(scn, &s->shdr))
			return set_error(err, errlen, "%s: bad section header: %s",
				    obj->path, elf_errmsg(-1));
		s->index = i;
		s->name = elf_strptr(obj->elf, shstrndx, s->shdr.sh_name);
		if (!s->name)
			return set_error(err, errlen, "%s: section %zu has no name",
				    obj->path, i);
		/* writers align to it: a power of two a kernel object uses */
		if (s->shdr.sh_addralign > SECTION_ALIGN_MAX ||
		    (s->shdr.sh_addralign & (s->shdr.sh_addralign - 1)))
			return set_error(err, errlen, "%s: section %s has alignment %llu",
				    obj->path, s->name,
				    (unsigned long long)s->shdr.sh_addralign);
		if (s->shdr.sh_type == SHT_NOBITS) {
			s->size = s->shdr.sh_size;
			continue;
		}
		data = elf_getdata(scn, NULL);
		if (!data && s->shdr.sh_size)
			return set_error(err, errlen, "%s: cannot read section %s: %s",
				    obj->path, s->name, elf_errmsg(-1));
		s->data = data ? data->d_buf : NULL;
		s->size = data ? data->d_size : 0;
	}
	return 0;
}

static int load_symbols(struct elf_object *obj, char *err, size_t errlen)
{
	for (size_t i = 0; i < obj->nr_sections; i++) {
		struct elf_section *s = &obj->sections[i];
		Elf_Data *data;

		if (s->shdr.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(elf_getscn(obj->elf, i), NULL);
		if (!data)
			return set_error(err, errlen, "%s: cannot read the symbol table",
				    obj->path);
		obj->nr_symbols = s->shdr.sh_entsize ?
				  s->shdr.sh_size / s->shdr.sh_entsize : 0;
		obj->symbols = calloc(obj->nr_symbols ? obj->nr_symbols : 1,
				      sizeof(*obj->symbols));
		if (!obj->symbols)
			return set_error(err, errlen, "%s: out of memory", obj->path);
		for (size_t n = 0; n < obj->nr_symbols; n++) {
			struct elf_symbol *sym = &obj->symbols[n];

			if (!gelf_getsym(data, (int)n, &sym->sym))
				return set_error(err, errlen, "%s: bad symbol %zu",
					    obj->path, n);
			/*
			 * Every reader indexes sections with it and adds
			 * offsets to it: check it once, here.
			 */
			if (sym->sym.st_shndx != SHN_UNDEF &&
			    sym->sym.st_shndx < SHN_LORESERVE &&
			    sym->sym.st_shndx >= obj->nr_sections)
				return set_error(err, errlen, "%s: symbol %zu is in section %u of %zu",
					    obj->path, n, sym->sym.st_shndx,
					    obj->nr_sections);
			if (sym->sym.st_shndx != SHN_UNDEF &&
			    sym->sym.st_shndx < SHN_LORESERVE &&
			    (sym->sym.st_value > obj->sections[sym->sym.st_shndx].shdr.sh_size ||
			     sym->sym.st_size > obj->sections[sym->sym.st_shndx].shdr.sh_size -
						sym->sym.st_value))
				return set_error(err, errlen, "%s: symbol %zu lies outside its section",
					    obj->path, n);
			sym->index = n;
			sym->type = GELF_ST_TYPE(sym->sym.st_info);
			sym->bind = GELF_ST_BIND(sym->sym.st_info);
			sym->name = elf_strptr(obj->elf, s->shdr.sh_link,
					       sym->sym.st_name);
			if (!sym->name)
				sym->name = "";
			/* Section symbols are named by their section. */
			if (sym->type == STT_SECTION &&
			    sym->sym.st_shndx < obj->nr_sections &&
			    obj->sections[sym->sym.st_shndx].name)
				sym->name = obj->sections[sym->sym.st_shndx].name;
		}
		return 0;
	}
	return set_error(err, errlen, "%s: no symbol table (stripped?)", obj->path);
}

/* Far beyond any section of a kernel object, far below overflow. */
#define RELA_ADDEND_MAX ((int64_t)1 << 40)

static int load_relocations(struct elf_object *obj, char *err, size_t errlen)
{
	for (size_t i = 0; i < obj->nr_sections; i++) {
		struct elf_section *rs = &obj->sections[i];
		struct elf_section *target;
		Elf_Data *data;
		size_t n;

		if (rs->shdr.sh_type == SHT_REL)
			return set_error(err, errlen, "%s: %s: REL relocations are not supported (x86-64 uses RELA)",
				    obj->path, rs->name);
		if (rs->shdr.sh_type != SHT_RELA)
			continue;
		if (rs->shdr.sh_info >= obj->nr_sections || !rs->shdr.sh_entsize)
			return set_error(err, errlen, "%s: %s: bad relocation section",
				    obj->path, rs->name);
		target = &obj->sections[rs->shdr.sh_info];
		if (target->relas)
			return set_error(err, errlen, "%s: %s: a second relocation section for %s",
				    obj->path, rs->name, target->name ? target->name : "?");
		data = elf_getdata(elf_getscn(obj->elf, i), NULL);
		if (!data)
			return set_error(err, errlen, "%s: cannot read %s", obj->path,
				    rs->name);
		n = rs->shdr.sh_size / rs->shdr.sh_entsize;
		target->relas = calloc(n ? n : 1, sizeof(*target->relas));
		if (!target->relas)
			return set_error(err, errlen, "%s: out of memory", obj->path);
		for (size_t k = 0; k < n; k++) {
			GElf_Rela r;

			if (!gelf_getrela(data, (int)k, &r))
				return set_error(err, errlen, "%s: bad relocation in %s",
					    obj->path, rs->name);
			target->relas[k].offset = r.r_offset;
			target->relas[k].type = (uint32_t)GELF_R_TYPE(r.r_info);
			target->relas[k].sym = (uint32_t)GELF_R_SYM(r.r_info);
			target->relas[k].addend = r.r_addend;
			if (target->relas[k].sym >= obj->nr_symbols)
				return set_error(err, errlen, "%s: relocation in %s names symbol %u of %zu",
					    obj->path, rs->name,
					    target->relas[k].sym,
					    obj->nr_symbols);
			/*
			 * A relocatable object's places and offsets fit its
			 * sections: readers add them without overflow checks.
			 */
			if (r.r_offset >= target->shdr.sh_size ||
			    r.r_addend < -RELA_ADDEND_MAX ||
			    r.r_addend > RELA_ADDEND_MAX)
				return set_error(err, errlen, "%s: relocation %zu in %s is out of range",
					    obj->path, k, rs->name);
		}
		target->nr_relas = n;
		qsort(target->relas, n, sizeof(*target->relas), cmp_rela);
	}
	return 0;
}

int elf_object_open(struct elf_object *obj, const char *path, char *err,
		    size_t errlen)
{
	GElf_Ehdr ehdr;
	size_t shstrndx;

	memset(obj, 0, sizeof(*obj));
	obj->path = path;
	obj->fd = -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return set_error(err, errlen, "libelf is too old");

	obj->fd = open(path, O_RDONLY);
	if (obj->fd < 0)
		return set_error(err, errlen, "%s: %s", path, strerror(errno));
	obj->elf = elf_begin(obj->fd, ELF_C_READ, NULL);
	if (!obj->elf || elf_kind(obj->elf) != ELF_K_ELF) {
		set_error(err, errlen, "%s: not an ELF file", path);
		goto out;
	}
	if (!gelf_getehdr(obj->elf, &ehdr) || ehdr.e_type != ET_REL ||
	    ehdr.e_machine != EM_X86_64) {
		set_error(err, errlen, "%s: not an x86-64 relocatable object (.o)",
		     path);
		goto out;
	}
	if (elf_getshdrnum(obj->elf, &obj->nr_sections) ||
	    elf_getshdrstrndx(obj->elf, &shstrndx)) {
		set_error(err, errlen, "%s: bad section headers: %s", path,
		     elf_errmsg(-1));
		goto out;
	}
	if (load_sections(obj, shstrndx, err, errlen) ||
	    load_symbols(obj, err, errlen) ||
	    load_relocations(obj, err, errlen))
		goto out;
	return 0;

out:
	elf_object_close(obj);
	return -1;
}

void elf_object_close(struct elf_object *obj)
{
	for (size_t i = 0; obj->sections && i < obj->nr_sections; i++)
		free(obj->sections[i].relas);
	free(obj->sections);
	free(obj->symbols);
	if (obj->elf)
		elf_end(obj->elf);
	if (obj->fd >= 0)
		close(obj->fd);
	memset(obj, 0, sizeof(*obj));
	obj->fd = -1;
}

const struct elf_section *elf_symbol_section(const struct elf_object *obj,
					     const struct elf_symbol *sym)
{
	GElf_Section shndx = sym->sym.st_shndx;

	if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE ||
	    shndx >= obj->nr_sections)
		return NULL;
	return &obj->sections[shndx];
}

bool elf_rela_is_branch(const struct elf_section *sec, const struct elf_rela *r)
{
	const unsigned char *d = sec->data;
	uint64_t off = r->offset;

	if (r->type == R_X86_64_PLT32)
		return true;
	if (r->type != R_X86_64_PC32 || !d || off < 1 || off > sec->size)
		return false;
	if (d[off - 1] == 0xe8 || d[off - 1] == 0xe9)
		return true;
	return off >= 2 && d[off - 2] == 0x0f && (d[off - 1] & 0xf0) == 0x80;
}

const struct elf_symbol *elf_section_function(const struct elf_object *obj, size_t sec)
{
	const struct elf_symbol *found = NULL;

	for (size_t i = 0; i < obj->nr_symbols; i++) {
		const struct elf_symbol *s = &obj->symbols[i];

		if (s->type != STT_FUNC || s->sym.st_shndx != sec)
			continue;
		if (found)
			return NULL;	/* shared: not one function's */
		found = s;
	}
	return found;
}

const struct elf_symbol *elf_symbol_at(const struct elf_object *obj,
				       const struct elf_section *sec,
				       int64_t off)
{
	for (size_t i = 0; i < obj->nr_symbols; i++) {
		const struct elf_symbol *s = &obj->symbols[i];
		uint64_t size = s->sym.st_size ? s->sym.st_size : 1;

		if ((s->type != STT_FUNC && s->type != STT_OBJECT) ||
		    s->sym.st_shndx != sec->index)
			continue;
		if (off >= (int64_t)s->sym.st_value &&
		    off < (int64_t)(s->sym.st_value + size))
			return s;
	}
	return NULL;
}

/*
 * The size of the immediate after a RIP-relative operand whose ModRM byte is
 * at @modrm (x86-64): from the opcode before it, with a 0x66 prefix making
 * 32-bit immediates 16-bit.
 */
static int64_t immediate_size(const unsigned char *d, uint64_t modrm)
{
	unsigned char op, reg;
	uint64_t at;
	bool two_byte, opsize16 = false;

	if (modrm < 1)
		return 0;
	reg = (d[modrm] >> 3) & 7;
	op = d[modrm - 1];
	two_byte = modrm >= 2 && d[modrm - 2] == 0x0f;
	if (modrm >= 3 && d[modrm - 2] == 0x3a && d[modrm - 3] == 0x0f)
		return 1;			/* 0f 3a xx: SSE4 with imm8 */
	at = modrm - 1 - (two_byte ? 1 : 0);
	while (at > 0 && d[at - 1] >= 0x40 && d[at - 1] <= 0x4f)
		at--;			/* REX */
	if (at > 0 && d[at - 1] == 0x66)
		opsize16 = true;
	if (two_byte) {
		switch (op) {
		case 0xba: case 0xa4: case 0xac: case 0x70: case 0x71:
		case 0x72: case 0x73: case 0xc2: case 0xc4: case 0xc5: case 0xc6:
			return 1;
		}
		return 0;
	}
	switch (op) {
	case 0xc7: case 0x81: case 0x69:
		return opsize16 ? 2 : 4;
	case 0xf7:
		return reg <= 1 ? (opsize16 ? 2 : 4) : 0;
	case 0xf6:
		return reg <= 1 ? 1 : 0;
	case 0xc6: case 0x80: case 0x82: case 0x83: case 0x6b: case 0xc0: case 0xc1:
		return 1;
	}
	return 0;
}

int64_t elf_pcrel_bias(const struct elf_section *sec, uint64_t off)
{
	const unsigned char *d = sec->data;

	if (!(sec->shdr.sh_flags & SHF_EXECINSTR) || !d || off < 1 || off > sec->size)
		return 0;
	/* call, jmp, jcc rel32: no ModRM */
	if (d[off - 1] == 0xe8 || d[off - 1] == 0xe9 ||
	    (off >= 2 && d[off - 2] == 0x0f && (d[off - 1] & 0xf0) == 0x80))
		return 4;
	return 4 + immediate_size(d, off - 1);
}

const struct elf_rela *elf_rela_at(const struct elf_section *sec, uint64_t off)
{
	size_t lo = 0, hi = sec->nr_relas;

	/* sorted by offset when loaded */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sec->relas[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sec->nr_relas && sec->relas[lo].offset == off ? &sec->relas[lo] : NULL;
}

const struct elf_section *elf_section_named(const struct elf_object *obj,
					    const char *name)
{
	for (size_t i = 1; i < obj->nr_sections; i++)
		if (obj->sections[i].name && !strcmp(obj->sections[i].name, name))
			return &obj->sections[i];
	return NULL;
}
