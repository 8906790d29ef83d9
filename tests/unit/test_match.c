// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for run-pre matching (kernel/match/match_core.c, shared with the
 * engine) on byte buffers: each site kind, both ways (a form the kernel
 * writes is accepted, anything else is not), and relocation fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <elf.h>

#include "match_core.h"

#define ADDR 0xffffffff81000000UL

/* learned: the last value for each symbol; a second, different one fails */
struct learned {
	const char *name[8];
	unsigned long value[8];
	int n;
};

static int learn(void *ctx, const char *symbol, unsigned long value, unsigned int offset)
{
	struct learned *l = ctx;

	(void)offset;
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], symbol))
			return l->value[i] != value;
	l->name[l->n] = symbol;
	l->value[l->n++] = value;
	return 0;
}

static bool match(const struct kmend_pre_func *pre, const unsigned char *running,
		  size_t size, struct kmend_mismatch *mm)
{
	struct learned l = { .n = 0 };

	return kmend_match(pre, running, size, ADDR, learn, &l, mm);
}

/* a one-site function: the site's bytes, then "ret" */
static bool site_holds(const struct kmend_pre_site *site, const unsigned char *pre_bytes,
		       const unsigned char *running)
{
	unsigned char code[32], run[32];
	struct kmend_pre_func pre = {
		.code = code, .size = site->len + 1, .sites = site, .nr_sites = 1,
	};
	struct kmend_mismatch mm;

	memcpy(code, pre_bytes, site->len);
	code[site->len] = 0xc3;
	memcpy(run, running, site->len);
	run[site->len] = 0xc3;
	return match(&pre, run, site->len + 1, &mm);
}

static void test_bytes(void **state)
{
	const unsigned char code[] = { 0x55, 0x48, 0x89, 0xe5, 0x5d, 0xc3 };
	unsigned char run[sizeof(code)];
	struct kmend_pre_func pre = { .code = code, .size = sizeof(code) };
	struct kmend_mismatch mm;

	(void)state;
	memcpy(run, code, sizeof(code));
	assert_true(match(&pre, run, sizeof(run), &mm));
	run[3] = 0xe4;
	assert_false(match(&pre, run, sizeof(run), &mm));
	assert_int_equal(mm.offset, 3);
	assert_false(match(&pre, code, sizeof(code) - 1, &mm));	/* shorter */
}

static void put32(unsigned char *p, int v)
{
	memcpy(p, &v, 4);
}

static void test_relocations_learn_symbols(void **state)
{
	/* call foo; mov bar(%rip),%eax; call foo */
	unsigned char code[16] = { 0xe8, 0, 0, 0, 0, 0x8b, 0x05, 0, 0, 0, 0, 0xe8, 0, 0, 0, 0 };
	const struct kmend_pre_reloc relocs[] = {
		{ 1, R_X86_64_PLT32, -4, "foo" },
		{ 7, R_X86_64_PC32, -4, "bar" },
		{ 12, R_X86_64_PLT32, -4, "foo" },
	};
	struct kmend_pre_func pre = {
		.code = code, .size = 16, .relocs = relocs, .nr_relocs = 3,
	};
	unsigned char run[16];
	struct learned l = { .n = 0 };
	struct kmend_mismatch mm;

	(void)state;
	memcpy(run, code, 16);
	put32(run + 1, 0x1000 - 5);		/* foo at ADDR + 0x1000 */
	put32(run + 7, 0x2000 - 11);		/* bar at ADDR + 0x2000 */
	put32(run + 12, 0x1000 - 16);
	assert_true(kmend_match(&pre, run, 16, ADDR, learn, &l, &mm));
	assert_int_equal(l.n, 2);
	assert_string_equal(l.name[0], "foo");
	assert_true(l.value[0] == ADDR + 0x1000);
	assert_true(l.value[1] == ADDR + 0x2000);

	/* the second call goes elsewhere: foo cannot be in two places */
	put32(run + 12, 0x3000 - 16);
	l.n = 0;
	assert_false(kmend_match(&pre, run, 16, ADDR, learn, &l, &mm));
	assert_int_equal(mm.offset, 12);
}

static void test_fentry(void **state)
{
	const struct kmend_pre_site s = { .offset = 0, .len = 5, .kind = KMEND_SITE_FENTRY };
	const unsigned char pre[5] = { 0xe8, 0, 0, 0, 0 };

	(void)state;
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0x0f, 0x1f, 0x44, 0x00, 0x00 }));
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0xe8, 0x12, 0x34, 0x56, 0x78 }));
	assert_false(site_holds(&s, pre, (unsigned char[]){ 0xcc, 0x1f, 0x44, 0x00, 0x00 }));
	assert_false(site_holds(&s, pre, (unsigned char[]){ 0xe9, 0x12, 0x34, 0x56, 0x78 }));
}

static void test_jump_label(void **state)
{
	/* a 5-byte site at 0 whose jump goes to offset 0x20 */
	const struct kmend_pre_site s = { .offset = 0, .len = 5, .kind = KMEND_SITE_JUMP_LABEL, .target = 0x20 };
	const unsigned char pre[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	const struct kmend_pre_site s2 = { .offset = 0, .len = 2, .kind = KMEND_SITE_JUMP_LABEL, .target = 0x10 };
	const unsigned char pre2[2] = { 0x66, 0x90 };

	(void)state;
	assert_true(site_holds(&s, pre, pre));
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0xe9, 0x1b, 0, 0, 0 }));
	assert_false(site_holds(&s, pre, (unsigned char[]){ 0xe9, 0x1c, 0, 0, 0 }));	/* elsewhere */
	assert_false(site_holds(&s, pre, (unsigned char[]){ 0xe8, 0x1b, 0, 0, 0 }));
	assert_true(site_holds(&s2, pre2, (unsigned char[]){ 0xeb, 0x0e }));
	assert_false(site_holds(&s2, pre2, (unsigned char[]){ 0xeb, 0x0f }));
	assert_true(site_holds(&s2, pre2, pre2));
}

static void test_alternative(void **state)
{
	/* original: call foo (relocated) + 2 nops; replacement: rep movsb (f3 a4) */
	const unsigned char pre[7] = { 0xe8, 0, 0, 0, 0, 0x90, 0x90 };
	const unsigned char repl[2] = { 0xf3, 0xa4 };
	const unsigned char wild[2] = { 0, 0 };
	const struct kmend_pre_site s = {
		.offset = 0, .len = 7, .kind = KMEND_SITE_ALTERNATIVE,
		.repl = repl, .repl_wild = wild, .repl_len = 2,
	};

	(void)state;
	/* the original, its nops made one (optimize_nops) */
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0xe8, 1, 2, 3, 4, 0x66, 0x90 }));
	/* the replacement, padded */
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0xf3, 0xa4, 0x0f, 0x1f, 0x44, 0x00, 0x00 }));
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0xf3, 0xa4, 0x90, 0x90, 0x90, 0x90, 0x90 }));
	/* neither */
	assert_false(site_holds(&s, pre, (unsigned char[]){ 0xf3, 0xa5, 0x0f, 0x1f, 0x44, 0x00, 0x00 }));
	assert_false(site_holds(&s, pre, (unsigned char[]){ 0xf3, 0xa4, 0x0f, 0x1f, 0x44, 0x00, 0xcc }));
}

static void test_paravirt(void **state)
{
	/* call *pv_ops+0x10(%rip), relocated: ff 15 disp32, 6 bytes */
	const unsigned char pre[6] = { 0xff, 0x15, 0, 0, 0, 0 };
	const struct kmend_pre_site s = { .offset = 0, .len = 6, .kind = KMEND_SITE_PARAVIRT };

	(void)state;
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0xe8, 1, 2, 3, 4, 0x90 }));
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 }));
	assert_false(site_holds(&s, pre, (unsigned char[]){ 0xe9, 1, 2, 3, 4, 0x90 }));
}

static void test_static_call_return_lock(void **state)
{
	const unsigned char call[5] = { 0xe8, 0, 0, 0, 0 };
	const unsigned char thunk[5] = { 0xe9, 0, 0, 0, 0 };
	const struct kmend_pre_site sc = { .offset = 0, .len = 5, .kind = KMEND_SITE_STATIC_CALL };
	const struct kmend_pre_site ret = { .offset = 0, .len = 5, .kind = KMEND_SITE_RETURN };
	const struct kmend_pre_site lock = { .offset = 0, .len = 1, .kind = KMEND_SITE_LOCK };

	(void)state;
	assert_true(site_holds(&sc, call, (unsigned char[]){ 0xe8, 9, 9, 9, 9 }));
	assert_true(site_holds(&sc, call, (unsigned char[]){ 0x0f, 0x1f, 0x44, 0x00, 0x00 }));
	assert_true(site_holds(&sc, call, (unsigned char[]){ 0xc3, 0xcc, 0xcc, 0xcc, 0xcc }));
	/* __static_call_return0: cs cs cs xor %eax,%eax */
	assert_true(site_holds(&sc, call, (unsigned char[]){ 0x2e, 0x2e, 0x2e, 0x31, 0xc0 }));
	assert_false(site_holds(&sc, call, (unsigned char[]){ 0x2e, 0x2e, 0x2e, 0x31, 0xc9 }));
	assert_false(site_holds(&sc, call, (unsigned char[]){ 0xff, 0xd0, 0x90, 0x90, 0x90 }));
	assert_true(site_holds(&ret, thunk, (unsigned char[]){ 0xe9, 9, 9, 9, 9 }));
	assert_true(site_holds(&ret, thunk, (unsigned char[]){ 0xc3, 0xcc, 0xcc, 0xcc, 0xcc }));
	assert_false(site_holds(&ret, thunk, (unsigned char[]){ 0xc3, 0x90, 0x90, 0x90, 0x90 }));
	assert_true(site_holds(&lock, (unsigned char[]){ 0xf0 }, (unsigned char[]){ 0x3e }));
	assert_false(site_holds(&lock, (unsigned char[]){ 0xf0 }, (unsigned char[]){ 0x90 }));
}

static void test_retpoline(void **state)
{
	const unsigned char pre[5] = { 0xe8, 0, 0, 0, 0 };	/* call __x86_indirect_thunk_rax */
	const struct kmend_pre_site s = { .offset = 0, .len = 5, .kind = KMEND_SITE_RETPOLINE };
	const unsigned char tail[5] = { 0xe9, 0, 0, 0, 0 };	/* jmp __x86_indirect_thunk_rdi */

	(void)state;
	/* an indirect jmp gets an int3 after it (patch_retpoline) */
	assert_true(site_holds(&s, tail, (unsigned char[]){ 0xff, 0xe7, 0xcc, 0x66, 0x90 }));
	assert_true(site_holds(&s, tail, (unsigned char[]){ 0x41, 0xff, 0xe3, 0xcc, 0x90 }));
	assert_false(site_holds(&s, tail, (unsigned char[]){ 0xff, 0xe7, 0xcc, 0xcc, 0x90 }));
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0xe8, 1, 2, 3, 4 }));
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0xff, 0xd0, 0x0f, 0x1f, 0x00 }));
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0x41, 0xff, 0xd3, 0x66, 0x90 }));
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0x0f, 0xae, 0xe8, 0xff, 0xd0 }));
	assert_false(site_holds(&s, pre, (unsigned char[]){ 0xff, 0x10, 0x0f, 0x1f, 0x00 }));
}

/* A paravirt call that is also an alternative (PVOP_ALT): either table's
 * forms, whichever comes first. */
static void test_paravirt_alternative(void **state)
{
	const unsigned char pre[8] = { 0xff, 0x15, 0, 0, 0, 0, 0xc3 };
	const unsigned char cli[1] = { 0xfa };
	const unsigned char wild[1] = { 0 };
	const struct kmend_pre_site both[2][2] = {
		{ { .offset = 0, .len = 6, .kind = KMEND_SITE_ALTERNATIVE,
		    .repl = cli, .repl_wild = wild, .repl_len = 1 },
		  { .offset = 0, .len = 6, .kind = KMEND_SITE_PARAVIRT } },
		{ { .offset = 0, .len = 6, .kind = KMEND_SITE_PARAVIRT },
		  { .offset = 0, .len = 6, .kind = KMEND_SITE_ALTERNATIVE,
		    .repl = cli, .repl_wild = wild, .repl_len = 1 } },
	};
	const unsigned char native[7] = { 0xfa, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0xc3 };
	const unsigned char xen[7] = { 0xe8, 1, 2, 3, 4, 0x90, 0xc3 };
	const unsigned char neither[7] = { 0xfb, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0xc3 };
	struct kmend_mismatch mm;

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct kmend_pre_func f = {
			.code = pre, .size = 7, .sites = both[k], .nr_sites = 2,
		};

		assert_true(match(&f, native, 7, &mm));
		assert_true(match(&f, xen, 7, &mm));
		assert_false(match(&f, neither, 7, &mm));
	}
}

/* A malformed site (no length) is a mismatch, not a loop. */
static void test_zero_length_site(void **state)
{
	const unsigned char code[2] = { 0x90, 0xc3 };
	const struct kmend_pre_site s = { .offset = 0, .len = 0, .kind = KMEND_SITE_LOCK };
	struct kmend_pre_func f = { .code = code, .size = 2, .sites = &s, .nr_sites = 1 };
	struct kmend_mismatch mm;

	(void)state;
	assert_false(match(&f, code, 2, &mm));
}

/* A jump label whose target is in the cold part: any jump of its size. */
static void test_jump_label_outside(void **state)
{
	const struct kmend_pre_site s = { .offset = 0, .len = 5, .kind = KMEND_SITE_JUMP_LABEL,
					  .target = KMEND_TARGET_OUTSIDE };
	const unsigned char pre[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

	(void)state;
	assert_true(site_holds(&s, pre, (unsigned char[]){ 0xe9, 0x00, 0x10, 0, 0 }));
	assert_false(site_holds(&s, pre, (unsigned char[]){ 0xe8, 0x00, 0x10, 0, 0 }));
}

static void test_nop_len(void **state)
{
	(void)state;
	assert_int_equal(kmend_nop_len((unsigned char[]){ 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0 }, 8), 8);
	assert_int_equal(kmend_nop_len((unsigned char[]){ 0x0f, 0x1f, 0x80, 0, 0, 0, 0 }, 7), 7);
	assert_int_equal(kmend_nop_len((unsigned char[]){ 0x0f, 0x1f, 0x44, 0, 0 }, 4), 0);
	assert_int_equal(kmend_nop_len((unsigned char[]){ 0xcc }, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_relocations_learn_symbols),
		cmocka_unit_test(test_fentry),
		cmocka_unit_test(test_jump_label),
		cmocka_unit_test(test_alternative),
		cmocka_unit_test(test_paravirt),
		cmocka_unit_test(test_static_call_return_lock),
		cmocka_unit_test(test_retpoline),
		cmocka_unit_test(test_paravirt_alternative),
		cmocka_unit_test(test_zero_length_site),
		cmocka_unit_test(test_jump_label_outside),
		cmocka_unit_test(test_nop_len),
	};

	return cmocka_run_group_tests_name("run-pre matching", tests, NULL, NULL);
}
