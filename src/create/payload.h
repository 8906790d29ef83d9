/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The payload of an update for one compilation unit: an object holding the
 * new code of every changed and new function, the data only it uses, and
 * their entries in the kernel's tables (exception table, bug table, jump
 * labels, alternatives, ORC, ...), taken from the unit's post object.
 *
 * References to the running kernel stay ordinary relocations when the
 * module loader can resolve them (exported symbols); the others become
 * kmend relocations, which the engine resolves and writes before it
 * switches anything.
 */
#ifndef KMEND_PAYLOAD_H
#define KMEND_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfobj.h"
#include "objdiff.h"
#include "prefunc.h"
#include "refuse.h"
#include "symvers.h"

/* A replaced function: its running name, its replacement's symbol, and its
 * pre code for run-pre matching. */
struct payload_func {
	char *old_name;
	char *new_symbol;	/* a global of the payload */
	struct pre_func pre;
	/* no ftrace call site: the engine jumps from its entry (entry_jump_mark()) */
	int entry_jump;
};

/* A kmend relocation: at @place_symbol + @offset, write @symbol's address. */
struct payload_reloc {
	char *place_symbol;	/* a global of the payload */
	uint64_t offset;
	char *symbol;		/* as kallsyms names it in the target */
	uint32_t type;
	int64_t addend;
	/* read while the update loads (a jump-label key): resolved then,
	 * in vmlinux, by the engine's module notifier */
	int at_load;
	unsigned int unit;	/* as in payload_input */
};

struct payload {
	struct payload_func *funcs;
	size_t nr_funcs;
	struct payload_reloc *relocs;
	size_t nr_relocs;
	char **namespaces;	/* symbol namespaces the payload imports */
	size_t nr_namespaces;
	char **named;		/* globals for in->named functions, in order */
	size_t nr_named;
	/* trace points of a module target the new code keeps inert */
	char **inert;
	size_t nr_inert;
	size_t code_size;	/* bytes of executable sections */
};

struct payload_input {
	const struct elf_object *pre, *post;
	const struct objdiff *diff;
	const struct symvers *exports;
	const char *target;	/* "vmlinux" or the unit's module */
	const char *prefix;	/* for the payload's global names, unique per unit */
	unsigned int unit;	/* its number, from 1 (scopes learned values) */
	/*
	 * Functions the patch adds that the update module's tables name
	 * (callbacks and hooks): each gets a global, in out->named.
	 */
	char *const *named;
	size_t nr_named;
	/*
	 * Globals the patch adds in one unit and uses from another
	 * (cross_unit.c): defined here, each keeps its name as a global of
	 * the payload; used here, the update module's link resolves it.
	 */
	char *const *shared;
	size_t nr_shared;
};

/*
 * Build the payload of @in and write it to @path. Changes it cannot carry
 * go to @refused (one each, naming the symbol), and then nothing is
 * written. Returns 0 (check @refused->nr), or -1 with a message in @err.
 */
int payload_build(const struct payload_input *in, const char *path,
		  struct payload *out, struct refusals *refused,
		  char *err, size_t errlen);
void payload_free(struct payload *p);

/*
 * Data of the post object the new code gets its own copy of (a switch
 * table, __func__, a WARN_ONCE flag, a dynamic-debug descriptor, a lockdep
 * key): a change of it is no change of the running kernel's state.
 */
bool payload_private_copy(const struct elf_object *post, const struct elf_symbol *s);

/* Is @s (a global, defined or used) one of @in->shared? */
bool payload_shared(const struct payload_input *in, const struct elf_symbol *s);

#endif /* KMEND_PAYLOAD_H */
