// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for klp_relocs.c: kmend relocations written into a linked
 * module as the kernel's livepatch relocations. The "module" is a small
 * relocatable object made with elfwrite.c; the result is read back with
 * libelf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <gelf.h>

#include "elfwrite.h"
#include "klp_tables.h"

#define SHF_RELA_LIVEPATCH	0x00100000
#define SHN_LIVEPATCH		0xff20

struct fixture {
	char path[64];
	size_t text, bar, jump;	/* section indices in the written file */
};

/* .text.foo (s1), .text.bar (s2) and __jump_table (s3), each named by a global. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct elf_builder b;
	char err[256];
	int fd;

	if (!f)
		return -1;
	*state = f;
	strcpy(f->path, "/tmp/kmend-test-klp.XXXXXX");
	fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	if (elf_builder_init(&b))
		return -1;
	f->text = elf_builder_add_section(&b, ".text.foo", SHT_PROGBITS,
					  SHF_ALLOC | SHF_EXECINSTR, 16, 0, NULL, 64);
	f->bar = elf_builder_add_section(&b, ".text.bar", SHT_PROGBITS,
					 SHF_ALLOC | SHF_EXECINSTR, 16, 0, NULL, 32);
	f->jump = elf_builder_add_section(&b, "__jump_table", SHT_PROGBITS,
					  SHF_ALLOC | SHF_WRITE, 8, 0, NULL, 16);
	if (!f->text || !f->bar || !f->jump ||
	    !elf_builder_add_symbol(&b, "__kmend_u0_s1", STT_NOTYPE, STB_GLOBAL, f->text, 0, 0) ||
	    !elf_builder_add_symbol(&b, "__kmend_u1_s2", STT_NOTYPE, STB_GLOBAL, f->bar, 8, 0) ||
	    !elf_builder_add_symbol(&b, "__kmend_u0_s3", STT_NOTYPE, STB_GLOBAL, f->jump, 0, 0) ||
	    elf_builder_write(&b, f->path, err, sizeof(err))) {
		elf_builder_free(&b);
		return -1;
	}
	elf_builder_free(&b);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	free(f);
	return 0;
}

static struct payload_reloc vmlinux_relocs[] = {
	{ .place_symbol = "__kmend_u0_s1", .offset = 0x10, .symbol = "do_thing",
	  .type = R_X86_64_PLT32, .addend = -4 },
	{ .place_symbol = "__kmend_u0_s1", .offset = 0x20, .symbol = "static_key_mutex.0",
	  .type = R_X86_64_32S },
	{ .place_symbol = "__kmend_u0_s1", .offset = 0x30, .symbol = "do_thing",
	  .type = R_X86_64_PC32, .addend = -4 },
	{ .place_symbol = "__kmend_u0_s3", .offset = 8, .symbol = "__tracepoint_x",
	  .type = R_X86_64_PC64, .addend = 10, .at_load = 1 },
};

static struct payload_reloc module_relocs[] = {
	{ .place_symbol = "__kmend_u1_s2", .offset = 4, .symbol = "ib_core:ib_thing",
	  .type = R_X86_64_PLT32, .addend = -4 },
	{ .place_symbol = "__kmend_u1_s2", .offset = 12, .symbol = "rdma_local",
	  .type = R_X86_64_32S },
};

/* What one livepatch relocation section holds, read back. */
struct read_section {
	GElf_Shdr shdr;
	size_t nr;
	GElf_Rela rela[8];
	const char *sym[8];
	unsigned int shndx[8];
};

static int read_klp_section(const char *path, const char *name, struct read_section *out)
{
	int fd = open(path, O_RDONLY);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx, found = 0;
	Elf_Scn *scn = NULL;

	memset(out, 0, sizeof(*out));
	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh, symsh;
		Elf_Data *d, *syms;
		Elf_Scn *symscn;

		gelf_getshdr(scn, &sh);
		if (strcmp(elf_strptr(elf, shstrndx, sh.sh_name), name))
			continue;
		found++;
		out->shdr = sh;
		d = elf_getdata(scn, NULL);
		symscn = elf_getscn(elf, sh.sh_link);
		gelf_getshdr(symscn, &symsh);
		syms = elf_getdata(symscn, NULL);
		out->nr = sh.sh_size / sizeof(Elf64_Rela);
		assert_true(out->nr <= 8);
		for (size_t i = 0; i < out->nr; i++) {
			GElf_Sym s;

			gelf_getrela(d, (int)i, &out->rela[i]);
			gelf_getsym(syms, (int)GELF_R_SYM(out->rela[i].r_info), &s);
			out->sym[i] = strdup(elf_strptr(elf, symsh.sh_link, s.st_name));
			out->shndx[i] = s.st_shndx;
		}
	}
	elf_end(elf);
	close(fd);
	return (int)found;
}

static void free_read(struct read_section *r)
{
	for (size_t i = 0; i < r->nr; i++)
		free((char *)r->sym[i]);
}

static void test_writes_klp_sections(void **state)
{
	struct fixture *f = *state;
	struct payload vp = { .relocs = vmlinux_relocs, .nr_relocs = 4 };
	struct payload mp = { .relocs = module_relocs, .nr_relocs = 2 };
	struct update_unit units[] = {
		{ .target = "vmlinux", .payload = &vp },
		{ .target = "rdma_cm", .payload = &mp },
	};
	struct update_module m = { .format = UPDATE_FORMAT_KLP, .units = units, .nr_units = 2 };
	struct read_section r;
	char err[256] = "";

	assert_int_equal(klp_relocs_write(f->path, &m, err, sizeof(err)), 0);

	assert_int_equal(read_klp_section(f->path, ".klp.rela.vmlinux..text.foo", &r), 1);
	assert_int_equal(r.shdr.sh_type, SHT_RELA);
	assert_int_equal(r.shdr.sh_flags, SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH);
	assert_int_equal(r.shdr.sh_info, f->text);
	assert_int_equal(r.nr, 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(r.shndx[i], SHN_LIVEPATCH);
	/* sorted by section only: find each by its offset */
	for (size_t i = 0; i < 3; i++) {
		switch (r.rela[i].r_offset) {
		case 0x10:
			assert_string_equal(r.sym[i], ".klp.sym.vmlinux.do_thing,0");
			assert_int_equal(GELF_R_TYPE(r.rela[i].r_info), R_X86_64_PLT32);
			assert_int_equal(r.rela[i].r_addend, -4);
			break;
		case 0x20:
			assert_string_equal(r.sym[i], ".klp.sym.vmlinux.static_key_mutex.0,0");
			assert_int_equal(GELF_R_TYPE(r.rela[i].r_info), R_X86_64_32S);
			break;
		case 0x30:
			/* one symbol per name */
			assert_string_equal(r.sym[i], ".klp.sym.vmlinux.do_thing,0");
			assert_int_equal(GELF_R_TYPE(r.rela[i].r_info), R_X86_64_PC32);
			break;
		default:
			fail_msg("unexpected offset %#lx", (unsigned long)r.rela[i].r_offset);
		}
	}
	free_read(&r);

	/* the jump label's key: a vmlinux relocation the loader applies */
	assert_int_equal(read_klp_section(f->path, ".klp.rela.vmlinux.__jump_table", &r), 1);
	assert_int_equal(r.shdr.sh_info, f->jump);
	assert_int_equal(r.nr, 1);
	assert_int_equal(r.rela[0].r_offset, 8);
	assert_int_equal(r.rela[0].r_addend, 10);
	assert_string_equal(r.sym[0], ".klp.sym.vmlinux.__tracepoint_x,0");
	free_read(&r);

	/* a module's: its own symbols, and another module's by name */
	assert_int_equal(read_klp_section(f->path, ".klp.rela.rdma_cm..text.bar", &r), 1);
	assert_int_equal(r.shdr.sh_info, f->bar);
	assert_int_equal(r.nr, 2);
	for (size_t i = 0; i < 2; i++) {
		if (r.rela[i].r_offset == 8 + 4)
			assert_string_equal(r.sym[i], ".klp.sym.ib_core.ib_thing,0");
		else if (r.rela[i].r_offset == 8 + 12)
			assert_string_equal(r.sym[i], ".klp.sym.rdma_cm.rdma_local,0");
		else
			fail_msg("unexpected offset %#lx", (unsigned long)r.rela[i].r_offset);
	}
	free_read(&r);
}

static void test_missing_place_symbol(void **state)
{
	struct fixture *f = *state;
	struct payload_reloc bad = { .place_symbol = "__kmend_u9_s9", .offset = 0,
				     .symbol = "x", .type = R_X86_64_64 };
	struct payload p = { .relocs = &bad, .nr_relocs = 1 };
	struct update_unit unit = { .target = "vmlinux", .payload = &p };
	struct update_module m = { .format = UPDATE_FORMAT_KLP, .units = &unit, .nr_units = 1 };
	struct read_section r;
	char err[256] = "";

	assert_int_equal(klp_relocs_write(f->path, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "__kmend_u9_s9"));
	/* nothing written */
	assert_int_equal(read_klp_section(f->path, ".klp.rela.vmlinux..text.foo", &r), 0);
}

static void test_nothing_to_write(void **state)
{
	struct fixture *f = *state;
	struct payload p = { 0 };
	struct update_unit unit = { .target = "vmlinux", .payload = &p };
	struct update_module m = { .format = UPDATE_FORMAT_KLP, .units = &unit, .nr_units = 1 };
	char err[256] = "";

	assert_int_equal(klp_relocs_write(f->path, &m, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_writes_klp_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_place_symbol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_to_write, setup, teardown),
	};

	elf_version(EV_CURRENT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
