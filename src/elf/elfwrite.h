/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building a relocatable x86-64 ELF object in memory and writing it with
 * libelf: the update's payload, made of sections taken from a post object.
 */
#ifndef KMEND_ELFWRITE_H
#define KMEND_ELFWRITE_H

#include <stddef.h>
#include <stdint.h>
#include <gelf.h>

struct out_rela {
	uint64_t offset;
	uint32_t type;
	size_t sym;		/* a symbol of the builder */
	int64_t addend;
};

struct out_section {
	char *name;
	GElf_Word type;		/* SHT_PROGBITS or SHT_NOBITS */
	GElf_Xword flags, align, entsize;
	unsigned char *data;	/* size bytes; NULL for SHT_NOBITS */
	size_t size;
	struct out_rela *relas;
	size_t nr_relas;
	size_t symbol;		/* its section symbol */
};

struct out_symbol {
	char *name;
	unsigned char type, bind;
	size_t section;		/* 1-based builder section, 0 if undefined */
	uint64_t value, size;
};

struct elf_builder {
	struct out_section *sections;	/* [0] unused, like ELF's null section */
	size_t nr_sections;
	struct out_symbol *symbols;	/* [0] the null symbol */
	size_t nr_symbols;
};

int elf_builder_init(struct elf_builder *b);
void elf_builder_free(struct elf_builder *b);

/*
 * Add a section with a copy of @data (NULL: zeros, or nothing for
 * SHT_NOBITS) and its section symbol. Returns its index, or 0 when out of
 * memory.
 */
size_t elf_builder_add_section(struct elf_builder *b, const char *name,
			       GElf_Word type, GElf_Xword flags,
			       GElf_Xword align, GElf_Xword entsize,
			       const void *data, size_t size);

/* Append @size bytes to a section. Returns 0, or -1 when out of memory. */
int elf_builder_append(struct elf_builder *b, size_t section,
		       const void *data, size_t size);

/* Add a symbol. Returns its index, or 0 when out of memory. */
size_t elf_builder_add_symbol(struct elf_builder *b, const char *name,
			      unsigned char type, unsigned char bind,
			      size_t section, uint64_t value, uint64_t size);

/* The undefined global @name, added on first use. 0 when out of memory. */
size_t elf_builder_undefined(struct elf_builder *b, const char *name);

int elf_builder_add_rela(struct elf_builder *b, size_t section,
			 uint64_t offset, uint32_t type, size_t sym,
			 int64_t addend);

/*
 * Append @size bytes at @buf (kept by the caller until elf_end()) to
 * section @scn as a new data block of @type. NULL on a libelf error.
 */
Elf_Data *elf_add_data(Elf_Scn *scn, void *buf, size_t size, Elf_Type type,
		       size_t align);

/* Write the object to @path. Returns 0, or -1 with a message in @err. */
int elf_builder_write(const struct elf_builder *b, const char *path,
		      char *err, size_t errlen);

#endif /* KMEND_ELFWRITE_H */
