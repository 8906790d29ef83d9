// SPDX-License-Identifier: GPL-2.0
/*
 * Changes that replacing functions cannot carry out, each with a reason that
 * says what to do instead.
 */
#include "refuse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "util.h"

/*
 * Does @func have an ftrace call site? -mrecord-mcount lists every
 * __fentry__ call in __mcount_loc, one R_X86_64_64 relocation each.
 */
bool refusals_has_ftrace_site(const struct elf_object *obj,
			      const struct elf_symbol *func)
{
	const struct elf_section *sec = elf_section_named(obj, "__mcount_loc");

	for (size_t k = 0; sec && k < sec->nr_relas; k++) {
		const struct elf_rela *r = &sec->relas[k];
		const struct elf_symbol *t = &obj->symbols[r->sym];

		if (t == func)
			return true;
		if (t->type == STT_SECTION &&
		    t->sym.st_shndx == func->sym.st_shndx &&
		    r->addend >= (int64_t)func->sym.st_value &&
		    r->addend < (int64_t)(func->sym.st_value + func->sym.st_size))
			return true;
	}
	return false;
}

int refusals_add(struct refusals *r, const char *kind, const char *name, char *reason)
{
	struct refusal *grown;

	if (!reason)
		return -1;
	grown = realloc(r->items, (r->nr + 1) * sizeof(*grown));
	if (!grown) {
		free(reason);
		return -1;
	}
	r->items = grown;
	r->items[r->nr].name = strdup(name);
	r->items[r->nr].reason = reason;
	r->items[r->nr].here = NULL;
	r->items[r->nr].kind = kind;
	if (!r->items[r->nr].name) {
		free(reason);
		return -1;
	}
	r->nr++;
	return 0;
}

const char *refusals_noinstr_section(const struct elf_object *obj,
				     const struct elf_symbol *func)
{
	const struct elf_section *sec = elf_symbol_section(obj, func);

	static const char *const noinstr[] = { ".noinstr.text", ".entry.text" };

	for (size_t i = 0; sec && i < sizeof(noinstr) / sizeof(noinstr[0]); i++) {
		size_t len = strlen(noinstr[i]);

		/* an assembly object's pieces: SECTION.FUNCTION (function_sections.c) */
		if (!strncmp(sec->name, noinstr[i], len) &&
		    (!sec->name[len] || sec->name[len] == '.'))
			return noinstr[i];
	}
	return NULL;
}

/*
 * Why the assembly function @f (post) cannot be carried, or NULL: code
 * outside SYM_FUNC, or a short branch to another of its file's functions
 * (an R_X86_64_PC8 or PC16 that function_sections.c gave it).
 */
static char *asm_code_reason(const struct elf_object *post, const struct elf_symbol *f)
{
	const struct elf_section *sec = elf_symbol_section(post, f);

	if (f->type == STT_NOTYPE)
		return str_format("it is assembly outside SYM_FUNC (SYM_CODE): entry or trampoline code whose stack the stack check cannot trust, and which may run where a jump cannot be written");
	for (size_t k = 0; sec && k < sec->nr_relas; k++) {
		const struct elf_rela *r = &sec->relas[k];

		if ((r->type == R_X86_64_PC8 || r->type == R_X86_64_PC16) &&
		    r->offset >= f->sym.st_value &&
		    r->offset < f->sym.st_value + f->sym.st_size)
			return str_format("a short jump at +%#llx reaches %s, another function of the file, and cannot reach it from the update; make it a 32-bit jump",
					  (unsigned long long)(r->offset - f->sym.st_value),
					  post->symbols[r->sym].name);
	}
	return NULL;
}

int refusals_find(const struct elf_object *pre, const struct elf_object *post,
		  const struct objdiff *diff, struct refusals *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < diff->nr_entries; i++) {
		const struct objdiff_entry *e = &diff->entries[i];
		const char *noinstr;
		char *asm_why;

		if ((e->status == OBJDIFF_CHANGED || e->status == OBJDIFF_NEW) &&
		    e->kind == OBJDIFF_FUNC && e->post_index < post->nr_symbols &&
		    (asm_why = asm_code_reason(post, &post->symbols[e->post_index]))) {
			if (refusals_add(out, REFUSE_ASM_CODE, e->name, asm_why)) {
				refusals_free(out);
				return -1;
			}
			continue;
		}
		if (e->status == OBJDIFF_CHANGED && e->kind == OBJDIFF_FUNC &&
		    e->pre_index < pre->nr_symbols &&
		    (noinstr = refusals_noinstr_section(pre, &pre->symbols[e->pre_index]))) {
			if (refusals_add(out, REFUSE_NOINSTR_CODE, e->name,
					 str_format("it is in %s (entry or noinstr code, which NMIs and the entry path run): no jump can be written over it safely",
						    noinstr))) {
				refusals_free(out);
				return -1;
			}
			continue;
		}

		/*
		 * Changed functions are all replaced: through ftrace, their
		 * callers (through_callers.c) or a jump at their entry.
		 */
		if (e->status != OBJDIFF_CHANGED || e->kind != OBJDIFF_DATA)
			continue;
		if (e->pre_index >= pre->nr_symbols)
			continue;
		if (e->post_index < post->nr_symbols &&
		    payload_private_copy(post, &post->symbols[e->post_index]))
			continue;	/* the new code's own copy */
		if (refusals_add(out, REFUSE_CHANGED_DATA, e->name,
				 str_format("its value changes, but the running kernel keeps the old one; set it from a callback, or keep new state in a shadow variable"))) {
			refusals_free(out);
			return -1;
		}
	}
	return 0;
}

size_t refusals_mark_next_boot(const struct elf_object *pre, struct objdiff *d,
			       bool module)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nr_entries; i++) {
		struct objdiff_entry *e = &d->entries[i];
		const char *section;
		bool init;
		char *why;

		if (e->status != OBJDIFF_CHANGED || e->pre_index >= pre->nr_symbols)
			continue;
		section = elf_symbol_section(pre, &pre->symbols[e->pre_index])->name;
		init = !strncmp(section, ".init.", 6);
		if (!init && strncmp(section, ".exit.", 6))
			continue;
		why = str_format("%s %s in %s: %s; the change takes effect when %s starts from a new build",
				 init ? "__init" : "__exit",
				 e->kind == OBJDIFF_FUNC ? "code" : "data", section,
				 init ? "already run" : "run only at unload",
				 module ? "the module" : "the kernel");
		if (!why)
			continue;	/* left changed: refused below */
		free(e->why);
		e->why = why;
		e->status = OBJDIFF_NEXT_BOOT;
		n++;
	}
	return n;
}

void refusals_free(struct refusals *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->items[i].name);
		free(r->items[i].reason);
		free(r->items[i].here);
	}
	free(r->items);
	r->items = NULL;
	r->nr = 0;
}

struct crc {
	char name[256];
	unsigned long value;
};

/* The exports genksyms listed in @path; none if there is no such file. */
static int read_crcs(const char *path, struct crc **crcs, size_t *nr,
		     char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];

	*crcs = NULL;
	*nr = 0;
	if (!f)
		return errno == ENOENT ? 0 : set_error(err, errlen, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		struct crc c, *grown;

		if (sscanf(line, "#SYMVER %255s %lx", c.name, &c.value) != 2)
			continue;
		grown = realloc(*crcs, (*nr + 1) * sizeof(*grown));
		if (!grown) {
			fclose(f);
			return set_error(err, errlen, "out of memory");
		}
		*crcs = grown;
		grown[(*nr)++] = c;
	}
	fclose(f);
	return 0;
}

static const struct crc *find_crc(const struct crc *crcs, size_t nr, const char *name)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(crcs[i].name, name))
			return &crcs[i];
	return NULL;
}

int refusals_find_crc(const char *pre_crc, const char *post_crc,
		      struct refusals *out, char *err, size_t errlen)
{
	struct crc *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int ret = -1;

	if (read_crcs(pre_crc, &a, &na, err, errlen) ||
	    read_crcs(post_crc, &b, &nb, err, errlen))
		goto out;
	for (size_t i = 0; i < na; i++) {
		const struct crc *c = find_crc(b, nb, a[i].name);
		char *why = NULL;

		if (!c)
			why = str_format("the patch stops exporting it, but the running kernel keeps its export; leave the export in");
		else if (c->value != a[i].value)
			why = str_format("its exported interface changes (modversions CRC %#010lx -> %#010lx): modules built for the running kernel would no longer match it; keep the types it uses as they are",
					 a[i].value, c->value);
		else
			continue;
		if (refusals_add(out, REFUSE_EXPORT_CHANGED, a[i].name, why))
			goto nomem;
	}
	for (size_t i = 0; i < nb; i++)
		if (!find_crc(a, na, b[i].name) &&
		    refusals_add(out, REFUSE_EXPORT_CHANGED, b[i].name, str_format("the patch exports it, and an update cannot add exports to the running kernel; call it from the changed code instead")))
			goto nomem;
	ret = 0;
	goto out;
nomem:
	set_error(err, errlen, "out of memory");
out:
	free(a);
	free(b);
	return ret;
}
