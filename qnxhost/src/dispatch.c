/*
 * qnxhost dispatch layer and test harness: emulates dispatch_create(),
 * contexts (receive buffer of exactly msg_max_size bytes), dispatch_block()/
 * dispatch_handler(), pulse_attach()/message_connect(), and runs a server's
 * main() on a thread (qh_server_start/qh_server_stop).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/procmgr.h>
#include "qh_internal.h"
#include "qh_events.h"

#define QH_START_TIMEOUT_S 10

struct _dispatch *qh_dispatches;

/* A server main() running on its own thread. */
struct qh_server {
    struct qh_server *next;
    pthread_t         thread;
    int             (*main)(int, char **);
    int               argc;
    char            **argv;
    int               returned;
};

static struct qh_server *qh_servers;
static pthread_cond_t    qh_state_cv = PTHREAD_COND_INITIALIZER;
static int               qh_starting;   /* a qh_server_start() is waiting */
static int               qh_ready;      /* the starting server blocked in receive */

/* Channels made with ChannelCreate() and not yet given to dispatch_create_channel(): only
   their flags matter on the host (_NTO_CHF_SENDER_LEN: srcmsglen filled in 6.x). */
#define QH_CHANNELS_MAX 64
static unsigned qh_chan_flags[QH_CHANNELS_MAX];
static unsigned char qh_chan_used[QH_CHANNELS_MAX];

int ChannelCreate(unsigned flags)
{
    pthread_mutex_lock(&qh_lock);
    int chid = 1;
    while (chid < QH_CHANNELS_MAX && qh_chan_used[chid])
        chid++;
    if (chid < QH_CHANNELS_MAX) {
        qh_chan_used[chid] = 1;
        qh_chan_flags[chid] = flags;
    }
    pthread_mutex_unlock(&qh_lock);
    if (chid == QH_CHANNELS_MAX) {
        errno = EAGAIN;                       /* no more channels */
        return -1;
    }
    return chid;
}

int ChannelDestroy(int chid)
{
    pthread_mutex_lock(&qh_lock);
    int ok = chid > 0 && chid < QH_CHANNELS_MAX && qh_chan_used[chid];
    if (ok)
        qh_chan_used[chid] = 0;
    pthread_mutex_unlock(&qh_lock);
    if (!ok)
        errno = EINVAL;
    return ok ? 0 : -1;
}

dispatch_t *dispatch_create_channel(int chid, unsigned flags)
{
    dispatch_t *dpp = calloc(1, sizeof *dpp);
    if (!dpp) {
        errno = ENOMEM;
        return NULL;
    }
    /* -1: the library's own channel (_NTO_CHF_UNBLOCK | _NTO_CHF_DISCONNECT), else the
       caller's from ChannelCreate() */
    pthread_mutex_lock(&qh_lock);
    int own = chid > 0 && chid < QH_CHANNELS_MAX && qh_chan_used[chid];
    dpp->chan.flags = own ? qh_chan_flags[chid] : _NTO_CHF_UNBLOCK | _NTO_CHF_DISCONNECT;
    pthread_mutex_unlock(&qh_lock);
    dpp->flags = flags;
    dpp->nparts_max = 1;
    dpp->msg_max_size = sizeof(resmgr_iomsgs_t);
    pthread_mutex_lock(&qh_lock);
    dpp->starting = qh_starting;
    dpp->next = qh_dispatches;
    qh_dispatches = dpp;
    pthread_mutex_unlock(&qh_lock);
    return dpp;
}

dispatch_t *dispatch_create(void)
{
    return dispatch_create_channel(-1, 0);
}

static void qh_dispatch_free_locked(dispatch_t *dpp)
{
    for (dispatch_t **pp = &qh_dispatches; *pp; pp = &(*pp)->next) {
        if (*pp == dpp) {
            *pp = dpp->next;
            break;
        }
    }
    qh_attaches_free(dpp);
    while (dpp->ctxs) {
        struct qh_ctx *ctx = dpp->ctxs;
        dpp->ctxs = ctx->next;
        free(ctx->ctp.msg);
        free(ctx);
    }
    while (dpp->pulses) {
        struct qh_pulse_attach *pa = dpp->pulses;
        dpp->pulses = pa->next;
        free(pa);
    }
    qh_chan_drain(&dpp->chan);
    qh_wakers_drain();                        /* a sender may still be waking its receiver */
    free(dpp);
}

int dispatch_destroy(dispatch_t *dpp)
{
    pthread_mutex_lock(&qh_lock);
    qh_dispatch_free_locked(dpp);
    pthread_mutex_unlock(&qh_lock);
    return 0;
}

dispatch_context_t *dispatch_context_alloc(dispatch_t *dpp)
{
    pthread_mutex_lock(&qh_lock);
    unsigned nparts = dpp->nparts_max;
    size_t size = dpp->msg_max_size;
    dpp->context_alloced = 1;
    pthread_mutex_unlock(&qh_lock);

    struct qh_ctx *ctx = calloc(1, sizeof *ctx + (nparts - 1) * sizeof(iov_t));
    void *buf = malloc(size);
    if (!ctx || !buf) {
        free(ctx);
        free(buf);
        errno = ENOMEM;
        return NULL;
    }
    ctx->nparts_max = nparts;
    ctx->ctp.dpp = dpp;
    ctx->ctp.msg = buf;
    ctx->ctp.msg_max_size = size;
    pthread_mutex_lock(&qh_lock);
    ctx->next = dpp->ctxs;
    dpp->ctxs = ctx;
    pthread_mutex_unlock(&qh_lock);
    return &ctx->ctp;
}

void dispatch_context_free(dispatch_context_t *ctp)
{
    struct qh_ctx *ctx = QH_CTX(ctp);
    pthread_mutex_lock(&qh_lock);
    for (struct qh_ctx **pp = &ctp->dpp->ctxs; *pp; pp = &(*pp)->next) {
        if (*pp == ctx) {
            *pp = ctx->next;
            break;
        }
    }
    pthread_mutex_unlock(&qh_lock);
    free(ctp->msg);
    free(ctx);
}

dispatch_context_t *dispatch_block(dispatch_context_t *ctp)
{
    struct qh_ctx *ctx = QH_CTX(ctp);
    if (ctx->stopped)                         /* loop ignored the stop: end the thread */
        pthread_exit(NULL);
    if (qh_receive(ctx) == -1) {
        if (errno == ECANCELED) {             /* qh_server_stop(): like the signal that ends a */
            ctx->stopped = 1;                 /* QNX server, the wait is interrupted, and the */
            errno = EINTR;                    /* next dispatch_block() ends the thread */
        }
        return NULL;
    }
    return ctp;
}

void dispatch_unblock(dispatch_context_t *ctp)
{
    pthread_mutex_lock(&qh_lock);
    QH_CTX(ctp)->kicked = 1;
    qh_chan_wake(&ctp->dpp->chan, INT_MAX);
    pthread_mutex_unlock(&qh_lock);
}

static int qh_pulse_dispatch(dispatch_context_t *ctp)
{
    int code = ctp->msg->pulse.code;
    struct qh_pulse_attach *found = NULL;
    pthread_mutex_lock(&qh_lock);
    for (struct qh_pulse_attach *pa = ctp->dpp->pulses; pa; pa = pa->next)
        if (pa->code == code)
            found = pa;
    pthread_mutex_unlock(&qh_lock);
    if (!found)                               /* unhandled pulses are dropped */
        return -1;
    found->func(ctp, code, 0, found->handle);
    qh_events_pulse_handled();
    return 0;
}

int dispatch_handler(dispatch_context_t *ctp)
{
    if (ctp->rcvid == 0 && ctp->msg->pulse.code == _PULSE_CODE_UNBLOCK &&
        qh_resmgr_unblock(ctp) == 0)          /* a held client's timeout expired */
        return 0;
    if (ctp->rcvid == 0 && ctp->msg->pulse.code == _PULSE_CODE_DISCONNECT)
        qh_resmgr_disconnect(ctp);            /* a client died: close its bindings */
    if (ctp->rcvid == 0)                      /* pulses have no rcvid */
        return qh_pulse_dispatch(ctp);
    if (QH_MSGLEN(ctp) < sizeof(_Uint16t)) {  /* too short to carry a type */
        MsgError(ctp->rcvid, EBADMSG);
        return -1;
    }
    unsigned type = ctp->msg->type;
    if (type >= _IO_BASE && type <= _IO_MAX)  /* the resmgr range */
        return qh_resmgr_handle(ctp);
    MsgError(ctp->rcvid, ENOSYS);
    return -1;
}

int pulse_attach(dispatch_t *dpp, int flags, int code,
                 int (*func)(message_context_t *, int, unsigned, void *), void *handle)
{
    struct qh_pulse_attach *pa = calloc(1, sizeof *pa);
    if (!pa) {
        errno = ENOMEM;
        return -1;
    }
    pthread_mutex_lock(&qh_lock);
    if ((unsigned)flags & MSG_FLAG_ALLOC_PULSE) {  /* pick the lowest free code */
        for (code = _PULSE_CODE_MINAVAIL; code <= _PULSE_CODE_MAXAVAIL; code++) {
            struct qh_pulse_attach *p = dpp->pulses;
            while (p && p->code != code)
                p = p->next;
            if (!p)
                break;
        }
    }
    if (code > _PULSE_CODE_MAXAVAIL) {        /* every code is taken */
        pthread_mutex_unlock(&qh_lock);
        free(pa);
        errno = EAGAIN;
        return -1;
    }
    pa->code = code;
    pa->func = func;
    pa->handle = handle;
    pa->next = dpp->pulses;
    dpp->pulses = pa;
    pthread_mutex_unlock(&qh_lock);
    return code;
}

int pulse_detach(dispatch_t *dpp, int code, int flags)
{
    (void)flags;
    pthread_mutex_lock(&qh_lock);
    for (struct qh_pulse_attach **pp = &dpp->pulses; *pp; pp = &(*pp)->next) {
        if ((*pp)->code == code) {
            struct qh_pulse_attach *pa = *pp;
            *pp = pa->next;
            free(pa);
            pthread_mutex_unlock(&qh_lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&qh_lock);
    errno = EINVAL;
    return -1;
}

int message_connect(dispatch_t *dpp, int flags)
{
    (void)flags;                              /* every host coid is a side channel */
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_new(dpp, qh_client_current());
    pthread_mutex_unlock(&qh_lock);
    if (!c) {
        errno = ENOMEM;
        return -1;
    }
    return c->coid;
}

int procmgr_daemon(int status, unsigned flags)
{
    (void)status;                             /* the host server is a thread: nothing to do */
    (void)flags;
    return 0;
}

/* ---- test harness ---- */

/* A receiver is about to wait: the starting server is ready if it attached a path. */
void qh_ready_notify(dispatch_t *dpp)
{
    if (qh_starting && dpp->starting && dpp->nattach > 0 && !qh_ready) {
        qh_ready = 1;
        pthread_cond_broadcast(&qh_state_cv);
    }
}

static void *qh_server_thread(void *arg)
{
    struct qh_server *s = arg;
    s->main(s->argc, s->argv);
    pthread_mutex_lock(&qh_lock);
    s->returned = 1;
    pthread_cond_broadcast(&qh_state_cv);
    pthread_mutex_unlock(&qh_lock);
    return NULL;
}

int qh_server_start(int (*server_main)(int, char **), int argc, char **argv)
{
    struct qh_server *s = calloc(1, sizeof *s);
    if (!s) {
        errno = ENOMEM;
        return -1;
    }
    s->main = server_main;
    s->argc = argc;
    s->argv = argv;

    pthread_mutex_lock(&qh_lock);
    qh_starting = 1;
    qh_ready = 0;
    int rc = pthread_create(&s->thread, NULL, qh_server_thread, s);
    if (rc != 0) {                            /* no thread, no server */
        qh_starting = 0;
        pthread_mutex_unlock(&qh_lock);
        free(s);
        errno = rc;
        return -1;
    }
    s->next = qh_servers;
    qh_servers = s;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += QH_START_TIMEOUT_S;
    rc = 0;
    while (!qh_ready && !s->returned && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&qh_state_cv, &qh_lock, &deadline);
    int ok = qh_ready;
    qh_starting = 0;
    for (dispatch_t *d = qh_dispatches; d; d = d->next)
        d->starting = 0;
    pthread_mutex_unlock(&qh_lock);
    if (!ok) {                                /* returned or hung before serving */
        errno = s->returned ? ECHILD : ETIMEDOUT;
        return -1;
    }
    return 0;
}

int qh_server_stop(void)
{
    pthread_mutex_lock(&qh_lock);
    for (dispatch_t *d = qh_dispatches; d; d = d->next)
        qh_chan_stop(&d->chan);
    struct qh_server *servers = qh_servers;
    qh_servers = NULL;
    pthread_mutex_unlock(&qh_lock);

    qh_pools_stop();
    qh_signals_stop();                        /* the servers' signal threads */
    while (servers) {
        struct qh_server *s = servers;
        servers = s->next;
        pthread_join(s->thread, NULL);
        free(s);
    }

    pthread_mutex_lock(&qh_lock);
    qh_rcvids_flush();
    for (dispatch_t *d = qh_dispatches; d; d = d->next)
        qh_chan_drain(&d->chan);
    pthread_mutex_unlock(&qh_lock);

    qh_conns_close_all();
    qh_events_stop();                         /* the "process" ends: its timers and interrupts go */

    pthread_mutex_lock(&qh_lock);
    while (qh_dispatches)
        qh_dispatch_free_locked(qh_dispatches);
    pthread_mutex_unlock(&qh_lock);
    return 0;
}
