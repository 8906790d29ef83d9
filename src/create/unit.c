// SPDX-License-Identifier: GPL-2.0
/*
 * Compiling one unit as Kbuild does, outside the source tree.
 */
#include "unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"
#include "units_index.h"
#include "util.h"

/*
 * Kbuild's command: "<compiler> ... -c -o X.o X.c   ; ./tools/objtool/objtool
 * ... X.o", followed in make -n's recipe by "; scripts/basic/fixdep ...".
 */
static int parse_command(const char *start, struct unit *u, char *err,
			 size_t errlen)
{
	const char *end, *tool, *tool_end;

	while (*start == ' ')
		start++;
	tool = strstr(start, "./tools/objtool/objtool ");
	end = tool ? tool : strstr(start, "; scripts/basic/fixdep");
	if (!end)
		end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == ';'))
		end--;
	u->compile = strndup(start, (size_t)(end - start));
	if (tool) {
		tool_end = strchr(tool, ';');
		u->objtool = strndup(tool, tool_end ? (size_t)(tool_end - tool) : strlen(tool));
	}
	if (!u->compile || (tool && !u->objtool))
		return set_error(err, errlen, "out of memory");
	/* "... -c -o OBJECT SOURCE", as Kbuild names them */
	start = strstr(u->compile, " -c -o ");
	if (!start)
		return set_error(err, errlen, "%s: Kbuild's command has no -c -o", u->path);
	start += strlen(" -c -o ");
	end = strchr(start, ' ');
	if (!end)
		return set_error(err, errlen, "%s: Kbuild's command names no source", u->path);
	u->kbuild_object = strndup(start, (size_t)(end - start));
	u->kbuild_source = strndup(end + 1, strcspn(end + 1, " "));
	if (!u->kbuild_object || !u->kbuild_source)
		return set_error(err, errlen, "out of memory");
	return 0;
}

/*
 * The command Kbuild saved in <dir>/.<name>.o.cmd when it last built the
 * unit ("cmd_X.o := ...", with $ and # escaped for make), or NULL.
 */
static char *saved_command(const char *source, const char *object)
{
	const char *slash = strrchr(object, '/');
	char *path = slash ? str_format("%s/%.*s.%s.cmd", source,
				    (int)(slash - object + 1), object, slash + 1)
			   : str_format("%s/.%s.cmd", source, object);
	char *key = str_format("cmd_%s := ", object), *line = NULL, *cmd = NULL;
	size_t cap = 0;
	FILE *f = path ? fopen(path, "r") : NULL;

	while (f && key && getline(&line, &cap, f) > 0) {
		char *at = strstr(line, key);

		if (!at || (at != line && strncmp(line, "saved", 5)))
			continue;
		at += strlen(key);
		at[strcspn(at, "\n")] = '\0';
		cmd = kbuild_cmd_unescape(at);
		break;
	}
	if (f)
		fclose(f);
	free(line);
	free(path);
	free(key);
	return cmd;
}

static int find_target(struct unit *u, char *err, size_t errlen)
{
	const char *name = strstr(u->compile, "-DKBUILD_MODNAME='\"");
	const char *end;

	if (!strstr(u->compile, " -DMODULE ")) {
		u->target = strdup("vmlinux");
		return u->target ? 0 : set_error(err, errlen, "out of memory");
	}
	/* Kbuild names the module in C units' commands only */
	if (u->assembly)
		return set_error(err, errlen, "%s: an assembly file of a module: kmend create carries assembly of the kernel image (vmlinux) only",
				 u->path);
	if (!name)
		return set_error(err, errlen, "%s: module unit without KBUILD_MODNAME", u->path);
	name += strlen("-DKBUILD_MODNAME='\"");
	end = strchr(name, '"');
	if (!end)
		return set_error(err, errlen, "%s: bad KBUILD_MODNAME", u->path);
	u->target = strndup(name, (size_t)(end - name));
	return u->target ? 0 : set_error(err, errlen, "out of memory");
}

/*
 * The unit @path from the command Kbuild saved when it last built it, else
 * from @recipe (the index's; NULL: the configuration does not build it), or
 * from the index itself when @index is set.
 */
static int lookup(const char *source, const char *path, const char *recipe,
		  bool index, const char *scratch, FILE *progress,
		  struct unit *u, char *err, size_t errlen)
{
	char *found = NULL, *saved = NULL;
	size_t len = strlen(path);
	int ret = -1, status;

	memset(u, 0, sizeof(*u));
	if (len < 3 || (strcmp(path + len - 2, ".c") && strcmp(path + len - 2, ".S")))
		return set_error(err, errlen, "%s: not a C or assembly file", path);
	u->assembly = path[len - 1] == 'S';
	u->path = strdup(path);
	u->object = strdup(path);
	if (!u->path || !u->object) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	u->object[len - 1] = 'o';

	saved = saved_command(source, u->object);
	if (saved) {
		recipe = saved;
	} else if (index) {
		status = units_index_find(source, scratch, path, progress, &found,
					  err, errlen);
		if (status < 0)
			goto out;
		recipe = found;
	}
	if (!recipe) {
		set_error(err, errlen, "%s: Kbuild does not build it in this configuration (make -n of vmlinux and the modules compiles no such unit)",
			  path);
		ret = 1;
		goto out;
	}
	if (parse_command(recipe, u, err, errlen) || find_target(u, err, errlen))
		goto out;
	ret = 0;
out:
	free(found);
	free(saved);
	if (ret)
		unit_free(u);
	return ret;
}

int unit_lookup(const char *source, const char *path, const char *scratch,
		FILE *progress, struct unit *u, char *err, size_t errlen)
{
	return lookup(source, path, NULL, true, scratch, progress, u, err, errlen);
}

int unit_from_recipe(const char *source, const char *path, const char *recipe,
		     struct unit *u, char *err, size_t errlen)
{
	return lookup(source, path, recipe, false, NULL, NULL, u, err, errlen);
}

/* Replace the first @from in *@s by @to. */
static int replace(char **s, const char *from, const char *to)
{
	char *at = strstr(*s, from), *r;

	if (!at)
		return -1;
	r = str_format("%.*s%s%s", (int)(at - *s), *s, to, at + strlen(from));
	if (!r)
		return -1;
	free(*s);
	*s = r;
	return 0;
}

/* Replace the word of *@s that starts with @prefix (if any) by @to. */
static int replace_word(char **s, const char *prefix, const char *to)
{
	char *at = strstr(*s, prefix), *r;
	size_t len;

	if (!at)
		return 0;
	len = strcspn(at, " ");
	r = str_format("%.*s%s%s", (int)(at - *s), *s, to, at + len);
	if (!r)
		return -1;
	free(*s);
	*s = r;
	return 0;
}

/*
 * In @cmd, put "-I PREFIX/DIR" before each "-I DIR" whose folder exists
 * under @prefix, and send "-include FILE" to PREFIX/FILE where that exists:
 * a patched header in the work folder then shadows the tree's, and the
 * folders around it (post_tree.c) keep quoted includes beside it working.
 */
static int add_include_twins(char **cmd, const char *prefix)
{
	const char *in = *cmd;
	size_t cap = strlen(in) + 1, len = 0;
	char *out = malloc(cap);

	if (!out)
		return -1;
	while (*in) {
		bool word = in == *cmd || in[-1] == ' ';
		bool dir = word && !strncmp(in, "-I", 2) && in[2] && in[2] != ' ';
		bool file = word && !strncmp(in, "-include ", 9);
		const char *name = dir ? in + 2 : file ? in + 9 : NULL;
		char *twin = NULL, *piece = NULL;
		struct stat st;

		if (name) {
			twin = str_format("%s/%.*s", prefix, (int)strcspn(name, " "), name);
			if (!twin)
				goto nomem;
			if (dir && !stat(twin, &st) && S_ISDIR(st.st_mode))
				piece = str_format("-I%s ", twin);
			else if (file && !stat(twin, &st) && S_ISREG(st.st_mode))
				piece = str_format("-include %s", twin);
			free(twin);
			if (piece && file)	/* in place of the tree's file */
				in = name + strcspn(name, " ");
		}
		if (piece) {
			char *grown = realloc(out, cap += strlen(piece));

			if (!grown) {
				free(piece);
				goto nomem;
			}
			out = grown;
			len += (size_t)sprintf(out + len, "%s", piece);
			free(piece);
			if (file)
				continue;
		}
		/* the rest of the word as it was */
		do
			out[len++] = *in++;
		while (*in && *in != ' ' && name);
	}
	out[len] = '\0';
	free(*cmd);
	*cmd = out;
	return 0;
nomem:
	free(out);
	return -1;
}

/*
 * The options a compile of the patched copy adds (none without @prefix):
 * __FILE__ as in the tree, the unit's own folder in the tree for quoted
 * includes, and @include_dir for <kmend/patch.h>.
 */
static char *patched_options(const struct unit *u, const char *prefix,
			     const char *include_dir)
{
	const char *slash = strrchr(u->path, '/');

	if (!prefix)
		return strdup("");
	/*
	 * The last map that matches wins: a header found through a twin,
	 * "PREFIX/./include/x.h", becomes "include/x.h" as Kbuild's "./="
	 * makes it in the tree.
	 */
	return str_format(" -fmacro-prefix-map=%s/= -fmacro-prefix-map=%s/./= -iquote %.*s%s%s",
			  prefix, prefix,
			  slash ? (int)(slash - u->path) : 1, slash ? u->path : ".",
			  include_dir ? " -I " : "", include_dir ? include_dir : "");
}

char *unit_compile_command(const struct unit *u, const char *src,
			   const char *out, const char *prefix,
			   const char *include_dir, char *err, size_t errlen)
{
	char *cmd = strdup(u->compile), *from = NULL, *to = NULL, *dep = NULL;
	char *opts = patched_options(u, prefix, include_dir), *tool = NULL;
	char *obj_arg = NULL, *out_arg = NULL, *result = NULL, *crc = NULL;
	char *cpp_to = NULL;

	if (!cmd || !opts)
		goto nomem;
	from = str_format(" -c -o %s %s", u->kbuild_object, u->kbuild_source);
	to = str_format(" -ffunction-sections -fdata-sections%s -c -o %s %s", opts, out, src);
	dep = str_format("-Wp,-MMD,%s.d", out);
	/* the same include path as the compile, or the exports come out empty */
	cpp_to = str_format("%s -E -D__GENKSYMS__ %s", opts, src);
	if (!from || !to || !dep || !cpp_to)
		goto nomem;
	if (replace(&cmd, from, to)) {
		set_error(err, errlen, "%s: Kbuild's command has no '%s'", u->path, from);
		goto out;
	}
	if (prefix && add_include_twins(&cmd, prefix))
		goto nomem;
	/* Kbuild's dependency file would go into the tree: move it out. */
	if (replace_word(&cmd, "-Wp,-MMD,", dep))
		goto nomem;

	/*
	 * With CONFIG_MODVERSIONS, exports carry a CRC of their types that
	 * genksyms computes from the preprocessed source, as Kbuild does for
	 * a unit that exports anything; kept next to the object, in .crc.
	 * An assembly unit's exports take their types from asm-prototypes.h,
	 * which a change of the .S file leaves as they are.
	 */
	crc = u->assembly ? strdup("") :
	      str_format(" && if [ -x scripts/genksyms/genksyms ] && nm %s | grep -q __ksymtab; then %s | scripts/genksyms/genksyms -r /dev/null >%s.crc; fi",
			 out, cmd, out);
	if (!crc || (!u->assembly && replace(&crc, to, cpp_to)))
		goto nomem;
	if (!u->objtool) {
		result = str_format("%s%s", cmd, crc);
		if (!result)
			goto nomem;
		goto out;
	}
	obj_arg = str_format(" %s", u->kbuild_object);
	out_arg = str_format(" %s", out);
	tool = strdup(u->objtool);
	if (!obj_arg || !out_arg || !tool)
		goto nomem;
	if (replace(&tool, obj_arg, out_arg)) {
		set_error(err, errlen, "%s: unexpected objtool command", u->path);
		goto out;
	}
	result = str_format("%s && %s%s", cmd, tool, crc);
	if (!result)
		goto nomem;
	goto out;
nomem:
	set_error(err, errlen, "out of memory");
out:
	free(cmd);
	free(from);
	free(to);
	free(dep);
	free(opts);
	free(tool);
	free(obj_arg);
	free(out_arg);
	free(crc);
	free(cpp_to);
	return result;
}

char *unit_preprocess_command(const struct unit *u, const char *src,
			      const char *out, const char *deps, const char *prefix,
			      const char *include_dir, char *err, size_t errlen)
{
	char *cmd = strdup(u->compile), *opts = patched_options(u, prefix, include_dir);
	char *from = NULL, *to = NULL, *dep = NULL, *result = NULL;

	if (!cmd || !opts)
		goto nomem;
	from = str_format(" -c -o %s %s", u->kbuild_object, u->kbuild_source);
	/* -P: no line markers, so that a shifted line alone does not count */
	to = str_format("%s -E -P -o %s %s", opts, out, src);
	dep = str_format("-Wp,-MMD,%s", deps ? deps : "/dev/null");
	if (!from || !to || !dep)
		goto nomem;
	if (replace(&cmd, from, to)) {
		set_error(err, errlen, "%s: Kbuild's command has no '%s'", u->path, from);
		goto out;
	}
	if ((prefix && add_include_twins(&cmd, prefix)) ||
	    replace_word(&cmd, "-Wp,-MMD,", dep))
		goto nomem;
	result = cmd;
	cmd = NULL;
	goto out;
nomem:
	set_error(err, errlen, "out of memory");
out:
	free(cmd);
	free(opts);
	free(from);
	free(to);
	free(dep);
	return result;
}

void unit_free(struct unit *u)
{
	free(u->path);
	free(u->object);
	free(u->kbuild_object);
	free(u->kbuild_source);
	free(u->target);
	free(u->compile);
	free(u->objtool);
	memset(u, 0, sizeof(*u));
}
