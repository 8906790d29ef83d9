// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a module's .modinfo with libelf, and an update's facts from it.
 */
#include "modinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((format(printf, 4, 5)))
static enum modinfo_error fail(enum modinfo_error e, char *err, size_t errlen,
			       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return e;
}

static enum modinfo_error read_section(Elf *elf, struct modinfo *mi,
				       const char *path, off_t file_size,
				       char *err, size_t errlen)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Ehdr ehdr;

	if (!gelf_getehdr(elf, &ehdr))
		return fail(MODINFO_CORRUPT, err, errlen, "%s: broken ELF header (%s)",
			    path, elf_errmsg(-1));
	if (ehdr.e_type != ET_REL || ehdr.e_machine != EM_X86_64 ||
	    gelf_getclass(elf) != ELFCLASS64)
		return fail(MODINFO_NOT_MODULE, err, errlen,
			    "%s: not a kernel module (an x86-64 relocatable ELF object)",
			    path);
	/* libelf reads headers lazily: a truncated file must be caught here */
	if (ehdr.e_shoff + (uint64_t)ehdr.e_shnum * ehdr.e_shentsize > (uint64_t)file_size)
		return fail(MODINFO_CORRUPT, err, errlen,
			    "%s: truncated or corrupt: its section headers lie beyond its end",
			    path);
	if (elf_getshdrstrndx(elf, &shstrndx))
		return fail(MODINFO_CORRUPT, err, errlen, "%s: broken section headers (%s)",
			    path, elf_errmsg(-1));
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr))
			return fail(MODINFO_CORRUPT, err, errlen, "%s: broken section header (%s)",
				    path, elf_errmsg(-1));
		if (shdr.sh_type != SHT_NOBITS &&
		    shdr.sh_offset + shdr.sh_size > (uint64_t)file_size)
			return fail(MODINFO_CORRUPT, err, errlen,
				    "%s: truncated or corrupt: a section lies beyond its end",
				    path);
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name)
			return fail(MODINFO_CORRUPT, err, errlen, "%s: broken section names (%s)",
				    path, elf_errmsg(-1));
		if (strcmp(name, ".modinfo") != 0)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || data->d_size != shdr.sh_size ||
		    (shdr.sh_size && !data->d_buf))
			return fail(MODINFO_CORRUPT, err, errlen,
				    "%s: its .modinfo cannot be read: the file is truncated or corrupt",
				    path);
		mi->data = malloc(data->d_size + 1);
		if (!mi->data)
			return fail(MODINFO_UNREADABLE, err, errlen, "%s: %s", path,
				    "out of memory");
		memcpy(mi->data, data->d_buf, data->d_size);
		mi->data[data->d_size] = '\0';	/* a last string without its NUL */
		mi->size = data->d_size;
		return MODINFO_OK;
	}
	return fail(MODINFO_NOT_MODULE, err, errlen,
		    "%s: not a kernel module (no .modinfo section)", path);
}

enum modinfo_error modinfo_read(struct modinfo *mi, const char *path,
				char *err, size_t errlen)
{
	enum modinfo_error ret;
	struct stat st;
	Elf *elf;
	int fd;

	mi->data = NULL;
	mi->size = 0;
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(MODINFO_UNREADABLE, err, errlen, "%s: %s", path,
			    strerror(errno));
	if (fstat(fd, &st)) {
		ret = fail(MODINFO_UNREADABLE, err, errlen, "%s: %s", path,
			   strerror(errno));
		close(fd);
		return ret;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		ret = fail(MODINFO_CORRUPT, err, errlen, "%s: cannot be read as ELF (%s)",
			   path, elf_errmsg(-1));
	} else if (elf_kind(elf) != ELF_K_ELF) {
		ret = fail(MODINFO_NOT_MODULE, err, errlen,
			   "%s: not a kernel module (not an ELF file)", path);
	} else {
		ret = read_section(elf, mi, path, st.st_size, err, errlen);
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

void modinfo_free(struct modinfo *mi)
{
	free(mi->data);
	mi->data = NULL;
	mi->size = 0;
}

const char *modinfo_next(const struct modinfo *mi, const char *key,
			 size_t *pos)
{
	size_t klen = strlen(key);

	while (*pos < mi->size) {
		const char *s = mi->data + *pos;

		*pos += strlen(s) + 1;
		if (strncmp(s, key, klen) == 0 && s[klen] == '=')
			return s + klen + 1;
	}
	return NULL;
}

const char *modinfo_get(const struct modinfo *mi, const char *key)
{
	size_t pos = 0;

	return modinfo_next(mi, key, &pos);
}

static bool depends_on_kmend(const struct modinfo *mi)
{
	const char *deps = modinfo_get(mi, "depends");
	size_t n = strlen("kmend");

	for (const char *p = deps; p && *p; p += strcspn(p, ",")) {
		if (*p == ',')
			p++;
		if (strncmp(p, "kmend", n) == 0 && (p[n] == ',' || !p[n]))
			return true;
	}
	return false;
}

bool update_id_is_safe(const char *id)
{
	size_t n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

	return n > 0 && n <= 64 && !id[n];
}

bool release_is_safe(const char *release)
{
	return *release && strcmp(release, ".") && strcmp(release, "..") &&
	       !strchr(release, '/') && strlen(release) < 128;
}

enum modinfo_error update_file_open(struct update_file *uf, const char *path,
				    char *err, size_t errlen)
{
	enum modinfo_error ret;

	memset(uf, 0, sizeof(*uf));
	uf->path = path;
	ret = modinfo_read(&uf->mi, path, err, errlen);
	if (ret)
		return ret;
	uf->id = modinfo_get(&uf->mi, "kmend_id");
	uf->module = modinfo_get(&uf->mi, "name");
	uf->vermagic = modinfo_get(&uf->mi, "vermagic");
	/* a livepatch (kmend create --format klp) needs no engine */
	uf->klp = uf->id && modinfo_get(&uf->mi, "livepatch") &&
		  !strcmp(modinfo_get(&uf->mi, "livepatch"), "Y") &&
		  modinfo_get(&uf->mi, "kmend_format") &&
		  !strcmp(modinfo_get(&uf->mi, "kmend_format"), "klp");
	if (!uf->id || !uf->module || !uf->vermagic ||
	    (!uf->klp && !depends_on_kmend(&uf->mi))) {
		modinfo_free(&uf->mi);
		return fail(MODINFO_NOT_MODULE, err, errlen,
			    "%s: not a kmend update: %s (updates are made by 'kmend create')",
			    path, !uf->id ? "its modinfo names no kmend_id" :
			    "its modinfo lacks the name, vermagic or kmend dependency");
	}
	uf->release = modinfo_get(&uf->mi, "kmend_release");
	if (!uf->release) {
		size_t n = strcspn(uf->vermagic, " ");

		if (n >= sizeof(uf->release_buf))
			n = sizeof(uf->release_buf) - 1;
		memcpy(uf->release_buf, uf->vermagic, n);
		uf->release_buf[n] = '\0';
		uf->release = uf->release_buf;
	}
	/* both become parts of paths (sysfs, the install folder) */
	if (!update_id_is_safe(uf->id) || !release_is_safe(uf->release)) {
		if (!update_id_is_safe(uf->id))
			fail(0, err, errlen,
			     "%s: not a kmend update: its kmend_id '%.64s' is not 1-64 of [A-Za-z0-9_-]",
			     path, uf->id);
		else
			fail(0, err, errlen,
			     "%s: not a kmend update: its kernel release '%.128s' cannot name a folder",
			     path, uf->release);
		modinfo_free(&uf->mi);
		return MODINFO_NOT_MODULE;
	}
	uf->description = modinfo_get(&uf->mi, "description");
	uf->model = modinfo_get(&uf->mi, "kmend_model");
	uf->patch_sha256 = modinfo_get(&uf->mi, "kmend_patch_sha256");
	uf->kernel_version = modinfo_get(&uf->mi, "kmend_kernel_version");
	uf->replace = modinfo_get(&uf->mi, "kmend_replace") != NULL;
	return MODINFO_OK;
}

void update_file_close(struct update_file *uf)
{
	modinfo_free(&uf->mi);
}
