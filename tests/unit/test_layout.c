// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the layout check (layout.c): which types of a unit a
 * patch changes the layout of, from DWARF. Fixtures: layout_pre.c and
 * layout_post.c, built with -g.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layout.h"
#include "refuse.h"

#ifndef FIXTURES
#error "FIXTURES must name the folder of the compiled fixtures"
#endif

/* The refusal of @name, or NULL. */
static const struct refusal *refusal(const struct refusals *r, const char *name)
{
	for (size_t i = 0; i < r->nr; i++)
		if (!strcmp(r->items[i].name, name))
			return &r->items[i];
	return NULL;
}

/* The reason given for @name, or NULL if it is not refused. */
static const char *reason(const struct refusals *r, const char *name)
{
	const struct refusal *f = refusal(r, name);

	return f ? f->reason : NULL;
}

static void test_changed_layouts(void **state)
{
	struct refusals r = { 0 };
	char err[256];
	const char *why;

	(void)state;
	assert_int_equal(layout_refusals(FIXTURES "/layout_pre.o",
					 FIXTURES "/layout_post.o", NULL, 0, &r, err, sizeof(err)), 0);
	why = reason(&r, "struct moved");
	assert_non_null(why);
	assert_non_null(strstr(why, "size 16 -> 32, \"b@4 int\" -> \"added@8 long int\""));
	why = reason(&r, "struct bits");
	assert_non_null(why);
	assert_non_null(strstr(why, "size 4 -> 4, \"f@0 unsigned int:3@0\" -> \"f@0 unsigned int:4@0\""));
	why = reason(&r, "struct padded");
	assert_non_null(why);
	assert_non_null(strstr(why, "size 24 -> 24, \"d@16 long int\" -> \"d0@12 int\""));
	why = reason(&r, "struct nested");
	assert_non_null(why);
	assert_non_null(strstr(why, "\"l@8 long int\" -> \"l@8 long long int\""));
	why = reason(&r, "enum color");
	assert_non_null(why);
	assert_non_null(strstr(why, "\"GREEN=1\" -> \"YELLOW=1\""));
	why = reason(&r, "struct tail");
	assert_non_null(why);
	assert_non_null(strstr(why, "size 4 -> 16, a member after the last: \"more@8 long int\""));
	why = reason(&r, "struct cut");
	assert_non_null(why);
	assert_non_null(strstr(why, "size 16 -> 4, its last members gone, from \"gone@8 long int\""));
	/* alike, or a constant added after the others */
	assert_null(reason(&r, "struct same"));
	assert_null(reason(&r, "union either"));
	assert_null(reason(&r, "enum grows"));
	assert_int_equal(r.nr, 7);
	/* the function that takes one, left running */
	assert_string_equal(refusal(&r, "struct moved")->here,
			    "use_types, which the update leaves running, uses it here");
	assert_null(refusal(&r, "enum color")->here);
	refusals_free(&r);
}

/* Every function that uses the type is replaced: the data still is not. */
static void test_users_replaced(void **state)
{
	char *replaced[] = { "use_types.isra.0" }, err[256];
	struct refusals r = { 0 };
	const struct refusal *f;

	(void)state;
	assert_int_equal(layout_refusals(FIXTURES "/layout_pre.o", FIXTURES "/layout_post.o",
					 replaced, 1, &r, err, sizeof(err)), 0);
	f = refusal(&r, "struct moved");
	assert_non_null(f);
	assert_non_null(strstr(f->reason, "the data already in memory keeps the old one"));
	assert_non_null(strstr(f->here, "no function the update leaves running"));
	refusals_free(&r);
}

static void test_same_object(void **state)
{
	struct refusals r = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(layout_refusals(FIXTURES "/layout_pre.o",
					 FIXTURES "/layout_pre.o", NULL, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nr, 0);
	refusals_free(&r);
}

/* An object without DWARF: nothing to compare, nothing refused. */
static void test_no_debug_info(void **state)
{
	struct refusals r = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(layout_refusals(FIXTURES "/decls_pre.o",
					 FIXTURES "/decls_post.o", NULL, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nr, 0);
	refusals_free(&r);
}

static void test_missing_object(void **state)
{
	struct refusals r = { 0 };
	char err[256] = "";

	(void)state;
	assert_int_equal(layout_refusals(FIXTURES "/no-such.o", FIXTURES "/layout_pre.o",
					 NULL, 0, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no-such.o"));
	refusals_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changed_layouts),
		cmocka_unit_test(test_users_replaced),
		cmocka_unit_test(test_same_object),
		cmocka_unit_test(test_no_debug_info),
		cmocka_unit_test(test_missing_object),
	};

	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
