// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the object differ, on two builds of a small unit compiled
 * with the kernel's -ffunction-sections -fdata-sections (see Makefile).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "elfobj.h"
#include "objdiff.h"
#include "refuse.h"
#include "table_copy.h"
#include "through_callers.h"

#ifndef FIXTURES
#error "FIXTURES must name the folder of the compiled fixtures"
#endif

struct objs {
	struct elf_object pre, post;
	struct objdiff diff;
};

static int open_pair(void **state, struct objs *o, const char *suffix)
{
	char err[256], pre[512], post[512];

	snprintf(pre, sizeof(pre), FIXTURES "/objdiff_pre%s.o", suffix);
	snprintf(post, sizeof(post), FIXTURES "/objdiff_post%s.o", suffix);
	if (elf_object_open(&o->pre, pre, err, sizeof(err)) ||
	    elf_object_open(&o->post, post, err, sizeof(err)) ||
	    objdiff_compare(&o->pre, &o->post, &o->diff, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	*state = o;
	return 0;
}

/* As kmend create builds: -ffunction-sections -fdata-sections. */
static int setup(void **state)
{
	static struct objs o;

	return open_pair(state, &o, "");
}

/* Strings of all functions in one section, shifted by the new one. */
static int setup_shared_rodata(void **state)
{
	static struct objs o;

	return open_pair(state, &o, "-shared-rodata");
}

static int teardown(void **state)
{
	struct objs *o = *state;

	if (!o)		/* setup failed */
		return 0;
	objdiff_free(&o->diff);
	elf_object_close(&o->pre);
	elf_object_close(&o->post);
	return 0;
}

static const struct objdiff_entry *find(const struct objdiff *d,
					const char *name)
{
	size_t len = objdiff_base_name_len(name);

	for (size_t i = 0; i < d->nr_entries; i++)
		if (!strncmp(d->entries[i].name, name, len) &&
		    objdiff_base_name_len(d->entries[i].name) == len)
			return &d->entries[i];
	return NULL;
}

static void expect(void **state, const char *name, enum objdiff_status want)
{
	struct objs *o = *state;
	const struct objdiff_entry *e = find(&o->diff, name);

	if (!e)
		fail_msg("%s: not in the diff", name);
	if (e->status != want)
		fail_msg("%s: %s (%s), expected %s", name,
			 objdiff_status_name(e->status), e->why ? e->why : "",
			 objdiff_status_name(want));
}

static void test_unchanged_function(void **state)
{
	expect(state, "unchanged", OBJDIFF_SAME);
}

static void test_changed_function(void **state)
{
	struct objs *o = *state;

	expect(state, "changed", OBJDIFF_CHANGED);
	assert_non_null(find(&o->diff, "changed")->why);
}

static void test_new_and_deleted_functions(void **state)
{
	expect(state, "new_func", OBJDIFF_NEW);
	expect(state, "deleted_func", OBJDIFF_DELETED);
}

static void test_new_string_elsewhere(void **state)
{
	expect(state, "shifted_string", OBJDIFF_SAME);
}

static void test_shared_rodata(void **state)
{
	expect(state, "shifted_string", OBJDIFF_SAME);
	expect(state, "unchanged", OBJDIFF_SAME);
	expect(state, "changed", OBJDIFF_CHANGED);
	expect(state, "line_only", OBJDIFF_LINE_ONLY);
}

static void test_static_local_renumbered(void **state)
{
	struct objs *o = *state;
	size_t same = 0, new = 0;

	expect(state, "uses_static", OBJDIFF_SAME);
	/* Two "calls.N" in post: the one of uses_static is the old one. */
	for (size_t i = 0; i < o->diff.nr_entries; i++) {
		const struct objdiff_entry *e = &o->diff.entries[i];

		if (strncmp(e->name, "calls.", 6))
			continue;
		same += e->status == OBJDIFF_SAME;
		new += e->status == OBJDIFF_NEW;
	}
	assert_int_equal(same, 1);
	assert_int_equal(new, 1);
}

static void test_line_only_change(void **state)
{
	expect(state, "line_only", OBJDIFF_LINE_ONLY);
}

/* A pr_debug's descriptor whose line moved (also above 65535). */
static void test_dyndbg_line(void **state)
{
	expect(state, "ddebug_moved", OBJDIFF_LINE_ONLY);
	expect(state, "ddebug_class", OBJDIFF_CHANGED);
}

static void test_not_a_line_number(void **state)
{
	expect(state, "arg_before_might_sleep", OBJDIFF_CHANGED);
}

static void test_unnamed_constant(void **state)
{
	expect(state, "local_table", OBJDIFF_CHANGED);
}

static void test_data(void **state)
{
	expect(state, "data_value", OBJDIFF_CHANGED);
	expect(state, "data_same", OBJDIFF_SAME);
	expect(state, "counter", OBJDIFF_SAME);
}

/*
 * Numbered descriptors whose numbers shifted: each old message pairs with
 * its own (its line moved), the added one is new; none reads as changed.
 */
static void test_numbered_descriptors(void **state)
{
	struct objs *o = *state;
	size_t same = 0, added = 0, changed = 0;

	for (size_t i = 0; i < o->diff.nr_entries; i++) {
		const struct objdiff_entry *e = &o->diff.entries[i];

		if (strncmp(e->name, "descriptor.", strlen("descriptor.")))
			continue;
		if (e->status == OBJDIFF_SAME || e->status == OBJDIFF_LINE_ONLY)
			same++;
		else if (e->status == OBJDIFF_NEW)
			added++;
		else
			changed++;
	}
	assert_int_equal(same, 2);
	assert_int_equal(added, 1);
	assert_int_equal(changed, 0);
}

/* __UNIQUE_ID() counters shifted: the same statics, the same function. */
static void test_unique_id_counters(void **state)
{
	struct objs *o = *state;
	size_t same = 0;

	expect(state, "unique_messages", OBJDIFF_SAME);
	for (size_t i = 0; i < o->diff.nr_entries; i++) {
		const struct objdiff_entry *e = &o->diff.entries[i];

		if (strncmp(e->name, "__UNIQUE_ID_ddebug", strlen("__UNIQUE_ID_ddebug")))
			continue;
		if (e->status != OBJDIFF_SAME)
			fail_msg("%s: %s, expected same", e->name, objdiff_status_name(e->status));
		same++;
	}
	assert_int_equal(same, 2);
	assert_int_equal(objdiff_counter_free_len("__UNIQUE_ID_ddebug615.31"),
			 strlen("__UNIQUE_ID_ddebug"));
	assert_int_equal(objdiff_counter_free_len("calls.12"), 5);
}

static void test_refusals(void **state)
{
	struct objs *o = *state;
	struct refusals r;
	/*
	 * use_limit's static limit.N, told from other_limit's by its user;
	 * not ddebug_class, a changed dynamic-debug descriptor: the new code
	 * carries its own copy.
	 */
	/* not untraced_func or quiet_body: functions without a site are
	 * reached through their callers or a jump at their entry */
	const char *want[] = { "data_value", "limit.", "limits", "ops", "entry_like" };
	const char *reason[] = { "value changes", "value changes",
				 "value changes", "value changes",
				 "it is in .noinstr.text" };
	const char *kind[] = { "changed_data", "changed_data",
			       "changed_data", "changed_data", "noinstr_code" };
	size_t next_boot = 0;

	/* the changed __init function is not replaced: "next boot" */
	assert_int_equal(refusals_mark_next_boot(&o->pre, &o->diff, false), 1);
	for (size_t i = 0; i < o->diff.nr_entries; i++) {
		const struct objdiff_entry *e = &o->diff.entries[i];

		if (e->status != OBJDIFF_NEXT_BOOT)
			continue;
		next_boot++;
		assert_string_equal(e->name, "init_func");
		assert_string_equal(e->why, "__init code in .init.text: already run; the change takes effect when the kernel starts from a new build");
	}
	assert_int_equal(next_boot, 1);
	assert_int_equal(refusals_find(&o->pre, &o->post, &o->diff, &r), 0);
	assert_int_equal(r.nr, 5);
	for (size_t i = 0; i < 5; i++) {
		size_t k = 0;

		while (k < r.nr && strncmp(r.items[k].name, want[i], strlen(want[i])))
			k++;
		if (k == r.nr)
			fail_msg("%s was not refused", want[i]);
		assert_non_null(strstr(r.items[k].reason, reason[i]));
		assert_string_equal(r.items[k].kind, kind[i]);
	}
	refusals_free(&r);
}

/*
 * A changed table of plain values that one function reads: copied, its
 * reader replaced; a table of addresses (ops) still refused.
 */
static void test_table_copy(void **state)
{
	struct objs *o = *state;
	const struct objdiff_entry *limits = find(&o->diff, "limits");
	const struct objdiff_entry *reader = find(&o->diff, "read_limit");
	const struct objdiff_entry *ops = find(&o->diff, "ops");
	struct refusals r;

	assert_int_equal(limits->status, OBJDIFF_CHANGED);
	assert_int_equal(reader->status, OBJDIFF_SAME);
	assert_int_equal(table_copy_mark(&o->post, &o->diff), 1);
	assert_int_equal(limits->status, OBJDIFF_COPIED);
	assert_string_equal(limits->why, "a read-only table only functions of this unit read: the update carries its own copy and replaces 1 reader");
	assert_int_equal(reader->status, OBJDIFF_CHANGED);
	assert_string_equal(reader->why, "it reads limits, a changed read-only table the update carries its own copy of");
	assert_int_equal(ops->status, OBJDIFF_CHANGED);
	assert_int_equal(refusals_find(&o->pre, &o->post, &o->diff, &r), 0);
	for (size_t i = 0; i < r.nr; i++)
		assert_string_not_equal(r.items[i].name, "limits");
	refusals_free(&r);
}

/*
 * A changed static function without an ftrace site whose address nothing
 * takes: carried, reached through its caller, which is replaced; a global
 * one (untraced_func) is replaced with a jump at its entry, and said so.
 */
static void test_through_callers(void **state)
{
	struct objs *o = *state;
	const struct objdiff_entry *body = find(&o->diff, "quiet_body");
	const struct objdiff_entry *caller = find(&o->diff, "quiet_caller");
	const struct objdiff_entry *untraced = find(&o->diff, "untraced_func");
	struct refusals r;

	assert_int_equal(body->status, OBJDIFF_CHANGED);
	assert_int_equal(caller->status, OBJDIFF_SAME);
	assert_int_equal(through_callers_mark(&o->pre, &o->post, &o->diff), 1);
	assert_int_equal(body->status, OBJDIFF_COPIED);
	assert_non_null(strstr(body->why, "without an ftrace call site, is reached through its 1 caller"));
	assert_int_equal(caller->status, OBJDIFF_CHANGED);
	assert_string_equal(caller->why, "it calls quiet_body, which changed and has no ftrace call site");
	assert_int_equal(untraced->status, OBJDIFF_CHANGED);
	assert_int_equal(entry_jump_mark(&o->pre, &o->diff), 1);
	assert_non_null(strstr(untraced->why, "no ftrace call site: a jump at its entry takes its calls"));
	assert_null(caller->why ? strstr(caller->why, "a jump at its entry") : NULL);
	assert_int_equal(refusals_find(&o->pre, &o->post, &o->diff, &r), 0);
	for (size_t i = 0; i < r.nr; i++) {
		assert_string_not_equal(r.items[i].name, "quiet_body");
		assert_string_not_equal(r.items[i].name, "untraced_func");
	}
	refusals_free(&r);
}

static void test_base_name(void **state)
{
	(void)state;
	assert_int_equal(objdiff_base_name_len("calls.12"), 5);
	assert_int_equal(objdiff_base_name_len("foo.isra.0"), 8);
	assert_int_equal(objdiff_base_name_len("plain"), 5);
	assert_int_equal(objdiff_base_name_len("v2"), 2);
	assert_int_equal(objdiff_base_name_len(".5"), 2);
}

static void test_refuses_what_is_not_an_object(void **state)
{
	struct elf_object obj;
	char err[256] = "";

	(void)state;
	assert_int_equal(elf_object_open(&obj, "/nonexistent.o", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent.o"));
	assert_int_equal(elf_object_open(&obj, FIXTURES "/objdiff_pre.c", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an ELF file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged_function),
		cmocka_unit_test(test_changed_function),
		cmocka_unit_test(test_new_and_deleted_functions),
		cmocka_unit_test(test_new_string_elsewhere),
		cmocka_unit_test(test_static_local_renumbered),
		cmocka_unit_test(test_line_only_change),
		cmocka_unit_test(test_dyndbg_line),
		cmocka_unit_test(test_numbered_descriptors),
		cmocka_unit_test(test_unique_id_counters),
		cmocka_unit_test(test_not_a_line_number),
		cmocka_unit_test(test_unnamed_constant),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_table_copy),
		cmocka_unit_test(test_through_callers),
		cmocka_unit_test(test_base_name),
		cmocka_unit_test(test_refuses_what_is_not_an_object),
	};

	const struct CMUnitTest shared[] = {
		cmocka_unit_test(test_shared_rodata),
	};

	return cmocka_run_group_tests_name("objdiff", tests, setup, teardown) |
	       cmocka_run_group_tests_name("objdiff, shared .rodata", shared,
					   setup_shared_rodata, teardown);
}
