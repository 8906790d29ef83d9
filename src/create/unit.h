/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One compilation unit of a prepared kernel source tree: how Kbuild compiles
 * it, into what (vmlinux or a module), and compiling it again outside the
 * tree with -ffunction-sections -fdata-sections.
 */
#ifndef KMEND_UNIT_H
#define KMEND_UNIT_H

#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>

struct unit {
	char *path;	/* kernel/sys.c, relative to the source tree */
	char *object;	/* kernel/sys.o */
	/* as Kbuild's command names them: "amdgpu/../display/x.o" for a unit
	 * another folder's Makefile builds */
	char *kbuild_object, *kbuild_source;
	char *target;	/* "vmlinux", or the module's name */
	char *compile;	/* Kbuild's compiler command, a shell command line */
	char *objtool;	/* Kbuild's objtool command, or NULL */
	bool assembly;	/* a .S file: its functions share sections until cut
			 * (function_sections.c) */
};

/*
 * Learn from Kbuild how it compiles @path: from the command it saved when
 * it last built the unit, or else from the index of the units the
 * configuration builds (units_index.c; built on first use, saying so on
 * @progress; make -n writes nothing into the tree, its temporary files go
 * to @scratch). Returns 0, 1 if the configuration does not build it, or -1;
 * with a message in @err when not 0.
 */
int unit_lookup(const char *source, const char *path, const char *scratch,
		FILE *progress, struct unit *u, char *err, size_t errlen);

/*
 * The same with Kbuild's recipe for @path already read from the index
 * (units_index_recipes(); NULL: not built in this configuration). A command
 * Kbuild saved in the tree still comes first. Returns as unit_lookup().
 */
int unit_from_recipe(const char *source, const char *path, const char *recipe,
		     struct unit *u, char *err, size_t errlen);

/*
 * The shell command that compiles @src (relative to the source tree, or
 * absolute) as Kbuild compiles the unit, plus -ffunction-sections
 * -fdata-sections, into @out, and runs objtool on it; to be run from the
 * source tree. @prefix, if not NULL, is the folder holding @src's patched
 * copy: it is mapped away from __FILE__, and the unit's own folder in the
 * tree stays on the include path; @include_dir (with @prefix), if not NULL,
 * goes on it too, for <kmend/patch.h> in a patch. Returns it (to free), or
 * NULL with a message in @err.
 */
char *unit_compile_command(const struct unit *u, const char *src,
			   const char *out, const char *prefix,
			   const char *include_dir, char *err, size_t errlen);

/*
 * The shell command that preprocesses @src as the compile would (same
 * include path, without line markers) into @out, for code_digest.c, and
 * the files it read into @deps (none if NULL).
 */
char *unit_preprocess_command(const struct unit *u, const char *src,
			      const char *out, const char *deps, const char *prefix,
			      const char *include_dir, char *err, size_t errlen);

void unit_free(struct unit *u);

#endif /* KMEND_UNIT_H */
