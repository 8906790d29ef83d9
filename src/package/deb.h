/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing a Debian binary package (deb.c): a staging tree with the files,
 * DEBIAN/control, md5sums and maintainer scripts, the copyright and
 * changelog Debian policy asks for, built by dpkg-deb.
 */
#ifndef KMEND_DEB_H
#define KMEND_DEB_H

#include <stddef.h>

/* A file of the package: copied from @from to @to (absolute), mode @mode. */
struct deb_file {
	const char *from, *to;
	unsigned int mode;
};

/* A maintainer script (postinst, prerm, postrm): a template whose @KEY@ are replaced. */
struct deb_script {
	const char *name;
	const char *template_path;
};

struct deb_spec {
	const char *package, *version, *architecture;
	const char *maintainer;		/* "Name <address>" */
	const char *section, *priority;
	const char *depends;		/* may be NULL */
	const char *summary;		/* the first line of Description */
	const char *description;	/* the rest, lines of text */
	const char *changelog;		/* one entry's text */
	const struct deb_file *files;
	size_t nr_files;
	const struct deb_script *scripts;
	size_t nr_scripts;
	/* replacements for @KEY@ in the scripts: keys[i] -> values[i] */
	const char *const *keys, *const *values;
	size_t nr_keys;
};

/*
 * Build @spec into @out (a .deb), staging in @scratch (an empty folder
 * that the caller removes). Returns 0, or -1 with a message in @err.
 */
int deb_build(const struct deb_spec *spec, const char *scratch, const char *out,
	      char *err, size_t errlen);

/* Is @name a valid Debian package name (policy 5.6.1)? */
int deb_name_valid(const char *name);

#endif /* KMEND_DEB_H */
