/* SPDX-License-Identifier: GPL-2.0 */
/* log.h - the per-update debugfs log. */
#ifndef _KMEND_LOG_H
#define _KMEND_LOG_H

#include <linux/mutex.h>
#include <linux/types.h>

struct kmend_state;
struct dentry;

/*
 * Per-update log, read at /sys/kernel/debug/kmend/<id>: what was checked,
 * how long the stop took, which tasks were in the way. When full, the oldest
 * half is dropped.
 */
struct kmend_log {
	struct mutex lock;	/* protects buf and len */
	char *buf;
	size_t len;
	struct dentry *dentry;
};

int kmend_log_init(struct kmend_state *st);
void kmend_log_exit(struct kmend_state *st);

/* Always logged. */
__printf(2, 3) void kmend_log(struct kmend_state *st, const char *fmt, ...);
/*
 * Stop the current transition for @cause: the line, logged, is also kept as
 * the update's abort_detail, so that the kmend command can say what and
 * where without debugfs. The last call of a transition wins.
 */
__printf(3, 4) void kmend_abort(struct kmend_state *st, int cause,
				const char *fmt, ...);
/* Logged when the update's debug attribute is 1. */
#define kmend_dbg(st, fmt, ...)						\
	do {								\
		if (READ_ONCE((st)->debug))				\
			kmend_log(st, fmt, ##__VA_ARGS__);		\
	} while (0)

int kmend_debugfs_init(void);
void kmend_debugfs_exit(void);
struct dentry *kmend_debugfs_root(void);

#endif /* _KMEND_LOG_H */
