// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for what a header change reaches: the index of #include lines
 * (includes_index.c) on a small tree made here, the compile command's
 * include path with the patched folders first (unit.c), and path folding.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "includes_index.h"
#include "unit.h"
#include "util.h"

static char root[] = "/tmp/kmend-test-headers.XXXXXX";

static void put_file(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	assert_int_equal(path_printf(path, sizeof(path), "%s/tree/%s", root, rel), 0);
	assert_int_equal(make_parent_dirs(path), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char cache[PATH_MAX];

	(void)state;
	if (!mkdtemp(root))
		return -1;
	snprintf(cache, sizeof(cache), "%s/cache", root);
	setenv("XDG_CACHE_HOME", cache, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	int status;

	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	status = system(cmd);
	return status ? -1 : 0;
}

static bool has(char **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

static void test_includes(void **state)
{
	char *std[] = { "./arch/x86/include", "./include" };
	char *a[] = { "include/linux/a.h" }, *local[] = { "drivers/x/local.h" };
	char *special[] = { "drivers/x/inc/foo/special.h" };
	char *arch[] = { "arch/x86/include/asm/thing.h" }, *generic[] = { "include/asm/thing.h" };
	char tree[PATH_MAX], err[256], **units;
	size_t n;

	(void)state;
	put_file("include/config/auto.conf", "CONFIG_X=y\n");
	put_file("include/linux/a.h", "int a;\n");
	put_file("include/linux/b.h", "#include <linux/a.h>\n");
	/* an arch header shadows a generic one of the same name */
	put_file("arch/x86/include/asm/thing.h", "int arch_thing;\n");
	put_file("include/asm/thing.h", "int generic_thing;\n");
	put_file("drivers/x/local.h", "# include <linux/b.h>\n");
	put_file("drivers/x/u1.c", "#include <linux/b.h>\n");
	put_file("drivers/x/u2.c", "  #  include \"local.h\"\n");
	put_file("drivers/x/u3.c", "#include <linux/kernel.h>\n#include \"other.h\"\n");
	put_file("drivers/x/other.h", "int other;\n");
	/* only a unit's own -I folder holds it: matched by its end */
	put_file("drivers/x/inc/foo/special.h", "int special;\n");
	put_file("drivers/x/u4.c", "#include <foo/special.h>\n");
	put_file("drivers/y/u5.c", "#include <asm/thing.h>\n");
	/* a .c file included by another: both reach the header */
	put_file("kernel/part.c", "#include <linux/a.h>\n");
	put_file("kernel/whole.c", "#include \"part.c\"\n");
	/* never read */
	put_file("tools/t.c", "#include <linux/a.h>\n");
	snprintf(tree, sizeof(tree), "%s/tree", root);

	assert_int_equal(includes_index_units(tree, std, 2, a, 1, NULL, &units, &n,
					      err, sizeof(err)), 0);
	assert_true(has(units, n, "drivers/x/u1.c"));
	assert_true(has(units, n, "drivers/x/u2.c"));
	assert_true(has(units, n, "kernel/part.c"));
	assert_true(has(units, n, "kernel/whole.c"));
	assert_int_equal(n, 4);
	strv_free(units, n);

	/* from the cached index now */
	assert_int_equal(includes_index_units(tree, std, 2, local, 1, NULL, &units, &n,
					      err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(units[0], "drivers/x/u2.c");
	strv_free(units, n);

	assert_int_equal(includes_index_units(tree, std, 2, special, 1, NULL, &units, &n,
					      err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(units[0], "drivers/x/u4.c");
	strv_free(units, n);

	assert_int_equal(includes_index_units(tree, std, 2, arch, 1, NULL, &units, &n,
					      err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(units[0], "drivers/y/u5.c");
	strv_free(units, n);
	/* the generic one is shadowed: nothing reaches it */
	assert_int_equal(includes_index_units(tree, std, 2, generic, 1, NULL, &units, &n,
					      err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	strv_free(units, n);
}

static void test_include_twins(void **state)
{
	struct unit u = {
		.path = "kernel/x.c", .object = "kernel/x.o",
		.kbuild_object = "kernel/x.o", .kbuild_source = "kernel/x.c",
		.compile = "gcc -Wp,-MMD,kernel/.x.o.d -I./arch/x86/include  -I./include "
			   "-include ./include/linux/kconfig.h -include ./include/linux/other.h "
			   "-c -o kernel/x.o kernel/x.c",
	};
	char prefix[PATH_MAX], path[PATH_MAX], err[256], *cmd, *want;

	(void)state;
	snprintf(prefix, sizeof(prefix), "%s/src", root);
	assert_int_equal(path_printf(path, sizeof(path), "%s/include/linux/kconfig.h", prefix), 0);
	assert_int_equal(make_parent_dirs(path), 0);
	fclose(fopen(path, "w"));

	cmd = unit_compile_command(&u, "/w/src/kernel/x.c", "/w/post/kernel/x.o", prefix,
				   NULL, err, sizeof(err));
	assert_non_null(cmd);
	/* the patched folder first, the tree's after; no twin for arch */
	want = str_format(" -I./arch/x86/include  -I%s/./include -I./include ", prefix);
	assert_non_null(strstr(cmd, want));
	free(want);
	want = str_format("-include %s/./include/linux/kconfig.h -include ./include/linux/other.h ",
			  prefix);
	assert_non_null(strstr(cmd, want));
	free(want);
	assert_non_null(strstr(cmd, "-Wp,-MMD,/w/post/kernel/x.o.d"));
	free(cmd);

	cmd = unit_preprocess_command(&u, "/w/src/kernel/x.c", "/w/post/kernel/x.o.i", NULL,
				      prefix, NULL, err, sizeof(err));
	assert_non_null(cmd);
	assert_non_null(strstr(cmd, " -E -P -o /w/post/kernel/x.o.i /w/src/kernel/x.c"));
	assert_non_null(strstr(cmd, "-Wp,-MMD,/dev/null"));
	assert_null(strstr(cmd, " -c -o "));
	/* twins map back to the tree's names for __FILE__ */
	want = str_format("-fmacro-prefix-map=%s/= -fmacro-prefix-map=%s/./= ", prefix, prefix);
	assert_non_null(strstr(cmd, want));
	free(want);
	free(cmd);

	cmd = unit_preprocess_command(&u, "kernel/x.c", "/w/pre/kernel/x.o.i", "/w/pre/kernel/x.o.i.d",
				      NULL, NULL, err, sizeof(err));
	assert_non_null(cmd);
	assert_non_null(strstr(cmd, "-Wp,-MMD,/w/pre/kernel/x.o.i.d "));
	assert_null(strstr(cmd, "-fmacro-prefix-map=/"));
	free(cmd);
}

static void test_path_fold(void **state)
{
	char a[] = "./drivers/gpu/amdgpu/../display/x.c", b[] = "include/./linux/../linux/a.h";
	char c[] = "../outside.h";

	(void)state;
	path_fold(a);
	assert_string_equal(a, "drivers/gpu/display/x.c");
	path_fold(b);
	assert_string_equal(b, "include/linux/a.h");
	path_fold(c);
	assert_string_equal(c, "../outside.h");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_include_twins),
		cmocka_unit_test(test_path_fold),
	};

	return cmocka_run_group_tests_name("headers", tests, setup, teardown);
}
