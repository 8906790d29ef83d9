// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_create: libFuzzer target for the two steps of kmend create that read
 * untrusted objects: the differ (objdiff_compare) and the payload builder
 * (payload_build), which read what the compiler wrote, and so whatever a
 * broken or hostile tool chain writes.
 *
 * The input's first byte says which side it is: even, the post object
 * against the fixed pre object; odd, the pre object against the fixed
 * post. The rest is the object. A pair that compares is built into a
 * payload, as kmend create would. A first byte of 2 makes the rest a
 * preprocessed unit's text instead, for the digests that decide which
 * units a header change can alter (code_digest.c). Nothing may crash,
 * leak or trip the sanitizers; a refusal is a fine answer.
 *
 * Run by tests/fuzz/run (make fuzz), with FUZZ_PRE, FUZZ_POST and
 * FUZZ_SYMVERS naming the fixed objects and exports.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "code_digest.h"
#include "elfobj.h"
#include "layout.h"
#include "objdiff.h"
#include "payload.h"
#include "refuse.h"
#include "symvers.h"

static struct elf_object fixed_pre, fixed_post;
static struct symvers exports;
static char out_path[64];
static const char *layout_fixed;	/* an object with DWARF */

static void die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_create: %s: %s\n", what, err);
	exit(2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *pre = getenv("FUZZ_PRE"), *post = getenv("FUZZ_POST");
	const char *symvers = getenv("FUZZ_SYMVERS");

	layout_fixed = getenv("FUZZ_LAYOUT");
	char err[256];
	int fd;

	(void)argc;
	(void)argv;
	if (!pre || !post || !symvers || !layout_fixed)
		die("setup", "FUZZ_PRE, FUZZ_POST, FUZZ_SYMVERS and FUZZ_LAYOUT must name the fixed objects");
	if (elf_object_open(&fixed_pre, pre, err, sizeof(err)) ||
	    elf_object_open(&fixed_post, post, err, sizeof(err)) ||
	    symvers_load(&exports, symvers, err, sizeof(err)))
		die("setup", err);
	strcpy(out_path, "/tmp/kmend-fuzz-payload.XXXXXX");
	fd = mkstemp(out_path);
	if (fd < 0)
		die("setup", "cannot make a temporary file");
	close(fd);
	return 0;
}

/* The input as a file, for elf_object_open(), which takes a path. */
static int as_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("fuzz-object", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_object input;
	struct objdiff diff;
	struct payload payload;
	struct refusals refused;
	struct payload_input in;
	char err[256], path[64];
	int fd, post_side;

	if (!size)
		return 0;
	if (data[0] == 2) {
		char *text = malloc(size);
		struct code_digest d;

		if (text) {
			memcpy(text, data + 1, size - 1);
			text[size - 1] = '\0';
			code_digest(text, size - 1, &d);
			free(text);
		}
		return 0;
	}
	post_side = !(data[0] & 1);
	fd = as_file(data + 1, size - 1, path, sizeof(path));
	if (fd < 0)
		return 0;
	if (elf_object_open(&input, path, err, sizeof(err))) {
		close(fd);
		return 0;
	}
	memset(&diff, 0, sizeof(diff));
	if (!objdiff_compare(post_side ? &fixed_pre : &input,
			     post_side ? &input : &fixed_post, &diff, err,
			     sizeof(err))) {
		memset(&payload, 0, sizeof(payload));
		memset(&refused, 0, sizeof(refused));
		in = (struct payload_input){
			.pre = post_side ? &fixed_pre : &input,
			.post = post_side ? &input : &fixed_post,
			.diff = &diff, .exports = &exports, .target = "vmlinux",
			.prefix = "__kmend_u0_", .unit = 1,
		};
		payload_build(&in, out_path, &payload, &refused, err,
			      sizeof(err));
		payload_free(&payload);
		refusals_free(&refused);
		objdiff_free(&diff);
	}
	/* the input's DWARF through libdw and the layout check */
	memset(&refused, 0, sizeof(refused));
	layout_refusals(post_side ? layout_fixed : path, post_side ? path : layout_fixed,
			NULL, 0, &refused, err, sizeof(err));
	refusals_free(&refused);
	elf_object_close(&input);
	close(fd);
	return 0;
}
