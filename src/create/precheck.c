// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a kallsyms listing (address, type, name[, [module]]) and a kernel
 * image's loaded segments (an ELF file: vmlinux, or /proc/kcore), then
 * matching each pre function with kernel/match_core.c.
 */
#include "precheck.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match_core.h"
#include "util.h"

struct ksym {
	unsigned long addr;
	char *name;
};

struct image {
	int fd;
	Elf *elf;
	GElf_Phdr *segs;
	size_t nr_segs;
	long shift;	/* running address - image address (KASLR) */
};

static int load_kallsyms(const char *path, struct ksym **out, size_t *nr,
			 unsigned long *text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t cap = 0;

	*out = NULL;
	*nr = 0;
	*text = 0;
	if (!f)
		return set_error(err, errlen, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char type, name[256], module[256] = "";
		unsigned long addr;
		struct ksym *grown;

		if (sscanf(line, "%lx %c %255s %255s", &addr, &type, name, module) < 3)
			continue;
		if (!strcmp(name, "_text") && !*module)
			*text = addr;
		/* vmlinux text only: module functions are matched in the engine */
		if ((type != 't' && type != 'T') || *module)
			continue;
		if (*nr == cap) {
			cap = cap ? 2 * cap : 65536;
			grown = realloc(*out, cap * sizeof(*grown));
			if (!grown)
				goto nomem;
			*out = grown;
		}
		(*out)[*nr].addr = addr;
		(*out)[*nr].name = strdup(name);
		if (!(*out)[*nr].name)
			goto nomem;
		(*nr)++;
	}
	fclose(f);
	if (!*nr)
		return set_error(err, errlen, "%s: no kernel text symbols (is it a kallsyms listing, read as root?)",
				 path);
	return 0;
nomem:
	fclose(f);
	return set_error(err, errlen, "out of memory");
}

static void free_kallsyms(struct ksym *syms, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(syms[i].name);
	free(syms);
}

static int open_image(const char *path, unsigned long text, struct image *im,
		      char *err, size_t errlen)
{
	size_t n;
	GElf_Ehdr eh;
	unsigned long lowest = ~0UL;

	memset(im, 0, sizeof(*im));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return set_error(err, errlen, "libelf: %s", elf_errmsg(-1));
	im->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (im->fd < 0)
		return set_error(err, errlen, "%s: %s", path, strerror(errno));
	im->elf = elf_begin(im->fd, ELF_C_READ, NULL);
	if (!im->elf || elf_kind(im->elf) != ELF_K_ELF || elf_getphdrnum(im->elf, &n) ||
	    !gelf_getehdr(im->elf, &eh))
		return set_error(err, errlen, "%s: not an ELF kernel image (for a vmlinuz, use the kernel tree's scripts/extract-vmlinux)",
				 path);
	im->segs = calloc(n ? n : 1, sizeof(*im->segs));
	if (!im->segs)
		return set_error(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(im->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		im->segs[im->nr_segs++] = ph;
		if (ph.p_vaddr < lowest && (ph.p_flags & PF_X))
			lowest = ph.p_vaddr;
	}
	/*
	 * /proc/kcore (a core file) maps running addresses; a vmlinux file,
	 * link addresses. Not told apart by where _text falls: KASLR can put
	 * the running _text inside the image's own range.
	 */
	if (eh.e_type != ET_CORE && text && lowest != ~0UL)
		im->shift = (long)(text - lowest);
	return 0;
}

static void close_image(struct image *im)
{
	if (im->elf)
		elf_end(im->elf);
	if (im->fd > 0)
		close(im->fd);
	free(im->segs);
}

/* Read @len bytes at running address @addr; false if the image lacks them. */
static bool read_at(const struct image *im, unsigned long addr, unsigned char *buf,
		    size_t len)
{
	unsigned long at = addr - (unsigned long)im->shift;

	for (size_t i = 0; i < im->nr_segs; i++) {
		const GElf_Phdr *ph = &im->segs[i];

		if (at >= ph->p_vaddr && at + len <= ph->p_vaddr + ph->p_filesz)
			return pread(im->fd, buf, len, (off_t)(ph->p_offset + (at - ph->p_vaddr))) ==
			       (ssize_t)len;
	}
	return false;
}

/* The running function's length: to the next symbol's address. */
static unsigned long func_len(const struct ksym *syms, size_t nr, unsigned long addr)
{
	unsigned long next = ~0UL;

	for (size_t i = 0; i < nr; i++)
		if (syms[i].addr > addr && syms[i].addr < next)
			next = syms[i].addr;
	return next == ~0UL ? 0 : next - addr;
}

/* struct pre_func as the engine sees it (kmend/pre.h). */
static int as_kmend_pre(const struct pre_func *p, struct kmend_pre_func *k,
			struct kmend_pre_reloc **relocs, struct kmend_pre_site **sites)
{
	*relocs = calloc(p->nr_relocs + 1, sizeof(**relocs));
	*sites = calloc(p->nr_sites + 1, sizeof(**sites));
	if (!*relocs || !*sites)
		return -1;
	for (size_t i = 0; i < p->nr_relocs; i++)
		(*relocs)[i] = (struct kmend_pre_reloc){
			p->relocs[i].offset, p->relocs[i].type,
			(long)p->relocs[i].addend, p->relocs[i].symbol,
		};
	for (size_t i = 0; i < p->nr_sites; i++)
		(*sites)[i] = (struct kmend_pre_site){
			p->sites[i].offset, p->sites[i].len, p->sites[i].kind,
			p->sites[i].target, p->sites[i].repl, p->sites[i].repl_wild,
			p->sites[i].repl_len,
		};
	*k = (struct kmend_pre_func){
		.code = p->code, .size = p->size, .relocs = *relocs,
		.nr_relocs = (unsigned int)p->nr_relocs, .sites = *sites,
		.nr_sites = (unsigned int)p->nr_sites,
	};
	return 0;
}

/* Match one function against every symbol of its name; print the outcome. */
static int check_func(const struct payload_func *f, const struct ksym *syms,
		      size_t nr, const struct image *im, FILE *out)
{
	struct kmend_pre_reloc *relocs = NULL;
	struct kmend_pre_site *sites = NULL;
	struct kmend_pre_func pre;
	struct kmend_mismatch first = { 0, NULL };
	unsigned long first_addr = 0, match_addr = 0;
	size_t candidates = 0, matches = 0;
	unsigned char *buf = NULL;

	if (as_kmend_pre(&f->pre, &pre, &relocs, &sites))
		goto nomem;
	for (size_t i = 0; i < nr; i++) {
		unsigned long len;
		struct kmend_mismatch mm;

		if (strcmp(syms[i].name, f->old_name))
			continue;
		candidates++;
		len = func_len(syms, nr, syms[i].addr);
		if (!len)	/* the last symbol: its length is unknown */
			len = pre.size;
		free(buf);
		buf = malloc(len);
		if (!buf)
			goto nomem;
		if (!read_at(im, syms[i].addr, buf, len)) {
			fprintf(out, "  check     %s: not in the image at %#lx\n", f->old_name,
				syms[i].addr);
			continue;
		}
		if (kmend_match(&pre, buf, len, syms[i].addr, NULL, NULL, &mm)) {
			matches++;
			match_addr = syms[i].addr;
		} else if (!first.why) {
			first = mm;
			first_addr = syms[i].addr;
		}
	}
	free(buf);
	free(relocs);
	free(sites);
	if (matches == 1) {
		fprintf(out, "  check     %s: matches the image at %#lx%s\n", f->old_name,
			match_addr, candidates > 1 ? " (of several of that name)" : "");
		return 0;
	}
	if (!candidates)
		fprintf(out, "  check     %s: not in the kallsyms listing\n", f->old_name);
	else if (matches > 1)
		fprintf(out, "  check     %s: %zu functions of that name match\n", f->old_name, matches);
	else
		fprintf(out, "  check     %s: does not match the image at %#lx: +%#x: %s\n",
			f->old_name, first_addr, first.offset, first.why ? first.why : "not readable");
	return 1;
nomem:
	free(buf);
	free(relocs);
	free(sites);
	return -1;
}

int precheck_run(const char *kallsyms, const char *image,
		 const struct payload *payloads, const char *const *targets,
		 size_t nr, FILE *out, char *err, size_t errlen)
{
	struct ksym *syms;
	size_t nr_syms;
	unsigned long text;
	struct image im;
	int ret = 0;

	if (load_kallsyms(kallsyms, &syms, &nr_syms, &text, err, errlen))
		return -1;
	if (open_image(image, text, &im, err, errlen)) {
		close_image(&im);
		free_kallsyms(syms, nr_syms);
		return -1;
	}
	for (size_t u = 0; u < nr && ret >= 0; u++) {
		if (strcmp(targets[u], "vmlinux")) {
			fprintf(out, "  check     %s: a module's functions are matched when applied\n",
				targets[u]);
			continue;
		}
		for (size_t k = 0; k < payloads[u].nr_funcs && ret >= 0; k++) {
			int r = check_func(&payloads[u].funcs[k], syms, nr_syms, &im, out);

			if (r < 0)
				ret = set_error(err, errlen, "out of memory");
			else if (r)
				ret = 1;
		}
	}
	close_image(&im);
	free_kallsyms(syms, nr_syms);
	return ret;
}
