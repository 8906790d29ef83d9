/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A relocatable ELF object (.o) loaded with libelf: its sections, symbols
 * and relocations, indexed for comparing two builds of one unit.
 */
#ifndef KMEND_ELFOBJ_H
#define KMEND_ELFOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gelf.h>

struct elf_rela {
	uint64_t offset;
	uint32_t type;
	uint32_t sym;		/* index into the object's symbols */
	int64_t addend;
};

struct elf_section {
	const char *name;
	size_t index;
	GElf_Shdr shdr;
	const unsigned char *data;	/* NULL for SHT_NOBITS */
	size_t size;
	struct elf_rela *relas;		/* from the section's SHT_RELA, by offset */
	size_t nr_relas;
};

struct elf_symbol {
	const char *name;
	size_t index;
	GElf_Sym sym;
	unsigned char type;		/* STT_* */
	unsigned char bind;		/* STB_* */
};

struct elf_object {
	const char *path;
	int fd;
	Elf *elf;
	struct elf_section *sections;	/* by section index */
	size_t nr_sections;
	struct elf_symbol *symbols;	/* by symbol index */
	size_t nr_symbols;
};

/*
 * Load @path. Returns 0, or -1 with a message in @err naming the file and
 * what is wrong with it.
 */
int elf_object_open(struct elf_object *obj, const char *path, char *err,
		    size_t errlen);
void elf_object_close(struct elf_object *obj);

/* The section a symbol is defined in, or NULL (undefined, absolute, common). */
const struct elf_section *elf_symbol_section(const struct elf_object *obj,
					     const struct elf_symbol *sym);

/* The defined function or object of @sec covering offset @off, or NULL. */
/*
 * Is relocation @r of code section @sec the displacement of a call or jump
 * (not a lea: the address taken)? By its type, or the opcode before it.
 */
bool elf_rela_is_branch(const struct elf_section *sec, const struct elf_rela *r);

/* The one function section @sec holds (-ffunction-sections), or NULL. */
const struct elf_symbol *elf_section_function(const struct elf_object *obj, size_t sec);

const struct elf_symbol *elf_symbol_at(const struct elf_object *obj,
				       const struct elf_section *sec,
				       int64_t off);

/* The relocation of @sec at offset @off, or NULL. */
const struct elf_rela *elf_rela_at(const struct elf_section *sec, uint64_t off);

/* The section called @name, or NULL. */
const struct elf_section *elf_section_named(const struct elf_object *obj,
					    const char *name);

/*
 * How far past a PC-relative relocation at @off of @sec the CPU computes
 * the address from: for data (".long sym - ."), 0; in code, the end of the
 * instruction: 4 bytes on, plus the size of an immediate operand that
 * follows the displacement, read from the opcode.
 */
int64_t elf_pcrel_bias(const struct elf_section *sec, uint64_t off);

#endif /* KMEND_ELFOBJ_H */
