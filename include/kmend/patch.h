/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmend/patch.h - what an update module gives the kmend engine.
 *
 * An update module describes its replacement functions, grouped in one pack
 * per target object (vmlinux or a module), and registers with the engine when
 * it loads. Loading changes nothing: the update's stage is "preparing" until
 * "applied" is written to /sys/kernel/kmend/<id>/stage.
 *
 *	static struct kmend_func funcs[] = {
 *		{ .old_name = "cmdline_proc_show", .new_func = my_cmdline_proc_show },
 *		{ }
 *	};
 *	static struct kmend_pack packs[] = {
 *		{ .target = NULL, .funcs = funcs },	// NULL: vmlinux
 *		{ }
 *	};
 *	static struct kmend_update update = {
 *		.mod = THIS_MODULE, .id = "my-fix", .packs = packs,
 *	};
 *	KMEND_UPDATE(update);
 *	MODULE_INFO(kmend_id, "my-fix");	// for kmend apply, show, install
 *
 * Fields under "engine-private" are zero in the update and owned by the
 * engine once the update is registered.
 */
#ifndef _KMEND_PATCH_H
#define _KMEND_PATCH_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/types.h>
#include <kmend/decl.h>
#include <kmend/pre.h>

/* Longest update id, and the characters it may use: [A-Za-z0-9_-]. */
#define KMEND_ID_MAX 64

/*
 * The consistency model, as in the 2014 discussion: what a task must have
 * left before it may run new code (leave), and what switches at once
 * (switch). The zero value is the default, patched-set + kernel: Ksplice's
 * and kpatch's stop_machine with a stack check.
 */
enum kmend_leave {
	KMEND_LEAVE_PATCHED_SET = 0,
	KMEND_LEAVE_FUNCTION,
	KMEND_LEAVE_KERNEL,
};

enum kmend_switch {
	KMEND_SWITCH_KERNEL = 0,
	KMEND_SWITCH_FUNCTION,
	KMEND_SWITCH_THREAD,
};

struct kmend_model {
	enum kmend_leave leave;
	enum kmend_switch sw;
};

struct kmend_ops;

/* One replaced function. */
struct kmend_func {
	/* The function to replace, as kallsyms names it in the target. */
	const char *old_name;
	/*
	 * Which of several same-named local symbols in the target: 0 when the
	 * name is unique (the engine refuses it otherwise), else the n-th in
	 * kallsyms order, counting from 1.
	 */
	unsigned long old_sympos;
	/* The replacement, in the update module. */
	void *new_func;
	/*
	 * The function has no ftrace call site: its calls are taken by a jump
	 * written over its first bytes while the machine is stopped (models
	 * with switch=kernel only), once the engine has checked that nothing
	 * else patches those bytes and no branch of the function lands in
	 * them. kmend create sets it where the callers cannot take the calls.
	 */
	bool entry_jump;

	/* engine-private */
	struct kmend_pre_func *pre_copy;	/* taken at registration */
	unsigned long old_addr;
	unsigned long old_size;
	unsigned long new_size;
	/* "<name>.cold", where gcc put the unlikely paths; 0: none */
	unsigned long old_cold_addr;
	unsigned long old_cold_size;
	unsigned long new_cold_addr;
	unsigned long new_cold_size;
	struct kmend_ops *ops;
	struct list_head stack_node;
	bool patched;
	bool transition;	/* in a per-task transition: ask the universe */
};

/*
 * A reference from the update's code or data to a symbol of the target that
 * the module loader cannot resolve (a static, or a symbol not exported).
 * Before switching anything, the engine finds the symbol in the pack's
 * target and writes the reference at @place, as the ELF relocation @type
 * would (x86-64: R_X86_64_64, R_X86_64_32S, R_X86_64_PC32, R_X86_64_PLT32).
 */
struct kmend_reloc {
	void *place;
	const char *symbol;
	unsigned long sympos;	/* as for kmend_func.old_sympos */
	unsigned int type;
	long addend;
	/*
	 * The compilation unit of the code it is for, as in kmend_pre_func
	 * (0: none). Run-pre matching of that unit's functions may have read
	 * where @symbol is; that value is used first.
	 */
	unsigned int unit;
};

/*
 * A reference the kernel reads while it loads the update, before the engine
 * could write a kmend_reloc: the static key of a jump-label entry. The
 * engine's module notifier writes each field as the update comes up, ahead
 * of the jump-label code, resolving @symbol in vmlinux. An update lists them
 * in a global array named __kmend_load_relocs, ending with a NULL @place.
 */
struct kmend_load_reloc {
	void *place;
	const char *symbol;
	unsigned long sympos;
	unsigned int type;	/* R_X86_64_64 or R_X86_64_PC64 */
	long addend;
};

struct kmend_pack;

/*
 * Callbacks for one target object, with the order and symmetry of the
 * kernel's livepatch callbacks (Documentation/livepatch/callbacks.rst):
 *
 *   pre_patch    before the object is patched; nonzero refuses the whole
 *                transition (call_failed), or the module's load when it is
 *                a module loading after the update was applied
 *   post_patch   once the object is patched and every task runs new code
 *   pre_unpatch  before the object is unpatched, if post_patch ran
 *   post_unpatch after it is unpatched, if pre_patch ran (also when the
 *                transition did not happen after pre_patch succeeded)
 *
 * Each runs only while its object is loaded: for a module, when the update
 * is applied or undone with the module loaded, or when the module loads
 * (before its init) or unloads (after its exit) while the update is applied.
 * They run in process context with the engine's mutex held: they may sleep,
 * but must not apply or undo updates, nor load or unload modules (the
 * engine's module notifier takes that mutex). pack->mod is the module (NULL
 * for vmlinux).
 */
struct kmend_callbacks {
	int (*pre_patch)(struct kmend_pack *pack);
	void (*post_patch)(struct kmend_pack *pack);
	void (*pre_unpatch)(struct kmend_pack *pack);
	void (*post_unpatch)(struct kmend_pack *pack);
};

/* The functions an update replaces in one target object. */
struct kmend_pack {
	/* NULL (or "vmlinux") for the kernel image, else a module's name. */
	const char *target;
	/* Ends with an entry whose old_name is NULL. */
	struct kmend_func *funcs;
	/* Optional; ends with an entry whose symbol is NULL. */
	struct kmend_reloc *relocs;
	/*
	 * Optional: the pre code of each function, in the order of @funcs,
	 * for run-pre matching (kmend/pre.h). It may live in init memory: the
	 * engine copies it in kmend_register(), clears this pointer, and frees
	 * its copy once the update is applied.
	 */
	const struct kmend_pre_func *const *pre;
	struct kmend_callbacks callbacks;

	/* engine-private */
	struct module *mod;	/* the target module while it is patched */
	bool mod_held;		/* an apply holds a reference on mod */
	bool prepared;		/* functions found, matched, ops taken */
	bool patched;		/* calls go to the new code */
	bool post_unpatch_due;	/* pre_patch ran */
	bool pre_unpatch_due;	/* post_patch ran */
	bool relocs_written;	/* its kmend relocations were written once */
};

/*
 * Hooks run while every CPU is stopped (TRANSFORM_WORLD), under the models
 * that switch the whole kernel at once (switch=kernel), in the same stop as
 * the switch: check_apply just before the functions switch (nonzero
 * refuses: call_failed, nothing switches), apply right after; check_reverse
 * and reverse the same for undo. fail_apply (fail_reverse) runs, still
 * stopped, when a check refused, to undo what earlier checks prepared. They
 * must not sleep or allocate with GFP_KERNEL. An update with hooks is
 * refused under a model that does not stop the machine. They run for the
 * update's apply and undo only, not when a target module loads or unloads,
 * and only vmlinux's code should run in them (a module's may be absent).
 */
struct kmend_hooks {
	int (*check_apply)(void);
	void (*apply)(void);
	void (*fail_apply)(void);
	int (*check_reverse)(void);
	void (*reverse)(void);
	void (*fail_reverse)(void);
};

/*
 * kmend_update.flags: KMEND_REQUIRE_TARGETS refuses to apply while a target
 * module is not loaded (target_not_loaded); without it, such a pack is
 * applied when its module loads. KMEND_REPLACE (kmend create --replace)
 * makes the update cumulative: applying it switches off every update
 * applied before it in the same stop (livepatch's atomic replace), which
 * are then reversed, their callbacks not run; it needs a switch=kernel
 * model.
 */
#define KMEND_REQUIRE_TARGETS	0x1
#define KMEND_REPLACE		0x2

/*
 * A change an update makes to the system beyond its code (data it converts,
 * a setting it changes, shadow variables it keeps), as the kernel's
 * livepatch has it (Documentation/livepatch/system-state.rst): @id names
 * the change, @version how the update leaves it. Applying an update is
 * refused (incompatible_state) when an applied update has a state of the
 * same id at a higher version, and, for a replacing update, when an applied
 * update has a state it does not declare: only an update that knows a
 * change may take it over. @data is the update's own (its callbacks set it).
 */
struct kmend_system_state {
	unsigned long id;
	unsigned int version;
	void *data;
};

struct kmend_state;

struct kmend_update {
	struct module *mod;		/* THIS_MODULE */
	const char *id;			/* the name below /sys/kernel/kmend */
	const char *description;	/* one line, optional */
	struct kmend_model model;
	struct kmend_pack *packs;	/* ends with an entry whose funcs is NULL */
	struct kmend_hooks hooks;
	unsigned int flags;		/* KMEND_REQUIRE_TARGETS, KMEND_REPLACE */
	/* optional; ends with an entry whose id is 0 */
	struct kmend_system_state *states;
	/*
	 * TRANSFORM_ON_ACCESS: optional; the engine sets *on_access once
	 * every task runs the update's code (after the stop, or at the end of
	 * a per-task transition) and clears it before undo switches any task
	 * back, so that new code converting data as it meets it starts only
	 * when no task can meet converted data in old code.
	 */
	bool *on_access;

	/* engine-private */
	struct kmend_state *state;
};

/*
 * Register @update with the engine (from the update module's init). Nothing
 * in the running kernel changes. Returns 0, -EINVAL for a malformed update
 * (the kernel log says what), -EEXIST when an update with its id is loaded,
 * -EOPNOTSUPP for a consistency model this engine does not implement, or
 * -ENOMEM.
 */
int kmend_register(struct kmend_update *update);

/*
 * Forget @update (from the update module's exit). The module cannot be
 * unloaded while the update is applied: the engine holds a reference. (A
 * target module can: its pack is unpatched as it goes.)
 */
void kmend_unregister(struct kmend_update *update);

/*
 * From a callback of @pack's update: that update's state @id, or NULL when
 * it declares none. kmend_get_prev_state() is the same state of the update
 * applied before it (the newest one that declares it, including one this
 * update replaces, until its post_patch callbacks have run), or NULL: a
 * cumulative update's post_patch takes over what the replaced one left,
 * since the replaced update's own callbacks do not run. Both must be called
 * from callbacks (the engine's mutex held).
 */
struct kmend_system_state *kmend_get_state(struct kmend_pack *pack,
					   unsigned long id);
struct kmend_system_state *kmend_get_prev_state(struct kmend_pack *pack,
						unsigned long id);

/*
 * In a source patch (kmend create puts kmend/ on the include path): what
 * the update needs besides new code. kmend create reads these from the
 * compiled unit; they are not part of the update's code.
 *
 *   KMEND_PRE_PATCH_CALLBACK(fn)     int fn(struct kmend_pack *pack)
 *   KMEND_POST_PATCH_CALLBACK(fn)    void fn(struct kmend_pack *pack)
 *   KMEND_PRE_UNPATCH_CALLBACK(fn)   void fn(struct kmend_pack *pack)
 *   KMEND_POST_UNPATCH_CALLBACK(fn)  void fn(struct kmend_pack *pack)
 *	the callbacks of the unit's target object (vmlinux or its module)
 *   KMEND_CHECK_APPLY_HOOK(fn), KMEND_CHECK_REVERSE_HOOK(fn)  int fn(void)
 *   KMEND_APPLY_HOOK(fn), KMEND_REVERSE_HOOK(fn),
 *   KMEND_FAIL_APPLY_HOOK(fn), KMEND_FAIL_REVERSE_HOOK(fn)    void fn(void)
 *	the update's TRANSFORM_WORLD hooks (struct kmend_hooks)
 *   KMEND_NO_REPLACE(fn)           a changed function not to replace (its
 *                                  callers' new code calls the running one)
 *   KMEND_IGNORE_SECTION("name")   changes in that section do not count
 *   KMEND_IGNORE_SYMBOL("name")    changes to that symbol do not count
 *   KMEND_MODEL("leave=...,switch=...")  the update's consistency model
 *   KMEND_STATE(id, version)       a system state the update declares
 *                                  (struct kmend_system_state); integer
 *                                  constants, id nonzero
 *
 * One of each callback per target object and of each hook per update.
 * Callbacks and hooks are functions the patch adds.
 */
struct kmend_decl {
	unsigned long kind;
	union {
		const void *ptr;
		int (*pre_patch)(struct kmend_pack *pack);
		void (*pack_callback)(struct kmend_pack *pack);
		int (*check)(void);
		void (*hook)(void);
		unsigned long state_id;
	};
	union {
		const char *name;
		unsigned long state_version;
	};
};

#define __KMEND_DECL(_kind, _init, _name)				\
	static const struct kmend_decl __UNIQUE_ID(kmend_decl) __used	\
	__section(KMEND_DECL_SECTION) __aligned(8) = {			\
		.kind = (_kind), _init, .name = (_name),		\
	}

#define KMEND_PRE_PATCH_CALLBACK(fn)					\
	__KMEND_DECL(KMEND_DECL_PRE_PATCH, .pre_patch = (fn), NULL)
#define KMEND_POST_PATCH_CALLBACK(fn)					\
	__KMEND_DECL(KMEND_DECL_POST_PATCH, .pack_callback = (fn), NULL)
#define KMEND_PRE_UNPATCH_CALLBACK(fn)					\
	__KMEND_DECL(KMEND_DECL_PRE_UNPATCH, .pack_callback = (fn), NULL)
#define KMEND_POST_UNPATCH_CALLBACK(fn)					\
	__KMEND_DECL(KMEND_DECL_POST_UNPATCH, .pack_callback = (fn), NULL)
#define KMEND_CHECK_APPLY_HOOK(fn)					\
	__KMEND_DECL(KMEND_DECL_CHECK_APPLY, .check = (fn), NULL)
#define KMEND_APPLY_HOOK(fn)						\
	__KMEND_DECL(KMEND_DECL_APPLY, .hook = (fn), NULL)
#define KMEND_FAIL_APPLY_HOOK(fn)					\
	__KMEND_DECL(KMEND_DECL_FAIL_APPLY, .hook = (fn), NULL)
#define KMEND_CHECK_REVERSE_HOOK(fn)					\
	__KMEND_DECL(KMEND_DECL_CHECK_REVERSE, .check = (fn), NULL)
#define KMEND_REVERSE_HOOK(fn)						\
	__KMEND_DECL(KMEND_DECL_REVERSE, .hook = (fn), NULL)
#define KMEND_FAIL_REVERSE_HOOK(fn)					\
	__KMEND_DECL(KMEND_DECL_FAIL_REVERSE, .hook = (fn), NULL)
#define KMEND_NO_REPLACE(fn)						\
	__KMEND_DECL(KMEND_DECL_NO_REPLACE, .ptr = (fn), NULL)
#define KMEND_IGNORE_SECTION(section)					\
	__KMEND_DECL(KMEND_DECL_IGNORE_SECTION, .ptr = NULL, (section))
#define KMEND_IGNORE_SYMBOL(symbol)					\
	__KMEND_DECL(KMEND_DECL_IGNORE_SYMBOL, .ptr = NULL, (symbol))
#define KMEND_MODEL(model)						\
	__KMEND_DECL(KMEND_DECL_MODEL, .ptr = NULL, (model))
#define KMEND_STATE(id, version)					\
	static const struct kmend_decl __UNIQUE_ID(kmend_decl) __used	\
	__section(KMEND_DECL_SECTION) __aligned(8) = {			\
		.kind = KMEND_DECL_STATE, .state_id = (id),		\
		.state_version = (version),				\
	}
/*
 * KMEND_TRANSFORM_ON_ACCESS(flag): @flag, a bool the patch adds (static is
 * fine) and its new code reads, becomes the update's on_access: it turns
 * true once every task has switched to the new code, false before undo.
 */
#define KMEND_TRANSFORM_ON_ACCESS(flag)					\
	__KMEND_DECL(KMEND_DECL_ON_ACCESS, .ptr = &(flag), NULL)

#define KMEND_UPDATE(update)						\
	static int __init kmend_update_init(void)			\
	{								\
		return kmend_register(&(update));			\
	}								\
	static void __exit kmend_update_exit(void)			\
	{								\
		kmend_unregister(&(update));				\
	}								\
	module_init(kmend_update_init);					\
	module_exit(kmend_update_exit)

#endif /* _KMEND_PATCH_H */
