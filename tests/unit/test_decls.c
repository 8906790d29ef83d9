// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for a patch's declarations (kmend/patch.h): reading them from
 * the post object, what they make the comparison ignore, the callbacks and
 * hooks the payload names, and the model string. Fixtures: decls_pre.c and
 * decls_post.c.
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

#include "decls.h"
#include "elfobj.h"
#include "objdiff.h"
#include "payload.h"
#include "refuse.h"
#include "symvers.h"

#ifndef FIXTURES
#error "FIXTURES must name the folder of the compiled fixtures"
#endif

struct objs {
	struct elf_object pre, post;
	struct objdiff diff;
	struct decls decls;
};

static int setup(void **state)
{
	static struct objs o;
	char err[256];

	memset(&o, 0, sizeof(o));
	if (elf_object_open(&o.pre, FIXTURES "/decls_pre.o", err, sizeof(err)) ||
	    elf_object_open(&o.post, FIXTURES "/decls_post.o", err, sizeof(err)) ||
	    objdiff_compare(&o.pre, &o.post, &o.diff, err, sizeof(err)) ||
	    decls_read(&o.post, &o.decls, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	*state = &o;
	return 0;
}

static int teardown(void **state)
{
	struct objs *o = *state;

	if (!o)
		return 0;
	decls_free(&o->decls);
	objdiff_free(&o->diff);
	elf_object_close(&o->pre);
	elf_object_close(&o->post);
	return 0;
}

static const struct objdiff_entry *entry(const struct objdiff *d, const char *name)
{
	for (size_t i = 0; i < d->nr_entries; i++)
		if (!strcmp(d->entries[i].name, name))
			return &d->entries[i];
	fail_msg("%s: not in the diff", name);
	return NULL;
}

/* The declaration of @kind (the compiler may lay them out in any order). */
static const struct decl *of_kind(const struct decls *d, enum kmend_decl_kind kind)
{
	for (size_t i = 0; i < d->nr; i++)
		if (d->items[i].kind == kind)
			return &d->items[i];
	fail_msg("no declaration of kind %d", kind);
	return NULL;
}

static void test_read(void **state)
{
	struct objs *o = *state;

	assert_int_equal(o->decls.nr, 8);
	assert_int_equal(of_kind(&o->decls, KMEND_DECL_STATE)->state_id, 7);
	assert_int_equal(of_kind(&o->decls, KMEND_DECL_STATE)->state_version, 3);
	assert_null(of_kind(&o->decls, KMEND_DECL_STATE)->function);
	assert_null(of_kind(&o->decls, KMEND_DECL_STATE)->name);
	assert_string_equal(of_kind(&o->decls, KMEND_DECL_PRE_PATCH)->function, "fixture_pre_patch");
	assert_null(of_kind(&o->decls, KMEND_DECL_PRE_PATCH)->name);
	assert_string_equal(of_kind(&o->decls, KMEND_DECL_APPLY)->function, "fixture_apply");
	assert_string_equal(of_kind(&o->decls, KMEND_DECL_NO_REPLACE)->function, "keep_old");
	assert_string_equal(of_kind(&o->decls, KMEND_DECL_IGNORE_SYMBOL)->name, "ignored_value");
	assert_null(of_kind(&o->decls, KMEND_DECL_IGNORE_SYMBOL)->function);
	assert_string_equal(of_kind(&o->decls, KMEND_DECL_MODEL)->name,
			    "leave=patched-set,switch=kernel");
	assert_true(decl_names_code(KMEND_DECL_PRE_PATCH));
	assert_true(decl_names_code(KMEND_DECL_FAIL_REVERSE));
	assert_false(decl_names_code(KMEND_DECL_NO_REPLACE));
	for (size_t i = 0, flags = 0; i < o->decls.nr; i++) {
		const struct decl *d = &o->decls.items[i];

		if (d->kind != KMEND_DECL_ON_ACCESS)
			continue;
		/* the two flags, in either order, each naming its variable */
		assert_true(!strcmp(d->function, "fixture_switched") ||
			    !strcmp(d->function, "fixture_unread"));
		assert_true(++flags <= 2);
	}
	assert_false(decl_names_code(KMEND_DECL_ON_ACCESS));
	assert_true(decl_names_payload(KMEND_DECL_ON_ACCESS));
	assert_true(decl_names_payload(KMEND_DECL_APPLY));
	assert_false(decl_names_payload(KMEND_DECL_MODEL));
}

/* What is declared away no longer counts as a change, nor is refused. */
static void test_apply(void **state)
{
	struct objs *o = *state;
	struct refusals r;
	char err[256];

	assert_int_equal(entry(&o->diff, "keep_old")->status, OBJDIFF_CHANGED);
	assert_int_equal(entry(&o->diff, "ignored_value")->status, OBJDIFF_CHANGED);
	assert_int_equal(decls_apply(&o->decls, &o->post, &o->diff, err, sizeof(err)), 0);
	assert_int_equal(entry(&o->diff, "keep_old")->status, OBJDIFF_IGNORED);
	assert_string_equal(entry(&o->diff, "keep_old")->why, "KMEND_NO_REPLACE");
	assert_int_equal(entry(&o->diff, "ignored_value")->status, OBJDIFF_IGNORED);
	assert_int_equal(entry(&o->diff, "d_model")->status, OBJDIFF_IGNORED);
	assert_int_equal(entry(&o->diff, "changed")->status, OBJDIFF_CHANGED);
	assert_int_equal(entry(&o->diff, "fixture_pre_patch")->status, OBJDIFF_NEW);
	assert_int_equal(refusals_find(&o->pre, &o->post, &o->diff, &r), 0);
	assert_int_equal(r.nr, 0);
	refusals_free(&r);
}

/* Callbacks and hooks get globals the update's tables can name. */
static void test_payload_names_callbacks(void **state)
{
	struct objs *o = *state;
	char *named[] = { "fixture_pre_patch", "fixture_apply", "fixture_switched",
			  "keep_old", "fixture_unread" };
	char path[] = "/tmp/kmend-test-decls.XXXXXX", err[256];
	struct symvers none = { 0 };
	struct payload p;
	struct refusals r;
	struct payload_input in = {
		.pre = &o->pre, .post = &o->post, .diff = &o->diff,
		.exports = &none, .target = "vmlinux", .prefix = "__kmend_u0_",
		.unit = 1, .named = named, .nr_named = 3,
	};
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(decls_apply(&o->decls, &o->post, &o->diff, err, sizeof(err)), 0);
	assert_int_equal(payload_build(&in, path, &p, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nr, 0);
	assert_int_equal(p.nr_named, 3);
	assert_string_equal(p.named[0], "__kmend_u0_n0");
	assert_string_equal(p.named[1], "__kmend_u0_n1");
	assert_string_equal(p.named[2], "__kmend_u0_n2");	/* the flag */
	assert_int_equal(p.nr_funcs, 1);	/* changed(), not keep_old() */
	assert_string_equal(p.funcs[0].old_name, "changed");
	payload_free(&p);
	refusals_free(&r);

	/* an existing function cannot be a callback */
	in.named = &named[3];
	in.nr_named = 1;
	assert_int_equal(payload_build(&in, path, &p, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nr, 1);
	assert_string_equal(r.items[0].name, "keep_old");
	assert_non_null(strstr(r.items[0].reason, "a function the patch adds"));
	payload_free(&p);
	refusals_free(&r);

	/* a flag the new code does not read is not in the update */
	in.named = &named[4];
	assert_int_equal(payload_build(&in, path, &p, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nr, 1);
	assert_string_equal(r.items[0].name, "fixture_unread");
	assert_non_null(strstr(r.items[0].reason, "its new code reads"));
	payload_free(&p);
	refusals_free(&r);
	unlink(path);
}

static void test_ignore_naming_nothing(void **state)
{
	struct objs *o = *state;
	struct decl bad = { .kind = KMEND_DECL_IGNORE_SECTION, .name = ".data.nothing" };
	struct decls one = { .items = &bad, .nr = 1 };
	char err[256];

	assert_int_equal(decls_apply(&one, &o->post, &o->diff, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "KMEND_IGNORE_SECTION(.data.nothing): the unit has no such section"));
}

static void test_model(void **state)
{
	unsigned int leave = 9, sw = 9;

	(void)state;
	assert_int_equal(decl_model_parse("leave=patched-set,switch=kernel", &leave, &sw), 0);
	assert_int_equal(leave, 0);
	assert_int_equal(sw, 0);
	assert_int_equal(decl_model_parse("leave=kernel,switch=thread", &leave, &sw), 0);
	assert_int_equal(leave, 2);
	assert_int_equal(sw, 2);
	assert_int_equal(decl_model_parse("leave=function,switch=function", &leave, &sw), 0);
	assert_int_equal(leave, 1);
	assert_int_equal(sw, 1);
	assert_int_equal(decl_model_parse("leave=kernel", &leave, &sw), -1);
	assert_int_equal(decl_model_parse("leave=kern,switch=thread", &leave, &sw), -1);
	assert_int_equal(decl_model_parse("switch=thread,leave=kernel", &leave, &sw), -1);
	assert_int_equal(decl_model_parse("leave=kernel,switch=threads", &leave, &sw), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payload_names_callbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignore_naming_nothing, setup, teardown),
		cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests_name("decls", tests, NULL, NULL);
}
