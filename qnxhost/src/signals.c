/*
 * qnxhost SignalWaitinfo(): a server's signal thread. The host's sigtimedwait() in slices
 * of QH_SIGWAIT_SLICE_MS, so that qh_server_stop() can end the thread (it exits once it
 * sees the stop, like every thread at process end) and join it. Under the FUSE front-end,
 * which handles SIGINT/SIGTERM itself (unmount, then stop), it waits for that stop only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <sys/neutrino.h>
#include "qh_internal.h"

#define QH_SIGWAIT_SLICE_MS 20

struct qh_sigwaiter {
    struct qh_sigwaiter *next;
    pthread_t            thread;
};

static pthread_mutex_t qh_sig_lock = PTHREAD_MUTEX_INITIALIZER;
static struct qh_sigwaiter *qh_sigwaiters;  /* threads that called SignalWaitinfo() */
static int qh_sig_stopping;                 /* qh_server_stop() is ending them */
static int qh_sig_front_end;                /* the FUSE front-end owns the stop signals */

void qh_signals_owned_by_front_end(void)
{
    pthread_mutex_lock(&qh_sig_lock);
    qh_sig_front_end = 1;
    pthread_mutex_unlock(&qh_sig_lock);
}

/* Remember the calling thread once; 1 if the waiters are being stopped. */
static int qh_sigwaiter_check(void)
{
    pthread_t self = pthread_self();
    int stopping;

    pthread_mutex_lock(&qh_sig_lock);
    struct qh_sigwaiter *w = qh_sigwaiters;
    while (w != NULL && !pthread_equal(w->thread, self))
        w = w->next;
    if (w == NULL && (w = calloc(1, sizeof *w)) != NULL) {
        w->thread = self;
        w->next = qh_sigwaiters;
        qh_sigwaiters = w;
    }
    stopping = qh_sig_stopping;
    pthread_mutex_unlock(&qh_sig_lock);
    return stopping;
}

int SignalWaitinfo(const sigset_t *set, siginfo_t *info)
{
    struct timespec slice = { 0, QH_SIGWAIT_SLICE_MS * 1000000L };

    if (set == NULL) {
        errno = EFAULT;
        return -1;
    }
    for (;;) {
        if (qh_sigwaiter_check())
            pthread_exit(NULL);               /* the "process" ends: so does this thread */
        pthread_mutex_lock(&qh_sig_lock);
        int front_end = qh_sig_front_end;
        pthread_mutex_unlock(&qh_sig_lock);
        if (front_end) {
            nanosleep(&slice, NULL);
            continue;
        }
        int sig = sigtimedwait(set, info, &slice);
        if (sig > 0)
            return sig;
        if (errno != EAGAIN && errno != EINTR)
            return -1;
    }
}

/* qh_server_stop(): end every thread waiting in SignalWaitinfo() and join it. */
void qh_signals_stop(void)
{
    pthread_mutex_lock(&qh_sig_lock);
    qh_sig_stopping = 1;
    struct qh_sigwaiter *w = qh_sigwaiters;
    qh_sigwaiters = NULL;
    pthread_mutex_unlock(&qh_sig_lock);
    while (w != NULL) {
        struct qh_sigwaiter *next = w->next;
        pthread_join(w->thread, NULL);
        free(w);
        w = next;
    }
    pthread_mutex_lock(&qh_sig_lock);
    qh_sig_stopping = 0;
    pthread_mutex_unlock(&qh_sig_lock);
}
