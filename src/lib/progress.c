// SPDX-License-Identifier: GPL-2.0
/* A progress line on a terminal while the engine works (progress.h). */
#include "progress.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct progress {
	FILE *f;
	char what[128];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, shown;
	struct timespec start;
	void (*detail)(void *arg, char *buf, size_t size);
	void *arg;
};

static double elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static void *progress_thread(void *arg)
{
	struct progress *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		if (pthread_cond_timedwait(&p->cond, &p->lock, &until) != ETIMEDOUT)
			continue;
		double t = elapsed(&p->start);

		if (t < 0.5)
			continue;
		char more[96] = "";

		if (p->detail)
			p->detail(p->arg, more, sizeof(more));
		fprintf(p->f, "\r%s... %.1f s%s%s \033[K", p->what, t,
			*more ? ", " : "", more);
		fflush(p->f);
		p->shown = true;
	}
	if (p->shown) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct progress *progress_start(FILE *f, const char *what,
				void (*detail)(void *arg, char *buf, size_t size),
				void *arg)
{
	const char *term = getenv("TERM");
	struct progress *p;
	sigset_t all, old;
	int ret;

	/* the line is redrawn with \r and cleared with an ANSI sequence */
	if (!isatty(fileno(f)) || !term || !strcmp(term, "dumb"))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->f = f;
	p->detail = detail;
	p->arg = arg;
	snprintf(p->what, sizeof(p->what), "%s", what);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	/* the new thread inherits the mask: it never takes a signal */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&p->thread, NULL, progress_thread, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

void progress_stop(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
