// SPDX-License-Identifier: GPL-2.0
/*
 * A changed static function without an ftrace call site, reached through
 * its callers. The kernel's "inline" implies notrace, so every out-of-line
 * copy of a static inline function (a syscall's __do_sys_ body, say) has
 * no site to redirect calls with. When nothing takes its address (every
 * reference to it is a call or jump from a function of the unit, or an
 * entry of the kernel's tables about its code), the update carries its new
 * code and replaces each caller instead, as a user would by hand; the
 * running copy stays for nobody. A caller that has no site either is
 * reached through its own callers, a few levels up.
 *
 * Any other changed function without a site (a global, or one whose
 * address is taken) is reached by a jump over its first bytes, which the
 * engine writes while the machine is stopped, as Ksplice did
 * (entry_jump_mark(); kernel/redirect/jump.c).
 */
#include <stdlib.h>
#include <string.h>

#include "refuse.h"
#include "special.h"
#include "through_callers.h"
#include "util.h"

#define MAX_CALLERS	32

static bool points_at(const struct elf_object *post, const struct elf_rela *r,
		      const struct elf_symbol *f)
{
	const struct elf_symbol *t = &post->symbols[r->sym];

	if (t->index == f->index)
		return true;
	return t->type == STT_SECTION && t->sym.st_shndx == f->sym.st_shndx &&
	       r->addend + 4 >= (int64_t)f->sym.st_value &&
	       r->addend < (int64_t)(f->sym.st_value + f->sym.st_size);
}

/*
 * The functions that call @f (post symbol indexes into @callers), or 0 when
 * something else refers to it: data (its address taken), a lea in code, a
 * function of a section shared by several, __init or __exit code.
 */
static size_t callers_of(const struct elf_object *post, const struct elf_symbol *f,
			 size_t *callers)
{
	size_t n = 0;

	for (size_t i = 1; i < post->nr_sections; i++) {
		const struct elf_section *sec = &post->sections[i];
		bool exec = sec->shdr.sh_flags & SHF_EXECINSTR;
		const struct elf_symbol *caller = NULL;

		if (!(sec->shdr.sh_flags & SHF_ALLOC) || i == f->sym.st_shndx)
			continue;
		for (size_t k = 0; k < sec->nr_relas; k++) {
			const struct elf_rela *r = &sec->relas[k];

			if (!points_at(post, r, f))
				continue;
			/* the kernel's tables about its code: not a use */
			if (special_find(sec->name) || special_is_ignored(sec->name) ||
			    !strcmp(sec->name, ".altinstr_aux"))
				break;
			if (!exec || !elf_rela_is_branch(sec, r) || !strncmp(sec->name, ".init.", 6) ||
			    !strncmp(sec->name, ".exit.", 6))
				return 0;
			caller = elf_section_function(post, i);
			if (!caller || n == MAX_CALLERS)
				return 0;
		}
		if (caller) {
			bool known = false;

			for (size_t k = 0; k < n; k++)
				known |= callers[k] == caller->index;
			if (!known)
				callers[n++] = caller->index;
		}
	}
	return n;
}

size_t through_callers_mark(const struct elf_object *pre, const struct elf_object *post,
			    struct objdiff *d)
{
	size_t marked = 0, callers[MAX_CALLERS];
	bool again = true;

	/* a caller marked changed may itself lack a site: a few levels */
	for (int level = 0; again && level < 4; level++) {
		again = false;
		for (size_t i = 0; i < d->nr_entries; i++) {
			struct objdiff_entry *e = &d->entries[i], *c;
			const struct elf_symbol *f, *old;
			size_t n;
			char *why;

			if (e->kind != OBJDIFF_FUNC || e->status != OBJDIFF_CHANGED ||
			    e->pre_index >= pre->nr_symbols || e->post_index >= post->nr_symbols)
				continue;
			f = &post->symbols[e->post_index];
			old = &pre->symbols[e->pre_index];
			if (f->bind != STB_LOCAL || refusals_has_ftrace_site(pre, old) ||
			    strstr(f->name, ".cold"))
				continue;
			n = callers_of(post, f, callers);
			if (!n)
				continue;
			why = str_format("%s, without an ftrace call site, is reached through its %zu caller%s",
					 e->why ? e->why : "changed", n, n == 1 ? "" : "s");
			if (!why)
				continue;
			for (size_t k = 0; k < n; k++) {
				char *reason;

				c = objdiff_entry_of(d, callers[k]);
				if (!c || c->pre_index == SIZE_MAX ||
				    (c->status != OBJDIFF_SAME && c->status != OBJDIFF_LINE_ONLY))
					continue;
				reason = str_format("it calls %s, which changed and has no ftrace call site",
						    e->name);
				if (!reason)
					continue;
				free(c->why);
				c->why = reason;
				c->status = OBJDIFF_CHANGED;
				again = true;
			}
			free(e->why);
			e->why = why;
			e->status = OBJDIFF_COPIED;
			marked++;
		}
	}
	return marked;
}

size_t entry_jump_mark(const struct elf_object *pre, struct objdiff *d)
{
	size_t marked = 0;

	for (size_t i = 0; i < d->nr_entries; i++) {
		struct objdiff_entry *e = &d->entries[i];
		const struct elf_symbol *old;
		char *why;

		if (e->kind != OBJDIFF_FUNC || e->status != OBJDIFF_CHANGED ||
		    e->pre_index >= pre->nr_symbols)
			continue;
		old = &pre->symbols[e->pre_index];
		if (refusals_has_ftrace_site(pre, old) || strstr(old->name, ".cold") ||
		    refusals_noinstr_section(pre, old))
			continue;
		why = str_format("%s%sno ftrace call site: a jump at its entry takes its calls, written while the machine is stopped",
				 e->why ? e->why : "", e->why ? "; " : "");
		if (!why)
			continue;
		free(e->why);
		e->why = why;
		marked++;
	}
	return marked;
}
