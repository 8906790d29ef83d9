// SPDX-License-Identifier: GPL-2.0
/*
 * One unit, before and after: compare its objects (objdiff.c), read what its
 * patch declares (decls.c), refuse what cannot be live patched (refuse.c),
 * build its payload (payload.c), and report each step to the user.
 */
#include <stdlib.h>
#include <string.h>

#include "elfobj.h"
#include "layout.h"
#include "objdiff.h"
#include "pipeline.h"
#include "refuse.h"
#include "table_copy.h"
#include "through_callers.h"
#include "util.h"

/* @s on one line: string literals in it may hold newlines. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

static void report_unit(struct create *c, const struct unit *u,
			const struct objdiff *d, const struct decls *decls)
{
	size_t same_funcs = 0, same_data = 0;

	fprintf(c->out, "%s -> %s\n", u->path, u->target);
	for (size_t i = 0; i < decls->nr; i++) {
		const struct decl *dl = &decls->items[i];

		if (dl->kind == KMEND_DECL_STATE)
			fprintf(c->out, "  declares  system state %lu, version %u\n",
				dl->state_id, dl->state_version);
		else
			fprintf(c->out, "  declares  %s %s\n", decl_kind_name(dl->kind),
				dl->function ? dl->function : dl->name);
	}
	for (size_t i = 0; i < d->nr_entries; i++) {
		const struct objdiff_entry *e = &d->entries[i];

		if (e->status == OBJDIFF_IGNORED && e->why &&
		    !strcmp(e->why, "a kmend declaration"))
			continue;
		if (e->status == OBJDIFF_SAME) {
			if (e->kind == OBJDIFF_FUNC)
				same_funcs++;
			else
				same_data++;
			continue;
		}
		fprintf(c->out, "  %-9s %-8s %s", objdiff_status_name(e->status),
			e->kind == OBJDIFF_FUNC ? "function" : "data", e->name);
		if (e->why) {
			fputs(" (", c->out);
			put_escaped(c->out, e->why);
			fputc(')', c->out);
		}
		fputc('\n', c->out);
	}
	fprintf(c->out, "  unchanged: %zu functions, %zu data objects\n",
		same_funcs, same_data);
}

/* A type's layout was refused for an earlier unit: said once. */
static bool type_said(struct create *c, const char *name)
{
	char **grown;

	if (strncmp(name, "struct ", 7) && strncmp(name, "union ", 6) &&
	    strncmp(name, "enum ", 5))
		return false;
	for (size_t i = 0; i < c->nr_types_refused; i++)
		if (!strcmp(c->types_refused[i], name))
			return true;
	grown = realloc(c->types_refused, (c->nr_types_refused + 1) * sizeof(*grown));
	if (grown) {
		c->types_refused = grown;
		grown[c->nr_types_refused] = strdup(name);
		if (grown[c->nr_types_refused])
			c->nr_types_refused++;
	}
	return false;
}

static void print_refusals(struct create *c, const struct refusals *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		const char *here = r->items[i].here;

		if (type_said(c, r->items[i].name)) {
			fprintf(c->out, "  refused   %s: as above%s%s\n", r->items[i].name,
				here ? "; " : "", here ? here : "");
			continue;
		}
		fprintf(c->out, "  refused   %s: %s%s%s (kmend explain %s)\n", r->items[i].name,
			r->items[i].reason, here ? " Here: " : "", here ? here : "",
			r->items[i].kind);
		c->nr_refusals++;
	}
}

/* The unit's payload: the new code and what it needs (see payload.h). */
static int build_payload(struct create *c, const struct unit *u, size_t index,
			 const struct elf_object *pre, const struct elf_object *post,
			 const struct objdiff *d)
{
	char errbuf[512];
	char *prefix = str_format("__kmend_u%zu_", index);
	char *path = str_format("%s/payload-%zu.o", c->work_dir, index);
	const struct decls *decls = &c->decls[index];
	char **named = calloc(decls->nr + 1, sizeof(*named));
	struct payload_input in = {
		.pre = pre, .post = post, .diff = d, .exports = &c->exports,
		.target = u->target, .prefix = prefix, .unit = (unsigned int)index + 1,
		.named = named, .shared = c->shared, .nr_shared = c->nr_shared,
	};
	struct refusals r;
	struct payload *p = &c->payloads[index];

	for (size_t i = 0; named && i < decls->nr; i++)
		if (decl_names_payload(decls->items[i].kind))
			named[in.nr_named++] = decls->items[i].function;
	if (!prefix || !path || !named) {
		free(named);
		free(prefix);
		free(path);
		fprintf(c->err, "kmend create: out of memory\n");
		return -1;
	}
	c->payload_paths[index] = path;
	if (payload_build(&in, path, p, &r, errbuf, sizeof(errbuf))) {
		free(named);
		free(prefix);
		fprintf(c->err, "kmend create: %s: %s\n", u->path, errbuf);
		return -1;
	}
	free(named);
	free(prefix);
	print_refusals(c, &r);
	refusals_free(&r);
	for (size_t i = 0; i < p->nr_inert; i++)
		fprintf(c->out, "  inert     %s: a trace point of module %s, which the new code never fires (its key is the module's own; kmend leaves it out, as klp-build does)\n",
			p->inert[i], u->target);
	fprintf(c->out, "  update:   %zu function%s replaced, %zu bytes of code, %zu reference%s for %s\n",
		p->nr_funcs, p->nr_funcs == 1 ? "" : "s", p->code_size,
		p->nr_relocs, p->nr_relocs == 1 ? "" : "s",
		c->format == UPDATE_FORMAT_KLP ? "livepatch to resolve (klp relocations)" :
		"the engine to resolve");
	if (c->verbose)
		for (size_t i = 0; i < p->nr_relocs; i++)
			fprintf(c->err, "  RELOC   %s+%#llx -> %s%+lld (type %u)\n",
				p->relocs[i].place_symbol,
				(unsigned long long)p->relocs[i].offset,
				p->relocs[i].symbol, (long long)p->relocs[i].addend,
				p->relocs[i].type);
	return 0;
}

/* Types whose layout changes, with the functions the update replaces. */
static int find_layout_changes(const struct unit_paths *p, const struct objdiff *d,
			       struct refusals *r, char *err, size_t errlen)
{
	char **names = calloc(d->nr_entries + 1, sizeof(*names));
	size_t n = 0;
	int ret;

	if (!names)
		return set_error(err, errlen, "out of memory");
	for (size_t i = 0; i < d->nr_entries; i++)
		if (d->entries[i].kind == OBJDIFF_FUNC &&
		    d->entries[i].status == OBJDIFF_CHANGED)
			names[n++] = d->entries[i].name;
	ret = layout_refusals(p->pre, p->post, names, n, r, err, errlen);
	free(names);
	return ret;
}

/* Nothing to replace: every entry the same, or moved lines alone. */
static bool unit_unchanged(const struct objdiff *d, const struct decls *decls)
{
	if (decls->nr)
		return false;
	for (size_t i = 0; i < d->nr_entries; i++)
		if (d->entries[i].status != OBJDIFF_SAME &&
		    d->entries[i].status != OBJDIFF_LINE_ONLY)
			return false;
	return true;
}

int create_compare_unit(struct create *c, const struct unit *u, size_t index)
{
	struct unit_paths p;
	char errbuf[512];
	struct elf_object a, b;
	struct objdiff d;
	struct refusals r;
	int ret = -1;

	if (create_unit_paths(c, u, &p)) {
		fprintf(c->err, "kmend create: cannot create %s\n", c->work_dir);
		return -1;
	}
	if (elf_object_open(&a, p.pre, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		return -1;
	}
	if (elf_object_open(&b, p.post, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		elf_object_close(&a);
		return -1;
	}
	if (objdiff_compare(&a, &b, &d, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: comparing %s: %s\n", u->path, errbuf);
		goto close;
	}
	if (decls_read(&b, &c->decls[index], errbuf, sizeof(errbuf)) ||
	    decls_apply(&c->decls[index], &b, &d, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s: %s\n", u->path, errbuf);
		objdiff_free(&d);
		goto close;
	}
	/* a unit a header reaches: said only when its code changed */
	if (index >= c->nr_files && unit_unchanged(&d, &c->decls[index])) {
		c->nr_same_units++;
		ret = 0;
		objdiff_free(&d);
		goto close;
	}
	c->nr_next_boot += refusals_mark_next_boot(&a, &d, strcmp(u->target, "vmlinux"));
	table_copy_mark(&b, &d);
	through_callers_mark(&a, &b, &d);
	entry_jump_mark(&a, &d);
	report_unit(c, u, &d, &c->decls[index]);
	if (refusals_find(&a, &b, &d, &r)) {
		fprintf(c->err, "kmend create: out of memory\n");
	} else if (refusals_find_crc(p.pre_crc, p.post_crc, &r, errbuf, sizeof(errbuf)) ||
		   find_layout_changes(&p, &d, &r, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		refusals_free(&r);
	} else {
		print_refusals(c, &r);
		ret = r.nr ? 0 : build_payload(c, u, index, &a, &b, &d);
		refusals_free(&r);
	}
	objdiff_free(&d);
close:
	elf_object_close(&a);
	elf_object_close(&b);
	return ret;
}
