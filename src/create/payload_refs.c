// SPDX-License-Identifier: GPL-2.0
/*
 * Where each reference of the payload's code and data points: the running
 * kernel's instance (through the module loader when exported, the engine's
 * kmend relocations otherwise), or data carried along because only the new
 * code has it.
 */
#include <stdlib.h>
#include <string.h>

#include "payload_state.h"
#include "util.h"

static bool is_pc_relative(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32;
}

/* The relocation types the engine can write (kernel/reloc.c). */
static bool engine_writes(uint32_t type)
{
	return type == R_X86_64_64 || type == R_X86_64_32S ||
	       type == R_X86_64_PC32 || type == R_X86_64_PLT32;
}

/* The name kallsyms gives @post_sym in the running kernel. */
const char *payload_running_name(const struct payload_state *st,
				 const struct elf_symbol *post_sym)
{
	const struct objdiff_entry *e = st->entry_of[post_sym->index];

	if (e && e->pre_index < st->in->pre->nr_symbols)
		return st->in->pre->symbols[e->pre_index].name;
	return post_sym->name;
}

bool payload_exists_in_kernel(const struct payload_state *st, const struct elf_symbol *s)
{
	const struct objdiff_entry *e = st->entry_of[s->index];

	return e && e->pre_index != SIZE_MAX;
}

/*
 * Data the new code may have its own copy of: the compiler's and macros'
 * private statics (a switch table, __func__, a WARN_ONCE flag, a
 * dynamic-debug descriptor, a lockdep key). Any other existing object is the
 * running kernel's, even a constant: its address may be compared (f_op ==
 * &foo_fops) or handed out.
 */
bool payload_private_copy(const struct elf_object *post, const struct elf_symbol *s)
{
	static const char *const names[] = {
		"__already_done", "__warned", "__print_once", "__key",
		"__func__", "CSWTCH",
	};
	const struct elf_section *sec = elf_symbol_section(post, s);
	size_t len = objdiff_base_name_len(s->name);

	if (!sec)
		return false;
	if (!strcmp(sec->name, "__dyndbg") || !strcmp(sec->name, ".data.once"))
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len == strlen(names[i]) && !strncmp(s->name, names[i], len))
			return true;
	return false;
}

static void add_rela(struct payload_state *st, size_t o, uint64_t off, uint32_t type,
		     size_t sym, int64_t addend)
{
	if (!sym || elf_builder_add_rela(&st->b, o, off, type, sym, addend))
		st->nomem = true;
}

/*
 * Does @exp come from @target? Module.symvers names a module by its path
 * (fs/binfmt_misc), the target by its name (binfmt_misc, '-' read as '_').
 */
static bool exported_by_target(const struct export *exp, const char *target)
{
	const char *base = strrchr(exp->owner, '/');

	base = base ? base + 1 : exp->owner;
	for (; *base && *target; base++, target++)
		if (*base != *target && !(*base == '-' && *target == '_'))
			return false;
	return !*base && !*target;
}

/*
 * The module name of @exp's owner when a module exports it ("ib_core" for
 * drivers/infiniband/core/ib_core), or NULL for vmlinux; "-" read as "_".
 */
static char *exporting_module(const struct export *exp)
{
	const char *base = strrchr(exp->owner, '/');
	char *name;

	if (!strcmp(exp->owner, "vmlinux"))
		return NULL;
	name = strdup(base ? base + 1 : exp->owner);
	for (char *c = name; c && *c; c++)
		if (*c == '-')
			*c = '_';
	return name;
}

static void add_namespace(struct payload_state *st, const char *ns)
{
	struct payload *p = st->p;
	char **grown;

	for (size_t i = 0; i < p->nr_namespaces; i++)
		if (!strcmp(p->namespaces[i], ns))
			return;
	grown = realloc(p->namespaces, (p->nr_namespaces + 1) * sizeof(*grown));
	if (!grown || !(grown[p->nr_namespaces] = strdup(ns))) {
		if (grown)
			p->namespaces = grown;
		st->nomem = true;
		return;
	}
	p->namespaces = grown;
	p->nr_namespaces++;
}

static size_t place_alias(struct payload_state *st, size_t o)
{
	char *name;

	if (st->place_alias[o])
		return st->place_alias[o];
	name = str_format("%ss%zu", st->in->prefix, o);
	if (name)
		st->place_alias[o] = elf_builder_add_symbol(&st->b, name, STT_NOTYPE,
							    STB_GLOBAL, o, 0, 0);
	free(name);
	if (!st->place_alias[o])
		st->nomem = true;
	return st->place_alias[o];
}

/* Is @off of post section @sec inside an alternative's original code? */
static bool in_alternative(const struct payload_state *st, size_t sec, uint64_t off)
{
	for (size_t i = 0; i < st->nr_alt_sites; i++)
		if (st->alt_sites[i].section == sec && off >= st->alt_sites[i].start &&
		    off < st->alt_sites[i].end)
			return true;
	return false;
}

/* A reference the engine writes, if it can; else refused with the reason. */
static void refer_through_engine(struct payload_state *st, size_t from, size_t o,
				 uint64_t off, const struct elf_rela *r, const char *name,
				 int64_t addend, enum read_time when)
{
	const char *where = st->b.sections[o].name;
	struct payload_reloc *grown, *pr;

	if (when == READ_WHILE_COMING && strcmp(st->in->target, "vmlinux")) {
		payload_refuse(st, REFUSE_LOAD_TIME_REFERENCE, name, str_format("the kernel's %s table refers to it while loading the update, and kmend resolves such references in vmlinux only (it is not exported by %s); keep the code that uses it out of the change",
					    where, st->in->target));
		return;
	}
	if (when == READ_WHILE_LOADING) {
		payload_refuse(st, REFUSE_LOAD_TIME_REFERENCE, name, str_format("the kernel's %s table refers to it, and the module loader reads that table before kmend can resolve %s (it is not exported); keep the code that uses it out of the change, or export it",
					    where, name));
		return;
	}
	if (when == READ_AFTER_APPLY && in_alternative(st, from, r->offset)) {
		payload_refuse(st, REFUSE_LOAD_TIME_REFERENCE, name, str_format("an alternative in %s refers to it, and the kernel may rewrite that instruction while loading the update, before kmend could resolve %s (it is not exported); not supported",
					    where, name));
		return;
	}
	if (!engine_writes(r->type) &&
	    !(when == READ_WHILE_COMING && r->type == R_X86_64_PC64)) {
		payload_refuse(st, REFUSE_UNSUPPORTED_REFERENCE, name, str_format("%s refers to it with relocation type %u, which kmend cannot write; not supported",
					    where, r->type));
		return;
	}
	grown = realloc(st->p->relocs, (st->p->nr_relocs + 1) * sizeof(*grown));
	if (!grown) {
		st->nomem = true;
		return;
	}
	st->p->relocs = grown;
	pr = &grown[st->p->nr_relocs];
	memset(pr, 0, sizeof(*pr));
	if (!place_alias(st, o))
		return;
	pr->place_symbol = strdup(st->b.symbols[st->place_alias[o]].name);
	pr->symbol = strdup(name);
	pr->offset = off;
	pr->type = r->type;
	pr->addend = addend;
	pr->at_load = when == READ_WHILE_COMING;
	pr->unit = st->in->unit;
	if (!pr->place_symbol || !pr->symbol) {
		free(pr->place_symbol);
		free(pr->symbol);
		st->nomem = true;
		return;
	}
	st->p->nr_relocs++;
}

/*
 * A reference to @name in the running kernel (or, for a module target, in
 * that module): the module loader resolves exports; the engine the rest.
 * @when: when the kernel first reads the field (see enum read_time).
 */
static void refer_to_kernel(struct payload_state *st, size_t from, size_t o,
			    uint64_t off, const struct elf_rela *r,
			    const char *name, bool global, bool defined,
			    int64_t addend, enum read_time when)
{
	const struct export *exp = global ? symvers_find(st->in->exports, name) : NULL;
	char *owner = NULL, *qualified = NULL;

	/*
	 * An export of a module, read after apply, by the code of a module
	 * target: the engine resolves it when it patches the target, as
	 * livepatch's klp relocations do, so that the update does not depend
	 * on modules and can load, and wait for its target, while they are not
	 * loaded. An export of the target is looked up in it; one of another
	 * module (one the target depends on, so loaded whenever the target
	 * is) in that module, named "MODULE:SYMBOL".
	 */
	if (exp && strcmp(st->in->target, "vmlinux") && when == READ_AFTER_APPLY &&
	    engine_writes(r->type) && (owner = exporting_module(exp))) {
		if (strcmp(owner, st->in->target)) {
			qualified = str_format("%s:%s", owner, name);
			if (!qualified) {
				free(owner);
				st->nomem = true;
				return;
			}
			name = qualified;
		}
		free(owner);
		exp = NULL;
	}
	if (exp && (!defined || exported_by_target(exp, st->in->target))) {
		add_rela(st, o, off, r->type, elf_builder_undefined(&st->b, name), addend);
		if (*exp->namespace)
			add_namespace(st, exp->namespace);
		return;
	}
	refer_through_engine(st, from, o, off, r, name, addend, when);
	free(qualified);
}


/* Code of another function's out-of-line stub (.altinstr_aux jumps back
 * into every function that has one): never reached from the update. */
static bool other_functions_stub(const struct payload_state *st, size_t from, size_t to)
{
	const struct elf_object *post = st->post;

	return (post->sections[from].shdr.sh_flags & SHF_EXECINSTR) &&
	       !st->named[from] && !st->out_of[to] &&
	       (post->sections[to].shdr.sh_flags & SHF_EXECINSTR) &&
	       st->named[to];
}

/*
 * The data object of @sec that ends at @off: "one past the end" of an
 * array, a loop's bound, names no object, but means the end of this one;
 * resolved from it, it stays right wherever the object lies.
 */
static const struct elf_symbol *object_ending_at(const struct elf_object *obj,
						 const struct elf_section *sec,
						 int64_t off)
{
	for (size_t i = 0; i < obj->nr_symbols; i++) {
		const struct elf_symbol *s = &obj->symbols[i];

		if (s->type == STT_OBJECT && s->sym.st_shndx == sec->index &&
		    s->sym.st_size && off == (int64_t)(s->sym.st_value + s->sym.st_size))
			return s;
	}
	return NULL;
}

/* A reference to a place no symbol names: a constant or a string. */
static void carry_unnamed(struct payload_state *st, size_t o, uint64_t off,
			  const struct elf_rela *r, const struct elf_section *tsec,
			  int64_t addend)
{
	size_t to;

	if (!st->out_of[tsec->index] && st->named[tsec->index]) {
		payload_refuse(st, REFUSE_UNSUPPORTED_REFERENCE, tsec->name, str_format("the new code refers to an unnamed place at %+lld in it; not supported",
						  (long long)addend));
		return;
	}
	if (!st->out_of[tsec->index] && (tsec->shdr.sh_flags & SHF_WRITE)) {
		payload_refuse(st, REFUSE_UNSUPPORTED_REFERENCE, tsec->name, str_format("the new code refers to unnamed writable data in it, which the update would copy, splitting its state; not supported"));
		return;
	}
	to = payload_include_section(st, tsec->index);
	if (to)
		add_rela(st, o, off, r->type, st->b.sections[to].symbol, addend);
}

/* Include new data @t: refused where a copy in module memory cannot work. */
static void carry_new_data(struct payload_state *st, size_t o, uint64_t off,
			   const struct elf_rela *r, const struct elf_symbol *t,
			   int64_t addend)
{
	const char *sec = st->post->sections[t->sym.st_shndx].name;

	if (!strncmp(sec, ".data..percpu", 13)) {
		payload_refuse(st, REFUSE_NEW_PERCPU_DATA, t->name, str_format("new per-CPU data (%s) cannot live in an update; allocate it from a callback, or keep it in a shadow variable",
					       sec));
		return;
	}
	payload_include_section(st, t->sym.st_shndx);
	add_rela(st, o, off, r->type, st->sym_out[t->index], addend);
}

/*
 * Carry relocation @r of post section @from to builder section @o at @off,
 * pointing where the new code must point.
 */
void payload_carry_rela(struct payload_state *st, size_t from, size_t o, uint64_t off,
			const struct elf_rela *r, enum read_time when)
{
	const struct elf_object *post = st->post;
	const struct elf_symbol *t = &post->symbols[r->sym];
	int64_t addend = r->addend;
	/* where the CPU adds the displacement: the end of the instruction */
	int64_t bias = is_pc_relative(r->type) ?
		       elf_pcrel_bias(&post->sections[from], r->offset) : 0;
	size_t ts = t->sym.st_shndx;

	if (ts == SHN_UNDEF && payload_shared(st->in, t)) {
		/* another unit of the update defines it: the module's link */
		add_rela(st, o, off, r->type, elf_builder_undefined(&st->b, t->name), addend);
		return;
	}
	if (ts == SHN_UNDEF) {
		refer_to_kernel(st, from, o, off, r, t->name, true, false, addend, when);
		return;
	}
	if (ts >= SHN_LORESERVE) {
		payload_refuse(st, REFUSE_UNSUPPORTED_REFERENCE, t->name, str_format("the new code refers to it, an absolute or common symbol; not supported"));
		return;
	}
	if (other_functions_stub(st, from, ts))
		return;
	if (t->type != STT_FUNC && t->type != STT_OBJECT) {
		/* a section, or a label: find what lies at the place */
		const struct elf_section *tsec = &post->sections[ts];
		const struct elf_symbol *s;

		addend += (int64_t)t->sym.st_value;
		s = elf_symbol_at(post, tsec, addend + bias);
		if (!s)
			s = object_ending_at(post, tsec, addend + bias);
		if (!s) {
			carry_unnamed(st, o, off, r, tsec, addend);
			return;
		}
		t = s;
		addend -= (int64_t)s->sym.st_value;
	}
	if (t->type == STT_FUNC) {
		/*
		 * Calls go to the new code; the address of a function, taken,
		 * stays the running one, which compares equal to what the
		 * kernel stored. A place inside a function (a label's address,
		 * _THIS_IP_) only means something in the new code, and the
		 * kernel's tables are about the new code.
		 */
		bool at_start = addend + bias == 0;

		if (payload_is_cold_part(t->name) || !payload_exists_in_kernel(st, t) ||
		    (st->out_of[ts] && (elf_rela_is_branch(&post->sections[from], r) ||
					when != READ_AFTER_APPLY || !at_start))) {
			payload_include_section(st, ts);
			add_rela(st, o, off, r->type, st->sym_out[t->index], addend);
			return;
		}
	} else if (!payload_exists_in_kernel(st, t) || payload_private_copy(st->post, t) ||
		   (st->entry_of[t->index] && st->entry_of[t->index]->status == OBJDIFF_COPIED)) {
		carry_new_data(st, o, off, r, t, addend);
		return;
	}
	refer_to_kernel(st, from, o, off, r, payload_running_name(st, t), t->bind != STB_LOCAL,
			true, addend, when);
}

/* Read the relocations of every included section not yet read. */
void payload_follow_references(struct payload_state *st)
{
	while (st->read < st->queued && !st->nomem) {
		size_t i = st->queue[st->read++];
		const struct elf_section *sec = &st->post->sections[i];

		for (size_t k = 0; k < sec->nr_relas; k++) {
			const struct elf_rela *r = &sec->relas[k];

			if (i == st->alt_section && !payload_alt_in_use(st, r->offset))
				continue;
			/* replacements are copied into the code at load */
			payload_carry_rela(st, i, st->out_of[i], r->offset, r,
				   i == st->alt_section ? READ_WHILE_LOADING
							: READ_AFTER_APPLY);
		}
	}
}
