/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmend repo: an apt repository of update packages (repo.c), flat, as
 * apt-ftparchive writes one, signed with gpg when given a key.
 */
#ifndef KMEND_REPO_H
#define KMEND_REPO_H

#include <stddef.h>
#include <stdio.h>

struct repo_opts {
	const char *dir;	/* the repository; created if missing */
	const char *key;	/* gpg key to sign with (--local-user), or NULL */
	const char *gpg_home;	/* GNUPGHOME for gpg, or NULL */
	const char *origin;	/* Release's Origin and Label */
};

/*
 * Add the packages @debs to the repository (into DIR/pool/) and write its
 * indexes again: Packages, Packages.gz, Release and, with a key, InRelease,
 * Release.gpg and the public key, DIR/archive-key.gpg. Nothing is changed
 * until every package is checked. Progress and the sources.list line go to
 * @out. Returns 0, or -1 with a message in @err.
 */
int repo_update(const struct repo_opts *o, char *const *debs, size_t n, FILE *out,
		char *err, size_t errlen);

#endif /* KMEND_REPO_H */
