/* SPDX-License-Identifier: GPL-2.0 */
/*
 * state.h - system states (struct kmend_system_state): the changes an
 * update makes beyond its code, versioned, as the kernel's livepatch has
 * them; checked before an update may apply over the ones applied.
 */
#ifndef _KMEND_STATE_H
#define _KMEND_STATE_H

#include "core.h"

/*
 * May @st apply over the updates applied now? Refused when one of them has
 * a state at a higher version than @st declares it, or, @st replacing, a
 * state @st does not declare. 0, or -EINVAL with st->cause set.
 */
int kmend_states_check(struct kmend_state *st);

/*
 * An update applied after @st that declares one of @st's states, or NULL:
 * it may have taken the state's data over, so @st may not be undone before
 * it (its post_unpatch would free what the other still uses).
 */
struct kmend_state *kmend_states_above(struct kmend_state *st);

#endif /* _KMEND_STATE_H */
