/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The payload builder's state and the functions its files share: payload.c
 * (the driver: sections in, the object out), payload_funcs.c (the replaced
 * and named functions), payload_refs.c (where each reference points),
 * payload_tables.c (the kernel's tables about included code).
 */
#ifndef KMEND_PAYLOAD_STATE_H
#define KMEND_PAYLOAD_STATE_H

#include <stdbool.h>

#include "elfwrite.h"
#include "payload.h"
#include "special.h"

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

struct payload_state {
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

/* payload.c */
void payload_refuse(struct payload_state *st, const char *kind, const char *name,
		    char *reason);

size_t payload_include_section(struct payload_state *st, size_t index);

/* payload_funcs.c */
/*
 * GCC moves a function's unlikely paths into "name.cold", which jumps back
 * into the function: it belongs with the function, never alone.
 */
bool payload_is_cold_part(const char *name);

/* The function a cold part belongs to, in the post object. */
const struct elf_symbol *payload_cold_parent(const struct elf_object *obj,
					     const struct elf_symbol *cold);

/*
 * A global naming function (or, for the TRANSFORM_ON_ACCESS flag, variable)
 * @name for the update's tables (in->named).
 */
void payload_add_named(struct payload_state *st, size_t k, const char *name);

/* The functions whose code changed (a changed cold part: its function). */
void payload_add_function_symbols(struct payload_state *st);

/*
 * Can the update carry changed or @new function @s? Not when its section
 * holds other functions (__sched, __lockfunc and the like put a unit's
 * functions into one section: copying it would run copies of unchanged
 * ones), nor new __init or __exit code (it would never run).
 */
bool payload_can_carry_function(struct payload_state *st, const struct elf_symbol *s,
				bool new);

/* payload_refs.c */
/* The name kallsyms gives @post_sym in the running kernel. */
const char *payload_running_name(const struct payload_state *st,
				 const struct elf_symbol *post_sym);

bool payload_exists_in_kernel(const struct payload_state *st, const struct elf_symbol *s);

/*
 * Carry relocation @r of post section @from to builder section @o at @off,
 * pointing where the new code must point.
 */
void payload_carry_rela(struct payload_state *st, size_t from, size_t o, uint64_t off,
			const struct elf_rela *r, enum read_time when);

/* Read the relocations of every included section not yet read. */
void payload_follow_references(struct payload_state *st);

/* payload_tables.c */
bool payload_alt_in_use(const struct payload_state *st, uint64_t off);

/* Copy the entries of one kernel table that are about included code. */
int payload_carry_table(struct payload_state *st, const struct elf_section *sec,
			const struct special_section *sp, char *err, size_t errlen);

/* A table kmend does not know that points into the update's code. */
void payload_refuse_unknown_tables(struct payload_state *st);

/* Where every alternative's original instruction lies (.altinstructions). */
int payload_find_alternative_sites(struct payload_state *st, char *err, size_t errlen);

#endif /* KMEND_PAYLOAD_STATE_H */
