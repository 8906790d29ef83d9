// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols a patch adds in one unit and uses from another: a function or
 * variable new in a.c that b.c calls. The running kernel has no such
 * symbol, so b.c's reference must not be looked up there (the engine would
 * refuse the update, failed_to_find); both payloads are linked into one
 * update module, so the reference is left to that link, and a.c's payload
 * gives the new symbol its own name as a global.
 */
#include <stdlib.h>
#include <string.h>

#include "cross_unit.h"
#include "elfobj.h"
#include "util.h"

static bool defines(const struct elf_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->nr_symbols; i++) {
		const struct elf_symbol *s = &obj->symbols[i];

		if (s->bind != STB_LOCAL && s->sym.st_shndx != SHN_UNDEF &&
		    (s->type == STT_FUNC || s->type == STT_OBJECT) && !strcmp(s->name, name))
			return true;
	}
	return false;
}

static bool uses(const struct elf_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->nr_symbols; i++)
		if (obj->symbols[i].sym.st_shndx == SHN_UNDEF && obj->symbols[i].name &&
		    !strcmp(obj->symbols[i].name, name))
			return true;
	return false;
}

static int add_name(char ***names, size_t *n, const char *name)
{
	char **grown;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return 0;
	grown = realloc(*names, (*n + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	*names = grown;
	grown[*n] = strdup(name);
	return grown[*n] ? (int)(++*n, 0) : -1;
}

int cross_unit_symbols(char *const *pre_paths, char *const *post_paths, size_t n,
		       char ***names, size_t *nr_names, char *err, size_t errlen)
{
	struct elf_object *pre = calloc(n ? n : 1, sizeof(*pre));
	struct elf_object *post = calloc(n ? n : 1, sizeof(*post));
	size_t opened = 0;
	int ret = -1;

	*names = NULL;
	*nr_names = 0;
	if (!pre || !post) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	for (; opened < n; opened++) {
		if (elf_object_open(&pre[opened], pre_paths[opened], err, errlen))
			goto out;
		if (elf_object_open(&post[opened], post_paths[opened], err, errlen)) {
			elf_object_close(&pre[opened]);
			goto out;
		}
	}
	/* a global defined after the patch only, that another unit uses */
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < post[i].nr_symbols; k++) {
			const struct elf_symbol *s = &post[i].symbols[k];

			if (s->bind == STB_LOCAL || s->sym.st_shndx == SHN_UNDEF ||
			    (s->type != STT_FUNC && s->type != STT_OBJECT) ||
			    defines(&pre[i], s->name))
				continue;
			for (size_t j = 0; j < n; j++) {
				if (j == i || !uses(&post[j], s->name))
					continue;
				if (add_name(names, nr_names, s->name)) {
					set_error(err, errlen, "out of memory");
					goto out;
				}
				break;
			}
		}
	}
	ret = 0;
out:
	for (size_t i = 0; i < opened; i++) {
		elf_object_close(&pre[i]);
		elf_object_close(&post[i]);
	}
	free(pre);
	free(post);
	if (ret) {
		strv_free(*names, *nr_names);
		*names = NULL;
		*nr_names = 0;
	}
	return ret;
}
