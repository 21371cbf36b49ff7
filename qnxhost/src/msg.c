/*
 * qnxhost message passing: emulates the Neutrino kernel's synchronous
 * Send/Receive/Reply between threads of one process (channels, connections,
 * receive ids, MsgRead/MsgWrite, pulses, TimerTimeout and unblock pulses).
 * A client's MsgSend blocks on a condition variable until a server thread
 * replies (or its TimerTimeout/the safety net expires).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "qh_internal.h"

pthread_mutex_t qh_lock = PTHREAD_MUTEX_INITIALIZER;

static struct qh_conn **qh_conns;     /* indexed by coid - QH_FD_BASE */
static size_t           qh_nconns;
static struct qh_msg   *qh_received;  /* received, not yet replied */
static rcvid_t          qh_next_rcvid = 1;

size_t qh_iov_total(const iov_t *iov, size_t parts)
{
    size_t total = 0;
    for (size_t i = 0; i < parts; i++)
        total += iov[i].iov_len;
    return total;
}

/* Copy from an iov list, starting at byte off, into buf (at most n bytes). */
static size_t qh_iov_gather(void *buf, size_t n, const iov_t *iov, size_t parts, size_t off)
{
    size_t done = 0;
    for (size_t i = 0; i < parts && done < n; i++) {
        size_t len = iov[i].iov_len;
        if (off >= len) {                     /* part lies before the offset */
            off -= len;
            continue;
        }
        size_t chunk = len - off < n - done ? len - off : n - done;
        memcpy((char *)buf + done, (char *)iov[i].iov_base + off, chunk);
        done += chunk;
        off = 0;
    }
    return done;
}

/* Copy n bytes of buf into an iov list starting at byte off. */
static size_t qh_iov_scatter(const iov_t *iov, size_t parts, size_t off, const void *buf, size_t n)
{
    size_t done = 0;
    for (size_t i = 0; i < parts && done < n; i++) {
        size_t len = iov[i].iov_len;
        if (off >= len) {                     /* part lies before the offset */
            off -= len;
            continue;
        }
        size_t chunk = len - off < n - done ? len - off : n - done;
        memcpy((char *)iov[i].iov_base + off, (const char *)buf + done, chunk);
        done += chunk;
        off = 0;
    }
    return done;
}

/* ---- connections ---- */

/* Put a new connection in table slot i (qh_lock held). */
static struct qh_conn *qh_conn_put(size_t i, dispatch_t *dpp, int client)
{
    struct qh_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->coid = QH_FD_BASE + (int)i;
    c->dpp = dpp;
    c->client = client;
    qh_conns[i] = c;
    return c;
}

/* Grow the table to at least n slots (qh_lock held); 0 on failure. */
static int qh_conns_grow(size_t n)
{
    if (n <= qh_nconns)
        return 1;
    size_t size = qh_nconns ? qh_nconns : 16;
    while (size < n)
        size *= 2;
    struct qh_conn **t = realloc(qh_conns, size * sizeof *t);
    if (!t)
        return 0;
    memset(t + qh_nconns, 0, (size - qh_nconns) * sizeof *t);
    qh_conns = t;
    qh_nconns = size;
    return 1;
}

struct qh_conn *qh_conn_new(dispatch_t *dpp, int client)
{
    size_t i;
    for (i = 0; i < qh_nconns && qh_conns[i]; i++)
        ;
    if (!qh_conns_grow(i + 1))                /* table full and no memory */
        return NULL;
    return qh_conn_put(i, dpp, client);
}

/* A connection with the given number (dup2); NULL if taken or out of range. */
struct qh_conn *qh_conn_at(int coid, dispatch_t *dpp, int client)
{
    if (coid < QH_FD_BASE)
        return NULL;
    size_t i = (size_t)(coid - QH_FD_BASE);
    if (!qh_conns_grow(i + 1) || qh_conns[i])
        return NULL;
    return qh_conn_put(i, dpp, client);
}

struct qh_conn *qh_conn_find(int coid)
{
    if (coid < QH_FD_BASE || (size_t)(coid - QH_FD_BASE) >= qh_nconns)
        return NULL;
    return qh_conns[coid - QH_FD_BASE];
}

/* Drop a connection from the table (qh_lock held). */
void qh_conn_release(struct qh_conn *c)
{
    qh_conns[c->coid - QH_FD_BASE] = NULL;
    free(c);
}

static struct qh_msg *qh_pulse_new(int coid, int code);
static void qh_chan_push(struct qh_chan *chan, struct qh_msg *m);

/* Does client still hold a connection to dpp? (qh_lock held) */
static int qh_client_connected(int client, const dispatch_t *dpp)
{
    for (size_t i = 0; i < qh_nconns; i++)
        if (qh_conns[i] && qh_conns[i]->client == client && qh_conns[i]->dpp == dpp)
            return 1;
    return 0;
}

/* The kernel's _PULSE_CODE_DISCONNECT for a client process's server connection (scoid) on
   a channel made with _NTO_CHF_DISCONNECT (every dispatch channel) (qh_lock held). */
static void qh_disconnect_pulse(dispatch_t *dpp, int client)
{
    if (!(dpp->chan.flags & _NTO_CHF_DISCONNECT) || dpp->chan.shutdown)
        return;
    struct qh_msg *p = qh_pulse_new(0, _PULSE_CODE_DISCONNECT);
    if (!p)                                   /* no memory: nothing is left to clean up */
        return;
    p->pulse.scoid = qh_client_scoid(client);
    p->scoid = p->pulse.scoid;
    qh_chan_push(&dpp->chan, p);
}

/* The client side is done with a connection (qh_lock held); a dead client's ones wait for
   the disconnect handling. Its process's last connection to the server going also sends
   the disconnect pulse, as on QNX (the library then finds no binding left). */
void qh_conn_free(int coid)
{
    struct qh_conn *c = qh_conn_find(coid);
    if (!c || c->dead)
        return;
    dispatch_t *dpp = c->dpp;
    int client = c->client;
    qh_conn_release(c);
    if (!qh_client_connected(client, dpp))
        qh_disconnect_pulse(dpp, client);
}

/* The next connection of a dead client on dpp (qh_lock held), or NULL. */
struct qh_conn *qh_conn_dead_next(dispatch_t *dpp, int scoid)
{
    for (size_t i = 0; i < qh_nconns; i++) {
        struct qh_conn *c = qh_conns[i];
        if (c && c->dead && c->dpp == dpp && qh_client_scoid(c->client) == scoid)
            return c;
    }
    return NULL;
}

/* Server stop: give every still-open OCB its close_ocb once (as on client death), drop
   all conns. */
void qh_conns_close_all(void)
{
    for (size_t i = 0; i < qh_nconns; i++) {
        struct qh_conn *c = qh_conns[i];
        struct qh_bind *b = c ? c->bind : NULL;
        if (b && --b->links == 0 && !b->closed) {     /* the OCB's last binding */
            b->closed = 1;
            if (b->io_funcs->close_ocb) {
                struct qh_ctx *ctx = calloc(1, sizeof *ctx);
                if (ctx) {
                    ctx->ctp.dpp = c->dpp;
                    ctx->ctp.info.coid = c->coid;
                    ctx->ctp.info.scoid = qh_client_scoid(c->client);
                    b->io_funcs->close_ocb(&ctx->ctp, NULL, b->ocb);
                    free(ctx);
                }
            }
            free(b);
        }
        free(c);
    }
    free(qh_conns);
    qh_conns = NULL;
    qh_nconns = 0;
}

/* ---- simulated client processes ---- */

#define QH_CLIENTS_MAX 1024
#define QH_CLIENT_PID_BASE 0x10000            /* fake pids of simulated clients */

static unsigned char qh_client_state[QH_CLIENTS_MAX];  /* 1: in use, 2: dead */
static int           qh_nclients = 1;                   /* client 0 is the test process */
static _Thread_local int qh_client_tls;

int qh_client_current(void)
{
    return qh_client_tls;
}

/* Each client process has one server connection id per channel (as on QNX). */
int qh_client_scoid(int client)
{
    return client + 1;
}

/* This process's pid, asked of the kernel once (glibc does not cache getpid(), and every
   send and receive needs it); 0 again in a forked child, which has a pid of its own. Kept
   only if the fork handler that forgets it could be registered. */
static _Atomic pid_t qh_pid;
static int qh_pid_cacheable;

static void qh_pid_forget(void)
{
    atomic_store_explicit(&qh_pid, 0, memory_order_relaxed);
}

__attribute__((constructor)) static void qh_pid_forget_at_fork(void)
{
    qh_pid_cacheable = pthread_atfork(NULL, NULL, qh_pid_forget) == 0;  /* before any thread */
}

pid_t qh_client_pid(int client)
{
    if (client != 0)                          /* a simulated client process */
        return (pid_t)(QH_CLIENT_PID_BASE + client);
    pid_t pid = atomic_load_explicit(&qh_pid, memory_order_relaxed);
    if (pid == 0) {
        pid = getpid();
        if (qh_pid_cacheable)
            atomic_store_explicit(&qh_pid, pid, memory_order_relaxed);
    }
    return pid;
}

static int qh_client_dead(int client)
{
    return qh_client_state[client] == 2;
}

/* A dead client's id, once the library has let go of every connection it had (qh_lock
   held); -1 if none. */
static int qh_client_reusable(void)
{
    for (int id = 1; id < qh_nclients; id++) {
        if (!qh_client_dead(id))
            continue;
        size_t i = 0;
        while (i < qh_nconns && !(qh_conns[i] && qh_conns[i]->client == id))
            i++;
        if (i == qh_nconns)                   /* no connection left: a new process may have it */
            return id;
    }
    return -1;
}

/* Ids are handed out in order, then those of dead clients are reused (as pids are). */
int qh_client_new(void)
{
    pthread_mutex_lock(&qh_lock);
    int id = qh_nclients < QH_CLIENTS_MAX ? qh_nclients++ : qh_client_reusable();
    if (id > 0)
        qh_client_state[id] = 1;
    pthread_mutex_unlock(&qh_lock);
    if (id < 0)
        errno = EAGAIN;                       /* no more client ids */
    return id;
}

int qh_client_use(int id)
{
    pthread_mutex_lock(&qh_lock);
    int ok = id == 0 || (id > 0 && id < qh_nclients);
    pthread_mutex_unlock(&qh_lock);
    if (!ok) {
        errno = EINVAL;
        return -1;
    }
    qh_client_tls = id;
    return 0;
}

/* ---- channels ---- */

static void qh_chan_append(struct qh_chan *chan, struct qh_msg *m)
{
    m->next = NULL;
    if (chan->tail)
        chan->tail->next = m;
    else
        chan->head = m;
    chan->tail = m;
}

static void qh_chan_push(struct qh_chan *chan, struct qh_msg *m)
{
    qh_chan_append(chan, m);
    qh_chan_wake(chan, 1);
}

static int qh_chan_unlink(struct qh_chan *chan, struct qh_msg *m)
{
    struct qh_msg **pp = &chan->head, *prev = NULL;
    for (; *pp; prev = *pp, pp = &(*pp)->next) {
        if (*pp == m) {
            *pp = m->next;
            if (chan->tail == m)
                chan->tail = prev;
            return 1;
        }
    }
    return 0;
}

void qh_chan_stop(struct qh_chan *chan)
{
    chan->shutdown = 1;
    qh_chan_wake(chan, INT_MAX);
}

/* Fail every message still queued on a stopping channel (called with qh_lock). */
void qh_chan_drain(struct qh_chan *chan)
{
    struct qh_msg *m;
    while ((m = chan->head) != NULL) {
        chan->head = m->next;
        if (m->is_pulse) {
            free(m);
            continue;
        }
        m->state = QH_REPLIED;
        m->status = -1;
        m->err = ESRCH;
        qh_reply_wake(m);
    }
    chan->tail = NULL;
}

/* ---- receive ids ---- */

static struct qh_msg *qh_rcvid_find(rcvid_t rcvid, int unlink)
{
    for (struct qh_msg **pp = &qh_received; *pp; pp = &(*pp)->next) {
        struct qh_msg *m = *pp;
        if (m->rcvid == rcvid) {
            if (unlink)
                *pp = m->next;
            return m;
        }
    }
    return NULL;
}

/* The dispatch of rcvid has ended; if it is still unreplied, the server holds it (rcvids
   are never reused, so a replied one is simply not found). */
void qh_rcvid_handled(rcvid_t rcvid)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_msg *m = qh_rcvid_find(rcvid, 0);
    if (m)
        m->handled = 1;
    pthread_mutex_unlock(&qh_lock);
}

/* Held: its handler has returned without a reply. A message still being handled (received,
   perhaps waiting for a lock) is not counted: it may yet be answered or never held. */
unsigned qh_held_count(void)
{
    unsigned n = 0;
    pthread_mutex_lock(&qh_lock);
    for (struct qh_msg *m = qh_received; m; m = m->next)
        n += m->handled && !m->abandoned && !m->killed;
    pthread_mutex_unlock(&qh_lock);
    return n;
}

/* Server stop: every received message still unreplied is a protocol error. */
void qh_rcvids_flush(void)
{
    struct qh_msg *m;
    while ((m = qh_received) != NULL) {
        qh_received = m->next;
        if (m->abandoned) {                   /* already reported at the timeout */
            qh_wakers_drain();
            free(m);
            continue;
        }
        if (!m->killed)                       /* a dead client's request may stay unreplied */
            qh_protocol_error(m->rcvid, m->type, "message never replied (server stopped)");
        m->state = QH_REPLIED;
        m->status = -1;
        m->err = ESRCH;
        qh_reply_wake(m);
    }
}

/* Find a live received message and return it with qh_lock held; or report why not
   and return NULL (errno ESRCH) with the lock released. */
static struct qh_msg *qh_rcvid_get(rcvid_t rcvid, int unlink, const char *call)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_msg *m = qh_rcvid_find(rcvid, unlink);
    if (!m) {
        char what[96];
        snprintf(what, sizeof what, "%s on an unknown or already-replied rcvid", call);
        qh_protocol_error(rcvid, qh_replied_type(rcvid), what);
        pthread_mutex_unlock(&qh_lock);
        errno = ESRCH;
        return NULL;
    }
    if (m->abandoned) {                       /* client gave up: its buffers are gone */
        if (unlink) {
            qh_wakers_drain();                /* a wake of its previous reply may be late */
            free(m);
        }
        pthread_mutex_unlock(&qh_lock);
        errno = ESRCH;
        return NULL;
    }
    if (m->killed) {                          /* its process died: like QNX, ESRCH */
        if (unlink) {                         /* the client thread frees it */
            m->state = QH_REPLIED;
            qh_reply_wake(m);
        }
        pthread_mutex_unlock(&qh_lock);
        errno = ESRCH;
        return NULL;
    }
    return m;                                 /* with qh_lock held */
}

/* A received message still waiting for its reply, with qh_lock held; NULL (lock
   released, errno ESRCH) if it was replied or its client gave up. Reports nothing:
   for queries that may legitimately race with the reply (MsgInfo, unblock pulses). */
static struct qh_msg *qh_held_lock(rcvid_t rcvid)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_msg *m = qh_rcvid_find(rcvid, 0);
    if (!m || m->abandoned || m->killed) {    /* replied, or the client is gone */
        pthread_mutex_unlock(&qh_lock);
        errno = ESRCH;
        return NULL;
    }
    return m;
}

/* ---- pulses ---- */

static struct qh_msg *qh_pulse_new(int coid, int code)
{
    struct qh_msg *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->is_pulse = 1;
    m->coid = coid;
    m->pulse.type = _PULSE_TYPE;
    m->pulse.subtype = _PULSE_SUBTYPE;
    m->pulse.code = (_Int8t)code;
    m->pulse.scoid = coid;
    m->scoid = coid;
    return m;
}

/* Is chan the channel of a dispatch that still exists? (qh_lock held) */
static int qh_chan_live(const struct qh_chan *chan)
{
    for (struct _dispatch *d = qh_dispatches; d; d = d->next)
        if (&d->chan == chan)
            return !chan->shutdown;
    return 0;
}

/* REPLY timeout on a channel with _NTO_CHF_UNBLOCK (every dispatch channel has it): the
   client stays blocked, the message gets _NTO_MI_UNBLOCK_REQ and the server a
   _PULSE_CODE_UNBLOCK pulse carrying the rcvid (qh_lock held). */
static void qh_unblock_request(struct qh_msg *m, struct qh_chan *chan)
{
    m->unblock_due = 0;
    if (m->unblock_req)                       /* asked once per message */
        return;
    m->unblock_req = 1;
    if (!qh_chan_live(chan))                  /* server going away: it replies ESRCH */
        return;
    struct qh_msg *p = qh_pulse_new(m->coid, _PULSE_CODE_UNBLOCK);
    if (!p)                                   /* no memory: the safety net still applies */
        return;
    p->pulse.value.sival_ptr = (void *)(intptr_t)m->rcvid;
    qh_chan_push(chan, p);
}

/* ---- receive (used by dispatch_block) ---- */

/* What the kernel tells the server about a message: srcmsglen always since 6.6, in 6.x
   only on channels made with _NTO_CHF_SENDER_LEN (resmgr-notes.md §1.6). */
static void qh_fill_info(resmgr_context_t *ctp, const struct qh_msg *m, size_t copied)
{
    memset(&ctp->info, 0, sizeof ctp->info);
    ctp->info.pid = qh_client_pid(m->client);
    ctp->info.tid = m->tid;
    ctp->info.chid = 1;
    ctp->info.scoid = m->scoid;
    ctp->info.coid = m->coid;
    ctp->info.priority = 10;
    ctp->info.msglen = (_QH_MSGSIZE_T)copied;
#if _NTO_VERSION >= 700
    ctp->info.srcmsglen = m->slen;
#else
    if (m->sender_len)
        ctp->info.srcmsglen = (_QH_MSGSIZE_T)m->slen;
#endif
    ctp->info.dstmsglen = (_QH_MSGSIZE_T)m->rlen;
    if (m->unblock_req)                       /* the client's REPLY timeout expired */
        ctp->info.flags |= _NTO_MI_UNBLOCK_REQ;
}

int qh_receive(struct qh_ctx *ctx)
{
    resmgr_context_t *ctp = &ctx->ctp;
    struct qh_chan *chan = &ctp->dpp->chan;

    pthread_mutex_lock(&qh_lock);
    while (!chan->head && !chan->shutdown && !ctx->kicked) {
        qh_ready_notify(ctp->dpp);
        qh_chan_wait(chan);
    }
    if (ctx->kicked) {                        /* dispatch_unblock() */
        ctx->kicked = 0;
        pthread_mutex_unlock(&qh_lock);
        errno = EINTR;
        return -1;
    }
    if (chan->shutdown) {                     /* qh_server_stop() */
        pthread_mutex_unlock(&qh_lock);
        errno = ECANCELED;
        return -1;
    }
    struct qh_msg *m = chan->head;
    chan->head = m->next;
    if (!chan->head)
        chan->tail = NULL;

    size_t room = ctp->msg_max_size;
    if (m->is_pulse) {
        size_t n = sizeof m->pulse < room ? sizeof m->pulse : room;
        memcpy(ctp->msg, &m->pulse, n);
        qh_fill_info(ctp, m, n);
        ctp->rcvid = 0;
        ctp->size = n;
        ctx->msg_rcvid = 0;
        free(m);
    } else {
        m->rcvid = qh_next_rcvid++;
        m->state = QH_RECEIVED;
        m->next = qh_received;
        qh_received = m;
        if (m->unblock_due)                   /* its REPLY timeout already expired */
            qh_unblock_request(m, chan);
        size_t n = qh_iov_gather(ctp->msg, room, m->siov, m->sparts, 0);
        qh_fill_info(ctp, m, n);
        ctp->rcvid = m->rcvid;
        ctp->size = n;
        ctx->msg_rcvid = m->rcvid;
    }
    ctp->offset = 0;
    pthread_mutex_unlock(&qh_lock);
    return 0;
}

/* ---- send (client side) ---- */

/* The calling thread's TimerTimeout(), consumed by its next MsgSend*. */
struct qh_timeout {
    int             flags;                    /* _NTO_TIMEOUT_* bits; 0: none armed */
    struct timespec deadline;                 /* CLOCK_MONOTONIC */
};
static _Thread_local struct qh_timeout qh_timeout;

static void qh_ts_add_ns(struct timespec *ts, uint64_t ns)
{
    ts->tv_sec += (time_t)(ns / 1000000000u);
    ts->tv_nsec += (long)(ns % 1000000000u);
    if (ts->tv_nsec >= 1000000000L) {         /* carry into seconds */
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void qh_deadline(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    qh_ts_add_ns(ts, (uint64_t)ms * 1000000u);
}

static int qh_ts_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static uint64_t qh_ts_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* Nanoseconds from now until an armed deadline (0 if past or none armed). */
static uint64_t qh_timeout_left(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!qh_timeout.flags || !qh_ts_before(&now, &qh_timeout.deadline))
        return 0;
    return qh_ts_ns(&qh_timeout.deadline) - qh_ts_ns(&now);
}

int TimerTimeout(clockid_t id, int flags, const struct sigevent *notify,
                 const uint64_t *ntime, uint64_t *otime)
{
    if (id != CLOCK_MONOTONIC && id != CLOCK_REALTIME) {  /* no other clock on the host */
        errno = EINVAL;
        return -1;
    }
    if (notify && notify->sigev_notify != SIGEV_UNBLOCK) {  /* only "fail with ETIMEDOUT" */
        errno = ENOTSUP;
        return -1;
    }
    int old = qh_timeout.flags;
    if (otime)                                /* what was left of the previous one */
        *otime = qh_timeout_left();
    uint64_t ns = ntime ? *ntime : 0;         /* NULL: expires at once (a polling call) */
    clock_gettime(CLOCK_MONOTONIC, &qh_timeout.deadline);
    if (flags & TIMER_ABSTIME) {              /* absolute time on clock id */
        struct timespec now;
        clock_gettime(id, &now);
        ns = ns > qh_ts_ns(&now) ? ns - qh_ts_ns(&now) : 0;
    }
    qh_ts_add_ns(&qh_timeout.deadline, ns);
    qh_timeout.flags = flags & ~TIMER_ABSTIME;
    return old;
}

enum qh_wait_end { QH_WAIT_REPLIED, QH_WAIT_TIMEDOUT, QH_WAIT_NET, QH_WAIT_KILLED };

/* The caller's TimerTimeout expired: act on the state the message is in (qh_lock held).
   Returns 1 if the send fails with ETIMEDOUT (it was removed from the queue). */
static int qh_timeout_fire(struct qh_msg *m, struct qh_chan *chan, int flags)
{
    if (m->state == QH_QUEUED && (flags & _NTO_TIMEOUT_SEND)) {
        qh_chan_unlink(chan, m);              /* SEND-blocked: never seen by the server */
        return 1;
    }
    if (!(flags & _NTO_TIMEOUT_REPLY))        /* REPLY-blocking not timed */
        return 0;
    if (m->state == QH_QUEUED)                /* ask as soon as it is received */
        m->unblock_due = 1;
    else
        qh_unblock_request(m, chan);
    return 0;
}

/* The safety net fired: a protocol error; the message is dropped or left abandoned. */
static void qh_send_abandon(struct qh_msg *m, struct qh_chan *chan)
{
    qh_protocol_error(m->rcvid, m->type, "message never replied (client send timed out)");
    if (m->state == QH_QUEUED) {              /* never received: nobody else knows it */
        qh_chan_unlink(chan, m);
        qh_wakers_drain();
        free(m);
        return;
    }
    m->abandoned = 1;                         /* the rcvid stays known; freed by reply/stop */
}

/* Wait for the reply: entered with qh_lock held, returns without it; wake_chan: wake a
   receiver of chan first, once the lock is released. The caller's timeout t (NULL: none)
   fires once; the safety net at net ends the wait in any case. The usual end, a reply,
   takes no lock: the replier wrote status and err before the word. */
static enum qh_wait_end qh_wait_reply(struct qh_msg *m, struct qh_chan *chan, int wake_chan,
                                      const struct qh_timeout *t, const struct timespec *net)
{
    int fired = 0;
    for (;;) {
        int timed = t && !fired && qh_ts_before(&t->deadline, net);
        pthread_mutex_unlock(&qh_lock);
        if (wake_chan)                        /* the receiver never meets the lock held */
            qh_wake_finish(&chan->seq);
        wake_chan = 0;
        int rc = qh_reply_wait(m, timed ? &t->deadline : net);
        if (atomic_load_explicit(&m->word, memory_order_acquire) == QH_WORD_DONE && !m->killed)
            return QH_WAIT_REPLIED;
        pthread_mutex_lock(&qh_lock);
        if (atomic_load_explicit(&m->word, memory_order_relaxed) == QH_WORD_DONE)
            break;                            /* ended: replied or killed */
        if (rc != ETIMEDOUT)                  /* woken early */
            continue;
        if (!timed) {                         /* the safety net: freed, or left to the server */
            qh_send_abandon(m, chan);
            pthread_mutex_unlock(&qh_lock);
            return QH_WAIT_NET;
        }
        fired = 1;
        if (qh_timeout_fire(m, chan, t->flags)) {
            pthread_mutex_unlock(&qh_lock);
            return QH_WAIT_TIMEDOUT;
        }
    }
    enum qh_wait_end end = QH_WAIT_REPLIED;
    if (m->killed && m->state != QH_REPLIED) { /* held by the server: it frees it */
        m->abandoned = 1;
        end = QH_WAIT_KILLED;
    }
    pthread_mutex_unlock(&qh_lock);
    return end;
}

/* Each client thread sends one message at a time: its message lives in a per-thread slot
   (with its wait word), freed when the thread ends. A message the server still
   holds when its client gives up is left to the server (freed on reply or stop) and the
   thread gets a new slot. */
static pthread_key_t          qh_slot_key;
static pthread_once_t         qh_slot_once = PTHREAD_ONCE_INIT;
static _Thread_local struct qh_msg *qh_slot;
static _Thread_local pid_t    qh_tid;

static void qh_slot_destroy(void *p)
{
    qh_wakers_drain();                        /* the last reply's wake may still be on its way */
    free(p);
}

static void qh_slot_key_init(void)
{
    pthread_key_create(&qh_slot_key, qh_slot_destroy);
}

/* The calling thread no longer owns its slot (the server frees it). */
static void qh_slot_detach(void)
{
    qh_slot = NULL;
    pthread_setspecific(qh_slot_key, NULL);
}

static struct qh_msg *qh_msg_new(int coid, const iov_t *siov, size_t sparts,
                                 const iov_t *riov, size_t rparts)
{
    struct qh_msg *m = qh_slot;
    if (!m) {
        pthread_once(&qh_slot_once, qh_slot_key_init);
        m = calloc(1, sizeof *m);
        if (!m)
            return NULL;
        qh_slot = m;
        pthread_setspecific(qh_slot_key, m);
        qh_tid = gettid();
    }
    m->next = NULL;
    m->rcvid = 0;
    m->state = QH_QUEUED;
    m->abandoned = m->killed = m->unblock_req = m->unblock_due = m->is_pulse = m->handled = 0;
    m->siov = siov;
    m->sparts = sparts;
    m->slen = sparts == 1 ? siov[0].iov_len : qh_iov_total(siov, sparts);
    m->riov = riov;
    m->rparts = rparts;
    m->rlen = rparts == 1 ? riov[0].iov_len : qh_iov_total(riov, rparts);
    m->coid = coid;
    m->client = qh_client_tls;
    m->tid = qh_tid;
    m->status = 0;
    m->err = 0;
    atomic_store_explicit(&m->word, QH_WORD_PENDING, memory_order_relaxed);
    uint16_t type = 0;
    if (sparts && siov[0].iov_len >= sizeof type)     /* the usual case: header first */
        memcpy(&type, siov[0].iov_base, sizeof type);
    else
        qh_iov_gather(&type, sizeof type, siov, sparts, 0);
    m->type = type;
    return m;
}

long qh_send(int coid, const iov_t *siov, size_t sparts, const iov_t *riov, size_t rparts)
{
    struct qh_timeout t = qh_timeout;         /* this call consumes the TimerTimeout */
    qh_timeout.flags = 0;
    struct qh_msg *m = qh_msg_new(coid, siov, sparts, riov, rparts);
    if (!m) {
        errno = ENOMEM;
        return -1;
    }
    struct timespec net;
    qh_deadline(&net, qh_send_timeout_ms());

    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(coid);
    int err = !c ? EBADF : qh_client_dead(m->client) ? ECANCELED : c->dead ? EBADF
            : c->dpp->chan.shutdown ? ESRCH : EOK;
    if (err != EOK) {                         /* no connection, dead client, server gone */
        pthread_mutex_unlock(&qh_lock);
        errno = err;
        return -1;
    }
    m->scoid = qh_client_scoid(c->client);
    struct qh_chan *chan = &c->dpp->chan;
    m->sender_len = (chan->flags & _NTO_CHF_SENDER_LEN) != 0;
    qh_chan_append(chan, m);
    int wake = qh_chan_post(chan);
    int timed = t.flags & (_NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY);
    enum qh_wait_end end = qh_wait_reply(m, chan, wake, timed ? &t : NULL, &net);  /* unlocks */
    if (end == QH_WAIT_KILLED || end == QH_WAIT_NET)  /* the slot is the server's, or gone */
        qh_slot_detach();
    if (end != QH_WAIT_REPLIED) {             /* killed, or timed out either way */
        errno = end == QH_WAIT_KILLED ? ECANCELED : ETIMEDOUT;
        return -1;
    }
    int killed = m->killed;                   /* final once the wait is over */
    long status = m->status;
    err = killed ? ECANCELED : m->err;
    if (killed || (status == -1 && err)) {
        errno = err;
        return -1;
    }
    return status;
}

/* ---- the Msg* kernel calls (sizes are ints in 6.x: a negative one is EINVAL) ---- */

static int qh_negative(long long v)
{
    return v < 0;
}

#define QH_CHECK_SIZES(_a, _b, _fail) \
    do { if (qh_negative((long long)(_a)) || qh_negative((long long)(_b))) { \
        errno = EINVAL; return (_fail); } } while (0)

_QH_STATUS_T MsgSendv(int coid, const iov_t *siov, _QH_MSGSIZE_T sparts, const iov_t *riov,
                      _QH_MSGSIZE_T rparts)
{
    QH_CHECK_SIZES(sparts, rparts, -1);
    return (_QH_STATUS_T)qh_send(coid, siov, (size_t)sparts, riov, (size_t)rparts);
}

_QH_STATUS_T MsgSend(int coid, const void *smsg, _QH_MSGSIZE_T sbytes, void *rmsg,
                     _QH_MSGSIZE_T rbytes)
{
    QH_CHECK_SIZES(sbytes, rbytes, -1);
    iov_t s, r;
    SETIOV(&s, smsg, sbytes);
    SETIOV(&r, rmsg, rbytes);
    return (_QH_STATUS_T)qh_send(coid, &s, 1, &r, 1);
}

_QH_STATUS_T MsgSendnc(int coid, const void *smsg, _QH_MSGSIZE_T sbytes, void *rmsg,
                       _QH_MSGSIZE_T rbytes)
{
    return MsgSend(coid, smsg, sbytes, rmsg, rbytes);
}

static int qh_reply(rcvid_t rcvid, long status, int err, const iov_t *iov, size_t parts,
                    const char *call)
{
    struct qh_msg *m = qh_rcvid_get(rcvid, 1, call);
    if (!m)
        return -1;
    if (!err && status < 0)                   /* the client would read it as an error */
        qh_protocol_error(rcvid, m->type, "negative status passed to MsgReply");
    size_t off = 0;
    for (size_t i = 0; !err && i < parts; i++)
        off += qh_iov_scatter(m->riov, m->rparts, off, iov[i].iov_base, iov[i].iov_len);
    m->status = err ? -1 : status;
    m->err = err;
    m->state = QH_REPLIED;
    qh_replied_remember(rcvid, m->type);
    int wake = qh_reply_post(m);
    pthread_mutex_unlock(&qh_lock);
    if (wake)                                 /* after the lock: the client never meets it */
        qh_wake_finish(&m->word);
    return 0;
}

int MsgReplyv(_QH_RCVID_T rcvid, _QH_STATUS_T status, const iov_t *riov, _QH_MSGSIZE_T rparts)
{
    QH_CHECK_SIZES(rparts, 0, -1);
    return qh_reply(rcvid, status, 0, riov, (size_t)rparts, "MsgReply");
}

int MsgReply(_QH_RCVID_T rcvid, _QH_STATUS_T status, const void *msg, _QH_MSGSIZE_T bytes)
{
    QH_CHECK_SIZES(bytes, 0, -1);
    iov_t iov;
    SETIOV(&iov, msg, bytes);
    return qh_reply(rcvid, status, 0, &iov, 1, "MsgReply");
}

int MsgError(_QH_RCVID_T rcvid, int error)
{
    return qh_reply(rcvid, -1, error > 0 ? error : EINVAL, NULL, 0, "MsgError");
}

static ssize_t qh_readv(rcvid_t rcvid, const iov_t *riov, size_t rparts, size_t offset)
{
    struct qh_msg *m = qh_rcvid_get(rcvid, 0, "MsgRead");
    if (!m)
        return -1;
    size_t done = 0;
    for (size_t i = 0; i < rparts; i++) {
        size_t n = qh_iov_gather(riov[i].iov_base, riov[i].iov_len,
                                 m->siov, m->sparts, offset + done);
        done += n;
        if (n < riov[i].iov_len)              /* end of the client's message */
            break;
    }
    pthread_mutex_unlock(&qh_lock);
    return (ssize_t)done;
}

_QH_MSGSSIZE_T MsgReadv(_QH_RCVID_T rcvid, const iov_t *riov, _QH_MSGSIZE_T rparts,
                        _QH_MSGSIZE_T offset)
{
    QH_CHECK_SIZES(rparts, offset, -1);
    return (_QH_MSGSSIZE_T)qh_readv(rcvid, riov, (size_t)rparts, (size_t)offset);
}

_QH_MSGSSIZE_T MsgRead(_QH_RCVID_T rcvid, void *msg, _QH_MSGSIZE_T bytes, _QH_MSGSIZE_T offset)
{
    QH_CHECK_SIZES(bytes, offset, -1);
    iov_t iov;
    SETIOV(&iov, msg, bytes);
    return (_QH_MSGSSIZE_T)qh_readv(rcvid, &iov, 1, (size_t)offset);
}

static ssize_t qh_writev(rcvid_t rcvid, const iov_t *iov, size_t parts, size_t offset)
{
    struct qh_msg *m = qh_rcvid_get(rcvid, 0, "MsgWrite");
    if (!m)
        return -1;
    size_t done = 0;
    for (size_t i = 0; i < parts; i++)
        done += qh_iov_scatter(m->riov, m->rparts, offset + done,
                               iov[i].iov_base, iov[i].iov_len);
    pthread_mutex_unlock(&qh_lock);
    return (ssize_t)done;
}

_QH_MSGSSIZE_T MsgWritev(_QH_RCVID_T rcvid, const iov_t *iov, _QH_MSGSIZE_T parts,
                         _QH_MSGSIZE_T offset)
{
    QH_CHECK_SIZES(parts, offset, -1);
    return (_QH_MSGSSIZE_T)qh_writev(rcvid, iov, (size_t)parts, (size_t)offset);
}

_QH_MSGSSIZE_T MsgWrite(_QH_RCVID_T rcvid, const void *msg, _QH_MSGSIZE_T bytes,
                        _QH_MSGSIZE_T offset)
{
    QH_CHECK_SIZES(bytes, offset, -1);
    iov_t iov;
    SETIOV(&iov, msg, bytes);
    return (_QH_MSGSSIZE_T)qh_writev(rcvid, &iov, 1, (size_t)offset);
}

/* Not a protocol error on a replied rcvid: unblock handlers ask exactly that. */
int MsgInfo(_QH_RCVID_T rcvid, struct _msg_info *info)
{
    struct qh_msg *m = qh_held_lock(rcvid);
    if (!m)
        return -1;
    resmgr_context_t tmp;
    qh_fill_info(&tmp, m, m->slen);
    *info = tmp.info;
    pthread_mutex_unlock(&qh_lock);
    return 0;
}

/* For the resmgr layer's unblock routing: info and the first n bytes of a held message. */
ssize_t qh_held_peek(rcvid_t rcvid, struct _msg_info *info, void *hdr, size_t n)
{
    struct qh_msg *m = qh_held_lock(rcvid);
    if (!m)
        return -1;
    resmgr_context_t tmp;
    qh_fill_info(&tmp, m, m->slen);
    *info = tmp.info;
    size_t got = qh_iov_gather(hdr, n, m->siov, m->sparts, 0);
    pthread_mutex_unlock(&qh_lock);
    return (ssize_t)got;
}

int MsgSendPulse(int coid, int priority, int code, int value)
{
    (void)priority;                           /* no priorities on the host */
    struct qh_msg *m = qh_pulse_new(coid, code);
    if (!m) {
        errno = ENOMEM;
        return -1;
    }
    m->pulse.value.sival_int = value;
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(coid);
    if (!c || c->dpp->chan.shutdown) {        /* nobody to deliver to */
        pthread_mutex_unlock(&qh_lock);
        free(m);
        errno = c ? ESRCH : EBADF;
        return -1;
    }
    qh_chan_push(&c->dpp->chan, m);
    pthread_mutex_unlock(&qh_lock);
    return 0;
}

int MsgDeliverEvent(_QH_RCVID_T rcvid, const struct sigevent *event)
{
    (void)rcvid;                              /* everything is one process */
    if (event->sigev_notify != SIGEV_PULSE)   /* only pulses are emulated */
        return 0;
    return MsgSendPulse(event->sigev_coid, event->sigev_priority, event->sigev_code,
                        event->sigev_value.sival_int);
}

/* ---- client death ---- */

/* End a dead client's message (qh_lock held): a queued one is unlinked and fails, a
   received one stays with the server, which may still reply (ESRCH). */
static void qh_msg_kill(struct qh_msg *m, struct qh_chan *chan)
{
    m->killed = 1;
    if (m->state == QH_QUEUED && chan)
        qh_chan_unlink(chan, m);
    if (m->state == QH_QUEUED)
        m->state = QH_REPLIED;
    qh_reply_wake(m);
}

/* Every queued or held message of client on any channel (qh_lock held). */
static void qh_client_msgs_kill(int client)
{
    for (struct _dispatch *d = qh_dispatches; d; d = d->next) {
        struct qh_msg *m = d->chan.head;
        while (m) {
            struct qh_msg *next = m->next;
            if (!m->is_pulse && m->client == client)
                qh_msg_kill(m, &d->chan);
            m = next;
        }
    }
    for (struct qh_msg *m = qh_received; m; m = m->next)
        if (m->client == client && !m->abandoned)
            qh_msg_kill(m, NULL);
}

int qh_client_kill(int id)
{
    pthread_mutex_lock(&qh_lock);
    if (id <= 0 || id >= qh_nclients || qh_client_dead(id)) {
        pthread_mutex_unlock(&qh_lock);
        errno = EINVAL;                       /* not a live simulated client */
        return -1;
    }
    qh_client_state[id] = 2;
    qh_client_msgs_kill(id);
    for (struct _dispatch *d = qh_dispatches; d; d = d->next) {
        int any = 0;
        for (size_t i = 0; i < qh_nconns; i++) {
            struct qh_conn *c = qh_conns[i];
            if (c && c->client == id && c->dpp == d) {
                c->dead = 1;
                any = 1;
            }
        }
        if (any)                              /* the library cleans up its connections */
            qh_disconnect_pulse(d, id);
    }
    pthread_mutex_unlock(&qh_lock);
    return 0;
}
