// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the cache of objects compiled before the patch
 * (pre_cache.c): an entry is taken only for the same command while no file
 * it was compiled from is newer; its CRCs come with it.
 */
#include <fcntl.h>
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pre_cache.h"
#include "util.h"

static char root[] = "/tmp/kmend-test-pre-cache.XXXXXX";
static char tree[PATH_MAX];

static void put_file(const char *path, const char *text)
{
	FILE *f;

	assert_int_equal(make_parent_dirs((char *)path), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* @path's times set @seconds from now */
static void age(const char *path, long seconds)
{
	struct timespec t[2];

	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec += seconds;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static int setup(void **state)
{
	char cache[PATH_MAX + 8];

	(void)state;
	if (!mkdtemp(root))
		return -1;
	snprintf(cache, sizeof(cache), "%s/cache", root);
	setenv("XDG_CACHE_HOME", cache, 1);
	snprintf(tree, sizeof(tree), "%s/tree", root);
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

static void test_cache(void **state)
{
	struct pre_cache pc;
	char built[PATH_MAX], path[PATH_MAX], out[PATH_MAX], *text;

	(void)state;
	assert_int_equal(path_printf(path, sizeof(path), "%s/include/config/auto.conf", tree), 0);
	put_file(path, "CONFIG_X=y\n");
	assert_int_equal(path_printf(path, sizeof(path), "%s/kernel/x.c", tree), 0);
	put_file(path, "int x;\n");
	age(path, -100);
	assert_int_equal(path_printf(path, sizeof(path), "%s/include/x.h", tree), 0);
	put_file(path, "int y;\n");
	age(path, -100);

	/* what a compile left in the work folder */
	assert_int_equal(path_printf(built, sizeof(built), "%s/work/pre/kernel/x.o", root), 0);
	put_file(built, "OBJECT");
	assert_int_equal(path_printf(path, sizeof(path), "%s.d", built), 0);
	put_file(path, "kernel/x.o: kernel/x.c \\\n include/x.h\n");
	assert_int_equal(path_printf(path, sizeof(path), "%s.crc", built), 0);
	put_file(path, "#SYMVER x 0x1\n");

	assert_int_equal(pre_cache_open(&pc, tree), 0);
	pre_cache_put(&pc, "kernel/x.o", "gcc -c x", built);

	assert_int_equal(path_printf(out, sizeof(out), "%s/work2/x.o", root), 0);
	assert_int_equal(make_parent_dirs(out), 0);
	assert_false(pre_cache_get(&pc, tree, "kernel/x.o", "gcc -O3 -c x", out));
	assert_false(pre_cache_get(&pc, tree, "kernel/y.o", "gcc -c x", out));
	assert_true(pre_cache_get(&pc, tree, "kernel/x.o", "gcc -c x", out));
	text = file_read_all(out);
	assert_string_equal(text, "OBJECT");
	free(text);
	assert_int_equal(path_printf(path, sizeof(path), "%s.crc", out), 0);
	text = file_read_all(path);
	assert_string_equal(text, "#SYMVER x 0x1\n");
	free(text);

	/* a header changed since: compiled again */
	assert_int_equal(path_printf(path, sizeof(path), "%s/include/x.h", tree), 0);
	age(path, 100);
	assert_false(pre_cache_get(&pc, tree, "kernel/x.o", "gcc -c x", out));
	age(path, -100);
	assert_true(pre_cache_get(&pc, tree, "kernel/x.o", "gcc -c x", out));
	/* a file it was compiled from is gone */
	unlink(path);
	assert_false(pre_cache_get(&pc, tree, "kernel/x.o", "gcc -c x", out));
	pre_cache_trim(&pc);
	pre_cache_close(&pc);
}

/* No cache folder to be had: nothing taken, nothing kept, no crash. */
static void test_no_cache(void **state)
{
	struct pre_cache pc;
	char path[PATH_MAX];

	(void)state;
	assert_int_equal(path_printf(path, sizeof(path), "%s/no-tree", root), 0);
	assert_int_equal(pre_cache_open(&pc, path), -1);
	assert_false(pre_cache_get(&pc, path, "kernel/x.o", "gcc -c x", "/nonexistent"));
	pre_cache_put(&pc, "kernel/x.o", "gcc -c x", "/nonexistent");
	pre_cache_trim(&pc);
	pre_cache_close(&pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_no_cache),
	};

	return cmocka_run_group_tests_name("pre_cache", tests, setup, teardown);
}
