// SPDX-License-Identifier: GPL-2.0
/*
 * mutate_update IN.ko OUTDIR PREFIX COUNT SEED: COUNT variants of the update
 * module IN.ko, each with one change to what the engine reads from it, for
 * the engine fuzzer (tests/fuzz/run-engine, make fuzz):
 *
 *   byte    1 to 4 bytes of a table (the update, its packs, functions,
 *           kmend relocations, pre code and its sites and relocations,
 *           callbacks, hooks) set to a random value
 *   word    an 8-byte word of a table zeroed or set to all ones
 *   addend  the addend of a relocation that fills a pointer of a table
 *           moved (by a little, a page, or a random 32-bit value)
 *   symbol  a relocation of a table pointed at another symbol
 *   string  a byte of a string (a name, an id) changed, its end included
 *
 * Tables are the data objects of .data, .rodata and .init.rodata sections
 * (not the module's own struct module, modinfo or the compiler's objects
 * named "__...", which the module loader checks). Writes OUTDIR/PREFIX-NNNNN.ko and prints one line per variant:
 * "PREFIX-NNNNN KIND DETAIL".
 *
 * Every variant gets its own module name and update id (their last three
 * characters replaced by the variant's number), so that a variant the
 * engine rightly keeps (one whose own hook refuses its undo) does not make
 * the later variants of its update fail to load for a name or id in use.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct range {
	const char *name;
	size_t file_off;	/* of the object's first byte in the file */
	size_t size;
	size_t sec;		/* section index */
	uint64_t value;		/* offset in the section */
};

struct rela_at {
	size_t file_off;	/* of the Elf64_Rela in the file */
	const char *in;		/* the table it fills */
};

static unsigned char *image;
static size_t image_size;
static struct range *tables, *strings;
static size_t nr_tables, nr_strings;
static struct rela_at *relas;
static size_t nr_relas, nr_symbols;
static uint64_t rng;
/* where the last three characters of the module's name and id are */
static size_t *renames;
static size_t nr_renames;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void die(const char *what)
{
	fprintf(stderr, "mutate_update: %s\n", what);
	exit(1);
}

static void *grow(void *p, size_t n, size_t size)
{
	p = realloc(p, (n + 1) * size);
	if (!p)
		die("out of memory");
	return p;
}

/* The value of @key in the .modinfo section at @info (@size bytes), or NULL. */
static const char *modinfo_value(const char *info, size_t size, const char *key)
{
	size_t len = strlen(key);

	for (size_t at = 0; at < size; at += strlen(info + at) + 1)
		if (!strncmp(info + at, key, len) && info[at + len] == '=' &&
		    memchr(info + at, '\0', size - at))
			return info + at + len + 1;
	return NULL;
}

/* Note each whole string @str (after a NUL or '=') in @size bytes at @off. */
static void find_string(const char *str, size_t off, size_t size)
{
	size_t len = strlen(str) + 1;

	if (len < 5)
		die("a module name or id too short to number its variants");
	for (size_t at = off; at + len <= off + size; at++) {
		if (memcmp(image + at, str, len) ||
		    (at > off && image[at - 1] && image[at - 1] != '='))
			continue;
		renames = grow(renames, nr_renames, sizeof(*renames));
		renames[nr_renames++] = at + len - 4;
	}
}

/* Find the module's name and its update's id wherever the loader and the engine read them. */
static void index_names(const GElf_Shdr *shdrs, char **names, size_t nr_secs)
{
	const char *info = NULL, *name, *id;
	size_t info_size = 0;
	char *copy;

	for (size_t i = 1; i < nr_secs; i++) {
		if (!strcmp(names[i], ".modinfo") && shdrs[i].sh_type == SHT_PROGBITS) {
			info = (const char *)image + shdrs[i].sh_offset;
			info_size = shdrs[i].sh_size;
		}
	}
	name = info ? modinfo_value(info, info_size, "name") : NULL;
	id = info ? modinfo_value(info, info_size, "kmend_id") : NULL;
	if (!name || !id)
		die("no name or kmend_id in .modinfo");
	for (int k = 0; k < 2; k++) {
		/* copied: the search writes nothing, but the image holds it */
		copy = strdup(k ? id : name);
		if (!copy)
			die("out of memory");
		for (size_t i = 1; i < nr_secs; i++) {
			bool in = !strcmp(names[i], ".modinfo") ||
				  (k ? !strncmp(names[i], ".rodata", 7) ||
				       !strcmp(names[i], ".init.rodata") :
				       !strcmp(names[i], ".gnu.linkonce.this_module"));

			if (in && shdrs[i].sh_type == SHT_PROGBITS)
				find_string(copy, shdrs[i].sh_offset, shdrs[i].sh_size);
		}
		free(copy);
	}
}

/* Give variant @n its own module name and id. */
static void number_variant(unsigned char *v, long n)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

	for (size_t r = 0; r < nr_renames; r++) {
		v[renames[r]] = digits[n / (36 * 36) % 36];
		v[renames[r] + 1] = digits[n / 36 % 36];
		v[renames[r] + 2] = digits[n % 36];
	}
}

static int is_table_section(const char *name, const GElf_Shdr *sh)
{
	if (sh->sh_type != SHT_PROGBITS || !(sh->sh_flags & SHF_ALLOC) ||
	    (sh->sh_flags & SHF_EXECINSTR))
		return 0;
	return !strncmp(name, ".data", 5) || !strncmp(name, ".rodata", 7) ||
	       !strcmp(name, ".init.rodata") || !strcmp(name, ".init.data");
}

static void index_elf(void)
{
	Elf *elf = elf_memory((char *)image, image_size);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr *shdrs = NULL;
	char **names = NULL;
	size_t nr_secs = 0;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		die("not an ELF object");
	while ((scn = elf_nextscn(elf, scn))) {
		size_t i = elf_ndxscn(scn);

		if (i >= nr_secs) {
			shdrs = realloc(shdrs, (i + 1) * sizeof(*shdrs));
			names = realloc(names, (i + 1) * sizeof(*names));
			if (!shdrs || !names)
				die("out of memory");
			nr_secs = i + 1;
		}
		gelf_getshdr(scn, &shdrs[i]);
		names[i] = elf_strptr(elf, shstrndx, shdrs[i].sh_name);
		if (!names[i])
			names[i] = "";
	}
	scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		size_t i = elf_ndxscn(scn);
		const GElf_Shdr *sh = &shdrs[i];
		Elf_Data *d = elf_getdata(scn, NULL);

		if (sh->sh_type == SHT_PROGBITS && (sh->sh_flags & SHF_STRINGS) &&
		    !strncmp(names[i], ".rodata", 7) && sh->sh_size) {
			strings = grow(strings, nr_strings, sizeof(*strings));
			strings[nr_strings++] = (struct range){
				names[i], sh->sh_offset, sh->sh_size, i, 0 };
		}
		if (sh->sh_type == SHT_SYMTAB && d) {
			nr_symbols = sh->sh_size / sh->sh_entsize;
			for (size_t n = 0; n < nr_symbols; n++) {
				GElf_Sym sym;
				const char *name;

				if (!gelf_getsym(d, (int)n, &sym) ||
				    GELF_ST_TYPE(sym.st_info) != STT_OBJECT ||
				    !sym.st_size || sym.st_shndx >= nr_secs ||
				    !is_table_section(names[sym.st_shndx],
						      &shdrs[sym.st_shndx]) ||
				    sym.st_value + sym.st_size >
						shdrs[sym.st_shndx].sh_size)
					continue;
				name = elf_strptr(elf, sh->sh_link, sym.st_name);
				/* compiler and module-loader objects, not tables */
				if (!name || (!strncmp(name, "__", 2) &&
					      strncmp(name, "__kmend_", 8)))
					continue;
				tables = grow(tables, nr_tables, sizeof(*tables));
				tables[nr_tables++] = (struct range){
					name, shdrs[sym.st_shndx].sh_offset + sym.st_value,
					sym.st_size, sym.st_shndx, sym.st_value };
			}
		}
	}
	/* the relocations that fill the tables' pointers */
	scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const GElf_Shdr *sh = &shdrs[elf_ndxscn(scn)];

		if (sh->sh_type != SHT_RELA || !sh->sh_entsize)
			continue;
		for (size_t k = 0; k < sh->sh_size / sh->sh_entsize; k++) {
			size_t at = sh->sh_offset + k * sh->sh_entsize;
			Elf64_Rela r;

			memcpy(&r, image + at, sizeof(r));
			for (size_t t = 0; t < nr_tables; t++) {
				if (tables[t].sec != sh->sh_info ||
				    r.r_offset < tables[t].value ||
				    r.r_offset >= tables[t].value + tables[t].size)
					continue;
				relas = grow(relas, nr_relas, sizeof(*relas));
				relas[nr_relas++] = (struct rela_at){ at, tables[t].name };
				break;
			}
		}
	}
	index_names(shdrs, names, nr_secs);
	free(shdrs);
	free(names);
	/* elf is not ended: names point into it until we exit */
}

/* Apply one mutation to @v (a copy of the image); describe it in @what. */
static void mutate(unsigned char *v, char *what, size_t len)
{
	unsigned int kind = next() % 5;

	if ((kind == 2 || kind == 3) && !nr_relas)
		kind = 0;
	if (kind == 4 && !nr_strings)
		kind = 0;
	if (!nr_tables)
		die("no tables in the module");
	switch (kind) {
	case 0: {
		const struct range *t = &tables[next() % nr_tables];
		unsigned int n = 1 + next() % 4;
		size_t off = next() % t->size;

		for (unsigned int i = 0; i < n && off + i < t->size; i++)
			v[t->file_off + off + i] = (unsigned char)next();
		snprintf(what, len, "byte %s+%zu x%u", t->name, off, n);
		break;
	}
	case 1: {
		const struct range *t = &tables[next() % nr_tables];
		size_t off = (next() % t->size) & ~(size_t)7;
		int ones = next() & 1;

		for (size_t i = 0; i < 8 && off + i < t->size; i++)
			v[t->file_off + off + i] = ones ? 0xff : 0;
		snprintf(what, len, "word %s+%zu %s", t->name, off,
			 ones ? "ones" : "zero");
		break;
	}
	case 2: {
		static const int64_t deltas[] = { 1, -1, 8, -8, 64, 4096, -4096 };
		const struct rela_at *r = &relas[next() % nr_relas];
		Elf64_Rela e;
		int64_t d = next() % 4 ? deltas[next() % 7] :
					 (int64_t)(int32_t)next();

		memcpy(&e, v + r->file_off, sizeof(e));
		e.r_addend += d;
		memcpy(v + r->file_off, &e, sizeof(e));
		snprintf(what, len, "addend in %s %+lld", r->in, (long long)d);
		break;
	}
	case 3: {
		const struct rela_at *r = &relas[next() % nr_relas];
		Elf64_Rela e;
		uint64_t sym = 1 + next() % (nr_symbols - 1);

		memcpy(&e, v + r->file_off, sizeof(e));
		e.r_info = ELF64_R_INFO(sym, ELF64_R_TYPE(e.r_info));
		memcpy(v + r->file_off, &e, sizeof(e));
		snprintf(what, len, "symbol in %s -> %llu", r->in,
			 (unsigned long long)sym);
		break;
	}
	default: {
		const struct range *s = &strings[next() % nr_strings];
		size_t off = next() % s->size;
		unsigned char *p = v + s->file_off + off;

		*p = *p ? (unsigned char)next() : 'A';
		snprintf(what, len, "string %s+%zu", s->name, off);
		break;
	}
	}
}

int main(int argc, char **argv)
{
	unsigned char *v;
	struct stat st;
	long count;
	int fd;

	if (argc != 6) {
		fprintf(stderr, "usage: mutate_update IN.ko OUTDIR PREFIX COUNT SEED\n");
		return 2;
	}
	count = strtol(argv[4], NULL, 10);
	rng = strtoull(argv[5], NULL, 10) * 2654435761u + 1;
	elf_version(EV_CURRENT);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("cannot read the module");
	image_size = (size_t)st.st_size;
	image = malloc(image_size);
	v = malloc(image_size);
	if (!image || !v ||
	    read(fd, image, image_size) != (ssize_t)image_size)
		die("cannot read the module");
	close(fd);
	index_elf();
	for (long i = 0; i < count; i++) {
		char path[4096], what[256];
		FILE *out;

		memcpy(v, image, image_size);
		number_variant(v, i);
		mutate(v, what, sizeof(what));
		snprintf(path, sizeof(path), "%s/%s-%05ld.ko", argv[2], argv[3], i);
		out = fopen(path, "wb");
		if (!out || fwrite(v, 1, image_size, out) != image_size ||
		    fclose(out))
			die("cannot write a variant");
		printf("%s-%05ld %s\n", argv[3], i, what);
	}
	free(v);
	free(image);
	return 0;
}
