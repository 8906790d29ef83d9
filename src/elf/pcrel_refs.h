/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC-relative operands of x86-64 code (branch displacements and
 * RIP-relative addresses), decoded with Capstone: where an assembler
 * resolved a reference itself, no relocation says so.
 */
#ifndef KMEND_PCREL_REFS_H
#define KMEND_PCREL_REFS_H

#include <stddef.h>
#include <stdint.h>

struct pcrel_ref {
	uint64_t at;		/* the displacement's offset */
	unsigned int size;	/* its bytes: 1, 2 or 4 */
	uint64_t end;		/* the end of its instruction: what it counts from */
	int64_t target;		/* the offset it reaches */
};

/*
 * Decode the @size bytes of @code, whose first byte is at offset @base of its
 * section, and list every PC-relative operand in *@refs (to free), *@nr of
 * them. Bytes that decode to no instruction are stepped over one at a time.
 * Returns 0, or -1 with a message in @err.
 */
int pcrel_refs_find(const unsigned char *code, size_t size, uint64_t base,
		    struct pcrel_ref **refs, size_t *nr, char *err, size_t errlen);

#endif /* KMEND_PCREL_REFS_H */
