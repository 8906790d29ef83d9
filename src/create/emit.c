// SPDX-License-Identifier: GPL-2.0
/*
 * Building and installing the update module. The engine's own exports
 * (kmend_register) come from the Module.symvers written when kmend.ko was
 * built, so that module versions match.
 */
#include "emit.h"
#include "sign.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp_tables.h"
#include "run.h"
#include "util.h"

/* UTS_RELEASE of the prepared tree: what the module's vermagic says. */
static char *tree_release(const char *source)
{
	char *path = str_format("%s/include/generated/utsrelease.h", source);
	FILE *f = path ? fopen(path, "r") : NULL;
	char line[256], *release = NULL;

	while (f && fgets(line, sizeof(line), f)) {
		char *q = strchr(line, '"'), *end = q ? strchr(q + 1, '"') : NULL;

		if (!strncmp(line, "#define UTS_RELEASE ", 20) && q && end) {
			*end = '\0';
			release = strdup(q + 1);
			break;
		}
	}
	if (f)
		fclose(f);
	free(path);
	return release;
}

/* The SHA-256 of the patches, concatenated, in hex. */
static int patch_hash(char *const *patches, int n, char hex[65], char *err,
		      size_t errlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int len = 0;
	int ret = -1;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		set_error(err, errlen, "cannot compute SHA-256");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(patches[i], "rb");
		size_t got;

		if (!f) {
			set_error(err, errlen, "%s: %s", patches[i], strerror(errno));
			goto out;
		}
		while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
			EVP_DigestUpdate(ctx, buf, got);
		fclose(f);
	}
	if (!EVP_DigestFinal_ex(ctx, md, &len) || len != 32) {
		set_error(err, errlen, "cannot compute SHA-256");
		goto out;
	}
	for (unsigned int i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

char *emit_default_id(const char *patch)
{
	const char *base = strrchr(patch, '/');
	char *id, *dot;
	size_t len;

	id = strdup(base ? base + 1 : patch);
	if (!id)
		return NULL;
	dot = strrchr(id, '.');
	if (dot && dot != id && (!strcmp(dot, ".patch") || !strcmp(dot, ".diff")))
		*dot = '\0';
	for (char *p = id; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p))
			*p = '-';
	len = strlen(id);
	if (len > UPDATE_ID_MAX)
		id[UPDATE_ID_MAX] = '\0';
	if (!len) {
		free(id);
		id = strdup("update");
	}
	return id;
}

/* Copy @from to @to through a temporary file and rename: @to is either
 * the whole module or untouched. */
static int install(const char *from, const char *to, char *err, size_t errlen)
{
	char *tmp = str_format("%s.kmend-tmp.%ld", to, (long)getpid());
	char msg[512];
	sigset_t old;
	int ret = 0;

	if (!tmp)
		return set_error(err, errlen, "out of memory");
	/* Ctrl-C now lands after the rename, not between copy and rename. */
	run_hold_signals(&old);
	if (file_copy(from, tmp, msg, sizeof(msg))) {
		unlink(tmp);
		ret = set_error(err, errlen, "cannot write %s: %s", to, msg);
	} else if (rename(tmp, to)) {
		ret = set_error(err, errlen, "cannot write %s: %s", to, strerror(errno));
		unlink(tmp);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(tmp);
	return ret;
}

/*
 * Fill @m's model from the options and the declarations, and check that
 * they fit one update of @o->format. 0, or -1 after saying why.
 */
static int settle_module(const struct emit_options *o, struct update_module *m)
{
	char errbuf[512];

	m->flags = o->flags;
	m->format = o->format;
	if (update_module_check_decls(m, errbuf, sizeof(errbuf)))
		goto refused;
	if (o->model) {
		if (m->model && strcmp(m->model, o->model)) {
			fprintf(o->err, "kmend create: --model %s, but the patch declares KMEND_MODEL(\"%s\")\n",
				o->model, m->model);
			return -1;
		}
		m->model = o->model;
		decl_model_parse(m->model, &m->leave, &m->sw);	/* checked: create.c */
	}
	if (m->format == UPDATE_FORMAT_KLP) {
		if (klp_check(m, errbuf, sizeof(errbuf)))
			goto refused;
		m->model = klp_model;
		decl_model_parse(m->model, &m->leave, &m->sw);
	} else if (update_module_check_model(m, errbuf, sizeof(errbuf))) {
		goto refused;
	}
	return 0;
refused:
	fprintf(o->err, "kmend create: %s\n", errbuf);
	return -1;
}

int emit_check(const struct emit_options *o, const struct update_unit *units,
	       size_t nr_units)
{
	struct update_module m = {
		.id = o->id, .description = o->description, .units = units,
		.nr_units = nr_units,
	};

	return settle_module(o, &m);
}

int emit_update(const struct emit_options *o, const struct update_unit *units,
		size_t nr_units)
{
	char *release = tree_release(o->source);
	char *dir = str_format("%s/module", o->work_dir), *ko = NULL;
	char *extra = NULL, *mflag = NULL, errbuf[512], hex[65];
	struct update_module m = {
		.id = o->id, .description = o->description, .units = units,
		.nr_units = nr_units, .patch_sha256 = hex,
	};
	int ret = -1;

	if (!dir) {
		fprintf(o->err, "kmend create: out of memory\n");
		goto out;
	}
	if (!release) {
		fprintf(o->err, "kmend create: %s has no include/generated/utsrelease.h: run 'make modules_prepare' there first\n",
			o->source);
		goto out;
	}
	m.release = release;
	m.kernel_version = o->kernel_version;
	if (settle_module(o, &m))
		goto out;
	m.include_dir = o->sdk->include_dir;
	if (patch_hash(o->patches, o->nr_patches, hex, errbuf, sizeof(errbuf))) {
		fprintf(o->err, "kmend create: %s\n", errbuf);
		goto out;
	}
	if (mkdir(dir, 0755)) {
		fprintf(o->err, "kmend create: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (update_module_write(&m, dir, errbuf, sizeof(errbuf))) {
		fprintf(o->err, "kmend create: writing the module's sources: %s\n", errbuf);
		goto out;
	}
	extra = str_format("KBUILD_EXTRA_SYMBOLS=%s/Module.symvers", o->sdk->engine_dir);
	mflag = str_format("M=%s", dir);
	ko = str_format("%s/kmend-%s.ko", dir, o->id);
	if (!extra || !mflag || !ko) {
		fprintf(o->err, "kmend create: out of memory\n");
		goto out;
	}
	if (o->verbose)
		fprintf(o->err, "  LD [M]  kmend-%s.ko (Kbuild, against %s)\n", o->id, o->source);
	{
		char *argv[] = { "make", "-C", (char *)o->source, mflag,
				 "modules", extra, NULL };

		/* a livepatch must not link to the engine's exports */
		if (m.format == UPDATE_FORMAT_KLP)
			argv[5] = NULL;

		if (run_program(argv, NULL, NULL, o->log, errbuf, sizeof(errbuf))) {
			fprintf(o->err, "kmend create: building the update module with Kbuild failed\n");
			goto out;
		}
	}
	if (m.format == UPDATE_FORMAT_KLP &&
	    klp_relocs_write(ko, &m, errbuf, sizeof(errbuf))) {
		fprintf(o->err, "kmend create: writing livepatch relocations into %s: %s\n",
			ko, errbuf);
		goto out;
	}
	if (o->sign_key &&
	    sign_module(o->source, o->sign_key, o->sign_cert, ko, o->log, errbuf,
			sizeof(errbuf))) {
		fprintf(o->err, "kmend create: %s\n", errbuf);
		goto out;
	}
	if (install(ko, o->output, errbuf, sizeof(errbuf))) {
		fprintf(o->err, "kmend create: %s\n", errbuf);
		goto out;
	}
	ret = 0;
out:
	free(release);
	free(dir);
	free(extra);
	free(mflag);
	free(ko);
	return ret;
}
