// SPDX-License-Identifier: GPL-2.0
/*
 * A flat apt repository ("deb URI ./"): the packages in pool/, the indexes
 * at the top, as apt-ftparchive (apt-utils) writes them; InRelease and
 * Release.gpg from gpg. Each index is written beside the old one and
 * renamed into place (Packages first, the signed Release last): apt
 * reading the folder meanwhile finds whole files, and a Packages newer than
 * its Release fails the hash check, and is read again, rather than trusted.
 */
#include "repo.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

/* "Package Version Architecture" of the .deb @path, or NULL. */
static char *deb_identity(const char *path)
{
	char *argv[] = { "dpkg-deb", "--show", "--showformat=${Package} ${Version} ${Architecture}",
			 (char *)path, NULL };
	char *out = NULL, msg[128];

	if (run_program(argv, NULL, &out, NULL, msg, sizeof(msg)) || !out || !*out) {
		free(out);
		return NULL;
	}
	return out;
}

static int run_into(char *const argv[], const char *cwd, const char *path,
		    char *err, size_t errlen)
{
	char *text = NULL, msg[256];
	FILE *f;
	int bad;

	if (run_program(argv, cwd, &text, NULL, msg, sizeof(msg)) || !text) {
		free(text);
		return set_error(err, errlen, "%s failed", argv[0]);
	}
	f = fopen(path, "w");
	bad = !f || fputs(text, f) < 0;
	bad |= f && fclose(f);
	free(text);
	return bad ? set_error(err, errlen, "cannot write %s", path) : 0;
}

static int check_debs(char *const *debs, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(debs[i], '/') ? strrchr(debs[i], '/') + 1 : debs[i];
		char *id = deb_identity(debs[i]);
		size_t len = strlen(base);

		if (!id)
			return set_error(err, errlen, "%s is not a Debian package", debs[i]);
		free(id);
		if (len < 5 || strcmp(base + len - 4, ".deb") || strchr(base, ' '))
			return set_error(err, errlen, "%s: a package's file name ends in .deb, without spaces",
					 debs[i]);
	}
	return 0;
}

/* Copy each package into @pool; one already there must be the same file. */
static int add_to_pool(const char *pool, char *const *debs, size_t n, FILE *out,
		       char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(debs[i], '/') ? strrchr(debs[i], '/') + 1 : debs[i];
		char *to = str_format("%s/%s", pool, base), *tmp = str_format("%s/.%s.tmp", pool, base);
		char *argv[] = { "cmp", "-s", debs[i], to, NULL }, msg[128];
		int ret = 0;

		if (!to || !tmp) {
			ret = set_error(err, errlen, "out of memory");
		} else if (!access(to, F_OK)) {
			if (run_program(argv, NULL, NULL, NULL, msg, sizeof(msg)))
				ret = set_error(err, errlen, "%s is in the repository already with other contents: a package's version names one build; give the new one a new version",
						base);
		} else if (file_copy(debs[i], tmp, err, errlen) || rename(tmp, to)) {
			unlink(tmp);
			ret = set_error(err, errlen, "cannot add %s to %s", base, pool);
		} else {
			fprintf(out, "kmend repo: added %s\n", base);
		}
		free(to);
		free(tmp);
		if (ret)
			return ret;
	}
	return 0;
}

static int sign(const struct repo_opts *o, char *err, size_t errlen)
{
	char *in_release = str_format("%s/InRelease.new", o->dir);
	char *release_gpg = str_format("%s/Release.gpg.new", o->dir);
	char *release = str_format("%s/Release.new", o->dir);
	char *key = str_format("%s/archive-key.gpg", o->dir);
	char *clear[] = { "gpg", "--batch", "--yes", "--local-user", (char *)o->key,
			  "--clearsign", "-o", in_release, release, NULL };
	char *detach[] = { "gpg", "--batch", "--yes", "--local-user", (char *)o->key,
			   "--armor", "--detach-sign", "-o", release_gpg, release, NULL };
	char *export[] = { "gpg", "--batch", "--yes", "--output", key, "--export", (char *)o->key, NULL };
	char msg[256];
	int ret = -1;

	if (!in_release || !release_gpg || !release || !key) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	if (o->gpg_home)
		setenv("GNUPGHOME", o->gpg_home, 1);
	if (run_program(clear, NULL, NULL, NULL, msg, sizeof(msg)) ||
	    run_program(detach, NULL, NULL, NULL, msg, sizeof(msg))) {
		set_error(err, errlen, "gpg could not sign with the key %s (is it in %s, without a passphrase gpg cannot ask for here?)",
			  o->key, o->gpg_home ? o->gpg_home : "the default keyring");
		goto out;
	}
	if (run_program(export, NULL, NULL, NULL, msg, sizeof(msg))) {
		set_error(err, errlen, "gpg could not export the key %s", o->key);
		goto out;
	}
	ret = 0;
out:
	free(in_release);
	free(release_gpg);
	free(release);
	free(key);
	return ret;
}

/* Rename DIR/NAME.new to DIR/NAME, for each. */
static int put_in_place(const char *dir, const char *const *names, size_t n,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		char *from = str_format("%s/%s.new", dir, names[i]), *to = str_format("%s/%s", dir, names[i]);
		int bad = !from || !to || rename(from, to);

		free(from);
		free(to);
		if (bad)
			return set_error(err, errlen, "cannot put %s/%s in place", dir, names[i]);
	}
	return 0;
}

int repo_update(const struct repo_opts *o, char *const *debs, size_t n, FILE *out,
		char *err, size_t errlen)
{
	char *pool = str_format("%s/pool", o->dir), *packages = str_format("%s/Packages.new", o->dir);
	char *release = str_format("%s/Release.new", o->dir);
	char *origin = str_format("APT::FTPArchive::Release::Origin=%s", o->origin);
	char *label = str_format("APT::FTPArchive::Release::Label=%s", o->origin);
	int ret = -1;

	if (!pool || !packages || !release || !origin || !label) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	if (check_debs(debs, n, err, errlen))
		goto out;
	/* unsigned indexes beside an old InRelease: apt would trust the old one */
	if (!o->key) {
		char *signed_index = str_format("%s/InRelease", o->dir);

		if (signed_index && !access(signed_index, F_OK)) {
			set_error(err, errlen, "%s is a signed repository (InRelease): give --sign-key to keep it signed",
				  o->dir);
			free(signed_index);
			goto out;
		}
		free(signed_index);
	}
	if (make_parent_dirs(packages) || (mkdir(pool, 0755) && errno != EEXIST)) {
		set_error(err, errlen, "cannot create %s: %s", pool, strerror(errno));
		goto out;
	}
	if (add_to_pool(pool, debs, n, out, err, errlen))
		goto out;
	{
		char *scan[] = { "apt-ftparchive", "packages", "pool", NULL };
		char *rel[] = { "apt-ftparchive", "-o", origin, "-o", label,
				"-o", "APT::FTPArchive::Release::Suite=stable",
				"-o", "APT::FTPArchive::Release::Description=kmend live updates",
				"release", ".", NULL };
		char *gz[] = { "gzip", "-9n", "-k", "-f", packages, NULL };
		char msg[128];
		/* Packages.gz from Packages.new.gz */
		char *gz_new = str_format("%s/Packages.new.gz", o->dir);
		char *gz_dst = str_format("%s/Packages.gz.new", o->dir);

		if (!gz_new || !gz_dst || run_into(scan, o->dir, packages, err, errlen) ||
		    run_program(gz, NULL, NULL, NULL, msg, sizeof(msg)) || rename(gz_new, gz_dst)) {
			if (!*err)
				set_error(err, errlen, "cannot write the Packages index of %s", o->dir);
			free(gz_new);
			free(gz_dst);
			goto out;
		}
		free(gz_new);
		free(gz_dst);
		/* Release lists the indexes under their final names */
		{
			const char *names[] = { "Packages", "Packages.gz" };

			if (put_in_place(o->dir, names, 2, err, errlen))
				goto out;
		}
		if (run_into(rel, o->dir, release, err, errlen))
			goto out;
	}
	if (o->key && sign(o, err, errlen))
		goto out;
	{
		const char *signed_names[] = { "Release", "InRelease", "Release.gpg" };

		if (put_in_place(o->dir, signed_names, o->key ? 3 : 1, err, errlen))
			goto out;
	}
	{
		char real[PATH_MAX];

		if (!realpath(o->dir, real))
			snprintf(real, sizeof(real), "%s", o->dir);
		fprintf(out, "kmend repo: %s is an apt repository; on each machine, in /etc/apt/sources.list.d/kmend.list:\n", o->dir);
		if (o->key)
			fprintf(out, "  deb [signed-by=/usr/share/keyrings/kmend-archive-key.gpg] file://%s ./\n"
				"  (copy %s/archive-key.gpg to /usr/share/keyrings/kmend-archive-key.gpg; serve the folder over http(s) for other machines)\n",
				real, real);
		else
			fprintf(out, "  deb [trusted=yes] file://%s ./\n"
				"  (unsigned: give --sign-key to sign it, so that apt can check it)\n", real);
	}
	ret = 0;
out:
	free(pool);
	free(packages);
	free(release);
	free(origin);
	free(label);
	return ret;
}
