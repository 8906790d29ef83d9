// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing what goes into a unit's payload, and where each of its
 * references must point.
 *
 * Sections are taken whole from the post object (-ffunction-sections
 * -fdata-sections make most hold one symbol): every changed or new
 * function's, then, following relocations, the data only the new code has
 * (new objects, constants, string literals). A reference to anything the
 * running kernel already has goes to the kernel's instance: state must not
 * be split between an old and a new copy.
 */
#include "payload.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "elfwrite.h"
#include "special.h"
#include "util.h"

struct range {
	uint64_t start, end;
};

/* An alternative's original instruction, in a post section. */
struct alt_site {
	size_t section;
	uint64_t start, end;
};

/* When the kernel first reads a reference of the payload. */
enum read_time {
	READ_AFTER_APPLY,	/* code and data: the engine writes it at apply */
	READ_WHILE_COMING,	/* jump-label keys: the engine's module notifier */
	READ_WHILE_LOADING,	/* other tables: only the module loader can */
};

struct state {
	const struct payload_input *in;
	const struct elf_object *post;
	struct elf_builder b;
	size_t *out_of;		/* post section -> builder section, 0 if left out */
	bool *named;		/* post section -> holds a function or object */
	size_t *sym_out;	/* post symbol -> builder symbol */
	const struct objdiff_entry **entry_of;	/* post symbol -> its comparison */
	size_t *place_alias;	/* builder section -> global naming its start */
	size_t *queue;		/* included post sections whose relocations are unread */
	size_t queued, read;
	struct range *alt_kept;	/* parts of .altinstr_replacement in use */
	size_t nr_alt_kept;
	size_t alt_section;	/* post .altinstr_replacement, 0 if none */
	struct alt_site *alt_sites;	/* every alternative's original code */
	size_t nr_alt_sites;
	struct payload *p;
	struct refusals *refused;
	bool nomem;
};

static bool is_pc_relative(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32;
}

/*
 * Is @r the target of a call or jump (e8/e9 rel32, 0f 8x jcc rel32)? Before
 * the displacement of a RIP-relative operand is a ModRM byte with mod 00,
 * never one of these.
 */
static bool is_branch(const struct elf_section *sec, const struct elf_rela *r)
{
	const unsigned char *d = sec->data;
	uint64_t off = r->offset;

	if (r->type == R_X86_64_PLT32)
		return true;
	if (r->type != R_X86_64_PC32 || !d || off < 1 || off > sec->size)
		return false;
	if (d[off - 1] == 0xe8 || d[off - 1] == 0xe9)
		return true;
	return off >= 2 && d[off - 2] == 0x0f && (d[off - 1] & 0xf0) == 0x80;
}

/* The relocation types the engine can write (kernel/reloc.c). */
static bool engine_writes(uint32_t type)
{
	return type == R_X86_64_64 || type == R_X86_64_32S ||
	       type == R_X86_64_PC32 || type == R_X86_64_PLT32;
}

/*
 * GCC moves a function's unlikely paths into "name.cold", which jumps back
 * into the function: it belongs with the function, never alone.
 */
static bool is_cold_part(const char *name)
{
	return strstr(name, ".cold") != NULL;
}

/* The function a cold part belongs to, in the post object. */
static const struct elf_symbol *cold_parent(const struct elf_object *obj,
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

/* Mark the post sections that hold a function or object (st->named). */
static void find_named_sections(struct state *st)
{
	for (size_t i = 0; i < st->post->nr_symbols; i++) {
		const struct elf_symbol *s = &st->post->symbols[i];

		if ((s->type == STT_FUNC || s->type == STT_OBJECT) &&
		    s->sym.st_shndx < st->post->nr_sections)
			st->named[s->sym.st_shndx] = true;
	}
}

static void refuse(struct state *st, const char *name, char *reason)
{
	if (refusals_add(st->refused, name, reason))
		st->nomem = true;
}

static size_t include_section(struct state *st, size_t index)
{
	const struct elf_section *sec = &st->post->sections[index];
	GElf_Xword keep = SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR | SHF_MERGE |
			  SHF_STRINGS;
	size_t o;

	if (st->out_of[index])
		return st->out_of[index];
	o = elf_builder_add_section(&st->b, sec->name,
				    sec->shdr.sh_type == SHT_NOBITS ? SHT_NOBITS : SHT_PROGBITS,
				    sec->shdr.sh_flags & keep, sec->shdr.sh_addralign,
				    sec->shdr.sh_entsize, sec->data, sec->size);
	if (!o) {
		st->nomem = true;
		return 0;
	}
	st->out_of[index] = o;
	st->queue[st->queued++] = index;
	for (size_t i = 0; i < st->post->nr_symbols; i++) {
		const struct elf_symbol *s = &st->post->symbols[i];

		if (s->sym.st_shndx != index || !*s->name ||
		    (s->type != STT_FUNC && s->type != STT_OBJECT))
			continue;
		st->sym_out[i] = elf_builder_add_symbol(&st->b, s->name, s->type,
							 STB_LOCAL, o, s->sym.st_value,
							 s->sym.st_size);
		if (!st->sym_out[i])
			st->nomem = true;
	}
	return o;
}

/* The name kallsyms gives @post_sym in the running kernel. */
static const char *running_name(const struct state *st,
				const struct elf_symbol *post_sym)
{
	const struct objdiff_entry *e = st->entry_of[post_sym->index];

	if (e && e->pre_index < st->in->pre->nr_symbols)
		return st->in->pre->symbols[e->pre_index].name;
	return post_sym->name;
}

static bool exists_in_kernel(const struct state *st, const struct elf_symbol *s)
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
static bool private_copy(const struct state *st, const struct elf_symbol *s)
{
	static const char *const names[] = {
		"__already_done", "__warned", "__print_once", "__key",
		"__func__", "CSWTCH",
	};
	const struct elf_section *sec = elf_symbol_section(st->post, s);
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

static void add_rela(struct state *st, size_t o, uint64_t off, uint32_t type,
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

static void add_namespace(struct state *st, const char *ns)
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

static size_t place_alias(struct state *st, size_t o)
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
static bool in_alternative(const struct state *st, size_t sec, uint64_t off)
{
	for (size_t i = 0; i < st->nr_alt_sites; i++)
		if (st->alt_sites[i].section == sec && off >= st->alt_sites[i].start &&
		    off < st->alt_sites[i].end)
			return true;
	return false;
}

/*
 * A reference to @name in the running kernel (or, for a module target, in
 * that module): the module loader resolves exports; the engine the rest.
 * @when: when the kernel first reads the field (see enum read_time).
 */
static void refer_to_kernel(struct state *st, size_t from, size_t o,
			    uint64_t off, const struct elf_rela *r,
			    const char *name, bool global, bool defined,
			    int64_t addend, enum read_time when)
{
	const struct export *exp = global ? symvers_find(st->in->exports, name) : NULL;
	const char *where = st->b.sections[o].name;
	struct payload_reloc *grown, *pr;

	if (exp && (!defined || exported_by_target(exp, st->in->target))) {
		add_rela(st, o, off, r->type, elf_builder_undefined(&st->b, name), addend);
		if (*exp->namespace)
			add_namespace(st, exp->namespace);
		return;
	}
	if (when == READ_WHILE_COMING && strcmp(st->in->target, "vmlinux")) {
		refuse(st, name, str_format("the kernel's %s table refers to it while loading the update, and kmend resolves such references in vmlinux only (it is not exported by %s); keep the code that uses it out of the change",
					    where, st->in->target));
		return;
	}
	if (when == READ_WHILE_LOADING) {
		refuse(st, name, str_format("the kernel's %s table refers to it, and the module loader reads that table before kmend can resolve %s (it is not exported); keep the code that uses it out of the change, or export it",
					    where, name));
		return;
	}
	if (when == READ_AFTER_APPLY && in_alternative(st, from, r->offset)) {
		refuse(st, name, str_format("an alternative in %s refers to it, and the kernel may rewrite that instruction while loading the update, before kmend could resolve %s (it is not exported); not supported",
					    where, name));
		return;
	}
	if (!engine_writes(r->type) &&
	    !(when == READ_WHILE_COMING && r->type == R_X86_64_PC64)) {
		refuse(st, name, str_format("%s refers to it with relocation type %u, which kmend cannot write; not supported",
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

/* Code of another function's out-of-line stub (.altinstr_aux jumps back
 * into every function that has one): never reached from the update. */
static bool other_functions_stub(const struct state *st, size_t from, size_t to)
{
	const struct elf_object *post = st->post;

	return (post->sections[from].shdr.sh_flags & SHF_EXECINSTR) &&
	       !st->named[from] && !st->out_of[to] &&
	       (post->sections[to].shdr.sh_flags & SHF_EXECINSTR) &&
	       st->named[to];
}

/* A reference to a place no symbol names: a constant or a string. */
static void carry_unnamed(struct state *st, size_t o, uint64_t off,
			  const struct elf_rela *r, const struct elf_section *tsec,
			  int64_t addend)
{
	size_t to;

	if (!st->out_of[tsec->index] && st->named[tsec->index]) {
		refuse(st, tsec->name, str_format("the new code refers to an unnamed place at %+lld in it; not supported",
						  (long long)addend));
		return;
	}
	if (!st->out_of[tsec->index] && (tsec->shdr.sh_flags & SHF_WRITE)) {
		refuse(st, tsec->name, str_format("the new code refers to unnamed writable data in it, which the update would copy, splitting its state; not supported"));
		return;
	}
	to = include_section(st, tsec->index);
	if (to)
		add_rela(st, o, off, r->type, st->b.sections[to].symbol, addend);
}

/* Include new data @t: refused where a copy in module memory cannot work. */
static void carry_new_data(struct state *st, size_t o, uint64_t off,
			   const struct elf_rela *r, const struct elf_symbol *t,
			   int64_t addend)
{
	const char *sec = st->post->sections[t->sym.st_shndx].name;

	if (!strncmp(sec, ".data..percpu", 13)) {
		refuse(st, t->name, str_format("new per-CPU data (%s) cannot live in an update; allocate it from a callback, or keep it in a shadow variable",
					       sec));
		return;
	}
	include_section(st, t->sym.st_shndx);
	add_rela(st, o, off, r->type, st->sym_out[t->index], addend);
}

/*
 * Carry relocation @r of post section @from to builder section @o at @off,
 * pointing where the new code must point.
 */
static void carry_rela(struct state *st, size_t from, size_t o, uint64_t off,
		       const struct elf_rela *r, enum read_time when)
{
	const struct elf_object *post = st->post;
	const struct elf_symbol *t = &post->symbols[r->sym];
	int64_t addend = r->addend;
	/* where the CPU adds the displacement: the end of the instruction */
	int64_t bias = is_pc_relative(r->type) ?
		       elf_pcrel_bias(&post->sections[from], r->offset) : 0;
	size_t ts = t->sym.st_shndx;

	if (ts == SHN_UNDEF) {
		refer_to_kernel(st, from, o, off, r, t->name, true, false, addend, when);
		return;
	}
	if (ts >= SHN_LORESERVE) {
		refuse(st, t->name, str_format("the new code refers to it, an absolute or common symbol; not supported"));
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

		if (is_cold_part(t->name) || !exists_in_kernel(st, t) ||
		    (st->out_of[ts] && (is_branch(&post->sections[from], r) ||
					when != READ_AFTER_APPLY || !at_start))) {
			include_section(st, ts);
			add_rela(st, o, off, r->type, st->sym_out[t->index], addend);
			return;
		}
	} else if (!exists_in_kernel(st, t) || private_copy(st, t)) {
		carry_new_data(st, o, off, r, t, addend);
		return;
	}
	refer_to_kernel(st, from, o, off, r, running_name(st, t), t->bind != STB_LOCAL,
			true, addend, when);
}

static bool alt_in_use(const struct state *st, uint64_t off)
{
	for (size_t i = 0; i < st->nr_alt_kept; i++)
		if (off >= st->alt_kept[i].start && off < st->alt_kept[i].end)
			return true;
	return false;
}

/* Read the relocations of every included section not yet read. */
static void follow_references(struct state *st)
{
	while (st->read < st->queued && !st->nomem) {
		size_t i = st->queue[st->read++];
		const struct elf_section *sec = &st->post->sections[i];

		for (size_t k = 0; k < sec->nr_relas; k++) {
			const struct elf_rela *r = &sec->relas[k];

			if (i == st->alt_section && !alt_in_use(st, r->offset))
				continue;
			/* replacements are copied into the code at load */
			carry_rela(st, i, st->out_of[i], r->offset, r,
				   i == st->alt_section ? READ_WHILE_LOADING
							: READ_AFTER_APPLY);
		}
	}
}

static size_t add_table(struct state *st, const struct elf_section *like)
{
	size_t o = elf_builder_add_section(&st->b, like->name, SHT_PROGBITS,
					   like->shdr.sh_flags & (SHF_ALLOC | SHF_WRITE),
					   like->shdr.sh_addralign,
					   like->shdr.sh_entsize, NULL, 0);
	if (!o)
		st->nomem = true;
	return o;
}

static void remember_alternative(struct state *st, const struct elf_section *sec,
				 uint64_t off)
{
	const struct elf_rela *r = elf_rela_at(sec, off + 4);
	struct range *grown;

	if (!r)
		return;
	grown = realloc(st->alt_kept, (st->nr_alt_kept + 1) * sizeof(*grown));
	if (!grown) {
		st->nomem = true;
		return;
	}
	st->alt_kept = grown;
	grown[st->nr_alt_kept].start = (uint64_t)r->addend;
	grown[st->nr_alt_kept].end = (uint64_t)r->addend + sec->data[off + 11];
	st->nr_alt_kept++;
}

/* Copy the entries of one kernel table that are about included code. */
static int carry_table(struct state *st, const struct elf_section *sec,
		       const struct special_section *sp, char *err, size_t errlen)
{
	const struct elf_section *comp = sp->companion ?
					 elf_section_named(st->post, sp->companion) : NULL;
	size_t o = 0, co = 0;

	if (sec->size % sp->entry_size || !sec->data ||
	    (comp && (!comp->data || comp->size % sp->companion_entry_size ||
		      comp->size / sp->companion_entry_size != sec->size / sp->entry_size)))
		return set_error(err, errlen, "%s: %s is not a table of %zu-byte entries",
				 st->post->path, sec->name, sp->entry_size);
	for (uint64_t off = 0; off < sec->size && !st->nomem; off += sp->entry_size) {
		const struct elf_rela *code = elf_rela_at(sec, off + sp->code_field);
		const struct elf_symbol *t;
		uint64_t at;

		if (!code)
			return set_error(err, errlen, "%s: %s entry at %#llx has no relocation",
					 st->post->path, sec->name, (unsigned long long)off);
		t = &st->post->symbols[code->sym];
		if (t->sym.st_shndx == SHN_UNDEF || t->sym.st_shndx >= SHN_LORESERVE ||
		    !st->out_of[t->sym.st_shndx])
			continue;
		if (!o && !(o = add_table(st, sec)))
			return 0;
		at = st->b.sections[o].size;
		if (elf_builder_append(&st->b, o, sec->data + off, sp->entry_size)) {
			st->nomem = true;
			return 0;
		}
		for (size_t k = 0; k < sec->nr_relas; k++) {
			const struct elf_rela *r = &sec->relas[k];

			if (r->offset >= off && r->offset < off + sp->entry_size)
				carry_rela(st, sec->index, o, at + (r->offset - off), r,
					   strcmp(sec->name, "__jump_table") ?
					   READ_WHILE_LOADING : READ_WHILE_COMING);
		}
		if (!strcmp(sec->name, ".altinstructions"))
			remember_alternative(st, sec, off);
		if (comp) {
			size_t n = off / sp->entry_size;

			if (!co && !(co = add_table(st, comp)))
				return 0;
			if (elf_builder_append(&st->b, co, comp->data + n * sp->companion_entry_size,
					       sp->companion_entry_size))
				st->nomem = true;
		}
	}
	return 0;
}

/* A table kmend does not know that points into the update's code. */
static void refuse_unknown_tables(struct state *st)
{
	const struct elf_object *post = st->post;

	for (size_t i = 1; i < post->nr_sections; i++) {
		const struct elf_section *sec = &post->sections[i];

		if (st->out_of[i] || !sec->name || !(sec->shdr.sh_flags & SHF_ALLOC) ||
		    special_find(sec->name) || special_is_ignored(sec->name) ||
		    st->named[i])
			continue;
		for (size_t k = 0; k < sec->nr_relas; k++) {
			const struct elf_symbol *t = &post->symbols[sec->relas[k].sym];

			if (t->sym.st_shndx && t->sym.st_shndx < SHN_LORESERVE &&
			    st->out_of[t->sym.st_shndx] &&
			    (post->sections[t->sym.st_shndx].shdr.sh_flags & SHF_EXECINSTR)) {
				refuse(st, sec->name, str_format("this section refers to the new code, and kmend does not know what the kernel does with it"));
				break;
			}
		}
	}
}

/* Add @s (of the post object) to the functions the update replaces. */
static void add_replaced(struct state *st, const struct elf_symbol *s)
{
	const char *old_name = running_name(st, s);
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
		refuse(st, old_name, str_format("its pre code cannot be read: %s", err));
		return;
	}
	f->pre.unit = st->in->unit;
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
static void add_named(struct state *st, size_t k, const char *name)
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
		refuse(st, name, str_format(s && s->type == STT_OBJECT ?
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
static void add_function_symbols(struct state *st)
{
	const struct objdiff *d = st->in->diff;

	for (size_t i = 0; i < d->nr_entries && !st->nomem; i++) {
		const struct objdiff_entry *e = &d->entries[i];
		const struct elf_symbol *s;

		if (e->kind != OBJDIFF_FUNC || e->status != OBJDIFF_CHANGED)
			continue;
		s = &st->post->symbols[e->post_index];
		if (is_cold_part(s->name)) {
			s = cold_parent(st->post, s);
			if (!s || !exists_in_kernel(st, s)) {
				refuse(st, d->entries[i].name, str_format("the unlikely part of a function that is new or gone changed; not supported"));
				continue;
			}
			include_section(st, s->sym.st_shndx);
		}
		add_replaced(st, s);
	}
}

/* Where every alternative's original instruction lies (.altinstructions). */
static int find_alternative_sites(struct state *st, char *err, size_t errlen)
{
	const struct elf_section *sec = elf_section_named(st->post, ".altinstructions");

	if (!sec)
		return 0;
	if (!sec->data || sec->size % 12)
		return set_error(err, errlen, "%s: .altinstructions is not a table of 12-byte entries",
				 st->post->path);
	st->alt_sites = calloc(sec->size / 12 + 1, sizeof(*st->alt_sites));
	if (!st->alt_sites)
		return set_error(err, errlen, "out of memory");
	for (uint64_t off = 0; off < sec->size; off += 12) {
		const struct elf_rela *r = elf_rela_at(sec, off);
		const struct elf_symbol *t = r ? &st->post->symbols[r->sym] : NULL;
		struct alt_site *a = &st->alt_sites[st->nr_alt_sites];

		if (!t || !t->sym.st_shndx || t->sym.st_shndx >= SHN_LORESERVE)
			continue;
		a->section = t->sym.st_shndx;
		a->start = (uint64_t)((int64_t)t->sym.st_value + r->addend);
		a->end = a->start + sec->data[off + 10];	/* instrlen */
		st->nr_alt_sites++;
	}
	return 0;
}

/*
 * Can the update carry changed or @new function @s? Not when its section
 * holds other functions (__sched, __lockfunc and the like put a unit's
 * functions into one section: copying it would run copies of unchanged
 * ones), nor new __init or __exit code (it would never run).
 */
static bool can_carry_function(struct state *st, const struct elf_symbol *s,
			       bool new)
{
	const struct elf_section *sec = elf_symbol_section(st->post, s);
	const char *other = NULL;
	size_t others = 0;

	if (new && (!strncmp(sec->name, ".init.", 6) || !strncmp(sec->name, ".exit.", 6))) {
		refuse(st, s->name, str_format("it is new %s code (%s), which an update never runs; do its work from a callback",
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
		refuse(st, s->name, str_format("it shares its section %s with %zu other function%s (%s%s), which the update would copy and run; not supported",
					       sec->name, others, others == 1 ? "" : "s",
					       other, others > 1 ? ", ..." : ""));
		return false;
	}
	return true;
}

static int build(struct state *st, const char *path, char *err, size_t errlen)
{
	const struct elf_object *post = st->post;
	const struct objdiff *d = st->in->diff;
	const struct elf_section *alt = elf_section_named(post, ".altinstr_replacement");

	st->alt_section = alt ? alt->index : 0;
	for (size_t i = 0; i < d->nr_entries; i++) {
		const struct objdiff_entry *e = &d->entries[i];

		if (e->post_index != SIZE_MAX)
			st->entry_of[e->post_index] = e;
	}
	if (find_alternative_sites(st, err, errlen))
		return -1;
	for (size_t i = 0; i < d->nr_entries; i++) {
		const struct objdiff_entry *e = &d->entries[i];
		const struct elf_symbol *s;

		if (e->kind != OBJDIFF_FUNC ||
		    (e->status != OBJDIFF_CHANGED && e->status != OBJDIFF_NEW))
			continue;
		s = &post->symbols[e->post_index];
		if (!can_carry_function(st, s, e->status == OBJDIFF_NEW))
			continue;
		include_section(st, s->sym.st_shndx);
		if (is_cold_part(s->name) && (s = cold_parent(post, s)))
			include_section(st, s->sym.st_shndx);
	}
	follow_references(st);
	/*
	 * Alternatives first: they bring in replacement code, which the other
	 * tables (return sites, say) may have entries about.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 1; i < post->nr_sections && !st->nomem; i++) {
			const struct elf_section *sec = &post->sections[i];
			const struct special_section *sp = sec->name ? special_find(sec->name) : NULL;
			bool alternatives = sp && !strcmp(sp->name, ".altinstructions");

			if (sp && sp->use == SPECIAL_CARRY && alternatives == (pass == 0) &&
			    carry_table(st, sec, sp, err, errlen))
				return -1;
		}
		follow_references(st);
	}
	refuse_unknown_tables(st);
	add_function_symbols(st);
	if (st->in->nr_named) {
		st->p->named = calloc(st->in->nr_named, sizeof(*st->p->named));
		if (!st->p->named)
			st->nomem = true;
		else
			st->p->nr_named = st->in->nr_named;
		for (size_t k = 0; k < st->in->nr_named && !st->nomem; k++)
			add_named(st, k, st->in->named[k]);
	}
	if (st->nomem)
		return set_error(err, errlen, "out of memory");
	for (size_t i = 1; i < st->b.nr_sections; i++)
		if (st->b.sections[i].flags & SHF_EXECINSTR)
			st->p->code_size += st->b.sections[i].size;
	if (st->refused->nr)
		return 0;
	return elf_builder_write(&st->b, path, err, errlen);
}

int payload_build(const struct payload_input *in, const char *path,
		  struct payload *out, struct refusals *refused,
		  char *err, size_t errlen)
{
	const struct elf_object *post = in->post;
	struct state st = {
		.in = in, .post = post, .p = out, .refused = refused,
	};
	size_t nsec = post->nr_sections ? post->nr_sections : 1;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(refused, 0, sizeof(*refused));
	st.out_of = calloc(nsec, sizeof(*st.out_of));
	st.named = calloc(nsec, sizeof(*st.named));
	st.queue = calloc(nsec, sizeof(*st.queue));
	st.sym_out = calloc(post->nr_symbols + 1, sizeof(*st.sym_out));
	st.entry_of = calloc(post->nr_symbols + 1, sizeof(*st.entry_of));
	/* builder sections: at most the post object's, plus tables */
	st.place_alias = calloc(2 * nsec + 1, sizeof(*st.place_alias));
	if (!st.out_of || !st.named || !st.queue || !st.sym_out || !st.entry_of ||
	    !st.place_alias || elf_builder_init(&st.b)) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	find_named_sections(&st);
	ret = build(&st, path, err, errlen);
	elf_builder_free(&st.b);
out:
	if (ret) {
		payload_free(out);
		refusals_free(refused);
	}
	free(st.out_of);
	free(st.named);
	free(st.queue);
	free(st.sym_out);
	free(st.entry_of);
	free(st.place_alias);
	free(st.alt_kept);
	free(st.alt_sites);
	return ret;
}

void payload_free(struct payload *p)
{
	for (size_t i = 0; i < p->nr_funcs; i++) {
		free(p->funcs[i].old_name);
		free(p->funcs[i].new_symbol);
		pre_func_free(&p->funcs[i].pre);
	}
	for (size_t i = 0; i < p->nr_relocs; i++) {
		free(p->relocs[i].place_symbol);
		free(p->relocs[i].symbol);
	}
	for (size_t i = 0; i < p->nr_namespaces; i++)
		free(p->namespaces[i]);
	for (size_t i = 0; i < p->nr_named; i++)
		free(p->named[i]);
	free(p->named);
	free(p->funcs);
	free(p->relocs);
	free(p->namespaces);
	memset(p, 0, sizeof(*p));
}
