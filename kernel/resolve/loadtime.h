/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KMEND_LOADTIME_H
#define _KMEND_LOADTIME_H

/* Watch modules coming up for updates with load-time references. */
int kmend_loadtime_init(void);
void kmend_loadtime_exit(void);

#endif /* _KMEND_LOADTIME_H */
