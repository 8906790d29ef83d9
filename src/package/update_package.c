// SPDX-License-Identifier: GPL-2.0
/*
 * An update as a Debian package. The package depends on the exact kernel
 * it was built for (linux-image-RELEASE of its Debian version: another
 * build of the same release may differ in its code), on kmend and on its
 * engine for that kernel; it carries the module under
 * /usr/lib/kmend/packages/PACKAGE/, and its maintainer scripts
 * (scripts/package/) install it for kmend.service, apply it when the
 * machine runs that kernel, and undo and uninstall it on removal.
 */
#include "update_package.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deb.h"
#include "modinfo.h"
#include "sdk.h"
#include "util.h"

char *update_package_name(const char *release)
{
	char *name = str_format("kmend-patch-%s", release);

	for (char *p = name; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return name;
}

/* A Debian version: digits first, then [A-Za-z0-9.+~-] (policy 5.6.12). */
static int version_valid(const char *v)
{
	return isdigit((unsigned char)v[0]) &&
	       !v[strspn(v, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+~-")];
}

int update_package_build(const char *ko, const struct update_package_opts *o,
			 char *written, size_t len, char *err, size_t errlen)
{
	struct update_file uf;
	char msg[512], *package = NULL, *to = NULL, *depends = NULL, *summary = NULL;
	char *description = NULL, *changelog = NULL, *out = NULL;
	char *script_dir = sdk_find_helper("package");
	const char *kversion;
	int ret = -1;

	err[0] = '\0';
	if (update_file_open(&uf, ko, msg, sizeof(msg))) {
		free(script_dir);
		return set_error(err, errlen, "%s", msg);
	}
	if (uf.klp) {
		set_error(err, errlen, "%s: an update for the kernel's livepatch (--format klp): its package's scripts drive kmend's engine; package an update made for kmend's engine",
			  ko);
		goto out;
	}
	kversion = o->kernel_version ? o->kernel_version : uf.kernel_version;
	if (!kversion) {
		set_error(err, errlen, "%s: the update does not say which Debian build of %s it is for (kmend create --kernel records it); give it with --kernel-version VERSION",
			  ko, uf.release);
		goto out;
	}
	if (!version_valid(kversion) || !version_valid(o->version)) {
		set_error(err, errlen, "'%s' is not a Debian version",
			  version_valid(kversion) ? o->version : kversion);
		goto out;
	}
	if (!script_dir) {
		set_error(err, errlen, "the maintainer script templates (scripts/package/ of kmend's source, LIBDIR/package when installed) are not next to the kmend binary; set KMEND_HELPERS");
		goto out;
	}
	package = update_package_name(uf.release);
	to = str_format("/usr/lib/kmend/packages/%s/%s.ko", package, uf.id);
	depends = str_format("kmend (>= %s), kmend-engine-%s, linux-image-%s (= %s)",
			     KMEND_VERSION, uf.release, uf.release, kversion);
	summary = str_format("live update %s for Linux %s", uf.id, uf.release);
	description = str_format(" %s.\n .\n The kmend live update %s, for the kernel %s of Debian's\n"
				 " linux-image-%s %s. Installing the package installs the\n"
				 " update for kmend.service, which applies it at every boot of that kernel,\n"
				 " and applies it now when the machine runs it; removing it undoes it.\n",
				 uf.description ? uf.description : uf.id, uf.id, uf.release,
				 uf.release, kversion);
	changelog = str_format("  * Live update %s for %s.\n%s%s%s", uf.id, uf.release,
			       uf.patch_sha256 ? "    Its patches' SHA-256:\n    " : "",
			       uf.patch_sha256 ? uf.patch_sha256 : "",
			       uf.patch_sha256 ? "\n" : "");
	out = str_format("%s/%s_%s_amd64.deb", o->out_dir, package, o->version);
	if (!package || !to || !depends || !summary || !description || !changelog || !out) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	if (!deb_name_valid(package)) {
		set_error(err, errlen, "%s: the release %s makes no valid package name", ko, uf.release);
		goto out;
	}
	{
		char *postinst = str_format("%s/postinst", script_dir);
		char *prerm = str_format("%s/prerm", script_dir);
		char *postrm = str_format("%s/postrm", script_dir);
		const struct deb_file files[] = { { ko, to, 0644 } };
		const struct deb_script scripts[] = {
			{ "postinst", postinst }, { "prerm", prerm }, { "postrm", postrm },
		};
		const char *keys[] = { "PACKAGE", "RELEASE", "ID" };
		const char *values[] = { package, uf.release, uf.id };
		struct deb_spec spec = {
			.package = package, .version = o->version, .architecture = "amd64",
			.maintainer = o->maintainer, .section = "kernel", .priority = "optional",
			.depends = depends, .summary = summary, .description = description,
			.changelog = changelog, .files = files, .nr_files = 1,
			.scripts = scripts, .nr_scripts = 3,
			.keys = keys, .values = values, .nr_keys = 3,
		};

		if (!postinst || !prerm || !postrm)
			set_error(err, errlen, "out of memory");
		else
			ret = deb_build(&spec, o->scratch, out, err, errlen);
		free(postinst);
		free(prerm);
		free(postrm);
	}
	if (!ret)
		snprintf(written, len, "%s", out);
out:
	free(package);
	free(to);
	free(depends);
	free(summary);
	free(description);
	free(changelog);
	free(out);
	free(script_dir);
	update_file_close(&uf);
	return ret;
}
