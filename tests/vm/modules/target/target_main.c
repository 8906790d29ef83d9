// SPDX-License-Identifier: GPL-2.0
/*
 * target_main.c - kmend_test_target: functions for test updates to replace, driven from
 * /sys/kernel/debug/kmend_test_target/:
 *
 *   value     read: what kmend_test_value() returns ("original")
 *   sleep     read: sleeps inside kmend_test_sleep() until "wake" is written
 *             (or a signal comes; only a fatal one with sleep_killable=1)
 *   wake      write: wakes every sleeper
 *   sleepers  read: how many tasks are inside kmend_test_sleep() now
 *   notrace   read: what kmend_test_notrace() returns; it has no ftrace site
 *   secret    read: what kmend_test_secret() returns; a static function,
 *             for updates that must reach it through a kmend relocation
 *   dup       read: what the two static kmend_test_dup() return, this
 *             unit's and target_dup.c's
 *   steps     read: calls kmend_test_step() STEPS times, 100 ms apart, from
 *             code no update replaces (a long system call): "old old new..."
 *   chain     read: what kmend_test_chain() returns: "O:" and what each of
 *             its calls of kmend_test_step() returned, 20 ms apart; a
 *             replacement of both returns "N:" and its steps
 *   unlikely  read: what kmend_test_unlikely() returns; with parameter
 *             unlikely_sleep=1 it first sleeps as "sleep" does, called from
 *             its cold part (kmend_test_unlikely.cold)
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/wait.h>

#include "target.h"

/*
 * 1: kmend_test_sleep() sleeps killable, so that the wakeups of a per-task
 * transition (fake signals) do not end it; 0: interruptible, so that the
 * freezer can take its task out of the kernel.
 */
static bool sleep_killable;
module_param(sleep_killable, bool, 0600);

static bool unlikely_sleep;
module_param(unlikely_sleep, bool, 0600);

static struct dentry *dir;
static DECLARE_WAIT_QUEUE_HEAD(wake_queue);
static atomic_t wake_generation = ATOMIC_INIT(0);
static atomic_t sleepers = ATOMIC_INIT(0);

/* noipa: callers must not learn the return value at compile time. */
noinline __attribute__((__noipa__)) const char *kmend_test_value(void)
{
	return "original";
}

noinline __attribute__((__noipa__)) const char *kmend_test_sleep(void)
{
	int gen = atomic_read(&wake_generation);

	atomic_inc(&sleepers);
	if (READ_ONCE(sleep_killable))
		wait_event_killable(wake_queue,
				    atomic_read(&wake_generation) != gen);
	else
		wait_event_interruptible(wake_queue,
					 atomic_read(&wake_generation) != gen);
	atomic_dec(&sleepers);
	return "woken";
}

noinline __attribute__((__noipa__)) const char *kmend_test_step(void)
{
	return "old";
}
EXPORT_SYMBOL_GPL(kmend_test_step);

noinline __attribute__((__noipa__)) char *kmend_test_chain(char *buf,
							    size_t size)
{
	return chain_steps(buf, size, "O");
}

/* Called only from a cold path, which gcc moves out to a .cold part. */
static noinline __cold const char *sleep_from_cold_part(void)
{
	return kmend_test_sleep();
}

noinline __attribute__((__noipa__)) const char *kmend_test_unlikely(void)
{
	const char *ret = "original";

	if (READ_ONCE(unlikely_sleep)) {
		/* work after the call: a call, not a jump, from the cold part */
		ret = sleep_from_cold_part();
		atomic_inc(&wake_generation);
	}
	return ret;
}

noinline notrace __attribute__((__noipa__)) const char *kmend_test_notrace(void)
{
	return "untraced";
}

static noinline __attribute__((__noipa__)) const char *kmend_test_secret(void)
{
	return "secret";
}

static noinline __attribute__((__noipa__)) const char *kmend_test_dup(void)
{
	return "dup1";
}

static ssize_t reply(char __user *ubuf, size_t count, loff_t *ppos,
		     const char *text)
{
	char line[64];
	int n = scnprintf(line, sizeof(line), "%s\n", text);

	return simple_read_from_buffer(ubuf, count, ppos, line, n);
}

static ssize_t value_read(struct file *f, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	return reply(ubuf, count, ppos, *ppos ? "" : kmend_test_value());
}

static ssize_t sleep_read(struct file *f, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	return reply(ubuf, count, ppos, *ppos ? "" : kmend_test_sleep());
}

static ssize_t notrace_read(struct file *f, char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	return reply(ubuf, count, ppos, *ppos ? "" : kmend_test_notrace());
}

static ssize_t secret_read(struct file *f, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	return reply(ubuf, count, ppos, *ppos ? "" : kmend_test_secret());
}

static ssize_t dup_read(struct file *f, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	char both[64];

	snprintf(both, sizeof(both), "%s %s", kmend_test_dup(),
		 kmend_test_dup_second());
	return reply(ubuf, count, ppos, *ppos ? "" : both);
}

#define STEPS 8

static ssize_t steps_read(struct file *f, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	char line[64];
	int i, n = 0;

	if (*ppos)
		return 0;
	for (i = 0; i < STEPS; i++) {
		if (i)
			msleep(100);
		n += scnprintf(line + n, sizeof(line) - n, "%s%s", i ? " " : "",
			       kmend_test_step());
	}
	return reply(ubuf, count, ppos, line);
}

static ssize_t chain_read(struct file *f, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	char line[64];

	return reply(ubuf, count, ppos,
		     *ppos ? "" : kmend_test_chain(line, sizeof(line)));
}

static ssize_t unlikely_read(struct file *f, char __user *ubuf, size_t count,
			     loff_t *ppos)
{
	return reply(ubuf, count, ppos, *ppos ? "" : kmend_test_unlikely());
}

static ssize_t sleepers_read(struct file *f, char __user *ubuf, size_t count,
			     loff_t *ppos)
{
	char n[16];

	snprintf(n, sizeof(n), "%d", atomic_read(&sleepers));
	return reply(ubuf, count, ppos, n);
}

static ssize_t wake_write(struct file *f, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	atomic_inc(&wake_generation);
	wake_up_all(&wake_queue);
	return count;
}

static const struct file_operations value_fops = { .read = value_read };
static const struct file_operations sleep_fops = { .read = sleep_read };
static const struct file_operations notrace_fops = { .read = notrace_read };
static const struct file_operations sleepers_fops = { .read = sleepers_read };
static const struct file_operations secret_fops = { .read = secret_read };
static const struct file_operations dup_fops = { .read = dup_read };
static const struct file_operations steps_fops = { .read = steps_read };
static const struct file_operations chain_fops = { .read = chain_read };
static const struct file_operations unlikely_fops = { .read = unlikely_read };
static const struct file_operations wake_fops = { .write = wake_write };

static int __init kmend_test_target_init(void)
{
	dir = debugfs_create_dir("kmend_test_target", NULL);
	debugfs_create_file("value", 0400, dir, NULL, &value_fops);
	debugfs_create_file("sleep", 0400, dir, NULL, &sleep_fops);
	debugfs_create_file("notrace", 0400, dir, NULL, &notrace_fops);
	debugfs_create_file("sleepers", 0400, dir, NULL, &sleepers_fops);
	debugfs_create_file("secret", 0400, dir, NULL, &secret_fops);
	debugfs_create_file("dup", 0400, dir, NULL, &dup_fops);
	debugfs_create_file("wake", 0200, dir, NULL, &wake_fops);
	debugfs_create_file("steps", 0400, dir, NULL, &steps_fops);
	debugfs_create_file("chain", 0400, dir, NULL, &chain_fops);
	debugfs_create_file("unlikely", 0400, dir, NULL, &unlikely_fops);
	return 0;
}

static void __exit kmend_test_target_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(kmend_test_target_init);
module_exit(kmend_test_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend test: functions to replace and to hold busy");
