// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - the per-update debugfs log, /sys/kernel/debug/kmend/<id>.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "alloc.h"
#include "core.h"

#define KMEND_LOG_SIZE (32 * 1024)

static struct dentry *kmend_debugfs_dir;

struct dentry *kmend_debugfs_root(void)
{
	return kmend_debugfs_dir;
}

static ssize_t log_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	struct kmend_state *st = file->private_data;
	ssize_t ret;

	mutex_lock(&st->log.lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, st->log.buf,
				      st->log.len);
	mutex_unlock(&st->log.lock);
	return ret;
}

static const struct file_operations log_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = log_read,
	.llseek = default_llseek,
};

int kmend_log_init(struct kmend_state *st)
{
	mutex_init(&st->log.lock);
	st->log.len = 0;
	st->log.buf = kmend_alloc(KMEND_LOG_SIZE);
	if (!st->log.buf)
		return -ENOMEM;
	/* A log without a debugfs file still works; debugfs is optional. */
	st->log.dentry = debugfs_create_file(st->update->id, 0400,
					     kmend_debugfs_dir, st, &log_fops);
	return 0;
}

void kmend_log_exit(struct kmend_state *st)
{
	debugfs_remove(st->log.dentry);
	st->log.dentry = NULL;
	kmend_free(st->log.buf);
	st->log.buf = NULL;
}

/* Drop whole lines from the front until at least @need bytes are free. */
static void log_make_room(struct kmend_log *log, size_t need)
{
	size_t drop = KMEND_LOG_SIZE / 2;
	char *nl;

	if (KMEND_LOG_SIZE - log->len >= need)
		return;
	if (drop > log->len)
		drop = log->len;
	nl = memchr(log->buf + drop, '\n', log->len - drop);
	drop = nl ? nl - log->buf + 1 : log->len;
	memmove(log->buf, log->buf + drop, log->len - drop);
	log->len -= drop;
}

static void log_line(struct kmend_state *st, const char *fmt, va_list args)
{
	struct kmend_log *log = &st->log;
	char line[256];
	u64 ns = ktime_get_boottime_ns();
	size_t n;

	n = scnprintf(line, sizeof(line), "[%5llu.%06llu] ", ns / NSEC_PER_SEC,
		      (ns % NSEC_PER_SEC) / NSEC_PER_USEC);
	n += vscnprintf(line + n, sizeof(line) - n, fmt, args);
	if (n == 0 || line[n - 1] != '\n') {
		if (n == sizeof(line) - 1)
			n--;
		line[n++] = '\n';
	}

	mutex_lock(&log->lock);
	if (log->buf) {
		log_make_room(log, n);
		memcpy(log->buf + log->len, line, n);
		log->len += n;
	}
	mutex_unlock(&log->lock);
}

void kmend_log(struct kmend_state *st, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	log_line(st, fmt, args);
	va_end(args);
}

void kmend_abort(struct kmend_state *st, int cause, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vscnprintf(st->abort_detail, sizeof(st->abort_detail), fmt, args);
	va_end(args);
	st->cause = cause;
	kmend_log(st, "%s", st->abort_detail);
}

int kmend_debugfs_init(void)
{
	kmend_debugfs_dir = debugfs_create_dir("kmend", NULL);
	return 0;
}

void kmend_debugfs_exit(void)
{
	debugfs_remove_recursive(kmend_debugfs_dir);
}
