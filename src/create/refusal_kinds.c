// SPDX-License-Identifier: GPL-2.0
/*
 * The kinds of change kmend create refuses, in words: what each means and
 * what the author of the fix can do instead (docs/create.md, Refusals).
 */
#include <string.h>

#include "refusal_kinds.h"

static const struct refusal_kind kinds[] = {
	{ REFUSE_CHANGED_DATA,
	  "a variable or table the running kernel has gets another value; the running kernel keeps the old one (only a static read-only table of plain values that functions of its unit alone read is carried as a copy)",
	  "set the new value from a post_patch callback (KMEND_POST_PATCH_CALLBACK), keep new state in a shadow variable (<kmend/shadow.h>), or declare the change ignored (KMEND_IGNORE_SYMBOL) when the old value is right for the running kernel" },
	{ REFUSE_EXPORT_CHANGED,
	  "the patch changes the modversions CRC of an export (the types it uses changed), or adds or removes an export; modules built for the running kernel would no longer match",
	  "keep the exported interface and the types it uses as they are; call new code from the changed functions instead of exporting it" },
	{ REFUSE_LAYOUT_CHANGED,
	  "a struct or union changes its size or members; the data already in memory keeps the old layout, so new code would misread it",
	  "keep the type as it is and carry a new field in a shadow variable (<kmend/shadow.h>, docs/writing-updates.md)" },
	{ REFUSE_ENUM_CHANGED,
	  "constants of an enum change value; the data already in memory holds the old ones",
	  "add new constants after the others instead of between them" },
	{ REFUSE_INIT_ONLY,
	  "the patch changes only __init or __exit parts, which the running kernel has already run or runs only at unload",
	  "nothing a live update can do: reboot into a kernel built with the fix (or load the module from such a build)" },
	{ REFUSE_NEW_INIT_CODE,
	  "the patch adds __init or __exit code, which an update never runs",
	  "do its work from a post_patch callback (KMEND_POST_PATCH_CALLBACK)" },
	{ REFUSE_NEW_PERCPU_DATA,
	  "the patch adds per-CPU data, which cannot live in an update module",
	  "allocate it from a callback (alloc_percpu), or keep the state in a shadow variable" },
	{ REFUSE_SHARED_SECTION,
	  "a changed function shares its section with others (__sched, __lockfunc and the like), which the update would copy and run",
	  "keep the change out of that function, or in one whose section is its own" },
	{ REFUSE_LOAD_TIME_REFERENCE,
	  "a table the kernel reads while loading the update (jump labels of a module, alternatives, the module loader's own tables) refers to a symbol that is not exported, before kmend can resolve it",
	  "keep the code that uses it out of the change, or export the symbol in a kernel build" },
	{ REFUSE_UNSUPPORTED_REFERENCE,
	  "the new code refers to something in a way kmend cannot resolve: an absolute or common symbol, unnamed writable data, a relocation type the engine cannot write",
	  "express the change without that reference; report it if the change is common" },
	{ REFUSE_UNSUPPORTED_CODE,
	  "a changed function's code cannot be carried: its pre code cannot be read, or the unlikely part of a new or deleted function changed",
	  "report it with the patch; keep that part out of the change meanwhile" },
	{ REFUSE_UNKNOWN_TABLE,
	  "a section kmend does not know refers to the new code, and what the kernel does with it is unknown",
	  "report it with the patch, so that kmend learns the section" },
	{ REFUSE_BAD_DECLARATION,
	  "a declaration of the patch (kmend/patch.h) names something it cannot: a callback or hook must be a function the patch adds, a TRANSFORM_ON_ACCESS flag a variable the patch adds",
	  "declare a function (or variable) the patch itself adds (docs/writing-updates.md)" },
	{ REFUSE_NOINSTR_CODE,
	  "a changed function in .noinstr.text or .entry.text: entry code, and code that runs where RCU, tracing or a trustworthy stack are not available, NMI handlers among it; it has no ftrace site, and a jump over its first bytes could not be written safely while an NMI may run it, nor a task in it be seen by the stack check",
	  "keep the change out of entry and noinstr code, or make it in a function that code calls and that has an ftrace site; else the fix needs a reboot" },
	{ REFUSE_ASM_CODE,
	  "changed assembly that cannot be carried as a function: code outside SYM_FUNC_START/SYM_FUNC_END (SYM_CODE: entry points, trampolines and other code that runs without a frame the stack check can trust), or a function that reaches another function of its file with a short (8- or 16-bit) jump, which cannot span the distance to the update",
	  "make the change inside a SYM_FUNC function, with jumps to other functions written as calls or 32-bit jumps (or through a global symbol); else the fix needs a reboot" },
};

const struct refusal_kind *refusal_kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

const struct refusal_kind *refusal_kinds(size_t *n)
{
	*n = sizeof(kinds) / sizeof(kinds[0]);
	return kinds;
}
