/* SPDX-License-Identifier: GPL-2.0 */
/* loadtime.h - the references the kernel reads while an update loads. */
#ifndef _KMEND_LOADTIME_H
#define _KMEND_LOADTIME_H

/* Watch modules coming up for updates with load-time references. */
int kmend_loadtime_init(void);
void kmend_loadtime_exit(void);

#endif /* _KMEND_LOADTIME_H */
