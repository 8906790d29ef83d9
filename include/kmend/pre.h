/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmend/pre.h - the pre code of a replaced function, for run-pre matching.
 *
 * An update built from a source patch carries, for each function it
 * replaces, the code compiled from the unpatched source. Before changing
 * anything the engine compares it with the running function: byte for byte,
 * except in relocation fields (where it reads the value the running code
 * uses, learning where the referenced symbol is) and at the sites the kernel
 * rewrites at run time (each must hold one of the forms the kernel writes
 * there). Plain C types only: the engine and the kmend command share the
 * matcher (kernel/match/match_core.c).
 */
#ifndef _KMEND_PRE_H
#define _KMEND_PRE_H

/* The places the kernel rewrites in code, and what it may write there. */
enum kmend_site_kind {
	KMEND_SITE_FENTRY = 1,	/* ftrace: call, or a 5-byte nop */
	KMEND_SITE_ALTERNATIVE,	/* the original or a replacement, nop-padded */
	KMEND_SITE_PARAVIRT,	/* the original, a direct call, or nops */
	KMEND_SITE_JUMP_LABEL,	/* a jump to the entry's target, or a nop */
	KMEND_SITE_STATIC_CALL,	/* a call or jump, a nop, or a return */
	KMEND_SITE_RETPOLINE,	/* a thunk call, or the indirect call itself */
	KMEND_SITE_RETURN,	/* a jump to the return thunk, or a return */
	KMEND_SITE_LOCK,	/* a lock prefix, or a ds prefix on one CPU */
};

/* A relocation field of the pre code. */
struct kmend_pre_reloc {
	unsigned int offset;	/* of the field, in the function */
	unsigned int type;	/* R_X86_64_* */
	long addend;
	const char *symbol;	/* as kallsyms names it; NULL: unnamed (a string) */
};

/* A jump label's target outside the function (in its cold part, say). */
#define KMEND_TARGET_OUTSIDE 0xffffffffU

/* A place the kernel rewrites at run time. */
struct kmend_pre_site {
	unsigned int offset;	/* in the function */
	unsigned int len;
	unsigned int kind;	/* enum kmend_site_kind */
	unsigned int target;	/* jump label: where its jump goes, in the function */
	/* alternative: one replacement, and which of its bytes are relocated */
	const unsigned char *repl;
	const unsigned char *repl_wild;
	unsigned int repl_len;
};

struct kmend_pre_func {
	/*
	 * The compilation unit it comes from (from 1; 0: none): a static's
	 * value learned from one unit's code is only used for that unit.
	 */
	unsigned int unit;
	const unsigned char *code;
	unsigned int size;
	const struct kmend_pre_reloc *relocs;	/* by offset */
	unsigned int nr_relocs;
	const struct kmend_pre_site *sites;	/* by offset */
	unsigned int nr_sites;
	/*
	 * The pre code of the function's cold part ("<name>.cold", where gcc
	 * put its unlikely paths), matched against the running cold part, so
	 * that what only that code refers to is read from it too; NULL: none
	 * carried. A cold part has no cold part of its own.
	 */
	const struct kmend_pre_func *cold;
};

#endif /* _KMEND_PRE_H */
