// SPDX-License-Identifier: GPL-2.0
/*
 * Types whose layout a patch changes, from the DWARF of a unit's objects
 * before and after. The running kernel's data keeps the old layout: new
 * code that reads a moved field, or allocates a struct at its new size,
 * would corrupt it. So a named struct or union whose size or members
 * (name, offset, type, bit field) differ, or an enumerator whose value
 * differs, is refused; a shadow variable carries a new field instead.
 * Enumerators added after the others change no value and pass.
 *
 * libdwfl reads the objects: it applies their relocations to the debug
 * sections, which a relocatable object needs before its strings and
 * references mean anything.
 */
#include "layout.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One named type and the text of its layout. */
struct layout {
	char *key;	/* "struct foo", "union bar", "enum baz" */
	char *text;	/* "size 16; a@0 int; b@8 char *" or "A=0; B=1" */
	Dwarf_Word size;
};

/* A function with code that takes or holds a struct or union. */
struct use {
	char *key;	/* the type, as in struct layout */
	char *function;
};

struct layouts {
	struct layout *v;
	size_t n, cap;
	struct use *uses;
	size_t nr_uses, cap_uses;
};

/* A string being built; NULL text after a failed allocation. */
struct text {
	char *s;
	size_t len, cap;
	bool nomem;
};

static void put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->nomem)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0,
			      fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->nomem = true;
			return;
		}
		if (t->s && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		{
			size_t cap = (t->cap + (size_t)n + 1) * 2;
			char *grown = realloc(t->s, cap);

			if (!grown) {
				t->nomem = true;
				return;
			}
			t->s = grown;
			t->cap = cap;
		}
	}
}

/* A short name of the type @die refers to ("int", "struct foo *"). */
static void put_type(struct text *t, Dwarf_Die *die, int depth)
{
	Dwarf_Attribute attr;
	Dwarf_Die type;
	const char *name;

	if (!dwarf_attr_integrate(die, DW_AT_type, &attr) ||
	    !dwarf_formref_die(&attr, &type)) {
		put(t, "void");
		return;
	}
	name = dwarf_diename(&type);
	switch (dwarf_tag(&type)) {
	case DW_TAG_structure_type:
		put(t, "struct %s", name ? name : "{...}");
		return;
	case DW_TAG_union_type:
		put(t, "union %s", name ? name : "{...}");
		return;
	case DW_TAG_enumeration_type:
		put(t, "enum %s", name ? name : "{...}");
		return;
	case DW_TAG_base_type:
	case DW_TAG_typedef:
		put(t, "%s", name ? name : "?");
		return;
	default:
		break;
	}
	if (depth > 8) {
		put(t, "...");
		return;
	}
	put_type(t, &type, depth + 1);
	switch (dwarf_tag(&type)) {
	case DW_TAG_pointer_type:
		put(t, " *");
		break;
	case DW_TAG_const_type:
		put(t, " const");
		break;
	case DW_TAG_volatile_type:
		put(t, " volatile");
		break;
	case DW_TAG_array_type: {
		Dwarf_Word size;

		put(t, "[%" PRIu64 "]", dwarf_aggregate_size(&type, &size) ? 0 : size);
		break;
	}
	case DW_TAG_subroutine_type:
		put(t, " ()");
		break;
	default:
		break;
	}
}

static Dwarf_Word attr_word(Dwarf_Die *die, unsigned int name, Dwarf_Word dflt)
{
	Dwarf_Attribute attr;
	Dwarf_Word value;

	if (!dwarf_attr_integrate(die, name, &attr) || dwarf_formudata(&attr, &value))
		return dflt;
	return value;
}

/* Members of a struct or union, an unnamed one's spelled out in place. */
static void put_members(struct text *t, Dwarf_Die *die, Dwarf_Word base, int depth)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child))
		return;
	do {
		const char *name;
		Dwarf_Word offset;
		Dwarf_Attribute attr;
		Dwarf_Die type;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		name = dwarf_diename(&child);
		offset = base + attr_word(&child, DW_AT_data_member_location, 0);
		if (!name && depth < 8 && dwarf_attr_integrate(&child, DW_AT_type, &attr) &&
		    dwarf_formref_die(&attr, &type) && !dwarf_diename(&type) &&
		    (dwarf_tag(&type) == DW_TAG_structure_type ||
		     dwarf_tag(&type) == DW_TAG_union_type)) {
			put_members(t, &type, offset, depth + 1);
			continue;
		}
		put(t, "; %s@%" PRIu64 " ", name ? name : "?", offset);
		put_type(t, &child, 0);
		if (dwarf_hasattr(&child, DW_AT_bit_size))
			put(t, ":%" PRIu64 "@%" PRIu64,
			    attr_word(&child, DW_AT_bit_size, 0),
			    attr_word(&child, DW_AT_data_bit_offset, 0));
	} while (!dwarf_siblingof(&child, &child));
}

static void put_enumerators(struct text *t, Dwarf_Die *die)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child))
		return;
	do {
		Dwarf_Attribute attr;
		Dwarf_Sword value = 0;

		if (dwarf_tag(&child) != DW_TAG_enumerator)
			continue;
		if (dwarf_attr(&child, DW_AT_const_value, &attr))
			dwarf_formsdata(&attr, &value);
		put(t, "%s%s=%" PRId64, t->len ? "; " : "", dwarf_diename(&child),
		    (int64_t)value);
	} while (!dwarf_siblingof(&child, &child));
}

static int add_layout(struct layouts *l, Dwarf_Die *die)
{
	int tag = dwarf_tag(die);
	const char *name = dwarf_diename(die);
	const char *kind = tag == DW_TAG_structure_type ? "struct" :
			   tag == DW_TAG_union_type ? "union" : "enum";
	struct text t = { 0 };
	Dwarf_Word size = 0;

	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i].key, kind, strlen(kind)) &&
		    !strcmp(l->v[i].key + strlen(kind) + 1, name))
			return 0;	/* one definition per unit is compared */
	if (tag == DW_TAG_enumeration_type) {
		put_enumerators(&t, die);
	} else {
		size = attr_word(die, DW_AT_byte_size, 0);
		put(&t, "size %" PRIu64, size);
		put_members(&t, die, 0, 0);
	}
	if (!t.s)
		put(&t, "%s", "");
	if (t.nomem)
		goto nomem;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct layout *grown = realloc(l->v, cap * sizeof(*grown));

		if (!grown)
			goto nomem;
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n].key = str_format("%s %s", kind, name);
	if (!l->v[l->n].key)
		goto nomem;
	l->v[l->n].text = t.s;
	l->v[l->n++].size = size;
	return 0;
nomem:
	free(t.s);
	return -1;
}

/* The struct or union @die's type is, through pointers, arrays, typedefs. */
static bool type_key(Dwarf_Die *die, char *key, size_t size)
{
	Dwarf_Attribute attr;
	Dwarf_Die type = *die;

	for (int depth = 0; depth < 12; depth++) {
		int tag;

		if (!dwarf_attr_integrate(&type, DW_AT_type, &attr) ||
		    !dwarf_formref_die(&attr, &type))
			return false;
		tag = dwarf_tag(&type);
		if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type) {
			const char *name = dwarf_diename(&type);

			return name && snprintf(key, size, "%s %s",
						tag == DW_TAG_union_type ? "union" : "struct",
						name) < (int)size;
		}
	}
	return false;
}

static int add_use(struct layouts *l, const char *key, const char *function)
{
	for (size_t i = 0; i < l->nr_uses; i++)
		if (!strcmp(l->uses[i].key, key) && !strcmp(l->uses[i].function, function))
			return 0;
	if (l->nr_uses == l->cap_uses) {
		size_t cap = l->cap_uses ? l->cap_uses * 2 : 256;
		struct use *grown = realloc(l->uses, cap * sizeof(*grown));

		if (!grown)
			return -1;
		l->uses = grown;
		l->cap_uses = cap;
	}
	l->uses[l->nr_uses].key = strdup(key);
	l->uses[l->nr_uses].function = strdup(function);
	if (!l->uses[l->nr_uses].key || !l->uses[l->nr_uses].function) {
		free(l->uses[l->nr_uses].key);
		free(l->uses[l->nr_uses].function);
		return -1;
	}
	l->nr_uses++;
	return 0;
}

/*
 * The structs and unions @function's parameters and variables are of (or
 * point to), and those its inlined calls return.
 */
static int add_uses(struct layouts *l, Dwarf_Die *scope, const char *function, int depth)
{
	Dwarf_Die child;
	char key[256];

	if (depth > 16 || dwarf_child(scope, &child))
		return 0;
	do {
		int tag = dwarf_tag(&child);

		/* an inlined call's type is what it returns (MSDOS_I()) */
		if ((tag == DW_TAG_formal_parameter || tag == DW_TAG_variable ||
		     tag == DW_TAG_inlined_subroutine) &&
		    type_key(&child, key, sizeof(key)) && add_use(l, key, function))
			return -1;
		if ((tag == DW_TAG_lexical_block || tag == DW_TAG_inlined_subroutine) &&
		    add_uses(l, &child, function, depth + 1))
			return -1;
	} while (!dwarf_siblingof(&child, &child));
	return 0;
}

/*
 * The named, defined types at the top of each unit of @dw, and the
 * functions with code there that take or hold a struct or union.
 */
static int collect(Dwarf *dw, struct layouts *l)
{
	Dwarf_Off off = 0, next;
	size_t header;

	while (!dwarf_nextcu(dw, off, &next, &header, NULL, NULL, NULL)) {
		Dwarf_Die cu, child;
		char key[256];

		if (dwarf_offdie(dw, off + header, &cu) && !dwarf_child(&cu, &child)) {
			do {
				int tag = dwarf_tag(&child);
				Dwarf_Attribute attr;
				const char *name;

				if ((tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
				     tag == DW_TAG_enumeration_type) &&
				    dwarf_diename(&child) &&
				    !dwarf_hasattr(&child, DW_AT_declaration) &&
				    add_layout(l, &child))
					return -1;
				/* a function with code (an inlined one's copy too) */
				if (tag == DW_TAG_subprogram &&
				    (dwarf_hasattr(&child, DW_AT_low_pc) ||
				     dwarf_hasattr(&child, DW_AT_ranges)) &&
				    (name = dwarf_formstring(dwarf_attr_integrate(&child, DW_AT_name,
										  &attr))) &&
				    (add_uses(l, &child, name, 0) ||
				     (type_key(&child, key, sizeof(key)) && add_use(l, key, name))))
					return -1;
			} while (!dwarf_siblingof(&child, &child));
		}
		off = next;
	}
	return 0;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static int read_layouts(const char *path, struct layouts *l, char *err, size_t errlen)
{
	Dwfl *dwfl = dwfl_begin(&offline_callbacks);
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	Dwarf *dw;
	int ret;

	if (!dwfl)
		return set_error(err, errlen, "libdwfl: %s", dwfl_errmsg(-1));
	mod = dwfl_report_offline(dwfl, "unit", path, -1);
	if (!mod || dwfl_report_end(dwfl, NULL, NULL)) {
		ret = set_error(err, errlen, "%s: %s", path, dwfl_errmsg(-1));
		goto out;
	}
	dw = dwfl_module_getdwarf(mod, &bias);
	/* no debug information: nothing to compare */
	ret = dw && collect(dw, l) ? set_error(err, errlen, "out of memory") : 0;
out:
	dwfl_end(dwfl);
	return ret;
}

static void layouts_free(struct layouts *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].text);
	}
	free(l->v);
	for (size_t i = 0; i < l->nr_uses; i++) {
		free(l->uses[i].key);
		free(l->uses[i].function);
	}
	free(l->uses);
}

/* @function (DWARF's name) is among @names ("f", or gcc's "f.isra.0"). */
static bool replaced(const char *function, char *const *names, size_t n)
{
	size_t len = strlen(function);

	for (size_t i = 0; i < n; i++)
		if (!strncmp(names[i], function, len) &&
		    (!names[i][len] || names[i][len] == '.'))
			return true;
	return false;
}

/*
 * "f, g (N functions the update leaves running) use it here": functions
 * of the unit whose parameters, variables or inlined calls are of the
 * type or point to it; or that none the update leaves running does.
 */
static char *running_users(const struct layouts *pre, const char *key,
			   char *const *names, size_t nr_names)
{
	struct text t = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < pre->nr_uses; i++) {
		if (strcmp(pre->uses[i].key, key) ||
		    replaced(pre->uses[i].function, names, nr_names))
			continue;
		if (n < 5)
			put(&t, "%s%s", n ? ", " : "", pre->uses[i].function);
		n++;
	}
	if (!n)
		put(&t, "no function the update leaves running takes, holds or gets one here (by the types of parameters, variables and inlined calls)");
	else if (n == 1)
		put(&t, ", which the update leaves running, uses it here");
	else
		put(&t, "%s (%zu functions the update leaves running) use it here",
		    n > 5 ? ", ..." : "", n);
	if (t.nomem) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

/* The first field of @a that @b lacks or spells otherwise, for the reason. */
static char *first_difference(const char *a, const char *b)
{
	const char *pa = a, *pb = b;

	while (*pa && *pa == *pb) {
		pa++;
		pb++;
	}
	/* one is the other with members after its last: name the first of them */
	if (!*pa && *pb == ';') {
		pb += strspn(pb, "; ");
		return str_format("a member after the last: \"%.*s\"", (int)strcspn(pb, ";"), pb);
	}
	if (!*pb && *pa == ';') {
		pa += strspn(pa, "; ");
		return str_format("its last members gone, from \"%.*s\"", (int)strcspn(pa, ";"), pa);
	}
	while (pa > a && pa[-1] != ';')
		pa--;
	while (pb > b && pb[-1] != ';')
		pb--;
	pa += strspn(pa, " ");
	pb += strspn(pb, " ");
	return str_format("\"%.*s\" -> \"%.*s\"", (int)strcspn(pa, ";"), pa,
			  (int)strcspn(pb, ";"), pb);
}

/* Does an enumerator of @pre have another value in @post, or none? */
static bool enum_values_change(const char *pre, const char *post)
{
	size_t post_len = strlen(post);

	for (const char *p = pre; *p; p += strspn(p, "; ")) {
		size_t len = strcspn(p, ";");
		const char *at = post;
		bool found = false;

		/* "NAME=VALUE" whole, in post */
		while (!found && (at = memmem(at, post_len - (size_t)(at - post), p, len))) {
			found = (at == post || at[-1] == ' ') && (at[len] == ';' || !at[len]);
			at += len;
		}
		if (!found)
			return true;
		p += len;
	}
	return false;
}

int layout_refusals(const char *pre_path, const char *post_path,
		    char *const *replaced_names, size_t nr_replaced,
		    struct refusals *r, char *err, size_t errlen)
{
	struct layouts a = { 0 }, b = { 0 };
	int ret = -1;

	if (read_layouts(pre_path, &a, err, errlen) ||
	    read_layouts(post_path, &b, err, errlen))
		goto out;
	for (size_t i = 0; i < a.n; i++) {
		const struct layout *pre = &a.v[i], *post = NULL;
		char *why, *diff;

		for (size_t k = 0; k < b.n && !post; k++)
			if (!strcmp(b.v[k].key, pre->key))
				post = &b.v[k];
		if (!post || !strcmp(pre->text, post->text))
			continue;
		if (!strncmp(pre->key, "enum ", 5)) {
			if (!enum_values_change(pre->text, post->text))
				continue;
			diff = first_difference(pre->text, post->text);
			why = diff ? str_format("the patch changes the values of its constants (%s); the running kernel's data holds the old ones",
						diff) : NULL;
		} else {
			/* past "size N": the first member that moved or changed */
			const char *ma = strchr(pre->text, ';'), *mb = strchr(post->text, ';');
			char *users = running_users(&a, pre->key, replaced_names, nr_replaced);

			diff = ma && mb && strcmp(ma, mb) ?
			       first_difference(ma + 2, mb + 2) : strdup("its members alike");
			why = diff ? str_format("the patch changes its layout (size %" PRIu64 " -> %" PRIu64 ", %s): the data already in memory keeps the old one; carry a new field in a shadow variable instead (docs/writing-updates.md)",
						pre->size, post->size, diff) : NULL;
			free(diff);
			if (refusals_add(r, REFUSE_LAYOUT_CHANGED, pre->key, why)) {
				free(users);
				set_error(err, errlen, "out of memory");
				goto out;
			}
			r->items[r->nr - 1].here = users;
			continue;
		}
		free(diff);
		if (refusals_add(r, REFUSE_ENUM_CHANGED, pre->key, why)) {
			set_error(err, errlen, "out of memory");
			goto out;
		}
	}
	ret = 0;
out:
	layouts_free(&a);
	layouts_free(&b);
	return ret;
}
