// SPDX-License-Identifier: GPL-2.0
/*
 * Entry layouts from the 6.1 headers: exception_table_entry (3 x s32),
 * bug_entry with relative pointers and DEBUG_BUGVERBOSE (2 x s32, 2 x u16),
 * jump_entry (2 x s32, long key), alt_instr (2 x s32, u16, 2 x u8),
 * paravirt_patch_site (pointer, 2 x u8, padded to 16), static_call_site
 * (2 x s32), the s32 site lists objtool writes, and ORC (s32 ip per
 * 6-byte orc_entry).
 */
#include "special.h"

#include <string.h>

static const struct special_section specials[] = {
	{ "__ex_table", 12, 0, SPECIAL_CARRY, NULL, 0 },
	{ "__bug_table", 12, 0, SPECIAL_CARRY, NULL, 0 },
	{ "__jump_table", 16, 0, SPECIAL_CARRY, NULL, 0 },
	{ ".altinstructions", 12, 0, SPECIAL_CARRY, NULL, 0 },
	{ ".parainstructions", 16, 0, SPECIAL_CARRY, NULL, 0 },
	{ ".smp_locks", 4, 0, SPECIAL_CARRY, NULL, 0 },
	{ ".retpoline_sites", 4, 0, SPECIAL_CARRY, NULL, 0 },
	{ ".return_sites", 4, 0, SPECIAL_CARRY, NULL, 0 },
	{ ".orc_unwind_ip", 4, 0, SPECIAL_CARRY, ".orc_unwind", 6 },
	{ "__mcount_loc", 8, 0, SPECIAL_CARRY, NULL, 0 },
	{ "_kprobe_blacklist", 8, 0, SPECIAL_CARRY, NULL, 0 },
	{ ".static_call_sites", 8, 0, SPECIAL_LEAVE_OUT, NULL, 0 },
};

const struct special_section *special_find(const char *name)
{
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (!strcmp(specials[i].name, name))
			return &specials[i];
	return NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool special_is_ignored(const char *name)
{
	static const char *const prefixes[] = {
		"__ksymtab", "___ksymtab", "__kcrctab", ".discard", ".note",
		".comment", ".debug", ".orc_unwind",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (starts_with(name, prefixes[i]))
			return true;
	return false;
}
