// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the digests of preprocessed text (code_digest.c): a change
 * inside a static function the unit does not name, or a new one, leaves the
 * code digest alone; any change to what the unit uses or keeps changes it;
 * spacing changes neither.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "code_digest.h"

/* The header's part of a unit, with @helper's body, then the unit's own. */
#define HEADER(body) \
	"struct net { int custom; };\n" \
	"static inline __attribute__((__gnu_inline__)) __attribute__((__unused__)) " \
	"int fib_lookup(struct net *net, int *res)\n{\n" body "\n}\n" \
	"static inline int fib_helper(int x) { return fib_lookup(0, &x); }\n"

static void digest(const char *text, struct code_digest *d)
{
	assert_int_equal(code_digest(text, strlen(text), d), 0);
}

static bool same_text(const char *a, const char *b)
{
	struct code_digest x, y;

	digest(a, &x);
	digest(b, &y);
	return !memcmp(x.text, y.text, sizeof(x.text));
}

static bool same_code(const char *a, const char *b)
{
	struct code_digest x, y;

	digest(a, &x);
	digest(b, &y);
	return !memcmp(x.code, y.code, sizeof(x.code));
}

static void test_unused_function(void **state)
{
	const char *before = HEADER("int err = -101; return err;")
		"int unit_fn(int a) { return a + 1; }\n";
	const char *after = HEADER("int err = -11; if (err != -11) return 0; return -101;")
		"int unit_fn(int a) { return a + 1; }\n";
	struct code_digest d;

	(void)state;
	assert_false(same_text(before, after));
	/* fib_helper names fib_lookup, but nothing names fib_helper */
	assert_true(same_code(before, after));
	digest(after, &d);
	assert_int_equal(d.dropped, 2);
}

static void test_used_function(void **state)
{
	const char *before = HEADER("int err = -101; return err;")
		"int unit_fn(struct net *n) { int r; return fib_lookup(n, &r); }\n";
	const char *after = HEADER("int err = -11; return err;")
		"int unit_fn(struct net *n) { int r; return fib_lookup(n, &r); }\n";
	const char *through = HEADER("int err = -11; return err;")
		"int unit_fn(int a) { return fib_helper(a); }\n";
	const char *through_before = HEADER("int err = -101; return err;")
		"int unit_fn(int a) { return fib_helper(a); }\n";

	(void)state;
	assert_false(same_code(before, after));
	/* called through another static inline */
	assert_false(same_code(through_before, through));
}

static void test_kept_functions(void **state)
{
	/* what the compiler emits unused, or cannot see unused, counts */
	const char *used_a = "static __attribute__((used)) int f(void) { return 1; }\n";
	const char *used_b = "static __attribute__((used)) int f(void) { return 2; }\n";
	const char *global_a = "int f(void) { return 1; }\n";
	const char *global_b = "int f(void) { return 2; }\n";
	const char *data_a = "static const int table[] = { 1, 2 };\n";
	const char *data_b = "static const int table[] = { 1, 3 };\n";
	const char *decl_a = "static inline int f(void);\nstatic inline int f(void) { return 1; }\n";
	const char *decl_b = "static inline int f(void);\nstatic inline int f(void) { return 2; }\n";
	const char *section = "static int __attribute__((__section__(\".x\"))) f(void) { return 1; }\n";
	const char *section_b = "static int __attribute__((__section__(\".x\"))) f(void) { return 2; }\n";

	(void)state;
	assert_false(same_code(used_a, used_b));
	assert_false(same_code(global_a, global_b));
	assert_false(same_code(data_a, data_b));
	assert_false(same_code(decl_a, decl_b));
	assert_false(same_code(section, section_b));
}

static void test_new_helper_and_struct_attribute(void **state)
{
	const char *base = "struct s { int a; };\nint g(struct s *p) { return p->a; }\n";
	const char *helper = "struct s { int a; };\n"
		"static inline _Bool s_hold_safe(struct s *p) { return p->a != 0; }\n"
		"int g(struct s *p) { return p->a; }\n";
	/* an attribute's '(' before a struct body is no function */
	const char *attr_a = "static struct __attribute__((aligned(8))) { int a; } v;\n";
	const char *attr_b = "static struct __attribute__((aligned(8))) { long a; } v;\n";
	/* "section" as a parameter's name does not keep a function */
	const char *param_a = "static inline int f(int section) { return section; }\n";
	const char *param_b = "static inline int f(int section) { return -section; }\n";

	(void)state;
	assert_true(same_code(base, helper));
	assert_false(same_code(attr_a, attr_b));
	assert_true(same_code(param_a, param_b));
}

static void test_tokens(void **state)
{
	(void)state;
	/* spacing does not count; the tokens do */
	assert_true(same_text("int  f ( void ) {return 1;}\n", "int f(void)\n{\n\treturn 1;\n}\n"));
	assert_false(same_text("int a = b + ++c;", "int a = b++ + c;"));
	assert_false(same_text("char *s = \"a b\";", "char *s = \"a  b\";"));
	assert_false(same_text("int x = 1e+5;", "int x = 1e-5;"));
	assert_true(same_text("#pragma GCC diagnostic push\nint x;", "#pragma GCC diagnostic push\n int x;"));
	assert_false(same_text("#pragma GCC diagnostic push\nint x;", "#pragma GCC diagnostic pop\nint x;"));
	/* a string holding a brace or a quote does not end an item */
	assert_true(same_code("static inline int f(void) { return \"}\\\"\"[0]; }\nint y;",
			      "static inline int f(void) { return '}'; }\nint y;"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unused_function),
		cmocka_unit_test(test_used_function),
		cmocka_unit_test(test_kept_functions),
		cmocka_unit_test(test_new_helper_and_struct_attribute),
		cmocka_unit_test(test_tokens),
	};

	return cmocka_run_group_tests_name("code_digest", tests, NULL, NULL);
}
