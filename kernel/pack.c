// SPDX-License-Identifier: GPL-2.0
/*
 * pack.c - one target object of an update (vmlinux or a module): getting it
 * ready to switch, letting it go, and its callbacks.
 */
#include "match.h"
#include "pack.h"
#include "redirect.h"
#include "reloc.h"
#include "resolve.h"

int kmend_pack_prepare(struct kmend_state *st, struct kmend_pack *pack)
{
	int ret;

	lockdep_assert_held(&kmend_mutex);

	ret = kmend_resolve_pack(st, pack);
	if (ret)
		return ret;
	ret = kmend_match_pack(st, pack);
	if (ret)
		goto forget;
	ret = kmend_relocs_write(st, pack);
	if (ret)
		goto forget;
	ret = kmend_redirect_prepare(st, pack);
	if (ret)
		goto forget;
	pack->prepared = true;
	return 0;

forget:
	kmend_resolve_forget(pack);
	return ret;
}

void kmend_pack_release(struct kmend_pack *pack)
{
	lockdep_assert_held(&kmend_mutex);

	kmend_redirect_release(pack);
	kmend_resolve_forget(pack);
	pack->prepared = false;
}

int kmend_pre_patch(struct kmend_state *st, struct kmend_pack *pack)
{
	int ret;

	if (pack->callbacks.pre_patch) {
		kmend_call_update_code(ret = pack->callbacks.pre_patch(pack));
		if (ret) {
			kmend_abort(st, KMEND_CALL_FAILED,
				    "%s: the pre_patch callback refused (%d)",
				    kmend_pack_name(pack), ret);
			/* a positive refusal is no byte count of a write */
			return ret < 0 ? ret : -EINVAL;
		}
		kmend_log(st, "%s: pre_patch callback", kmend_pack_name(pack));
	}
	pack->post_unpatch_due = true;
	return 0;
}

void kmend_post_patch(struct kmend_state *st, struct kmend_pack *pack)
{
	if (pack->callbacks.post_patch) {
		kmend_call_update_code(pack->callbacks.post_patch(pack));
		kmend_log(st, "%s: post_patch callback", kmend_pack_name(pack));
	}
	pack->pre_unpatch_due = true;
}

void kmend_pre_unpatch(struct kmend_state *st, struct kmend_pack *pack)
{
	if (!pack->pre_unpatch_due)
		return;
	pack->pre_unpatch_due = false;
	if (pack->callbacks.pre_unpatch) {
		kmend_call_update_code(pack->callbacks.pre_unpatch(pack));
		kmend_log(st, "%s: pre_unpatch callback", kmend_pack_name(pack));
	}
}

void kmend_post_unpatch(struct kmend_state *st, struct kmend_pack *pack)
{
	if (!pack->post_unpatch_due)
		return;
	pack->post_unpatch_due = false;
	if (pack->callbacks.post_unpatch) {
		kmend_call_update_code(pack->callbacks.post_unpatch(pack));
		kmend_log(st, "%s: post_unpatch callback", kmend_pack_name(pack));
	}
}
