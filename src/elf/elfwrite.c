// SPDX-License-Identifier: GPL-2.0
/*
 * Writing a relocatable object with libelf. Local symbols come first in the
 * symbol table, as ELF requires; the builder's own symbol numbers are mapped
 * to their final places only when writing.
 */
#include "elfwrite.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static void *grow(void *array, size_t *nr, size_t size)
{
	char *grown = realloc(array, (*nr + 1) * size);

	if (!grown)
		return NULL;
	memset(grown + *nr * size, 0, size);
	(*nr)++;
	return grown;
}

int elf_builder_init(struct elf_builder *b)
{
	memset(b, 0, sizeof(*b));
	b->sections = calloc(1, sizeof(*b->sections));
	b->symbols = calloc(1, sizeof(*b->symbols));
	if (!b->sections || !b->symbols) {
		free(b->sections);
		free(b->symbols);
		return -1;
	}
	b->nr_sections = 1;
	b->nr_symbols = 1;
	return 0;
}

void elf_builder_free(struct elf_builder *b)
{
	for (size_t i = 0; i < b->nr_sections; i++) {
		free(b->sections[i].name);
		free(b->sections[i].data);
		free(b->sections[i].relas);
	}
	for (size_t i = 0; i < b->nr_symbols; i++)
		free(b->symbols[i].name);
	free(b->sections);
	free(b->symbols);
	memset(b, 0, sizeof(*b));
}

size_t elf_builder_add_symbol(struct elf_builder *b, const char *name,
			      unsigned char type, unsigned char bind,
			      size_t section, uint64_t value, uint64_t size)
{
	struct out_symbol *grown = grow(b->symbols, &b->nr_symbols, sizeof(*grown));
	struct out_symbol *s;

	if (!grown)
		return 0;
	b->symbols = grown;
	s = &b->symbols[b->nr_symbols - 1];
	s->name = strdup(name);
	if (!s->name) {
		b->nr_symbols--;
		return 0;
	}
	s->type = type;
	s->bind = bind;
	s->section = section;
	s->value = value;
	s->size = size;
	return b->nr_symbols - 1;
}

size_t elf_builder_undefined(struct elf_builder *b, const char *name)
{
	for (size_t i = 1; i < b->nr_symbols; i++)
		if (!b->symbols[i].section && !strcmp(b->symbols[i].name, name))
			return i;
	return elf_builder_add_symbol(b, name, STT_NOTYPE, STB_GLOBAL, 0, 0, 0);
}

size_t elf_builder_add_section(struct elf_builder *b, const char *name,
			       GElf_Word type, GElf_Xword flags,
			       GElf_Xword align, GElf_Xword entsize,
			       const void *data, size_t size)
{
	struct out_section *grown = grow(b->sections, &b->nr_sections, sizeof(*grown));
	struct out_section *s;
	size_t index;

	if (!grown)
		return 0;
	b->sections = grown;
	index = b->nr_sections - 1;
	s = &b->sections[index];
	s->name = strdup(name);
	s->type = type;
	s->flags = flags;
	s->align = align ? align : 1;
	s->entsize = entsize;
	s->size = size;
	if (type != SHT_NOBITS && size) {
		s->data = malloc(size);
		if (s->data) {
			if (data)
				memcpy(s->data, data, size);
			else
				memset(s->data, 0, size);
		}
	}
	if (!s->name || (type != SHT_NOBITS && size && !s->data))
		goto undo;
	s->symbol = elf_builder_add_symbol(b, "", STT_SECTION, STB_LOCAL, index, 0, 0);
	if (!s->symbol)
		goto undo;
	return index;
undo:
	free(s->name);
	free(s->data);
	b->nr_sections--;
	return 0;
}

int elf_builder_append(struct elf_builder *b, size_t section,
		       const void *data, size_t size)
{
	struct out_section *s = &b->sections[section];
	unsigned char *grown = realloc(s->data, s->size + size ? s->size + size : 1);

	if (!grown)
		return -1;
	memcpy(grown + s->size, data, size);
	s->data = grown;
	s->size += size;
	return 0;
}

int elf_builder_add_rela(struct elf_builder *b, size_t section,
			 uint64_t offset, uint32_t type, size_t sym,
			 int64_t addend)
{
	struct out_section *s = &b->sections[section];
	struct out_rela *grown = grow(s->relas, &s->nr_relas, sizeof(*grown));

	if (!grown)
		return -1;
	s->relas = grown;
	s->relas[s->nr_relas - 1] = (struct out_rela){ offset, type, sym, addend };
	return 0;
}

/* A string table under construction. */
struct strtab {
	char *buf;
	size_t len;
};

static size_t strtab_add(struct strtab *t, const char *s, int *failed)
{
	size_t n = strlen(s) + 1, at = t->len;
	char *grown;

	if (!*s)
		return 0;
	grown = realloc(t->buf, t->len + n);
	if (!grown) {
		*failed = 1;
		return 0;
	}
	memcpy(grown + t->len, s, n);
	t->buf = grown;
	t->len += n;
	return at;
}

Elf_Data *elf_add_data(Elf_Scn *scn, void *buf, size_t size, Elf_Type type,
		       size_t align)
{
	Elf_Data *d = elf_newdata(scn);

	if (!d)
		return NULL;
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = type;
	d->d_align = align;
	d->d_version = EV_CURRENT;
	return d;
}

static Elf_Scn *new_section(Elf *elf, GElf_Shdr *shdr, void *buf, size_t size,
			    Elf_Type type, size_t align)
{
	Elf_Scn *scn = elf_newscn(elf);

	if (!scn || !elf_add_data(scn, buf, size, type, align))
		return NULL;
	return gelf_update_shdr(scn, shdr) ? scn : NULL;
}

/* Everything elf_builder_write allocates, freed in one place. */
struct write_state {
	struct strtab shstr, str;
	size_t *order;		/* builder symbol -> final index */
	GElf_Sym *syms;
	GElf_Rela **relas;
	size_t nr_rela_sections;
};

static void write_state_free(struct write_state *w, size_t nr_sections)
{
	free(w->shstr.buf);
	free(w->str.buf);
	free(w->order);
	free(w->syms);
	for (size_t i = 0; w->relas && i < nr_sections; i++)
		free(w->relas[i]);
	free(w->relas);
}

static int write_object(const struct elf_builder *b, Elf *elf,
			struct write_state *w, char *err, size_t errlen)
{
	size_t nr = b->nr_sections, first_global = 0, next = 0, at;
	size_t rela_index = nr, symtab_index, strtab_index, shstrtab_index;
	GElf_Ehdr ehdr;
	GElf_Shdr shdr;
	int failed = 0;

	w->order = calloc(b->nr_symbols, sizeof(*w->order));
	w->syms = calloc(b->nr_symbols, sizeof(*w->syms));
	w->relas = calloc(nr, sizeof(*w->relas));
	w->shstr.buf = calloc(1, 1);
	w->str.buf = calloc(1, 1);
	if (!w->order || !w->syms || !w->relas || !w->shstr.buf || !w->str.buf)
		return set_error(err, errlen, "out of memory");
	w->shstr.len = w->str.len = 1;

	for (size_t i = 1; i < nr; i++)
		if (b->sections[i].nr_relas)
			w->nr_rela_sections++;
	symtab_index = nr + w->nr_rela_sections;
	strtab_index = symtab_index + 1;
	shstrtab_index = strtab_index + 1;

	/* Locals first, then globals, each in the builder's order. */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			first_global = next;
		for (size_t i = 0; i < b->nr_symbols; i++) {
			const struct out_symbol *s = &b->symbols[i];
			bool local = i == 0 || s->bind == STB_LOCAL;

			if (local != (pass == 0))
				continue;
			w->order[i] = next;
			w->syms[next] = (GElf_Sym){
				.st_name = strtab_add(&w->str, s->name ? s->name : "", &failed),
				.st_info = GELF_ST_INFO(s->bind, s->type),
				.st_shndx = s->section,
				.st_value = s->value,
				.st_size = s->size,
			};
			next++;
		}
	}

	if (!gelf_newehdr(elf, ELFCLASS64))
		goto libelf;
	gelf_getehdr(elf, &ehdr);
	ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
	ehdr.e_ident[EI_OSABI] = ELFOSABI_NONE;
	ehdr.e_type = ET_REL;
	ehdr.e_machine = EM_X86_64;
	ehdr.e_version = EV_CURRENT;
	ehdr.e_shstrndx = shstrtab_index;
	if (!gelf_update_ehdr(elf, &ehdr))
		goto libelf;

	for (size_t i = 1; i < nr; i++) {
		const struct out_section *s = &b->sections[i];

		shdr = (GElf_Shdr){
			.sh_name = strtab_add(&w->shstr, s->name, &failed),
			.sh_type = s->type,
			.sh_flags = s->flags,
			.sh_addralign = s->align,
			.sh_entsize = s->entsize,
			.sh_size = s->size,
		};
		if (!new_section(elf, &shdr, s->type == SHT_NOBITS ? NULL : s->data,
				 s->size, ELF_T_BYTE, s->align))
			goto libelf;
	}
	for (size_t i = 1; i < nr; i++) {
		const struct out_section *s = &b->sections[i];
		char *name;

		if (!s->nr_relas)
			continue;
		w->relas[i] = calloc(s->nr_relas, sizeof(GElf_Rela));
		name = str_format(".rela%s", s->name);
		if (!w->relas[i] || !name) {
			free(name);
			return set_error(err, errlen, "out of memory");
		}
		for (size_t k = 0; k < s->nr_relas; k++) {
			const struct out_rela *r = &s->relas[k];

			w->relas[i][k] = (GElf_Rela){
				.r_offset = r->offset,
				.r_info = GELF_R_INFO(w->order[r->sym], r->type),
				.r_addend = r->addend,
			};
		}
		shdr = (GElf_Shdr){
			.sh_name = strtab_add(&w->shstr, name, &failed),
			.sh_type = SHT_RELA,
			.sh_flags = SHF_INFO_LINK,
			.sh_link = symtab_index,
			.sh_info = i,
			.sh_addralign = 8,
			.sh_entsize = sizeof(Elf64_Rela),
		};
		free(name);
		if (!new_section(elf, &shdr, w->relas[i], s->nr_relas * sizeof(Elf64_Rela),
				 ELF_T_RELA, 8))
			goto libelf;
		rela_index++;
	}

	shdr = (GElf_Shdr){
		.sh_name = strtab_add(&w->shstr, ".symtab", &failed),
		.sh_type = SHT_SYMTAB, .sh_link = strtab_index,
		.sh_info = first_global, .sh_addralign = 8,
		.sh_entsize = sizeof(Elf64_Sym),
	};
	if (!new_section(elf, &shdr, w->syms, next * sizeof(Elf64_Sym), ELF_T_SYM, 8))
		goto libelf;
	at = strtab_add(&w->shstr, ".strtab", &failed);
	shdr = (GElf_Shdr){ .sh_name = at, .sh_type = SHT_STRTAB, .sh_addralign = 1 };
	if (!new_section(elf, &shdr, w->str.buf, w->str.len, ELF_T_BYTE, 1))
		goto libelf;
	at = strtab_add(&w->shstr, ".shstrtab", &failed);
	if (failed)
		return set_error(err, errlen, "out of memory");
	shdr = (GElf_Shdr){ .sh_name = at, .sh_type = SHT_STRTAB, .sh_addralign = 1 };
	if (!new_section(elf, &shdr, w->shstr.buf, w->shstr.len, ELF_T_BYTE, 1))
		goto libelf;
	if (elf_update(elf, ELF_C_WRITE) < 0)
		goto libelf;
	return 0;
libelf:
	return set_error(err, errlen, "writing the object: %s", elf_errmsg(-1));
}

int elf_builder_write(const struct elf_builder *b, const char *path,
		      char *err, size_t errlen)
{
	struct write_state w = { 0 };
	Elf *elf;
	int fd, ret;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return set_error(err, errlen, "libelf: %s", elf_errmsg(-1));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return set_error(err, errlen, "%s: %s", path, strerror(errno));
	elf = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!elf) {
		close(fd);
		return set_error(err, errlen, "%s: %s", path, elf_errmsg(-1));
	}
	ret = write_object(b, elf, &w, err, errlen);
	elf_end(elf);
	write_state_free(&w, b->nr_sections);
	if (close(fd) && !ret)
		ret = set_error(err, errlen, "%s: %s", path, strerror(errno));
	return ret;
}
