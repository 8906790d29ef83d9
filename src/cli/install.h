/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Installed updates: kept in /var/lib/kmend/updates/<release>/ to be applied
 * at boot (kmend apply --installed, run by kmend.service), in the order
 * they were installed.
 */
#ifndef KMEND_INSTALL_H
#define KMEND_INSTALL_H

#include <stddef.h>
#include <stdio.h>

#define KMEND_INSTALL_DIR "/var/lib/kmend/updates"

/*
 * The installed update files for @release, oldest first (paths, newly
 * allocated). Returns 0 (none: @n is 0), or -1 with errno set.
 */
int installed_updates(const char *release, char ***paths, size_t *n);
void installed_updates_free(char **paths, size_t n);

int install_run(int argc, char **argv, FILE *out, FILE *err);
int uninstall_run(int argc, char **argv, FILE *out, FILE *err);

#endif /* KMEND_INSTALL_H */
