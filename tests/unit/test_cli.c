// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the kmend command line: dispatch, help, version, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "causes.h"
#include "cli.h"
#include "engine.h"
#include "json.h"

struct captured {
	int status;
	char *out;
	char *err;
};

static struct captured run(int argc, char **argv)
{
	struct captured c = { 0 };
	size_t out_len, err_len;
	FILE *out = open_memstream(&c.out, &out_len);
	FILE *err = open_memstream(&c.err, &err_len);

	assert_non_null(out);
	assert_non_null(err);
	c.status = kmend_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return c;
}

static void release(struct captured *c)
{
	free(c->out);
	free(c->err);
}

static void test_version(void **state)
{
	char *argv[] = { "kmend", "--version", NULL };
	struct captured c = run(2, argv);

	(void)state;
	assert_int_equal(c.status, KMEND_EXIT_OK);
	assert_true(strncmp(c.out, "kmend ", 6) == 0);
	assert_string_equal(c.out + 6, KMEND_VERSION "\n");
	assert_string_equal(c.err, "");
	release(&c);
}

static void test_help_goes_to_stdout(void **state)
{
	char *argv[] = { "kmend", "--help", NULL };
	struct captured c = run(2, argv);

	(void)state;
	assert_int_equal(c.status, KMEND_EXIT_OK);
	assert_non_null(strstr(c.out, "Usage: kmend"));
	assert_non_null(strstr(c.out, "Exit status"));
	assert_string_equal(c.err, "");
	release(&c);
}

static void test_no_arguments_is_usage_error(void **state)
{
	char *argv[] = { "kmend", NULL };
	struct captured c = run(1, argv);

	(void)state;
	assert_int_equal(c.status, KMEND_EXIT_USAGE);
	assert_string_equal(c.out, "");
	assert_non_null(strstr(c.err, "Usage: kmend"));
	release(&c);
}

static void test_unknown_command_named(void **state)
{
	char *argv[] = { "kmend", "frobnicate", NULL };
	struct captured c = run(2, argv);

	(void)state;
	assert_int_equal(c.status, KMEND_EXIT_USAGE);
	assert_non_null(strstr(c.err, "'frobnicate'"));
	assert_string_equal(c.out, "");
	release(&c);
}

static void test_unknown_option_named(void **state)
{
	char *argv[] = { "kmend", "--frob", NULL };
	struct captured c = run(2, argv);

	(void)state;
	assert_int_equal(c.status, KMEND_EXIT_USAGE);
	assert_non_null(strstr(c.err, "'--frob'"));
	release(&c);
}

static void test_help_subcommand(void **state)
{
	char *ok[] = { "kmend", "help", "help", NULL };
	char *bad[] = { "kmend", "help", "nosuch", NULL };
	struct captured c = run(3, ok);

	(void)state;
	assert_int_equal(c.status, KMEND_EXIT_OK);
	assert_non_null(strstr(c.out, "Commands:"));
	release(&c);

	c = run(3, bad);
	assert_int_equal(c.status, KMEND_EXIT_USAGE);
	assert_non_null(strstr(c.err, "'nosuch'"));
	release(&c);

	/* help COMMAND is that command's --help */
	char *apply[] = { "kmend", "help", "apply", NULL };

	c = run(3, apply);
	assert_int_equal(c.status, KMEND_EXIT_OK);
	assert_non_null(strstr(c.out, "Usage: kmend apply"));
	release(&c);
}

static void test_create_usage(void **state)
{
	char *help[] = { "kmend", "create", "--help", NULL };
	char *nopatch[] = { "kmend", "create", "--dry-run", NULL };
	char *bogus[] = { "kmend", "create", "--bogus", "x.patch", NULL };
	struct captured c = run(3, help);

	(void)state;
	assert_int_equal(c.status, KMEND_EXIT_OK);
	assert_non_null(strstr(c.out, "Usage: kmend create"));
	release(&c);

	c = run(3, nopatch);
	assert_int_equal(c.status, KMEND_EXIT_USAGE);
	assert_non_null(strstr(c.err, "no patch given"));
	release(&c);

	c = run(4, bogus);
	assert_int_equal(c.status, KMEND_EXIT_USAGE);
	assert_non_null(strstr(c.err, "'--bogus'"));
	release(&c);
}

/* Every command: --help on stdout, status 0; an unknown option, status 2. */
static void test_each_command_help_and_bad_option(void **state)
{
	static const char *const commands[] = {
		"apply", "undo", "list", "show", "install", "uninstall", "explain",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char *help[] = { "kmend", (char *)commands[i], "--help", NULL };
		char *bogus[] = { "kmend", (char *)commands[i], "--bogus", "x", NULL };
		char usage[64];
		struct captured c = run(3, help);

		snprintf(usage, sizeof(usage), "Usage: kmend %s", commands[i]);
		assert_int_equal(c.status, KMEND_EXIT_OK);
		assert_non_null(strstr(c.out, usage));
		assert_string_equal(c.err, "");
		release(&c);

		c = run(4, bogus);
		assert_int_equal(c.status, KMEND_EXIT_USAGE);
		assert_non_null(strstr(c.err, "kmend "));
		assert_string_equal(c.out, "");
		release(&c);
	}
}

/* Exit statuses 10-24, one per abort cause, each explained. */
static void test_explain_causes(void **state)
{
	char *by_status[] = { "kmend", "explain", "16", NULL };
	char *by_name[] = { "kmend", "explain", "no_match", NULL };
	char *unknown[] = { "kmend", "explain", "99", NULL };
	const struct abort_cause *all;
	struct captured c;
	size_t n;

	(void)state;
	all = abort_causes(&n);
	assert_int_equal(n, 15);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(all[i].exit_status, KMEND_EXIT_CAUSE_BASE + (int)i);
		assert_ptr_equal(abort_cause_find(all[i].name), &all[i]);
	}
	assert_string_equal(abort_cause_find("nonsense")->name, "unexpected");

	c = run(3, by_status);
	assert_int_equal(c.status, KMEND_EXIT_OK);
	assert_non_null(strstr(c.out, "code_busy (exit status 16)"));
	release(&c);
	c = run(3, by_name);
	assert_int_equal(c.status, KMEND_EXIT_OK);
	assert_non_null(strstr(c.out, "no_match (exit status 10): the update's pre code differs"));
	release(&c);
	c = run(3, unknown);
	assert_int_equal(c.status, KMEND_EXIT_USAGE);
	release(&c);
}

static void test_transition_left(void **state)
{
	char buf[64];

	(void)state;
	transition_left("applying 3\n42 cat\n", buf, sizeof(buf));
	assert_string_equal(buf, "3 tasks left");
	transition_left("undoing 1\n42 cat\n", buf, sizeof(buf));
	assert_string_equal(buf, "1 task left");
	transition_left("reversing 2\n", buf, sizeof(buf));
	assert_string_equal(buf, "reversing, 2 tasks left");
	transition_left("none\n", buf, sizeof(buf));
	assert_string_equal(buf, "");
	transition_left("sideways 2\n", buf, sizeof(buf));
	assert_string_equal(buf, "");
	transition_left(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_json_string(void **state)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	json_string(f, "a\"b\\c\nd\te\x01\xe9|caf\xc3\xa9|\xed\xa0\x80");
	fputc(' ', f);
	json_string(f, NULL);
	fclose(f);
	/* valid UTF-8 as it is; a stray byte and a surrogate, U+FFFD */
	assert_string_equal(buf, "\"a\\\"b\\\\c\\nd\\te\\u0001\\ufffd|caf\xc3\xa9|\\ufffd\\ufffd\\ufffd\" null");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_help_goes_to_stdout),
		cmocka_unit_test(test_no_arguments_is_usage_error),
		cmocka_unit_test(test_unknown_command_named),
		cmocka_unit_test(test_unknown_option_named),
		cmocka_unit_test(test_help_subcommand),
		cmocka_unit_test(test_create_usage),
		cmocka_unit_test(test_each_command_help_and_bad_option),
		cmocka_unit_test(test_explain_causes),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_transition_left),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
