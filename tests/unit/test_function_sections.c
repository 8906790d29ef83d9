// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for cutting an assembly object into a section per function
 * (function_sections.c), on tests/unit/fixtures/asm_{pre,post}.S, and for
 * how kmend create then compares and refuses its functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elfobj.h"
#include "function_sections.h"
#include "objdiff.h"
#include "refuse.h"
#include "util.h"

#ifndef FIXTURES
#error "FIXTURES must name the folder of the compiled fixtures"
#endif

struct cut_objs {
	char pre[64], post[64];
	struct elf_object a, b;
};

/* Copy fixture @name to a file of its own and cut it. */
static void cut_copy(const char *name, char *path, size_t size)
{
	char from[512], err[256];
	bool changed;
	int fd;

	snprintf(from, sizeof(from), FIXTURES "/%s.o", name);
	snprintf(path, size, "/tmp/kmend-cut-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(file_copy(from, path, err, sizeof(err)), 0);
	if (function_sections_split(path, &changed, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(changed);
}

static int setup(void **state)
{
	static struct cut_objs o;
	char err[256];

	cut_copy("asm_pre", o.pre, sizeof(o.pre));
	cut_copy("asm_post", o.post, sizeof(o.post));
	if (elf_object_open(&o.a, o.pre, err, sizeof(err)) ||
	    elf_object_open(&o.b, o.post, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	*state = &o;
	return 0;
}

static int teardown(void **state)
{
	struct cut_objs *o = *state;

	elf_object_close(&o->a);
	elf_object_close(&o->b);
	unlink(o->pre);
	unlink(o->post);
	return 0;
}

static const struct elf_symbol *symbol(const struct elf_object *obj, const char *name)
{
	for (size_t i = 1; i < obj->nr_symbols; i++)
		if (!strcmp(obj->symbols[i].name, name))
			return &obj->symbols[i];
	fail_msg("%s: no symbol %s", obj->path, name);
	return NULL;
}

/* Each function at the start of a section named for it. */
static void test_a_section_each(void **state)
{
	struct cut_objs *o = *state;
	static const char *const names[] = { "alpha", "beta", "gamma", "delta", "eps" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct elf_symbol *s = symbol(&o->a, names[i]);
		const struct elf_section *sec = elf_symbol_section(&o->a, s);
		char want[64];

		snprintf(want, sizeof(want), ".text.%s", names[i]);
		assert_non_null(sec);
		assert_string_equal(sec->name, want);
		assert_int_equal(s->sym.st_value, 0);
		assert_true(sec->shdr.sh_flags & SHF_EXECINSTR);
	}
	assert_null(elf_section_named(&o->a, ".text"));	/* no bytes before alpha */
}

/* The jump the assembler resolved from alpha into gamma gets a relocation. */
static void test_resolved_jump(void **state)
{
	struct cut_objs *o = *state;
	const struct elf_section *sec = elf_section_named(&o->a, ".text.alpha");
	const struct elf_rela *r = elf_rela_at(sec, 6);		/* e9 at 5 */

	assert_non_null(r);
	assert_int_equal(r->type, R_X86_64_PC32);
	assert_string_equal(o->a.symbols[r->sym].name, "gamma");
	assert_int_equal(r->addend, 1 - 4);			/* .Lgamma_tail */
	assert_memory_equal(sec->data + 6, "\0\0\0\0", 4);
	/* the call to beta kept its relocation, to beta itself */
	r = elf_rela_at(sec, 1);
	assert_non_null(r);
	assert_string_equal(o->a.symbols[r->sym].name, "beta");
}

/* The exception table follows beta's code, by beta's name. */
static void test_table_follows(void **state)
{
	struct cut_objs *o = *state;
	const struct elf_section *ex = elf_section_named(&o->a, "__ex_table");
	const struct elf_rela *insn = elf_rela_at(ex, 0), *fixup = elf_rela_at(ex, 4);

	assert_non_null(insn);
	assert_non_null(fixup);
	assert_string_equal(o->a.symbols[insn->sym].name, "beta");
	assert_int_equal(insn->addend, 0);
	assert_string_equal(o->a.symbols[fixup->sym].name, "beta");
	assert_int_equal(fixup->addend, 3);
}

/* ORC: an entry at each piece's start (the state before it) and an end mark. */
static void test_orc_bounds(void **state)
{
	struct cut_objs *o = *state;
	const struct elf_section *ip = elf_section_named(&o->a, ".orc_unwind_ip");
	const struct elf_section *orc = elf_section_named(&o->a, ".orc_unwind");
	static const char *const names[] = { "alpha", "beta", "gamma", "delta", "eps" };

	assert_non_null(ip);
	assert_non_null(orc);
	assert_int_equal(ip->size / 4, orc->size / 6);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct elf_symbol *f = symbol(&o->a, names[i]);
		const struct elf_section *code = elf_symbol_section(&o->a, f);
		bool start = false, end = false;

		for (uint64_t e = 0; e < ip->size; e += 4) {
			const struct elf_rela *r = elf_rela_at(ip, e);
			const struct elf_symbol *t = &o->a.symbols[r->sym];
			int64_t at = (int64_t)t->sym.st_value + r->addend;

			if (t->sym.st_shndx != code->index)
				continue;
			if (at == 0) {
				start = true;
				/* gamma's state is the one before it: beta's */
				if (!strcmp(names[i], "gamma"))
					assert_int_equal(orc->data[e / 4 * 6], 16);
			}
			if (at == (int64_t)code->size) {
				end = true;
				assert_memory_equal(orc->data + e / 4 * 6, "\0\0\0\0\0\0", 6);
			}
		}
		if (!start || !end)
			fail_msg("%s: ORC start %d, end %d", names[i], start, end);
	}
}

/* Cutting what is cut changes nothing. */
static void test_cut_once(void **state)
{
	struct cut_objs *o = *state;
	char err[256];
	bool changed = true;

	assert_int_equal(function_sections_split(o->pre, &changed, err, sizeof(err)), 0);
	assert_false(changed);
}

/*
 * Compared: alpha changed and is carried; delta (code outside SYM_FUNC)
 * and eps (a short jump into gamma) are refused as asm_code.
 */
static void test_compare_and_refuse(void **state)
{
	struct cut_objs *o = *state;
	struct objdiff d;
	struct refusals r;
	char err[256];
	bool delta = false, eps = false;

	assert_int_equal(objdiff_compare(&o->a, &o->b, &d, err, sizeof(err)), 0);
	for (size_t i = 0; i < d.nr_entries; i++) {
		const struct objdiff_entry *e = &d.entries[i];

		if (!strcmp(e->name, "alpha") || !strcmp(e->name, "delta") ||
		    !strcmp(e->name, "eps") || !strcmp(e->name, "gamma"))
			assert_int_equal(e->kind, OBJDIFF_FUNC);
		if (!strcmp(e->name, "alpha") || !strcmp(e->name, "gamma"))
			assert_int_equal(e->status, OBJDIFF_CHANGED);
		if (!strcmp(e->name, "beta"))
			assert_int_equal(e->status, OBJDIFF_SAME);
	}
	assert_int_equal(refusals_find(&o->a, &o->b, &d, &r), 0);
	for (size_t i = 0; i < r.nr; i++) {
		assert_string_equal(r.items[i].kind, "asm_code");
		delta |= !strcmp(r.items[i].name, "delta");
		eps |= !strcmp(r.items[i].name, "eps");
		assert_true(strcmp(r.items[i].name, "alpha") && strcmp(r.items[i].name, "gamma"));
	}
	assert_true(delta);
	assert_true(eps);
	assert_int_equal(r.nr, 2);
	refusals_free(&r);
	objdiff_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_section_each),
		cmocka_unit_test(test_resolved_jump),
		cmocka_unit_test(test_table_follows),
		cmocka_unit_test(test_orc_bounds),
		cmocka_unit_test(test_cut_once),
		cmocka_unit_test(test_compare_and_refuse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
