// SPDX-License-Identifier: GPL-2.0
/*
 * The functions a payload carries: changed ones (with their cold parts),
 * new ones named by the update's tables (callbacks, hooks), and what keeps
 * a function from being carried at all.
 */
#include <stdlib.h>
#include <string.h>

#include "payload_state.h"
#include "refuse.h"
#include "util.h"

/*
 * GCC moves a function's unlikely paths into "name.cold", which jumps back
 * into the function: it belongs with the function, never alone.
 */
bool payload_is_cold_part(const char *name)
{
	return strstr(name, ".cold") != NULL;
}

/* The function a cold part belongs to, in the post object. */
const struct elf_symbol *payload_cold_parent(const struct elf_object *obj,
					     const struct elf_symbol *cold)
{
	size_t len = (size_t)(strstr(cold->name, ".cold") - cold->name);

	for (size_t i = 0; i < obj->nr_symbols; i++) {
		const struct elf_symbol *s = &obj->symbols[i];

		if (s->type == STT_FUNC && strlen(s->name) == len &&
		    !strncmp(s->name, cold->name, len) && elf_symbol_section(obj, s))
			return s;
	}
	return NULL;
}

/* Add @s (of the post object) to the functions the update replaces. */
static void add_replaced(struct payload_state *st, const struct elf_symbol *s)
{
	const char *old_name = payload_running_name(st, s);
	const struct objdiff_entry *e = st->entry_of[s->index];
	struct payload_func *grown, *f;
	char *name, err[256] = "no pre version";

	for (size_t i = 0; i < st->p->nr_funcs; i++)
		if (!strcmp(st->p->funcs[i].old_name, old_name))
			return;
	grown = realloc(st->p->funcs, (st->p->nr_funcs + 1) * sizeof(*grown));
	if (!grown) {
		st->nomem = true;
		return;
	}
	st->p->funcs = grown;
	f = &grown[st->p->nr_funcs];
	memset(f, 0, sizeof(*f));
	if (!e || e->pre_index >= st->in->pre->nr_symbols ||
	    pre_func_extract(st->in->pre, &st->in->pre->symbols[e->pre_index],
			     &f->pre, err, sizeof(err))) {
		payload_refuse(st, REFUSE_UNSUPPORTED_CODE, old_name, str_format("its pre code cannot be read: %s", err));
		return;
	}
	f->pre.unit = st->in->unit;
	f->entry_jump = !refusals_has_ftrace_site(st->in->pre,
						  &st->in->pre->symbols[e->pre_index]);
	if (f->pre.cold)
		f->pre.cold->unit = st->in->unit;
	name = str_format("%sf%zu", st->in->prefix, st->p->nr_funcs);
	f->old_name = strdup(old_name);
	f->new_symbol = name;
	if (!name || !f->old_name ||
	    !elf_builder_add_symbol(&st->b, name, STT_FUNC, STB_GLOBAL,
				    st->out_of[s->sym.st_shndx],
				    s->sym.st_value, s->sym.st_size)) {
		free(f->old_name);
		free(name);
		pre_func_free(&f->pre);
		st->nomem = true;
		return;
	}
	st->p->nr_funcs++;
}

/*
 * A global naming function (or, for the TRANSFORM_ON_ACCESS flag, variable)
 * @name for the update's tables (in->named).
 */
void payload_add_named(struct payload_state *st, size_t k, const char *name)
{
	const struct elf_symbol *s = NULL;
	char *global;

	for (size_t i = 1; i < st->post->nr_symbols && !s; i++)
		if ((st->post->symbols[i].type == STT_FUNC ||
		     st->post->symbols[i].type == STT_OBJECT) &&
		    st->post->symbols[i].sym.st_shndx &&
		    !strcmp(st->post->symbols[i].name, name))
			s = &st->post->symbols[i];
	if (!s || !st->entry_of[s->index] ||
	    st->entry_of[s->index]->status != OBJDIFF_NEW ||
	    !st->out_of[s->sym.st_shndx]) {
		payload_refuse(st, REFUSE_BAD_DECLARATION, name, str_format(s && s->type == STT_OBJECT ?
			"a TRANSFORM_ON_ACCESS flag must be a variable the patch adds and its new code reads" :
			"a callback or hook must be a function the patch adds"));
		return;
	}
	global = str_format("%sn%zu", st->in->prefix, k);
	if (!global || !elf_builder_add_symbol(&st->b, global, s->type, STB_GLOBAL,
					       st->out_of[s->sym.st_shndx],
					       s->sym.st_value, s->sym.st_size)) {
		free(global);
		st->nomem = true;
		return;
	}
	st->p->named[k] = global;
}

/* The functions whose code changed (a changed cold part: its function). */
void payload_add_function_symbols(struct payload_state *st)
{
	const struct objdiff *d = st->in->diff;

	for (size_t i = 0; i < d->nr_entries && !st->nomem; i++) {
		const struct objdiff_entry *e = &d->entries[i];
		const struct elf_symbol *s;

		if (e->kind != OBJDIFF_FUNC || e->status != OBJDIFF_CHANGED)
			continue;
		s = &st->post->symbols[e->post_index];
		if (payload_is_cold_part(s->name)) {
			s = payload_cold_parent(st->post, s);
			if (!s || !payload_exists_in_kernel(st, s)) {
				payload_refuse(st, REFUSE_UNSUPPORTED_CODE, d->entries[i].name, str_format("the unlikely part of a function that is new or gone changed; not supported"));
				continue;
			}
			payload_include_section(st, s->sym.st_shndx);
		}
		add_replaced(st, s);
	}
}

/*
 * Can the update carry changed or @new function @s? Not when its section
 * holds other functions (__sched, __lockfunc and the like put a unit's
 * functions into one section: copying it would run copies of unchanged
 * ones), nor new __init or __exit code (it would never run).
 */
bool payload_can_carry_function(struct payload_state *st, const struct elf_symbol *s,
				bool new)
{
	const struct elf_section *sec = elf_symbol_section(st->post, s);
	const char *other = NULL;
	size_t others = 0;

	if (new && (!strncmp(sec->name, ".init.", 6) || !strncmp(sec->name, ".exit.", 6))) {
		payload_refuse(st, REFUSE_NEW_INIT_CODE, s->name, str_format("it is new %s code (%s), which an update never runs; do its work from a callback",
					       sec->name[1] == 'i' ? "__init" : "__exit", sec->name));
		return false;
	}
	for (size_t i = 0; i < st->post->nr_symbols; i++) {
		const struct elf_symbol *f = &st->post->symbols[i];

		if (f != s && f->type == STT_FUNC && f->sym.st_shndx == s->sym.st_shndx) {
			other = f->name;
			others++;
		}
	}
	if (others) {
		payload_refuse(st, REFUSE_SHARED_SECTION, s->name, str_format("it shares its section %s with %zu other function%s (%s%s), which the update would copy and run; not supported",
					       sec->name, others, others == 1 ? "" : "s",
					       other, others > 1 ? ", ..." : ""));
		return false;
	}
	return true;
}
