// SPDX-License-Identifier: GPL-2.0
/*
 * kmend_test_msr.c - calls the assembly functions rdmsr_safe_regs() and
 * wrmsr_safe_regs() (arch/x86/lib/msr-reg.S) when its "calls" parameter is
 * read, and says what they returned: a read of IA32_MISC_ENABLE, and a write that
 * raises #GP, which the function's exception-table entry turns into -EIO,
 * with the registers it hands back.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <asm/msr.h>

/*
 * The write that faults: MSR_IA32_PKRS takes 32 bits, and QEMU (TCG, which
 * answers most MSRs it does not know) raises #GP for a value above them, as
 * the hardware does; no such write reaches the register.
 */
#define FAULTING_MSR	0x6e1	/* MSR_IA32_PKRS */

/* gprs[]: eax, ecx, edx, ebx, esp, ebp, esi, edi */
static int call(int (*fn)(u32 *), u32 msr, u32 *gprs)
{
	gprs[0] = 0x11111111;
	gprs[1] = msr;
	gprs[2] = 0x22222222;
	return fn(gprs);
}

static int calls_get(char *buf, const struct kernel_param *kp)
{
	u32 rd[8] = { 0 }, wr[8] = { 0 };
	int r_rd = call(rdmsr_safe_regs, MSR_IA32_MISC_ENABLE, rd);
	int r_wr = call(wrmsr_safe_regs, FAULTING_MSR, wr);

	/* what the read returns is QEMU's: only that it changed the input */
	return sysfs_emit(buf, "rdmsr %d %s; wrmsr %d %08x %08x\n", r_rd,
			  rd[0] != 0x11111111 ? "read" : "input", r_wr, wr[0], wr[2]);
}

static const struct kernel_param_ops calls_ops = { .get = calls_get };
module_param_cb(calls, &calls_ops, NULL, 0400);
MODULE_PARM_DESC(calls, "read: call {rd,wr}msr_safe_regs and say what they returned");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend test: calls an assembly function with an exception-table entry");
