// SPDX-License-Identifier: GPL-2.0
/*
 * Function- and data-level comparison of two relocatable objects.
 *
 * In a relocatable object the bytes under a RELA relocation are zero, so code
 * is compared byte for byte and relocations are compared by their target:
 * the symbol (without the compiler's .N numbering of statics), the offset
 * into it, or, for a mergeable string, the string itself.
 */
#include "objdiff.h"


#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Functions that take __LINE__ as an argument in might_sleep() and kin. */
static const char *const line_macro_callees[] = {
	"__might_sleep", "__might_resched", "__might_fault", "__cant_sleep",
	"__cant_migrate", "lockdep_rcu_suspicious",
};

size_t objdiff_base_name_len(const char *name)
{
	size_t len = strlen(name), i = len;

	while (i > 0 && isdigit((unsigned char)name[i - 1]))
		i--;
	if (i < len && i > 1 && name[i - 1] == '.')
		return i - 1;
	return len;
}

size_t objdiff_counter_free_len(const char *name)
{
	size_t len = objdiff_base_name_len(name), prefix = strlen("__UNIQUE_ID_");

	if (strncmp(name, "__UNIQUE_ID_", prefix))
		return len;
	while (len > prefix && isdigit((unsigned char)name[len - 1]))
		len--;
	return len;
}

struct objdiff_entry *objdiff_entry_of(struct objdiff *diff, size_t index)
{
	for (size_t i = 0; i < diff->nr_entries; i++)
		if (diff->entries[i].post_index == index)
			return &diff->entries[i];
	return NULL;
}

const char *objdiff_status_name(enum objdiff_status status)
{
	switch (status) {
	case OBJDIFF_SAME: return "same";
	case OBJDIFF_CHANGED: return "changed";
	case OBJDIFF_LINE_ONLY: return "line-only";
	case OBJDIFF_NEW: return "new";
	case OBJDIFF_DELETED: return "deleted";
	case OBJDIFF_IGNORED: return "ignored";
	case OBJDIFF_NEXT_BOOT: return "next boot";
	case OBJDIFF_COPIED: return "copied";
	}
	return "?";
}

static bool is_candidate(const struct elf_object *obj,
			 const struct elf_symbol *sym)
{
	const struct elf_section *sec = elf_symbol_section(obj, sym);

	/* assembly code outside SYM_FUNC (SYM_CODE) has a size, no type */
	if (sym->type != STT_FUNC && sym->type != STT_OBJECT &&
	    !(sym->type == STT_NOTYPE && sym->sym.st_size && sec &&
	      (sec->shdr.sh_flags & SHF_EXECINSTR)))
		return false;
	return sec != NULL && *sym->name;
}

static bool is_pc_relative(uint32_t type)
{
	switch (type) {
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		return true;
	}
	return false;
}

/* What a relocation refers to. */
struct target {
	const struct elf_symbol *sym;	/* named symbol, or NULL */
	const char *name;		/* symbol or section name */
	size_t name_len;		/* without the .N numbering */
	const char *string;		/* for a mergeable string section */
	const struct elf_section *anon;	/* a section with no symbol there */
	int64_t offset;			/* into the symbol or section */
};

static struct target resolve(const struct elf_object *obj,
			     const struct elf_section *from,
			     const struct elf_rela *r)
{
	const struct elf_symbol *sym = &obj->symbols[r->sym];
	const struct elf_section *sec;
	struct target t = { .name = sym->name, .offset = r->addend };
	int64_t at = r->addend +
		     (is_pc_relative(r->type) ? elf_pcrel_bias(from, r->offset) : 0);

	if (sym->type != STT_SECTION) {
		t.sym = sym;
		t.name_len = objdiff_counter_free_len(sym->name);
		return t;
	}
	sec = elf_symbol_section(obj, sym);
	if (sec && (sec->shdr.sh_flags & SHF_STRINGS) && sec->data &&
	    at >= 0 && (uint64_t)at < sec->size &&
	    memchr(sec->data + at, '\0', sec->size - (size_t)at)) {
		t.string = (const char *)sec->data + at;
		t.name_len = 0;
		t.offset = 0;
		return t;
	}
	if (sec) {
		const struct elf_symbol *s = elf_symbol_at(obj, sec, at);

		if (s) {
			t.sym = s;
			t.name = s->name;
			t.offset = r->addend - (int64_t)s->sym.st_value;
		} else {
			t.anon = sec;
		}
	}
	t.name_len = objdiff_counter_free_len(t.name);
	return t;
}

/*
 * Unnamed constants (a local array's initialiser, say) are referred to by
 * section and offset: the same only if the whole section is. Conservative:
 * another constant changing in the section marks the user changed too.
 */
static bool same_section_content(const struct elf_section *a,
				 const struct elf_section *b)
{
	if (a->size != b->size || a->shdr.sh_type != b->shdr.sh_type ||
	    a->nr_relas != b->nr_relas)
		return false;
	if (a->data && b->data && memcmp(a->data, b->data, a->size))
		return false;
	for (size_t i = 0; i < a->nr_relas; i++)
		if (a->relas[i].offset != b->relas[i].offset ||
		    a->relas[i].type != b->relas[i].type ||
		    a->relas[i].addend != b->relas[i].addend)
			return false;
	return true;
}

/*
 * The stub at @at of out-of-line section @aux (.altinstr_aux: the slow
 * path static_cpu_has() jumps to) that function section @fn uses: its
 * relocations up to the second one back into @fn (its jnz and jmp home),
 * and the end offset. Every function's stubs share the section, so one
 * changed function moves the others' stubs: they compare by content.
 */
static size_t aux_stub(const struct elf_object *obj, const struct elf_section *aux,
		       int64_t at, const struct elf_section *fn, size_t *first,
		       uint64_t *end)
{
	size_t n = 0, home = 0, k = 0;

	while (k < aux->nr_relas && (int64_t)aux->relas[k].offset < at)
		k++;
	*first = k;
	for (; k < aux->nr_relas && home < 2 && n < 8; k++, n++) {
		const struct elf_symbol *t = &obj->symbols[aux->relas[k].sym];

		if (t->sym.st_shndx == fn->index)
			home++;
		*end = aux->relas[k].offset + 4;
	}
	return home == 2 ? n : 0;
}

static bool same_aux_stub(const struct elf_object *pre, const struct elf_section *fa,
			  const struct elf_rela *ra, const struct elf_section *auxa,
			  const struct elf_object *post, const struct elf_section *fb,
			  const struct elf_rela *rb, const struct elf_section *auxb)
{
	int64_t ata = ra->addend + (is_pc_relative(ra->type) ? elf_pcrel_bias(fa, ra->offset) : 0);
	int64_t atb = rb->addend + (is_pc_relative(rb->type) ? elf_pcrel_bias(fb, rb->offset) : 0);
	size_t firsta = 0, firstb = 0, na, nb;
	uint64_t enda = 0, endb = 0;

	if (!auxa || !auxb || strcmp(auxa->name, ".altinstr_aux") ||
	    strcmp(auxb->name, ".altinstr_aux") || !auxa->data || !auxb->data || ata < 0 || atb < 0)
		return false;
	na = aux_stub(pre, auxa, ata, fa, &firsta, &enda);
	nb = aux_stub(post, auxb, atb, fb, &firstb, &endb);
	if (!na || na != nb || enda - (uint64_t)ata != endb - (uint64_t)atb ||
	    enda > auxa->size || endb > auxb->size)
		return false;
	for (size_t k = 0; k < na; k++) {
		const struct elf_rela *xa = &auxa->relas[firsta + k], *xb = &auxb->relas[firstb + k];
		const struct elf_symbol *sa = &pre->symbols[xa->sym], *sb = &post->symbols[xb->sym];

		if (xa->offset - (uint64_t)ata != xb->offset - (uint64_t)atb ||
		    xa->type != xb->type || xa->addend != xb->addend ||
		    (sa->sym.st_shndx == fa->index) != (sb->sym.st_shndx == fb->index) ||
		    (sa->sym.st_shndx != fa->index && strcmp(sa->name, sb->name)))
			return false;
	}
	/* the code around the relocated fields */
	for (uint64_t i = 0; i < enda - (uint64_t)ata; i++) {
		bool field = false;

		for (size_t k = 0; k < na && !field; k++)
			field = (uint64_t)ata + i >= auxa->relas[firsta + k].offset &&
				(uint64_t)ata + i < auxa->relas[firsta + k].offset + 4;
		if (!field && auxa->data[ata + i] != auxb->data[atb + i])
			return false;
	}
	return true;
}

static bool same_target(const struct target *a, const struct target *b)
{
	if (a->string || b->string)
		return a->string && b->string && !strcmp(a->string, b->string);
	if ((a->anon || b->anon) &&
	    !(a->anon && b->anon && same_section_content(a->anon, b->anon)))
		return false;
	return a->name_len == b->name_len &&
	       !strncmp(a->name, b->name, a->name_len) &&
	       a->offset == b->offset;
}

/* The relocations of @sec that fall in [start, end), as a range. */
static void relas_in(const struct elf_section *sec, uint64_t start,
		     uint64_t end, size_t *first, size_t *count)
{
	size_t i = 0, n = 0;

	while (i < sec->nr_relas && sec->relas[i].offset < start)
		i++;
	*first = i;
	while (i + n < sec->nr_relas && sec->relas[i + n].offset < end)
		n++;
	*count = n;
}

static bool is_line_macro_call(const struct elf_object *obj,
			       const struct elf_rela *r)
{
	const struct elf_symbol *sym = &obj->symbols[r->sym];

	if (sym->type == STT_SECTION)
		return false;
	for (size_t i = 0; i < sizeof(line_macro_callees) / sizeof(*line_macro_callees); i++)
		if (!strcmp(sym->name, line_macro_callees[i]))
			return true;
	return false;
}

/*
 * Is the byte at @pos inside the immediate of "mov $imm32, %esi" (be imm32),
 * the line argument of a might_sleep()-like call that is the next call after
 * it (within 64 bytes)?
 */
static bool in_line_argument(const struct elf_object *obj,
			     const struct elf_section *sec,
			     const unsigned char *code, size_t size, size_t pos,
			     size_t first, size_t count, uint64_t base)
{
	for (size_t op = pos >= 4 ? pos - 4 : 0; op < pos; op++) {
		if (code[op] != 0xbe || pos > op + 4 || op + 5 > size)
			continue;
		for (size_t k = first; k < first + count; k++) {
			const struct elf_rela *r = &sec->relas[k];
			uint64_t at = r->offset - base;

			if (at <= op + 5 || at > op + 64 || code[at - 1] != 0xe8)
				continue;
			/* The first call after the mov decides. */
			return is_line_macro_call(obj, r);
		}
	}
	return false;
}

/*
 * Same kind of section? -ffunction-sections names them after the symbol
 * (.text.foo, .data.bar); compare what is left (__init moves a function to
 * .init.text, __ro_after_init data to .data..ro_after_init).
 */
static bool same_placement(const char *sec_a, const char *sym_a,
			   const char *sec_b, const char *sym_b)
{
	size_t la = strlen(sec_a), lb = strlen(sec_b);
	size_t na = strlen(sym_a), nb = strlen(sym_b);

	if (la > na + 1 && sec_a[la - na - 1] == '.' && !strcmp(sec_a + la - na, sym_a))
		la -= na + 1;
	if (lb > nb + 1 && sec_b[lb - nb - 1] == '.' && !strcmp(sec_b + lb - nb, sym_b))
		lb -= nb + 1;
	return la == lb && !strncmp(sec_a, sec_b, la);
}

/*
 * A dynamic-debug descriptor (struct _ddebug in __dyndbg) holds the line of
 * its pr_debug(): four pointers, then "unsigned int lineno:18". A change in
 * those bits alone only moves the line /proc/dynamic_debug/control shows; the
 * running descriptor may keep the old one.
 */
#define DDEBUG_LINENO_OFFSET	0x20
#define DDEBUG_LINENO_BITS	18

static bool dyndbg_line_only(const struct elf_section *sec, size_t size,
			     size_t i, unsigned char a, unsigned char b)
{
	size_t bit = (i - DDEBUG_LINENO_OFFSET) * 8;
	unsigned int other_bits;

	if (strcmp(sec->name, "__dyndbg") != 0 ||
	    size < DDEBUG_LINENO_OFFSET + 4 || i < DDEBUG_LINENO_OFFSET ||
	    bit >= DDEBUG_LINENO_BITS)
		return false;
	/* x86-64 is little-endian: the field's low bits come first */
	other_bits = DDEBUG_LINENO_BITS - bit >= 8 ? 0 :
		     0xffu & ~((1u << (DDEBUG_LINENO_BITS - bit)) - 1);
	return ((a ^ b) & other_bits) == 0;
}

/* Compare one symbol's bytes and relocations; sets *why when they differ. */
static enum objdiff_status compare_symbol(const struct elf_object *pre,
					  const struct elf_symbol *a,
					  const struct elf_object *post,
					  const struct elf_symbol *b, char **why)
{
	const struct elf_section *sa = elf_symbol_section(pre, a);
	const struct elf_section *sb = elf_symbol_section(post, b);
	uint64_t size = a->sym.st_size, va = a->sym.st_value, vb = b->sym.st_value;
	size_t fa, na, fb, nb;
	bool line_only = false;

	if (a->sym.st_size != b->sym.st_size) {
		*why = str_format("size %lu -> %lu", (unsigned long)a->sym.st_size,
			      (unsigned long)b->sym.st_size);
		return OBJDIFF_CHANGED;
	}
	if ((sa->shdr.sh_type == SHT_NOBITS) != (sb->shdr.sh_type == SHT_NOBITS) ||
	    sa->shdr.sh_flags != sb->shdr.sh_flags || a->bind != b->bind ||
	    !same_placement(sa->name, a->name, sb->name, b->name)) {
		*why = str_format("section %s -> %s", sa->name, sb->name);
		return OBJDIFF_CHANGED;
	}
	if (va > sa->size || size > sa->size - va ||
	    vb > sb->size || size > sb->size - vb) {
		*why = str_format("extends past its section");
		return OBJDIFF_CHANGED;
	}

	relas_in(sa, va, va + size, &fa, &na);
	relas_in(sb, vb, vb + size, &fb, &nb);
	if (na != nb) {
		*why = str_format("%zu relocations -> %zu", na, nb);
		return OBJDIFF_CHANGED;
	}
	for (size_t k = 0; k < na; k++) {
		const struct elf_rela *ra = &sa->relas[fa + k], *rb = &sb->relas[fb + k];
		struct target ta = resolve(pre, sa, ra), tb = resolve(post, sb, rb);

		if (ra->offset - va != rb->offset - vb || ra->type != rb->type) {
			*why = str_format("relocation %zu at +0x%lx -> +0x%lx", k,
				      (unsigned long)(ra->offset - va),
				      (unsigned long)(rb->offset - vb));
			return OBJDIFF_CHANGED;
		}
		if (!same_target(&ta, &tb) &&
		    !same_aux_stub(pre, sa, ra, ta.anon, post, sb, rb, tb.anon)) {
			*why = str_format("reference at +0x%lx: %s%s%s -> %s%s%s",
				      (unsigned long)(ra->offset - va),
				      ta.string ? "\"" : "", ta.string ? ta.string : ta.name,
				      ta.string ? "\"" : "",
				      tb.string ? "\"" : "", tb.string ? tb.string : tb.name,
				      tb.string ? "\"" : "");
			return OBJDIFF_CHANGED;
		}
	}

	if (sa->shdr.sh_type == SHT_NOBITS)
		return OBJDIFF_SAME;
	for (size_t i = 0; i < size; i++) {
		if (sa->data[va + i] == sb->data[vb + i])
			continue;
		if (a->type == STT_FUNC &&
		    in_line_argument(pre, sa, sa->data + va, size, i, fa, na, va) &&
		    in_line_argument(post, sb, sb->data + vb, size, i, fb, nb, vb)) {
			line_only = true;
			continue;
		}
		if (a->type != STT_FUNC &&
		    dyndbg_line_only(sa, size, i, sa->data[va + i], sb->data[vb + i])) {
			line_only = true;
			continue;
		}
		*why = str_format("%s at +0x%zx", a->type != STT_OBJECT ? "code" : "value", i);
		return OBJDIFF_CHANGED;
	}
	return line_only ? OBJDIFF_LINE_ONLY : OBJDIFF_SAME;
}

/* The first function that refers to @sym: the owner of a static local. */
static const struct elf_symbol *owner_of(const struct elf_object *obj,
					 const struct elf_symbol *sym)
{
	for (size_t i = 0; i < obj->nr_symbols; i++) {
		const struct elf_symbol *f = &obj->symbols[i];
		const struct elf_section *sec = elf_symbol_section(obj, f);
		size_t first, n;

		if (f->type != STT_FUNC || !sec)
			continue;
		relas_in(sec, f->sym.st_value, f->sym.st_value + f->sym.st_size,
			 &first, &n);
		for (size_t k = first; k < first + n; k++) {
			struct target t = resolve(obj, sec, &sec->relas[k]);

			if (t.sym == sym)
				return f;
		}
	}
	return NULL;
}

/*
 * Pairing key: the name; for a static the compiler numbered (calls.3, or
 * __UNIQUE_ID_ddebug615 from __COUNTER__), the name without the number and
 * with the function that uses it, since the numbers shift as statics come
 * and go elsewhere in the unit.
 */
static char *pairing_key(const struct elf_object *obj,
			 const struct elf_symbol *sym)
{
	size_t len = objdiff_counter_free_len(sym->name);
	const struct elf_symbol *owner;

	if (sym->bind != STB_LOCAL || len == strlen(sym->name))
		return strdup(sym->name);
	owner = owner_of(obj, sym);
	return str_format("%.*s@%s", (int)len, sym->name, owner ? owner->name : "?");
}

static char **pairing_keys(const struct elf_object *obj)
{
	char **keys = calloc(obj->nr_symbols ? obj->nr_symbols : 1, sizeof(*keys));

	if (!keys)
		return NULL;
	for (size_t i = 0; i < obj->nr_symbols; i++) {
		if (!is_candidate(obj, &obj->symbols[i]))
			continue;
		keys[i] = pairing_key(obj, &obj->symbols[i]);
		if (!keys[i]) {
			for (size_t k = 0; k < i; k++)
				free(keys[k]);
			free(keys);
			return NULL;
		}
	}
	return keys;
}

static void free_keys(char **keys, size_t n)
{
	for (size_t i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
}

/*
 * The pre symbol to pair with post symbol @b, or SIZE_MAX: an unpaired one
 * with the same key and type. With @equal_only, only one that compares the
 * same or differs only in its line (several statics share a key: the
 * dynamic-debug descriptors of one function, __func__ of functions only
 * data refers to); else the first, which then reads as changed, except for
 * a dynamic-debug descriptor: one that matches none is a new one (the new
 * code carries its own copy). The comparison with the chosen one is
 * returned in @status and @why, so that it is made only once.
 */
static size_t find_pair(const struct elf_object *pre, char **kpre,
			const bool *paired, const struct elf_object *post,
			const struct elf_symbol *b, const char *key,
			bool equal_only, enum objdiff_status *status, char **why)
{
	const struct elf_section *sec = elf_symbol_section(post, b);
	size_t best = SIZE_MAX;

	*why = NULL;
	/* a numbered descriptor (descriptor.12): its key has an owner */
	if (!equal_only && sec && !strcmp(sec->name, "__dyndbg") && strchr(key, '@'))
		return SIZE_MAX;
	for (size_t i = 0; i < pre->nr_symbols; i++) {
		char *w = NULL;
		enum objdiff_status st;

		if (!kpre[i] || paired[i] || strcmp(kpre[i], key) ||
		    pre->symbols[i].type != b->type)
			continue;
		st = compare_symbol(pre, &pre->symbols[i], post, b, &w);
		if (st == OBJDIFF_SAME) {
			free(*why);
			*why = NULL;
			*status = st;
			return i;
		}
		if (best == SIZE_MAX && (!equal_only || st == OBJDIFF_LINE_ONLY)) {
			best = i;
			*status = st;
			*why = w;
		} else if (best != SIZE_MAX && st == OBJDIFF_LINE_ONLY &&
			   *status != OBJDIFF_LINE_ONLY) {
			free(*why);
			best = i;
			*status = st;
			*why = w;
		} else {
			free(w);
		}
	}
	return best;
}

static int add_entry(struct objdiff *d, const struct elf_symbol *sym,
		     enum objdiff_status status, char *why, size_t pre_index,
		     size_t post_index)
{
	struct objdiff_entry *e;
	struct objdiff_entry *grown = realloc(d->entries, (d->nr_entries + 1) * sizeof(*grown));

	if (!grown) {
		free(why);
		return -1;
	}
	d->entries = grown;
	e = &d->entries[d->nr_entries];
	e->name = strdup(sym->name);
	if (!e->name) {
		free(why);
		return -1;
	}
	e->kind = sym->type != STT_OBJECT ? OBJDIFF_FUNC : OBJDIFF_DATA;
	e->status = status;
	e->local = sym->bind == STB_LOCAL;
	e->why = why;
	e->pre_index = pre_index;
	e->post_index = post_index;
	d->nr_entries++;
	return 0;
}

int objdiff_compare(const struct elf_object *pre, const struct elf_object *post,
		    struct objdiff *out, char *err, size_t errlen)
{
	char **kpre = pairing_keys(pre), **kpost = pairing_keys(post);
	size_t nr_post = post->nr_symbols ? post->nr_symbols : 1;
	bool *paired = calloc(pre->nr_symbols ? pre->nr_symbols : 1, sizeof(*paired));
	bool *done = calloc(nr_post, sizeof(*done));
	size_t *pair = malloc(nr_post * sizeof(*pair));
	enum objdiff_status *status = calloc(nr_post, sizeof(*status));
	char **why = calloc(nr_post, sizeof(*why));
	int ret = -1;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; pair && i < nr_post; i++)
		pair[i] = SIZE_MAX;
	if (!kpre || !kpost || !paired || !done || !pair || !status || !why) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	/*
	 * Pairs that compare the same (or differ in a line) first, over the
	 * whole unit, so that a numbered static whose number shifted is not
	 * taken by another of its key first; then the rest, in order.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < post->nr_symbols; i++) {
			if (!kpost[i] || pair[i] != SIZE_MAX || (pass && done[i]))
				continue;
			pair[i] = find_pair(pre, kpre, paired, post, &post->symbols[i],
					    kpost[i], pass == 0, &status[i], &why[i]);
			if (pair[i] != SIZE_MAX)
				paired[pair[i]] = true;
			done[i] = pass == 0 ? pair[i] != SIZE_MAX : true;
		}
	}
	for (size_t i = 0; i < post->nr_symbols; i++) {
		if (!kpost[i])
			continue;
		if (pair[i] == SIZE_MAX)
			status[i] = OBJDIFF_NEW;
		if (add_entry(out, &post->symbols[i], status[i], why[i], pair[i], i)) {
			why[i] = NULL;
			goto nomem;
		}
		why[i] = NULL;
	}
	for (size_t j = 0; j < pre->nr_symbols; j++)
		if (kpre[j] && !paired[j] &&
		    add_entry(out, &pre->symbols[j], OBJDIFF_DELETED, NULL, j,
			      SIZE_MAX))
			goto nomem;
	ret = 0;
	goto out;

nomem:
	snprintf(err, errlen, "out of memory");
	objdiff_free(out);
out:
	free_keys(kpre, pre->nr_symbols);
	free_keys(kpost, post->nr_symbols);
	free(paired);
	free(done);
	free(pair);
	free(status);
	for (size_t i = 0; why && i < post->nr_symbols; i++)
		free(why[i]);
	free(why);
	return ret;
}

void objdiff_free(struct objdiff *diff)
{
	for (size_t i = 0; i < diff->nr_entries; i++) {
		free(diff->entries[i].name);
		free(diff->entries[i].why);
	}
	free(diff->entries);
	diff->entries = NULL;
	diff->nr_entries = 0;
}
