// SPDX-License-Identifier: GPL-2.0
/*
 * Shows the bug examples/shadow-perf-mlock.patch fixes: does a perf ring
 * buffer use up RLIMIT_MEMLOCK that io_uring needs? ("perf: Track the perf
 * mlock gift separately", Linux 6.1.191)
 *
 * perf_mmap() lets each user lock perf_event_mlock_kb (516 KiB) per CPU of
 * ring buffer for free, and counts it in user->locked_vm. io_uring (and
 * secretmem, AF_XDP, ...) charge their pinned pages to the same
 * user->locked_vm against RLIMIT_MEMLOCK, so before the fix the free perf
 * pages make a later io_uring buffer registration fail.
 *
 * Run as root: it drops CAP_IPC_LOCK (else io_uring charges nothing), sets
 * RLIMIT_MEMLOCK to 16 pages, registers an 8-page io_uring buffer, then maps
 * a 1+8 page perf ring buffer and registers the buffer again:
 *
 *   without the fix:  without perf: ok / with a perf ring buffer: ENOMEM
 *   with it:          without perf: ok / with a perf ring buffer: ok
 *
 * Needs nothing but proc; uses the root user's locked_vm, so nothing else
 * of root's should hold io_uring buffers or perf ring buffers meanwhile.
 *
 * Exit status: 0 when the registration with a perf ring buffer works, 1
 * when it fails (the bug), 2 when it cannot run.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096

static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	data[CAP_IPC_LOCK / 32].permitted &= ~(1U << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &hdr, data);
}

/* Register @buf with a new ring; 0 or the errno. */
static int try_register(void *buf, size_t len)
{
	struct io_uring_params p;
	struct iovec iov = { buf, len };
	int ring, ret, err;

	memset(&p, 0, sizeof(p));
	ring = syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		return errno;
	ret = syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1);
	err = ret < 0 ? errno : 0;
	close(ring);		/* unregisters and unaccounts */
	return err;
}

static const char *res(int err)
{
	return err == 0 ? "ok" : err == ENOMEM ? "ENOMEM" : strerror(err);
}

int main(void)
{
	struct rlimit rl = { 16 * PAGE, 16 * PAGE };
	struct perf_event_attr attr;
	void *buf, *rb;
	int perf, err;

	if (drop_ipc_lock()) {
		perror("shadow-perf-mlock: capset");
		return 2;
	}
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		perror("shadow-perf-mlock: setrlimit");
		return 2;
	}
	buf = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("shadow-perf-mlock: mmap");
		return 2;
	}
	memset(buf, 1, 8 * PAGE);

	err = try_register(buf, 8 * PAGE);
	printf("io_uring 8-page buffer, RLIMIT_MEMLOCK 16 pages, without perf: %s\n", res(err));

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_DUMMY;
	attr.disabled = 1;
	perf = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
	if (perf < 0) {
		perror("shadow-perf-mlock: perf_event_open");
		return 2;
	}
	rb = mmap(NULL, 9 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, perf, 0);
	if (rb == MAP_FAILED) {
		perror("shadow-perf-mlock: perf mmap");
		return 2;
	}

	err = try_register(buf, 8 * PAGE);
	printf("io_uring 8-page buffer, RLIMIT_MEMLOCK 16 pages, with a 9-page perf ring buffer: %s\n",
	       res(err));
	return err ? 1 : 0;
}
