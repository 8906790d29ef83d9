// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's abort causes in words, with their exit statuses
 * (documented in kmend(8); never renumber one).
 */
#include "causes.h"

#include <string.h>

#include "cli.h"

#define CAUSE(nr, n, m, a) \
	{ .name = n, .exit_status = KMEND_EXIT_CAUSE_BASE + nr, .meaning = m, .advice = a }

static const struct abort_cause causes[] = {
	CAUSE(0, "no_match",
	      "the update's pre code differs from the running kernel's code: it was built from other source than the running kernel",
	      "build it with 'kmend create' from the source of exactly this kernel release and package version"),
	CAUSE(1, "failed_to_find",
	      "a function or symbol the update needs is not in the running kernel, or its name is there more than once and the update does not say which",
	      "build the update from the source of the running kernel"),
	CAUSE(2, "missing_export",
	      "a symbol the update needs is not exported by the running kernel",
	      "build the update from the source of the running kernel"),
	CAUSE(3, "already_reversed",
	      "the update was undone, and an undone update cannot be applied again as it is",
	      "run 'kmend undo ID' to unload it, then apply the file again"),
	CAUSE(4, "module_busy",
	      "another update applied later replaces some of the same functions or declares one of its system states, or the update module is being unloaded",
	      "undo the later update first (see 'kmend list'), or use 'kmend undo --all'"),
	CAUSE(5, "out_of_memory",
	      "the kernel could not allocate memory for the transition",
	      "try again when memory is available"),
	CAUSE(6, "code_busy",
	      "tasks were running, or sleeping in, functions the update replaces at every attempt",
	      "retry later ('kmend apply' again), once those tasks have left the functions, or stop them"),
	CAUSE(7, "unexpected_running_task",
	      "a task other than the CPU stoppers was running while the machine was stopped",
	      "retry; if it persists, report it with the kernel log"),
	CAUSE(8, "target_not_loaded",
	      "a module the update changes is not loaded",
	      "load that module (modprobe) and apply again"),
	CAUSE(9, "call_failed",
	      "one of the update's callbacks refused the transition",
	      "see the debug log (/sys/kernel/debug/kmend/ID) for what the callback said"),
	CAUSE(10, "no_ftrace_site",
	      "a function the update replaces has no ftrace call site (notrace), so calls to it cannot be redirected",
	      "change a caller of that function in the fix instead"),
	CAUSE(11, "ftrace_unavailable",
	      "ftrace is disabled, or another live patch or tracer already redirects one of the functions",
	      "enable ftrace (sysctl kernel.ftrace_enabled=1) or remove the other live patch or kprobe"),
	CAUSE(12, "unexpected",
	      "the engine stopped for a reason it did not expect",
	      "see the debug log (/sys/kernel/debug/kmend/ID) and the kernel log"),
	CAUSE(13, "interrupted",
	      "a per-task transition was reversed before it ended: its stage was written back, or the command running it got a signal",
	      "apply (or undo) again when wanted; nothing stayed changed"),
	CAUSE(14, "incompatible_state",
	      "an applied update changed a system state (KMEND_STATE) that this update does not know, or knows only at an older version",
	      "build the update from a patch that declares that state at the applied version or newer and takes it over in its callbacks, or undo the update that changed it first"),
};

#define NR_CAUSES (sizeof(causes) / sizeof(causes[0]))

const struct abort_cause *abort_cause_find(const char *name)
{
	for (size_t i = 0; i < NR_CAUSES; i++)
		if (strcmp(causes[i].name, name) == 0)
			return &causes[i];
	for (size_t i = 0; i < NR_CAUSES; i++)
		if (strcmp(causes[i].name, "unexpected") == 0)
			return &causes[i];
	return &causes[0];
}

const struct abort_cause *abort_causes(size_t *n)
{
	*n = NR_CAUSES;
	return causes;
}
