// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the payload: what goes into the update, and where each
 * reference of the new code points (the running kernel's instance through
 * the module loader or a kmend relocation, or the update's own copy).
 * Fixtures: payload_pre.c and payload_post.c, built as the kernel builds.
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
#include "objdiff.h"
#include "payload.h"
#include "refuse.h"
#include "symvers.h"

#ifndef FIXTURES
#error "FIXTURES must name the folder of the compiled fixtures"
#endif

struct built {
	struct elf_object pre, post, out;
	struct objdiff diff;
	struct symvers exports;
	struct payload payload;
	struct refusals refused;
	char path[64];
	int written;
};

static int build(void **state, const char *post_name, const char *target)
{
	struct built *b = calloc(1, sizeof(*b));
	char err[256], post[512];
	struct payload_input in;
	int fd;

	if (!b)
		return -1;
	*state = b;
	snprintf(post, sizeof(post), FIXTURES "/%s.o", post_name);
	strcpy(b->path, "/tmp/kmend-test-payload.XXXXXX");
	fd = mkstemp(b->path);
	if (fd < 0)
		return -1;
	close(fd);
	if (elf_object_open(&b->pre, FIXTURES "/payload_pre.o", err, sizeof(err)) ||
	    elf_object_open(&b->post, post, err, sizeof(err)) ||
	    objdiff_compare(&b->pre, &b->post, &b->diff, err, sizeof(err)) ||
	    symvers_load(&b->exports, FIXTURES "/payload.symvers", err, sizeof(err)))
		goto fail;
	in = (struct payload_input){
		.pre = &b->pre, .post = &b->post, .diff = &b->diff,
		.exports = &b->exports, .target = target, .prefix = "__kmend_u0_",
	};
	if (payload_build(&in, b->path, &b->payload, &b->refused, err, sizeof(err)))
		goto fail;
	for (size_t i = 0; i < b->refused.nr; i++)
		fprintf(stderr, "refused %s: %s\n", b->refused.items[i].name,
			b->refused.items[i].reason);
	if (!b->refused.nr) {
		if (elf_object_open(&b->out, b->path, err, sizeof(err)))
			goto fail;
		b->written = 1;
	}
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", err);
	return -1;
}

static int setup(void **state)
{
	return build(state, "payload_post", "vmlinux");
}

static int setup_hidden_key(void **state)
{
	return build(state, "payload_post_hidden_key", "vmlinux");
}

static int setup_hidden_key_in_module(void **state)
{
	return build(state, "payload_post_hidden_key", "some_module");
}

static int setup_shared(void **state)
{
	return build(state, "payload_post_shared", "vmlinux");
}

static int teardown(void **state)
{
	struct built *b = *state;

	if (!b)
		return 0;
	if (b->written)
		elf_object_close(&b->out);
	payload_free(&b->payload);
	refusals_free(&b->refused);
	symvers_free(&b->exports);
	objdiff_free(&b->diff);
	elf_object_close(&b->pre);
	elf_object_close(&b->post);
	unlink(b->path);
	free(b);
	return 0;
}

static const struct payload_reloc *reloc_to(const struct payload *p, const char *prefix)
{
	for (size_t i = 0; i < p->nr_relocs; i++)
		if (!strncmp(p->relocs[i].symbol, prefix, strlen(prefix)))
			return &p->relocs[i];
	return NULL;
}

static const struct elf_symbol *symbol(const struct elf_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->nr_symbols; i++)
		if (!strcmp(obj->symbols[i].name, name))
			return &obj->symbols[i];
	return NULL;
}

static const struct elf_section *section(const struct elf_object *obj, const char *name)
{
	for (size_t i = 1; i < obj->nr_sections; i++)
		if (!strcmp(obj->sections[i].name, name))
			return &obj->sections[i];
	return NULL;
}

static void test_replaced_functions(void **state)
{
	struct built *b = *state;
	const char *want[] = { "changed", "address_of_changed", "with_extable",
			       "jumps_exported", "read_mostly", "label_address",
			       "count_until" };

	assert_int_equal(b->refused.nr, 0);
	assert_int_equal(b->payload.nr_funcs, 7);
	for (size_t i = 0; i < 7; i++) {
		size_t k;

		for (k = 0; k < b->payload.nr_funcs; k++)
			if (!strcmp(b->payload.funcs[k].old_name, want[i]))
				break;
		if (k == b->payload.nr_funcs)
			fail_msg("%s is not replaced", want[i]);
		/* the new code is reachable under the global name given */
		assert_non_null(symbol(&b->out, b->payload.funcs[k].new_symbol));
	}
	/* new and unchanged functions are not "replaced" */
	for (size_t k = 0; k < b->payload.nr_funcs; k++) {
		assert_string_not_equal(b->payload.funcs[k].old_name, "added");
		assert_string_not_equal(b->payload.funcs[k].old_name, "unchanged");
	}
}

static void test_only_what_changed_is_carried(void **state)
{
	struct built *b = *state;

	assert_non_null(section(&b->out, ".text.changed"));
	assert_non_null(section(&b->out, ".text.added"));
	assert_null(section(&b->out, ".text.unchanged"));
	assert_null(section(&b->out, ".text.helper"));
	assert_null(section(&b->out, ".text.other_extable"));
	assert_null(section(&b->out, ".text.jumps_hidden"));
}

/* Unexported symbols of the running kernel: kmend relocations. */
static void test_engine_resolves_the_unexported(void **state)
{
	struct built *b = *state;
	const char *names[] = { "helper", "calls.", "global_state", "hidden_func" };
	const struct payload_reloc *r = reloc_to(&b->payload, "helper");

	for (size_t i = 0; i < 4; i++)
		if (!reloc_to(&b->payload, names[i]))
			fail_msg("no kmend relocation to %s", names[i]);
	/* the call to the unchanged static helper: PC-relative, to its start */
	assert_int_equal(r->type, R_X86_64_PC32);
	assert_int_equal(r->addend, -4);
	/* only the new code's references: helper's own use of state is not */
	assert_null(reloc_to(&b->payload, "state"));
	/* and none is left for the module loader, which could not resolve it */
	for (size_t i = 0; i < 4; i++) {
		const struct elf_symbol *s = symbol(&b->out, names[i]);

		assert_true(!s || s->sym.st_shndx != SHN_UNDEF);
	}
}

/* One past the end of an array, a loop bound: resolved from the array. */
static void test_place_at_end_of_object(void **state)
{
	struct built *b = *state;
	const struct payload_reloc *r = reloc_to(&b->payload, "ends");

	assert_non_null(r);
	assert_int_equal(r->type, R_X86_64_32S);
	assert_int_equal(r->addend, 16);
	for (size_t i = 0; i < b->refused.nr; i++)
		assert_null(strstr(b->refused.items[i].reason, "unnamed place"));
}

/* Exports stay ordinary relocations, with the namespace imported. */
static void test_loader_resolves_exports(void **state)
{
	struct built *b = *state;
	const char *names[] = { "exported_func", "exported_counter", "exported_key" };

	for (size_t i = 0; i < 3; i++) {
		const struct elf_symbol *s = symbol(&b->out, names[i]);

		if (!s || s->sym.st_shndx != SHN_UNDEF)
			fail_msg("%s is not an undefined symbol of the payload", names[i]);
		assert_null(reloc_to(&b->payload, names[i]));
	}
	assert_int_equal(b->payload.nr_namespaces, 1);
	assert_string_equal(b->payload.namespaces[0], "SOME_NS");
}

/* A static local the compiler renumbered: the running kernel's name. */
static void test_static_local_keeps_its_running_name(void **state)
{
	struct built *b = *state;
	const struct payload_reloc *r = reloc_to(&b->payload, "calls.");
	const struct elf_symbol *pre = NULL;

	for (size_t i = 0; i < b->pre.nr_symbols; i++)
		if (!strncmp(b->pre.symbols[i].name, "calls.", 6))
			pre = &b->pre.symbols[i];
	assert_non_null(pre);
	assert_non_null(symbol(&b->post, "calls.1"));	/* renumbered... */
	assert_string_equal(pre->name, "calls.0");
	assert_non_null(r);
	assert_string_equal(r->symbol, "calls.0");	/* ...but not for the kernel */
}

/* New data: the update's own copy. Existing data, even a constant: the
 * kernel's (its address may be compared or handed out). */
static void test_new_data_copied_existing_not(void **state)
{
	struct built *b = *state;
	const struct elf_symbol *s = symbol(&b->out, "new_data");

	assert_non_null(s);
	assert_int_not_equal(s->sym.st_shndx, SHN_UNDEF);
	assert_null(reloc_to(&b->payload, "new_data"));
	assert_non_null(reloc_to(&b->payload, "table"));
	assert_null(symbol(&b->out, "table"));
}

/*
 * movl $7, first_rm(%rip): the CPU adds the displacement at the end of the
 * instruction, after the immediate. Taken as 4 bytes on, the place would
 * fall on second_rm, the object before it in the shared section.
 */
static void test_immediate_after_displacement(void **state)
{
	struct built *b = *state;
	const struct payload_reloc *first = reloc_to(&b->payload, "first_rm");
	const struct payload_reloc *second = reloc_to(&b->payload, "second_rm");

	assert_non_null(first);
	assert_non_null(second);
	assert_int_equal(first->type, R_X86_64_PC32);
	assert_int_equal(first->addend, -8);	/* 4 bytes of displacement, 4 of immediate */
	assert_int_equal(second->addend, -4);
}

/* The address of a place inside a changed function: the new code's. */
static void test_place_inside_function_is_new_code(void **state)
{
	struct built *b = *state;
	const struct elf_section *text = section(&b->out, ".text.label_address");
	int inside = 0;

	assert_null(reloc_to(&b->payload, "label_address"));
	assert_non_null(text);
	for (size_t k = 0; k < text->nr_relas; k++) {
		const struct elf_rela *r = &text->relas[k];
		const struct elf_symbol *t = &b->out.symbols[r->sym];

		if (r->type == R_X86_64_32S && t->sym.st_shndx == text->index)
			inside = 1;
	}
	assert_true(inside);
}

/* A call to a changed function goes to the new code; its address, taken,
 * stays the running one (equal to what the kernel stored). */
static void test_calls_new_address_old(void **state)
{
	struct built *b = *state;
	const struct payload_reloc *r = reloc_to(&b->payload, "changed");
	const struct elf_section *text = section(&b->out, ".text.changed");
	int calls_added = 0;

	assert_non_null(r);
	assert_string_equal(r->symbol, "changed");
	assert_int_equal(r->type, R_X86_64_32S);
	assert_non_null(text);
	for (size_t k = 0; k < text->nr_relas; k++) {
		const struct elf_symbol *t = &b->out.symbols[text->relas[k].sym];

		if (!strcmp(t->name, "added") && t->sym.st_shndx != SHN_UNDEF)
			calls_added = 1;
	}
	assert_true(calls_added);
}

/* Kernel tables: the entries about the new code, and only those. */
static void test_tables_follow_the_code(void **state)
{
	struct built *b = *state;
	const struct elf_section *ex = section(&b->out, "__ex_table");
	const struct elf_section *jt = section(&b->out, "__jump_table");
	const struct elf_section *mc = section(&b->out, "__mcount_loc");

	assert_non_null(ex);
	assert_int_equal(ex->size, 12);		/* with_extable's, not other_extable's */
	assert_int_equal(ex->nr_relas, 2);
	assert_non_null(jt);
	assert_int_equal(jt->size, 16);		/* jumps_exported's, not jumps_hidden's */
	assert_null(reloc_to(&b->payload, "hidden_key"));
	assert_string_equal(b->out.symbols[jt->relas[2].sym].name, "exported_key");
	assert_non_null(mc);
	/* changed, added, counts_first, address_of_changed, with_extable,
	 * jumps_exported, read_mostly, label_address, count_until: not helper,
	 * unchanged, other_extable, jumps_hidden, read_both, sched_one,
	 * sched_two */
	assert_int_equal(mc->size, 9 * 8);
}

/*
 * A jump label whose key the module loader cannot resolve: the kernel
 * reads it while loading the update, so the engine's module notifier
 * resolves it then (in vmlinux).
 */
static void test_unexported_static_key_at_load(void **state)
{
	struct built *b = *state;
	const struct payload_reloc *r = reloc_to(&b->payload, "hidden_key");
	const struct elf_section *jt = section(&b->out, "__jump_table");

	assert_int_equal(b->refused.nr, 0);
	assert_non_null(r);
	assert_true(r->at_load);
	assert_int_equal(r->type, R_X86_64_PC64);
	assert_non_null(jt);
	assert_int_equal(jt->size, 32);		/* both jumps_* functions changed */
	/* the code's own references are for after apply */
	assert_false(reloc_to(&b->payload, "hidden_func")->at_load);
}

/* In a module, kmend does not resolve load-time references: refused. */
static void test_unexported_static_key_refused_in_module(void **state)
{
	struct built *b = *state;

	assert_int_equal(b->refused.nr, 1);
	assert_string_equal(b->refused.items[0].name, "hidden_key");
	assert_non_null(strstr(b->refused.items[0].reason, "__jump_table"));
	assert_non_null(strstr(b->refused.items[0].reason, "vmlinux only"));
	assert_false(b->written);
}

static const struct refusal *refused(const struct built *b, const char *name)
{
	for (size_t i = 0; i < b->refused.nr; i++)
		if (!strcmp(b->refused.items[i].name, name))
			return &b->refused.items[i];
	return NULL;
}

/* What an update cannot carry, each refused by name, and nothing written. */
static void test_cannot_carry(void **state)
{
	struct built *b = *state;
	const struct refusal *r;

	r = refused(b, "sched_one");
	assert_non_null(r);
	assert_non_null(strstr(r->reason, "shares its section .sched.text with 1 other function (sched_two)"));
	r = refused(b, "pcpu_new");
	assert_non_null(r);
	assert_non_null(strstr(r->reason, "per-CPU"));
	r = refused(b, "new_init");
	assert_non_null(r);
	assert_non_null(strstr(r->reason, "__init"));
	assert_int_equal(b->refused.nr, 3);
	assert_false(b->written);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_export_crcs(void **state)
{
	char pre[] = "/tmp/kmend-test-crc-pre.XXXXXX", post[] = "/tmp/kmend-test-crc-post.XXXXXX";
	struct refusals r = { 0 };
	char err[128];

	(void)state;
	close(mkstemp(pre));
	close(mkstemp(post));
	write_file(pre, "#SYMVER same 0x00000001\n#SYMVER typed 0x00000002\n#SYMVER gone 0x3\n");
	write_file(post, "#SYMVER same 0x00000001\n#SYMVER typed 0x00000022\n#SYMVER added 0x4\n");
	assert_int_equal(refusals_find_crc(pre, post, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nr, 3);
	assert_string_equal(r.items[0].name, "typed");
	assert_non_null(strstr(r.items[0].reason, "0x00000002 -> 0x00000022"));
	assert_string_equal(r.items[1].name, "gone");
	assert_string_equal(r.items[2].name, "added");
	refusals_free(&r);

	/* the same exports, or none at all: nothing refused */
	assert_int_equal(refusals_find_crc(pre, pre, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nr, 0);
	assert_int_equal(refusals_find_crc("/nonexistent.crc", "/nonexistent.crc", &r, err, sizeof(err)), 0);
	assert_int_equal(r.nr, 0);
	unlink(pre);
	unlink(post);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replaced_functions),
		cmocka_unit_test(test_only_what_changed_is_carried),
		cmocka_unit_test(test_engine_resolves_the_unexported),
		cmocka_unit_test(test_place_at_end_of_object),
		cmocka_unit_test(test_loader_resolves_exports),
		cmocka_unit_test(test_static_local_keeps_its_running_name),
		cmocka_unit_test(test_new_data_copied_existing_not),
		cmocka_unit_test(test_immediate_after_displacement),
		cmocka_unit_test(test_place_inside_function_is_new_code),
		cmocka_unit_test(test_calls_new_address_old),
		cmocka_unit_test(test_tables_follow_the_code),
	};
	const struct CMUnitTest hidden[] = {
		cmocka_unit_test(test_unexported_static_key_at_load),
	};
	const struct CMUnitTest hidden_module[] = {
		cmocka_unit_test(test_unexported_static_key_refused_in_module),
	};
	const struct CMUnitTest shared[] = {
		cmocka_unit_test(test_cannot_carry),
	};
	const struct CMUnitTest crcs[] = {
		cmocka_unit_test(test_export_crcs),
	};

	return cmocka_run_group_tests_name("payload", tests, setup, teardown) |
	       cmocka_run_group_tests_name("payload, unexported static key", hidden,
					   setup_hidden_key, teardown) |
	       cmocka_run_group_tests_name("payload for a module, unexported static key",
					   hidden_module, setup_hidden_key_in_module, teardown) |
	       cmocka_run_group_tests_name("payload, changes it cannot carry", shared,
					   setup_shared, teardown) |
	       cmocka_run_group_tests_name("export CRCs", crcs, NULL, NULL);
}
