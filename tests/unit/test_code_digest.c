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
	/* an alias names its target in a string */
	const char *alias_a = "static int f(void) { return 1; }\n"
		"int g(void) __attribute__((alias(\"f\")));\n";
	const char *alias_b = "static int f(void) { return 2; }\n"
		"int g(void) __attribute__((alias(\"f\")));\n";
	const char *section = "static int __attribute__((__section__(\".x\"))) f(void) { return 1; }\n";
	const char *section_b = "static int __attribute__((__section__(\".x\"))) f(void) { return 2; }\n";

	(void)state;
	assert_false(same_code(used_a, used_b));
	assert_false(same_code(global_a, global_b));
	assert_false(same_code(data_a, data_b));
	assert_false(same_code(decl_a, decl_b));
	assert_false(same_code(section, section_b));
	assert_false(same_code(alias_a, alias_b));
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

/* Shapes a function is kept for: what it declares or does reaches further. */
static void test_kept_shapes(void **state)
{
	static const char *const pairs[][2] = {
		/* an enumerator and a tag declared in the return type */
		{ "static enum { A = 1 } f(void) { return A; }\nint g(void) { return A; }\n",
		  "static enum { A = 2 } f(void) { return A; }\nint g(void) { return A; }\n" },
		/* a block-scope extern of a name used elsewhere: weak spreads */
		{ "extern int x;\nstatic inline int f(void) { extern int x; return x; }\n"
		  "int g(void) { return x; }\n",
		  "extern int x;\nstatic inline int f(void) { extern int x __attribute__((weak)); return x; }\n"
		  "int g(void) { return x; }\n" },
		/* a pragma inside: pack goes on after the function */
		{ "static inline int f(void) {\n#pragma pack(1)\nreturn 0; }\nstruct s { char c; int i; };\n",
		  "static inline int f(void) {\n#pragma pack(2)\nreturn 0; }\nstruct s { char c; int i; };\n" },
		/* the name is the one before the parameters, not _Atomic */
		{ "static _Atomic(int) *f(void) { static _Atomic(int) x = 1; return &x; }\n"
		  "int g(void) { return *f(); }\n",
		  "static _Atomic(int) *f(void) { static _Atomic(int) x = 2; return &x; }\n"
		  "int g(void) { return *f(); }\n" },
		/* K&R parameters: ';' before the body */
		{ "static int f(a) int a; { return a + 1; }\nstatic int h(void) { return 1; }\n"
		  "int g(int x) { return f(x); }\n",
		  "static int f(a) int a; { return a + 2; }\nstatic int h(void) { return 1; }\n"
		  "int g(int x) { return f(x); }\n" },
		/* a standard attribute */
		{ "[[gnu::used]] static int h(int a) { return a; }\n",
		  "[[gnu::used]] static int h(int a) { return -a; }\n" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(*pairs); i++) {
		print_message("pair %zu\n", i);
		assert_false(same_code(pairs[i][0], pairs[i][1]));
	}
}

/* BUILD_BUG_ON's declaration inside an unused inline goes with it. */
static void test_private_extern(void **state)
{
	const char *a = "static inline int f(int n) { do { extern void __compiletime_assert_7(void) "
		"__attribute__((__error__(\"x\"))); if (!(n)) __compiletime_assert_7(); } while (0); "
		"return 1; }\nint g(void) { return 0; }\n";
	const char *b = "static inline int f(int n) { do { extern void __compiletime_assert_7(void) "
		"__attribute__((__error__(\"x\"))); if (!(n)) __compiletime_assert_7(); } while (0); "
		"return 2; }\nint g(void) { return 0; }\n";

	(void)state;
	assert_true(same_code(a, b));
}

/* What the digest does not follow: no digest, so the unit is compiled. */
static void test_beyond_reach(void **state)
{
	const char *weak = "static int f(void) { return 1; }\n#pragma weak g = f\n";
	const char *optimize = "#pragma GCC optimize(\"O0\")\nstatic int f(void) { return 1; }\n";
	const char *raw = "const char *s = R\"x(a\" + b)x\";\n";
	struct code_digest d;

	(void)state;
	assert_int_equal(code_digest(weak, strlen(weak), &d), -1);
	assert_int_equal(code_digest(optimize, strlen(optimize), &d), -1);
	assert_int_equal(code_digest(raw, strlen(raw), &d), -1);
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
		cmocka_unit_test(test_kept_shapes),
		cmocka_unit_test(test_private_extern),
		cmocka_unit_test(test_beyond_reach),
		cmocka_unit_test(test_tokens),
	};

	return cmocka_run_group_tests_name("code_digest", tests, NULL, NULL);
}
