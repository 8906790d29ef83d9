// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a patch's declarations (kmend/patch.h) from the compiled unit:
 * each record's kind is data, its function and string are relocations.
 */
#include "decls.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const kind_names[KMEND_DECL_MAX] = {
	[KMEND_DECL_PRE_PATCH] = "pre_patch callback",
	[KMEND_DECL_POST_PATCH] = "post_patch callback",
	[KMEND_DECL_PRE_UNPATCH] = "pre_unpatch callback",
	[KMEND_DECL_POST_UNPATCH] = "post_unpatch callback",
	[KMEND_DECL_CHECK_APPLY] = "check_apply hook",
	[KMEND_DECL_APPLY] = "apply hook",
	[KMEND_DECL_FAIL_APPLY] = "fail_apply hook",
	[KMEND_DECL_CHECK_REVERSE] = "check_reverse hook",
	[KMEND_DECL_REVERSE] = "reverse hook",
	[KMEND_DECL_FAIL_REVERSE] = "fail_reverse hook",
	[KMEND_DECL_NO_REPLACE] = "KMEND_NO_REPLACE",
	[KMEND_DECL_IGNORE_SECTION] = "KMEND_IGNORE_SECTION",
	[KMEND_DECL_IGNORE_SYMBOL] = "KMEND_IGNORE_SYMBOL",
	[KMEND_DECL_MODEL] = "KMEND_MODEL",
	[KMEND_DECL_ON_ACCESS] = "KMEND_TRANSFORM_ON_ACCESS",
	[KMEND_DECL_STATE] = "KMEND_STATE",
};

const char *decl_kind_name(enum kmend_decl_kind kind)
{
	return kind > 0 && kind < KMEND_DECL_MAX ? kind_names[kind] : "?";
}

bool decl_names_code(enum kmend_decl_kind kind)
{
	return kind >= KMEND_DECL_PRE_PATCH && kind <= KMEND_DECL_FAIL_REVERSE;
}

bool decl_names_payload(enum kmend_decl_kind kind)
{
	return decl_names_code(kind) || kind == KMEND_DECL_ON_ACCESS;
}

/* The string a relocation points at (a string section plus offset). */
static char *string_at(const struct elf_object *obj, const struct elf_rela *r)
{
	const struct elf_symbol *s = &obj->symbols[r->sym];
	const struct elf_section *sec = elf_symbol_section(obj, s);
	int64_t off;

	if (!sec || !sec->data)
		return NULL;
	off = (int64_t)s->sym.st_value + r->addend;
	if (off < 0 || (uint64_t)off >= sec->size ||
	    !memchr(sec->data + off, '\0', sec->size - (uint64_t)off))
		return NULL;
	return strdup((const char *)sec->data + off);
}

/* KMEND_STATE's id and version: integer constants, not references. */
static int read_state(const struct elf_object *post, const struct elf_section *sec,
		      uint64_t off, struct decl *d, char *err, size_t errlen)
{
	uint64_t id, version;

	if (elf_rela_at(sec, off + 8) || elf_rela_at(sec, off + 16))
		return set_error(err, errlen, "%s: KMEND_STATE takes integer constants, not addresses",
				 post->path);
	memcpy(&id, sec->data + off + 8, sizeof(id));
	memcpy(&version, sec->data + off + 16, sizeof(version));
	if (!id || version > UINT32_MAX)
		return set_error(err, errlen, "%s: KMEND_STATE(%llu, %llu): the id must be nonzero and the version fit an unsigned int",
				 post->path, (unsigned long long)id,
				 (unsigned long long)version);
	d->state_id = id;
	d->state_version = (unsigned int)version;
	return 0;
}

/*
 * The function (@type STT_FUNC) or variable (STT_OBJECT) a relocation
 * points at: its symbol, or the one at the offset.
 */
static char *symbol_at(const struct elf_object *obj, const struct elf_rela *r,
		       int type)
{
	const struct elf_symbol *s = &obj->symbols[r->sym];

	if (s->type == STT_SECTION) {
		const struct elf_section *sec = elf_symbol_section(obj, s);

		s = sec ? elf_symbol_at(obj, sec, r->addend) : NULL;
		if (s && (int64_t)s->sym.st_value != r->addend)
			return NULL;	/* inside a function, not its start */
	} else if (r->addend) {
		return NULL;
	}
	return s && s->type == type ? strdup(s->name) : NULL;
}

int decls_read(const struct elf_object *post, struct decls *out, char *err,
	       size_t errlen)
{
	const struct elf_section *sec = elf_section_named(post, KMEND_DECL_SECTION);

	memset(out, 0, sizeof(*out));
	if (!sec)
		return 0;
	if (!sec->data || sec->size % KMEND_DECL_SIZE)
		return set_error(err, errlen, "%s: %s is not a table of %d-byte records",
				 post->path, KMEND_DECL_SECTION, KMEND_DECL_SIZE);
	out->items = calloc(sec->size / KMEND_DECL_SIZE, sizeof(*out->items));
	if (!out->items)
		return set_error(err, errlen, "out of memory");
	for (uint64_t off = 0; off < sec->size; off += KMEND_DECL_SIZE) {
		struct decl *d = &out->items[out->nr];
		const struct elf_rela *fn = elf_rela_at(sec, off + 8);
		const struct elf_rela *str = elf_rela_at(sec, off + 16);
		uint64_t kind;

		memcpy(&kind, sec->data + off, sizeof(kind));	/* x86-64: LE */
		if (!kind || kind >= KMEND_DECL_MAX) {
			decls_free(out);
			return set_error(err, errlen, "%s: a kmend declaration of unknown kind %llu",
					 post->path, (unsigned long long)kind);
		}
		d->kind = (enum kmend_decl_kind)kind;
		out->nr++;
		if (d->kind == KMEND_DECL_STATE) {
			if (read_state(post, sec, off, d, err, errlen)) {
				decls_free(out);
				return -1;
			}
			continue;
		}
		if (fn && !(d->function = symbol_at(post, fn, kind == KMEND_DECL_ON_ACCESS ?
						   STT_OBJECT : STT_FUNC))) {
			decls_free(out);
			return set_error(err, errlen, "%s: a %s names no %s of the unit",
					 post->path, decl_kind_name((enum kmend_decl_kind)kind),
					 kind == KMEND_DECL_ON_ACCESS ? "variable" : "function");
		}
		if (str && !(d->name = string_at(post, str))) {
			decls_free(out);
			return set_error(err, errlen, "%s: a %s names no string",
					 post->path, decl_kind_name((enum kmend_decl_kind)kind));
		}
		if ((decl_names_payload(d->kind) || d->kind == KMEND_DECL_NO_REPLACE) ?
		    !d->function : !d->name) {
			decls_free(out);
			return set_error(err, errlen, "%s: a %s without its %s", post->path,
					 decl_kind_name(d->kind),
					 d->function || d->name ? "argument" :
					 d->kind == KMEND_DECL_ON_ACCESS ? "variable" :
					 decl_names_code(d->kind) ? "function" : "name");
		}
	}
	return 0;
}

void decls_free(struct decls *d)
{
	for (size_t i = 0; i < d->nr; i++) {
		free(d->items[i].function);
		free(d->items[i].name);
	}
	free(d->items);
	d->items = NULL;
	d->nr = 0;
}

static const char *section_of(const struct elf_object *post,
			      const struct objdiff_entry *e)
{
	const struct elf_section *sec;

	if (e->post_index == SIZE_MAX)
		return NULL;
	sec = elf_symbol_section(post, &post->symbols[e->post_index]);
	return sec ? sec->name : NULL;
}

/* Does declaration @d ignore @e? */
static bool ignores(const struct decl *d, const struct elf_object *post,
		    const struct objdiff_entry *e)
{
	const char *sec;

	switch (d->kind) {
	case KMEND_DECL_NO_REPLACE:
		return e->kind == OBJDIFF_FUNC && !strcmp(e->name, d->function);
	case KMEND_DECL_IGNORE_SYMBOL:
		return !strncmp(e->name, d->name, objdiff_base_name_len(e->name)) &&
		       objdiff_base_name_len(e->name) == strlen(d->name);
	case KMEND_DECL_IGNORE_SECTION:
		sec = section_of(post, e);
		return sec && !strcmp(sec, d->name);
	default:
		return false;
	}
}

static int ignore(struct objdiff_entry *e, const char *why)
{
	char *text = strdup(why);

	if (!text)
		return -1;
	free(e->why);
	e->why = text;
	e->status = OBJDIFF_IGNORED;
	return 0;
}

int decls_apply(const struct decls *d, const struct elf_object *post,
		struct objdiff *diff, char *err, size_t errlen)
{
	for (size_t i = 0; i < diff->nr_entries; i++) {
		struct objdiff_entry *e = &diff->entries[i];
		const char *sec = section_of(post, e);

		if (sec && !strcmp(sec, KMEND_DECL_SECTION) && ignore(e, "a kmend declaration"))
			return set_error(err, errlen, "out of memory");
	}
	for (size_t k = 0; k < d->nr; k++) {
		const struct decl *dk = &d->items[k];
		size_t hits = 0;

		if (dk->kind != KMEND_DECL_NO_REPLACE &&
		    dk->kind != KMEND_DECL_IGNORE_SECTION &&
		    dk->kind != KMEND_DECL_IGNORE_SYMBOL)
			continue;
		for (size_t i = 0; i < diff->nr_entries; i++) {
			struct objdiff_entry *e = &diff->entries[i];

			if (!ignores(dk, post, e))
				continue;
			hits++;
			if (e->status != OBJDIFF_CHANGED && e->status != OBJDIFF_NEW &&
			    e->status != OBJDIFF_DELETED)
				continue;
			if (ignore(e, decl_kind_name(dk->kind)))
				return set_error(err, errlen, "out of memory");
		}
		if (!hits)
			return set_error(err, errlen, "%s(%s): the unit has no such %s",
					 decl_kind_name(dk->kind),
					 dk->function ? dk->function : dk->name,
					 dk->kind == KMEND_DECL_IGNORE_SECTION ? "section" :
					 dk->kind == KMEND_DECL_NO_REPLACE ? "function" : "symbol");
	}
	return 0;
}

int decl_model_parse(const char *model, unsigned int *leave, unsigned int *sw)
{
	/* the values of enum kmend_leave and enum kmend_switch */
	static const char *const leaves[] = { "patched-set", "function", "kernel" };
	static const char *const switches[] = { "kernel", "function", "thread" };
	const char *comma = strchr(model, ',');
	size_t i;

	if (strncmp(model, "leave=", 6) || !comma || strncmp(comma + 1, "switch=", 7))
		return -1;
	for (i = 0; i < 3; i++)
		if (comma - (model + 6) == (ptrdiff_t)strlen(leaves[i]) &&
		    !strncmp(model + 6, leaves[i], strlen(leaves[i])))
			break;
	if (i == 3)
		return -1;
	*leave = (unsigned int)i;
	for (i = 0; i < 3; i++)
		if (!strcmp(comma + 8, switches[i]))
			break;
	if (i == 3)
		return -1;
	*sw = (unsigned int)i;
	return 0;
}
