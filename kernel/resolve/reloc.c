// SPDX-License-Identifier: GPL-2.0
/*
 * reloc.c - writing the update's references to unexported target symbols.
 */
#include <linux/elf.h>
#include <linux/memory.h>
#include <linux/module.h>

#include "ksyms.h"
#include "match.h"
#include "match_core.h"
#include "reloc.h"
#include "resolve.h"

int kmend_reloc_encode(unsigned int type, void *place, unsigned long sym,
		       long addend, u8 *buf, size_t *len)
{
	u64 value = sym + addend;
	s64 rel = (s64)(value - (unsigned long)place);

	switch (type) {
	case R_X86_64_64:
		memcpy(buf, &value, 8);
		*len = 8;
		return 0;
	case R_X86_64_PC64:
		memcpy(buf, &rel, 8);
		*len = 8;
		return 0;
	case R_X86_64_32S:
		if ((s64)value != (s32)value)
			return -ERANGE;
		*len = 4;
		memcpy(buf, &(s32){ (s32)value }, 4);
		return 0;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		if (rel != (s32)rel)
			return -ERANGE;
		*len = 4;
		memcpy(buf, &(s32){ (s32)rel }, 4);
		return 0;
	}
	return -EINVAL;
}

bool kmend_within_module(struct module *mod, const void *place, size_t len)
{
	unsigned long start = (unsigned long)place;

	return within_module(start, mod) && within_module(start + len - 1, mod);
}

/*
 * Before the first write, every field must be empty, as the compiler left
 * it, and outside the module's struct module: a place elsewhere (the
 * module's own code, say) would be overwritten.
 */
static int check_empty(struct kmend_state *st, struct kmend_pack *pack)
{
	const void *mod = st->update->mod;
	struct kmend_reloc *r;

	for (r = pack->relocs; r && r->symbol; r++) {
		size_t len = kmend_reloc_width(r->type);

		if ((r->place < mod + sizeof(struct module) &&
		     r->place + len > mod) ||
		    (kmend_within_module(st->update->mod, r->place, len) &&
		     memchr_inv(r->place, 0, len))) {
			kmend_abort(st, KMEND_UNEXPECTED,
				    "relocation to %s: its place %pS is not an empty field",
				    r->symbol, r->place);
			return -EINVAL;
		}
	}
	pack->relocs_written = true;
	return 0;
}

int kmend_relocs_write(struct kmend_state *st, struct kmend_pack *pack)
{
	struct kmend_reloc *r;
	unsigned int n = 0;

	if (!pack->relocs_written && check_empty(st, pack))
		return -EINVAL;

	for (r = pack->relocs; r && r->symbol; r++) {
		unsigned long sym;
		u8 buf[8];
		size_t len;
		int ret;

		/* where the running code says it is, else kallsyms */
		if (r->sympos ||
		    !kmend_learned_value(st, pack, r->unit, r->symbol, &sym)) {
			ret = kmend_resolve_symbol(st, pack, r->symbol,
						   r->sympos, &sym);
			if (ret)
				return ret;
		}
		ret = kmend_reloc_encode(r->type, r->place, sym, r->addend,
					 buf, &len);
		if (ret) {
			kmend_abort(st, KMEND_UNEXPECTED, "relocation to %s: %s",
				    r->symbol, ret == -ERANGE ?
				    "the value does not fit the field" :
				    "unsupported relocation type");
			return ret;
		}
		if (!kmend_within_module(st->update->mod, r->place, len)) {
			kmend_abort(st, KMEND_UNEXPECTED,
				    "relocation to %s: its place %pS is outside the update module",
				    r->symbol, r->place);
			return -EINVAL;
		}

		mutex_lock(kmend_ksyms.text_mutex);
		kmend_ksyms.text_poke(r->place, buf, len);
		mutex_unlock(kmend_ksyms.text_mutex);
		kmend_dbg(st, "%s: wrote %s (%pS) at %pS", kmend_pack_name(pack),
			  r->symbol, (void *)sym, r->place);
		n++;
	}
	if (n)
		kmend_log(st, "%s: wrote %u references to target symbols",
			  kmend_pack_name(pack), n);
	return 0;
}
