// SPDX-License-Identifier: GPL-2.0
/*
 * kmend_test_kprobe.c - a kprobe at an address, as a tool of another kind
 * would place one, counting its hits: tracefs refuses probes on functions
 * without an ftrace site, which entry jumps are about.
 */
#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/module.h>

static unsigned long addr;
module_param(addr, ulong, 0400);
MODULE_PARM_DESC(addr, "where the kprobe goes");

static atomic_t hits = ATOMIC_INIT(0);
module_param_named(hits, hits.counter, int, 0400);
MODULE_PARM_DESC(hits, "how many times it fired");

static int pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&hits);
	return 0;
}

static struct kprobe probe = { .pre_handler = pre };

static int __init kmend_test_kprobe_init(void)
{
	probe.addr = (kprobe_opcode_t *)addr;
	return register_kprobe(&probe);
}

static void __exit kmend_test_kprobe_exit(void)
{
	unregister_kprobe(&probe);
}

module_init(kmend_test_kprobe_init);
module_exit(kmend_test_kprobe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend test: a kprobe at an address, counting its hits");
