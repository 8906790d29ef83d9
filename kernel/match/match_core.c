// SPDX-License-Identifier: GPL-2.0
/*
 * match_core.c - run-pre matching: is the running function the code the
 * update's pre code was compiled to, as the kernel has rewritten it?
 *
 * The forms accepted at each rewritten site are those 6.1 writes:
 * ftrace_make_nop/ftrace_make_call, apply_alternatives (+ optimize_nops),
 * apply_paravirt, arch_jump_label_transform, __static_call_transform,
 * apply_retpolines, apply_returns and alternatives_smp_unlock.
 */
#ifdef __KERNEL__
#include <linux/elf.h>
#include <linux/string.h>
#else
#include <elf.h>
#include <string.h>
#endif

#include "match_core.h"

/* x86_nops for 64-bit: 1 to 8 bytes (arch/x86/include/asm/nops.h). */
static const unsigned char nops[8][8] = {
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

unsigned int kmend_reloc_width(unsigned int type)
{
	return type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;
}

unsigned int kmend_nop_len(const unsigned char *p, unsigned int left)
{
	unsigned int n;

	for (n = 8; n >= 1; n--)
		if (n <= left && !memcmp(p, nops[n - 1], n))
			return n;
	return 0;
}

static bool all_nops(const unsigned char *p, unsigned int len)
{
	while (len) {
		unsigned int n = kmend_nop_len(p, len);

		if (!n)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

static bool all_int3(const unsigned char *p, unsigned int len)
{
	while (len--)
		if (*p++ != 0xcc)
			return false;
	return true;
}

static bool is_nop5(const unsigned char *p)
{
	return kmend_nop_len(p, 5) == 5;
}

/*
 * Does @r (a site of @len bytes) hold @form, its relocated bytes (@wild)
 * left open, padded with nops? A call or jump first in the form may have
 * been re-aimed (its displacement open), and a jump shortened.
 */
static bool holds_form(const unsigned char *r, unsigned int len,
		       const unsigned char *form, const unsigned char *wild,
		       unsigned int form_len)
{
	unsigned int sig = form_len, i;

	while (sig && form[sig - 1] == 0x90 && !(wild && wild[sig - 1]))
		sig--;
	if (sig > len)
		return false;
	if (sig == 5 && (form[0] == 0xe8 || form[0] == 0xe9) && r[0] == form[0] &&
	    all_nops(r + 5, len - 5))
		return true;
	if (sig >= 2 && (form[0] == 0xe9 || form[0] == 0xeb) && r[0] == 0xeb &&
	    all_nops(r + 2, len - 2))
		return true;
	for (i = 0; i < sig; i++)
		if (r[i] != form[i] && !(wild && wild[i]) &&
		    !(i >= 1 && i <= 4 && (form[0] == 0xe8 || form[0] == 0xe9)))
			return false;
	return all_nops(r + sig, len - sig);
}

/* The pre bytes of a site, with its relocation fields open. */
static bool holds_pre(const struct kmend_pre_func *pre, const unsigned char *r,
		      const struct kmend_pre_site *s)
{
	unsigned char wild[32] = { 0 };
	unsigned int i, k;

	if (s->len > sizeof(wild))
		return false;
	for (k = 0; k < pre->nr_relocs; k++) {
		const struct kmend_pre_reloc *rel = &pre->relocs[k];
		unsigned int width = kmend_reloc_width(rel->type);

		for (i = 0; i < width; i++)
			if (rel->offset + i >= s->offset && rel->offset + i < s->offset + s->len)
				wild[rel->offset + i - s->offset] = 1;
	}
	return holds_form(r, s->len, pre->code + s->offset, wild, s->len);
}

static int rel32(const unsigned char *p)
{
	return (int)((unsigned int)p[0] | (unsigned int)p[1] << 8 |
		     (unsigned int)p[2] << 16 | (unsigned int)p[3] << 24);
}

/*
 * A jump label's jump goes to its entry's target (unless that lies outside
 * the function, KMEND_TARGET_OUTSIDE: in its cold part, say).
 */
static bool jump_label_ok(const struct kmend_pre_site *s, const unsigned char *r)
{
	bool any = s->target == KMEND_TARGET_OUTSIDE;

	if (s->len == 5) {
		if (is_nop5(r))
			return true;
		return r[0] == 0xe9 &&
		       (any || (long)s->offset + 5 + rel32(r + 1) == (long)s->target);
	}
	if (s->len == 2) {
		if (r[0] == 0x66 && r[1] == 0x90)
			return true;
		return r[0] == 0xeb &&
		       (any || (long)s->offset + 2 + (signed char)r[1] == (long)s->target);
	}
	return false;
}

/* call *%reg or jmp *%reg (a REX.B for r8-r15), lfence first or not */
static unsigned int indirect_len(const unsigned char *r, unsigned int len)
{
	unsigned int at = 0;

	if (len >= 3 && r[0] == 0x0f && r[1] == 0xae && r[2] == 0xe8)
		at = 3;
	if (at < len && r[at] == 0x41)
		at++;
	if (at + 2 <= len && r[at] == 0xff &&
	    ((r[at + 1] >= 0xd0 && r[at + 1] <= 0xd7) ||
	     (r[at + 1] >= 0xe0 && r[at + 1] <= 0xe7)))
		return at + 2;
	return 0;
}

/* After an indirect jmp the kernel puts an int3 when there is room. */
static bool after_indirect_ok(const unsigned char *r, unsigned int n,
			      unsigned int len)
{
	bool jmp = (r[n - 1] & 0xf8) == 0xe0;

	if (jmp && n < len && r[n] == 0xcc)
		n++;
	return all_nops(r + n, len - n) || all_int3(r + n, len - n);
}

static bool retpoline_ok(const struct kmend_pre_func *pre,
			 const struct kmend_pre_site *s, const unsigned char *r)
{
	unsigned int n;

	if (holds_pre(pre, r, s))
		return true;
	n = indirect_len(r, s->len);
	if (n)
		return after_indirect_ok(r, n, s->len);
	/* Jcc to a thunk: J!cc over an indirect jump */
	if (s->len >= 4 && r[0] >= 0x70 && r[0] <= 0x7f) {
		n = indirect_len(r + 2, s->len - 2);
		return n && after_indirect_ok(r + 2, n, s->len - 2);
	}
	return false;
}

/* Does @r hold a form the kernel writes at site @s (its own kind's)? */
static bool site_form_ok(const struct kmend_pre_func *pre,
			 const struct kmend_pre_site *s, const unsigned char *r)
{
	switch (s->kind) {
	case KMEND_SITE_FENTRY:
		return s->len == 5 && (r[0] == 0xe8 || is_nop5(r));
	case KMEND_SITE_ALTERNATIVE:
		return s->repl_len <= s->len &&
		       holds_form(r, s->len, s->repl, s->repl_wild, s->repl_len);
	case KMEND_SITE_PARAVIRT:
		return all_nops(r, s->len) ||
		       (s->len >= 5 && r[0] == 0xe8 && all_nops(r + 5, s->len - 5));
	case KMEND_SITE_JUMP_LABEL:
		return jump_label_ok(s, r);
	case KMEND_SITE_STATIC_CALL:
		if (s->len == 6)	/* a conditional tail call */
			return (r[0] == 0x0f && (r[1] & 0xf0) == 0x80) ||
			       kmend_nop_len(r, 6) == 6;
		return s->len == 5 && (r[0] == 0xe8 || r[0] == 0xe9 || is_nop5(r) ||
				       (r[0] == 0xc3 && all_int3(r + 1, 4)) ||
				       /* __static_call_return0: 3 x cs, xor %eax,%eax */
				       (r[0] == 0x2e && r[1] == 0x2e && r[2] == 0x2e &&
					r[3] == 0x31 && r[4] == 0xc0));
	case KMEND_SITE_RETPOLINE:
		return retpoline_ok(pre, s, r);
	case KMEND_SITE_RETURN:
		return r[0] == 0xc3 && all_int3(r + 1, s->len - 1);
	case KMEND_SITE_LOCK:
		return s->len == 1 && (r[0] == 0xf0 || r[0] == 0x3e);
	}
	return false;
}

/*
 * The sites starting at @first share an instruction (a paravirt call that is
 * also an alternative, ALTERNATIVE_2's two entries): any form any of them
 * allows will do, or the pre code itself. Returns the group's length, or 0
 * when the running code holds none of them.
 */
static unsigned int site_group_ok(const struct kmend_pre_func *pre,
				  unsigned int first, const unsigned char *r,
				  unsigned int left)
{
	unsigned int off = pre->sites[first].offset, len = 0, i;
	bool ok = false;

	for (i = first; i < pre->nr_sites && pre->sites[i].offset == off; i++) {
		const struct kmend_pre_site *s = &pre->sites[i];

		if (!s->len || s->len > left)
			return 0;
		if (s->len > len)
			len = s->len;
	}
	for (i = first; i < pre->nr_sites && pre->sites[i].offset == off && !ok; i++) {
		const struct kmend_pre_site *s = &pre->sites[i];

		ok = holds_pre(pre, r, s) || site_form_ok(pre, s, r);
	}
	return ok ? len : 0;
}

/* The symbol value a relocation field of the running code holds. */
static bool field_value(const struct kmend_pre_reloc *rel, const unsigned char *f,
			unsigned long place, unsigned long *value, unsigned int *width)
{
	unsigned long v = 0;
	unsigned int i;

	*width = kmend_reloc_width(rel->type);
	for (i = 0; i < *width; i++)
		v |= (unsigned long)f[i] << (8 * i);
	switch (rel->type) {
	case R_X86_64_64:
		*value = v - rel->addend;
		return true;
	case R_X86_64_32S:
		*value = (unsigned long)(long)(int)(unsigned int)v - rel->addend;
		return true;
	case R_X86_64_32:
		*value = (unsigned int)v - rel->addend;
		return true;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		*value = place + (long)(int)(unsigned int)v - rel->addend;
		return true;
	case R_X86_64_PC64:
		*value = place + v - rel->addend;
		return true;
	}
	return false;
}

bool kmend_match(const struct kmend_pre_func *pre, const unsigned char *running,
		 unsigned long running_size, unsigned long addr,
		 kmend_learn_fn learn, void *ctx, struct kmend_mismatch *mm)
{
	unsigned int off = 0, site = 0, rel = 0;

	if (running_size < pre->size) {
		mm->offset = (unsigned int)running_size;
		mm->why = "the running function is shorter than the pre code";
		return false;
	}
	while (off < pre->size) {
		while (site < pre->nr_sites && pre->sites[site].offset < off)
			site++;
		while (rel < pre->nr_relocs && pre->relocs[rel].offset < off)
			rel++;
		if (site < pre->nr_sites && pre->sites[site].offset == off) {
			unsigned int len = site_group_ok(pre, site, running + off,
							 pre->size - off);

			if (!len) {
				mm->offset = off;
				mm->why = "a site the kernel rewrites holds none of the forms it writes";
				return false;
			}
			off += len;
			continue;
		}
		if (rel < pre->nr_relocs && pre->relocs[rel].offset == off) {
			const struct kmend_pre_reloc *r = &pre->relocs[rel];
			unsigned long value;
			unsigned int width;

			if (!field_value(r, running + off, addr + off, &value, &width)) {
				mm->offset = off;
				mm->why = "a relocation of a type kmend cannot read";
				return false;
			}
			if (r->symbol && learn && learn(ctx, r->symbol, value, off)) {
				mm->offset = off;
				mm->why = "a symbol the code refers to is elsewhere than an earlier reference says";
				return false;
			}
			off += width;
			continue;
		}
		if (running[off] != pre->code[off]) {
			mm->offset = off;
			mm->why = "the code differs";
			return false;
		}
		off++;
	}
	return true;
}
