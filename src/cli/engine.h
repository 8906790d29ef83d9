/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kmend command's side of the engine: loading modules, and reading and
 * writing /sys/kernel/kmend/<id>/ (docs/sysfs-abi.md).
 */
#ifndef KMEND_ENGINE_H
#define KMEND_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#define KMEND_SYSFS_DIR "/sys/kernel/kmend"
#define KMEND_DEBUGFS_DIR "/sys/kernel/debug/kmend"

/* The running kernel's release (uname -r) into @buf. */
void kernel_release(char *buf, size_t len);

bool engine_loaded(void);

/*
 * Is the loaded engine the version of this command (/sys/module/kmend/
 * version)? 0, or -1 with a message in @err saying what to do.
 */
int engine_check_version(char *err, size_t errlen);

/*
 * Where the engine is looked for when it is not loaded: @explicit (--engine),
 * else $KMEND_ENGINE, else /lib/modules/<release>/extra/kmend.ko. A newly
 * allocated path, or NULL when out of memory.
 */
char *engine_path(const char *explicit);

/* Load the module file @path; 0, or -errno (EEXIST: a module of its name). */
int module_insert(const char *path);
/* Unload module @name without waiting; 0, or -errno. */
int module_remove(const char *name);

/*
 * Load the engine from @path. Returns 0, or -1 with a message in @err that
 * says what to do (-EKEYREJECTED when the kernel refused its signature).
 */
int engine_load(const char *path, char *err, size_t errlen);

bool update_loaded(const char *id);

/*
 * The contents of attribute @attr of update @id, newly allocated, or NULL
 * with errno set. A trailing newline is removed.
 */
char *update_attr(const char *id, const char *attr);

/*
 * From a transition file's text ("applying 3\n4242 cat\n..."): "3 tasks
 * left" (or "reversing, 3 tasks left") in @buf; "" when none runs.
 */
void transition_left(const char *text, char *buf, size_t size);

/* For progress_start(): the tasks update @arg (an id) has left to switch. */
void transition_progress(void *arg, char *buf, size_t size);

/* Write @text to the sysfs file @path (NULL: -ENOMEM); 0, or -errno. */
int sysfs_write(const char *path, const char *text);

/* Write @stage ("applied" or "reversed"); 0, or -errno from the engine. */
int update_write_stage(const char *id, const char *stage);

/*
 * The ids of the loaded updates, the engine's and livepatches made by kmend
 * (klp.h), sorted; 0, or -1 with errno set.
 */
int update_ids(char ***ids, size_t *n);
/* The engine's only. */
int engine_update_ids(char ***ids, size_t *n);
void update_ids_free(char **ids, size_t n);

/* Everything the engine says about one update. */
struct live_update {
	char *id;
	char *module;		/* "" from an engine older than this command */
	char *stage;
	char *abort_cause;
	char *abort_detail;	/* "" when none */
	char *model;
	char *description;
	char *functions;	/* lines "<target> <old> -> <new>" */
	char *conflicts;	/* lines "<comm> <pid> <function>" */
	char *stacked_on;	/* ids, one per line */
	char *targets;		/* "<target> <state>" per line; may be "" */
	long long applied_at;	/* seconds since the epoch; 0: not applied */
	bool klp;		/* a livepatch (kmend create --format klp) */
};

/* One line of an update's functions file. */
struct live_function {
	const char *target;
	const char *old;
	const char *repl;
	/* "jump", "ftrace[:why]", "superseded"; "" if not switched */
	const char *via;
};

/*
 * Call @fn for each well-formed line of a live_update's functions
 * ("<target> <old> -> <new> [<module>] [via=<path>]") or conflicts
 * ("<comm> <pid> <function>"); other lines (the engine's "..." at the end
 * of a full page) are skipped.
 */
void live_functions_each(const char *functions,
			 void (*fn)(const struct live_function *f, void *arg),
			 void *arg);
void live_conflicts_each(const char *conflicts,
			 void (*fn)(const char *comm, int pid, const char *func,
				    void *arg),
			 void *arg);

/* Read update @id; 0, or -1 with errno set (ENOENT: no such update). */
int live_update_read(const char *id, struct live_update *u);
void live_update_free(struct live_update *u);

/*
 * Is some other applied update stacked on @id (see stacked_on)? Returns its
 * id, newly allocated, or NULL.
 */
char *update_stacked_above(const char *id);

#endif /* KMEND_ENGINE_H */
