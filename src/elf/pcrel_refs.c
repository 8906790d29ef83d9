// SPDX-License-Identifier: GPL-2.0
/*
 * PC-relative operands of x86-64 code, from Capstone's decoder: its detail
 * gives each instruction's operands and where their displacement or
 * immediate lies in the encoding.
 */
#include "pcrel_refs.h"

#include <stdbool.h>
#include <stdlib.h>

#include <capstone/capstone.h>

#include "util.h"

static int add_ref(struct pcrel_ref **refs, size_t *nr, struct pcrel_ref r)
{
	struct pcrel_ref *grown = realloc(*refs, (*nr + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	*refs = grown;
	grown[(*nr)++] = r;
	return 0;
}

/* The PC-relative operand of @insn, if it has one, into *@r. */
static bool pcrel_operand(const cs_insn *insn, struct pcrel_ref *r)
{
	const cs_x86 *x = &insn->detail->x86;
	bool branch = false;

	for (uint8_t g = 0; g < insn->detail->groups_count; g++)
		if (insn->detail->groups[g] == CS_GRP_JUMP ||
		    insn->detail->groups[g] == CS_GRP_CALL ||
		    insn->detail->groups[g] == X86_GRP_BRANCH_RELATIVE)
			branch = true;
	r->end = insn->address + insn->size;
	for (uint8_t i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];

		if (branch && op->type == X86_OP_IMM && x->encoding.imm_size) {
			r->at = insn->address + x->encoding.imm_offset;
			r->size = x->encoding.imm_size;
			r->target = op->imm;
			return true;
		}
		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_RIP &&
		    x->encoding.disp_size) {
			r->at = insn->address + x->encoding.disp_offset;
			r->size = x->encoding.disp_size;
			r->target = (int64_t)r->end + op->mem.disp;
			return true;
		}
	}
	return false;
}

int pcrel_refs_find(const unsigned char *code, size_t size, uint64_t base,
		    struct pcrel_ref **refs, size_t *nr, char *err, size_t errlen)
{
	csh handle;
	cs_insn *insn;
	const uint8_t *at = code;
	uint64_t address = base;
	int ret = 0;

	*refs = NULL;
	*nr = 0;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK)
		return set_error(err, errlen, "cannot open the x86-64 decoder (Capstone)");
	cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(handle);
	if (!insn) {
		cs_close(&handle);
		return set_error(err, errlen, "out of memory");
	}
	while (size) {
		struct pcrel_ref r;

		if (!cs_disasm_iter(handle, &at, &size, &address, insn)) {
			at++;		/* data among the code: not an instruction */
			size--;
			address++;
			continue;
		}
		if (pcrel_operand(insn, &r) && add_ref(refs, nr, r)) {
			ret = set_error(err, errlen, "out of memory");
			break;
		}
	}
	cs_free(insn, 1);
	cs_close(&handle);
	if (ret) {
		free(*refs);
		*refs = NULL;
		*nr = 0;
	}
	return ret;
}
