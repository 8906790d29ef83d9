// SPDX-License-Identifier: GPL-2.0
/*
 * Every input the host fuzzer (tests/fuzz/fuzz_create.c, make fuzz) found
 * a bug with, kept in tests/fuzz/regressions/: each object is refused when
 * it is loaded, with a message, and the whole fuzz target runs over it
 * cleanly (under valgrind, as every unit test runs).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fuzz/fuzz_create.c"

#ifndef REGRESSIONS
#error "REGRESSIONS must name tests/fuzz/regressions"
#endif

static unsigned char *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = buf ? (size_t)n : 0;
	return buf;
}

static void each_regression_is_refused(void **state)
{
	DIR *dir = opendir(REGRESSIONS);
	struct dirent *e;
	unsigned int seen = 0;

	(void)state;
	assert_non_null(dir);
	setenv("FUZZ_PRE", FIXTURES "/payload_pre.o", 1);
	setenv("FUZZ_POST", FIXTURES "/payload_post.o", 1);
	setenv("FUZZ_SYMVERS", FIXTURES "/payload.symvers", 1);
	setenv("FUZZ_LAYOUT", FIXTURES "/layout_pre.o", 1);
	LLVMFuzzerInitialize(NULL, NULL);
	while ((e = readdir(dir))) {
		struct elf_object obj;
		char path[4096], objpath[64], err[256] = "";
		unsigned char *data;
		size_t size = 0;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", REGRESSIONS, e->d_name);
		data = read_all(path, &size);
		assert_non_null(data);
		assert_true(size > 1);
		fd = as_file(data + 1, size - 1, objpath, sizeof(objpath));
		assert_true(fd >= 0);
		if (elf_object_open(&obj, objpath, err, sizeof(err)) == 0) {
			elf_object_close(&obj);
			fail_msg("%s: loaded; it must be refused", e->d_name);
		}
		assert_true(err[0] != '\0');
		printf("%s: refused: %s\n", e->d_name, err);
		close(fd);
		assert_int_equal(LLVMFuzzerTestOneInput(data, size), 0);
		free(data);
		seen++;
	}
	closedir(dir);
	unlink(out_path);
	elf_object_close(&fixed_pre);
	elf_object_close(&fixed_post);
	symvers_free(&exports);
	assert_true(seen > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_regression_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
