/*
 * A small resource manager written the way the QNX documentation shows:
 * /dev/qhsample, a 256-byte buffer with read/write/lseek, and devctl
 * commands covering every reply style. Some commands misbehave on purpose
 * so the runtime's protocol checks can be tested. Built with
 * -Dmain=sample_server_main; "pool" as argv[1] selects a thread pool.
 */
struct sample_dev;
#define IOFUNC_ATTR_T       struct sample_dev
#define THREAD_POOL_PARAM_T dispatch_context_t
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/iofunc.h>
#include <sys/dispatch.h>
#include "sample.h"

/* Written for QNX 8.0 and 6.x alike (qnxhost builds both): receive ids, payload access
   and byte counts differ. */
#if _NTO_VERSION >= 800
typedef rcvid_t sample_rcvid_t;
#else
typedef int sample_rcvid_t;             /* 6.x: a receive id is an int */
#endif
#ifdef _IO_READ_GET_NBYTES
#define SAMPLE_READ_NBYTES(_msg)  ((size_t)_IO_READ_GET_NBYTES(_msg))
#define SAMPLE_WRITE_NBYTES(_msg) ((size_t)_IO_WRITE_GET_NBYTES(_msg))
#else                                   /* 6.x: signed 32-bit counts */
#define SAMPLE_READ_NBYTES(_msg)  ((_msg)->i.nbytes > 0 ? (size_t)(_msg)->i.nbytes : 0u)
#define SAMPLE_WRITE_NBYTES(_msg) ((_msg)->i.nbytes > 0 ? (size_t)(_msg)->i.nbytes : 0u)
#endif

/* Copy n bytes of the message from offset on (after ctp->offset); the count copied. */
static ssize_t sample_get(resmgr_context_t *ctp, void *buf, size_t n, size_t offset)
{
#if _NTO_VERSION >= 710
    return resmgr_msgget(ctp, buf, n, offset);  /* from the receive buffer where it arrived */
#else
    return resmgr_msgread(ctp, buf, (int)n, (int)offset);
#endif
}

#define NPARTS_MAX   2
#define MSG_MAX_SIZE SAMPLE_MSG_MAX
#define MAX_WAITERS  16

struct sample_dev {
    iofunc_attr_t attr;                 /* must be first */
    char          buf[SAMPLE_BUF_SIZE];
    int32_t       value;
    struct sample_hold  hold;           /* SAMPLE_HOLD: reads are held */
    sample_rcvid_t             waiters[MAX_WAITERS];
    int                 nwait;
    struct sample_stats stats;
    struct sample_where where;          /* the last SAMPLE_WHERE */
    iofunc_notify_t     notify[3];      /* select/poll/ionotify clients */
    int32_t             where_calls;
};

static struct sample_dev       dev;
static iofunc_mount_t          mount;   /* ST_* flags and conf bits for the defaults' tests */
static resmgr_connect_funcs_t  connect_funcs;
static resmgr_io_funcs_t       io_funcs;
static resmgr_io_funcs_t       io_funcs_default_check;  /* io_funcs with a NULL check_msg */

/* ---- test hooks: forced orders instead of timing (see sample.h) ---- */

#define HOOK_WAIT_S 10                  /* a wait this long means the runtime lost an event */

/* Own mutex: the helpers and the unblock handler wait here without holding the attr lock.
   The rcvid marks only grow (rcvids do), so a slow helper cannot miss its own. */
static struct {
    pthread_mutex_t mutex;
    pthread_cond_t  cv;
    int64_t unblock_entered;            /* highest rcvid whose unblock handler started */
    int64_t unblock_done;               /* highest rcvid whose unblock handler did its part */
    int64_t reply_done;                 /* highest rcvid the late helper answered (or found answered) */
    int64_t busy, released;             /* SAMPLE_BUSY gate */
    int64_t late_running;               /* helper threads not yet finished */
    int64_t held;                       /* reads held now */
    int64_t close_ocbs;                 /* close_ocb calls in all */
    int32_t timeouts;                   /* waits that hit HOOK_WAIT_S */
    int32_t lock_fail;                  /* SAMPLE_LOCKFAIL: fail the next lock_ocb */
    int64_t pulses;                     /* notify pulses received */
    struct sample_counts counts;
} hook = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 } };

/* Handlers the library must call without lock_ocb count it if they find it taken (the
   single-threaded loop: one lock depth). */
static void hook_check_unlocked(void)
{
    pthread_mutex_lock(&hook.mutex);
    hook.counts.locked_in_unlocked += hook.counts.lock_depth != 0;
    pthread_mutex_unlock(&hook.mutex);
}

/* Wait (hook.mutex held) until *v reaches want (or, with at_most, falls to it); a timeout
   is counted and reported by SAMPLE_STATS. */
static void hook_wait_locked(const int64_t *v, int64_t want, int at_most)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += HOOK_WAIT_S;
    while (at_most ? *v > want : *v < want) {
        if (pthread_cond_timedwait(&hook.cv, &hook.mutex, &deadline) == ETIMEDOUT) {
            hook.timeouts++;
            return;
        }
    }
}

static void hook_wait(const int64_t *v, int64_t want)
{
    pthread_mutex_lock(&hook.mutex);
    hook_wait_locked(v, want, 0);
    pthread_mutex_unlock(&hook.mutex);
}

/* Raise a mark (never lowers it) and wake the waiters. */
static void hook_set(int64_t *v, int64_t value)
{
    pthread_mutex_lock(&hook.mutex);
    if (value > *v)
        *v = value;
    pthread_cond_broadcast(&hook.cv);
    pthread_mutex_unlock(&hook.mutex);
}

static void hook_running(int64_t delta)
{
    pthread_mutex_lock(&hook.mutex);
    hook.late_running += delta;
    pthread_cond_broadcast(&hook.cv);
    pthread_mutex_unlock(&hook.mutex);
}

void sample_busy_wait(void)
{
    hook_wait(&hook.busy, 1);
}

void sample_busy_release(void)
{
    hook_set(&hook.released, 1);
}

void sample_helpers_drain(void)
{
    pthread_mutex_lock(&hook.mutex);
    hook_wait_locked(&hook.late_running, 0, 1);
    pthread_mutex_unlock(&hook.mutex);
}

void sample_wait_held(int n)
{
    hook_wait(&hook.held, n);
}

void sample_wait_pulses(int n)
{
    hook_wait(&hook.pulses, n);
}

void sample_wait_close_ocbs(int n)
{
    hook_wait(&hook.close_ocbs, n);
}

struct sample_counts sample_counts(void)
{
    pthread_mutex_lock(&hook.mutex);
    struct sample_counts c = hook.counts;
    c.close_ocbs = (int32_t)hook.close_ocbs;
    pthread_mutex_unlock(&hook.mutex);
    iofunc_attr_lock(&dev.attr);
    c.where_calls = dev.where_calls;
    iofunc_attr_unlock(&dev.attr);
    return c;
}

/* SAMPLE_BUSY: keep the (single) server thread busy until the test releases it. */
static void sample_busy(void)
{
    pthread_mutex_lock(&hook.mutex);
    hook.busy = 1;
    pthread_cond_broadcast(&hook.cv);
    hook_wait_locked(&hook.released, 1, 0);
    hook.busy = 0;
    hook.released = 0;
    pthread_mutex_unlock(&hook.mutex);
}

/* ---- held reads, released by a late reply or by the unblock handler ---- */

/* Remember a held read (attr lock held). */
static int waiter_add(sample_rcvid_t rcvid)
{
    if (dev.nwait == MAX_WAITERS)                     /* list full */
        return 0;
    dev.waiters[dev.nwait++] = rcvid;
    hook_set(&hook.held, dev.nwait);
    return 1;
}

/* Forget a held read; 1 if it was still held, so the caller must answer it (attr lock held). */
static int waiter_remove(sample_rcvid_t rcvid)
{
    for (int i = 0; i < dev.nwait; i++) {
        if (dev.waiters[i] == rcvid) {
            dev.waiters[i] = dev.waiters[--dev.nwait];
            pthread_mutex_lock(&hook.mutex);
            hook.held = dev.nwait;
            pthread_mutex_unlock(&hook.mutex);
            return 1;
        }
    }
    return 0;
}

struct late { sample_rcvid_t rcvid; int delay_us, order; };

/* Answer a held read (after the forced order and delay), unless the unblock handler
   answered it first. */
static void *sample_late_read(void *arg)
{
    struct late l = *(struct late *)arg;
    free(arg);
    if (l.order == SAMPLE_ORDER_UNBLOCK_FIRST)        /* the handler must have done its part */
        hook_wait(&hook.unblock_done, l.rcvid);
    else if (l.order == SAMPLE_ORDER_REPLY_FIRST)     /* the handler is waiting for us */
        hook_wait(&hook.unblock_entered, l.rcvid);
    struct _msg_info info;                            /* the flag stays until the reply */
    if (MsgInfo(l.rcvid, &info) != -1 && (info.flags & _NTO_MI_UNBLOCK_REQ)) {
        pthread_mutex_lock(&hook.mutex);
        hook.counts.late_saw_req++;
        pthread_mutex_unlock(&hook.mutex);
    }
    if (l.delay_us > 0)
        usleep((useconds_t)l.delay_us);
    iofunc_attr_lock(&dev.attr);
    if (waiter_remove(l.rcvid))                       /* still held: reply the data */
        MsgReply(l.rcvid, (long)strlen(SAMPLE_LATE), SAMPLE_LATE, strlen(SAMPLE_LATE));
    iofunc_attr_unlock(&dev.attr);
    hook_set(&hook.reply_done, l.rcvid);
    hook_running(-1);
    return NULL;
}

/* Hold a read (attr locked by lock_ocb); a helper thread answers it later. */
static int sample_hold_read(resmgr_context_t *ctp)
{
    if (!waiter_add(ctp->rcvid))                      /* too many held reads */
        return EAGAIN;
    if (dev.hold.delay_us <= 0 && dev.hold.order == SAMPLE_ORDER_NONE)
        return _RESMGR_NOREPLY;                       /* held until unblocked */
    struct late *l = malloc(sizeof *l);
    pthread_t t;
    if (l)
        *l = (struct late){ ctp->rcvid, dev.hold.delay_us, dev.hold.order };
    hook_running(1);
    if (!l || pthread_create(&t, NULL, sample_late_read, l) != 0) {
        free(l);
        waiter_remove(ctp->rcvid);
        hook_running(-1);
        return EAGAIN;
    }
    pthread_detach(t);
    return _RESMGR_NOREPLY;
}

/* The client's timeout expired while its read is held: EINTR, or the default handler's
   answer (_RESMGR_DEFAULT: the client keeps waiting). Runs without the attr lock. */
static int sample_unblock(resmgr_context_t *ctp, io_pulse_t *msg, RESMGR_OCB_T *ocb)
{
    int st = iofunc_unblock_default(ctp, msg, ocb);
    if (st != (int)_RESMGR_DEFAULT)
        return st;
    hook_check_unlocked();
    iofunc_attr_lock(&dev.attr);
    int order = dev.hold.order;
    iofunc_attr_unlock(&dev.attr);
    hook_set(&hook.unblock_entered, ctp->rcvid);
    if (order == SAMPLE_ORDER_REPLY_FIRST)            /* let the late reply win */
        hook_wait(&hook.reply_done, ctp->rcvid);
    struct _msg_info info;
    int asked = MsgInfo(ctp->rcvid, &info) != -1 && (info.flags & _NTO_MI_UNBLOCK_REQ);
    iofunc_attr_lock(&dev.attr);
    dev.stats.unblocks++;
    dev.stats.unblock_req += asked;
    int mode = dev.hold.mode;
    int found = asked && mode == SAMPLE_HOLD_EINTR && waiter_remove(ctp->rcvid);
    iofunc_attr_unlock(&dev.attr);
    hook_set(&hook.unblock_done, ctp->rcvid);
    if (mode != SAMPLE_HOLD_EINTR)                    /* behave like the default handler */
        return _RESMGR_DEFAULT;
    return found ? EINTR : _RESMGR_NOREPLY;           /* not found: answered already */
}

/* ---- locking, open and close: counted for the tests, then the defaults ---- */

static int sample_lock_ocb(resmgr_context_t *ctp, void *reserved, RESMGR_OCB_T *ocb)
{
    pthread_mutex_lock(&hook.mutex);
    int fail = hook.lock_fail;
    hook.lock_fail = 0;
    hook.counts.lock_ocbs++;
    hook.counts.lock_depth += !fail;
    pthread_mutex_unlock(&hook.mutex);
    if (fail)                                          /* test: the message must be aborted */
        return ENOLCK;
    return iofunc_lock_ocb_default(ctp, reserved, ocb);
}

static int sample_unlock_ocb(resmgr_context_t *ctp, void *reserved, RESMGR_OCB_T *ocb)
{
    pthread_mutex_lock(&hook.mutex);
    hook.counts.lock_depth--;
    pthread_mutex_unlock(&hook.mutex);
    return iofunc_unlock_ocb_default(ctp, reserved, ocb);
}

static int sample_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle, void *extra)
{
    hook_check_unlocked();
    int st = iofunc_open_default(ctp, msg, &handle->attr, extra);
    iofunc_attr_lock(&handle->attr);          /* another pool thread may be opening too */
    int count = handle->attr.count;
    iofunc_attr_unlock(&handle->attr);
    pthread_mutex_lock(&hook.mutex);
    hook.counts.opens += st == EOK;
    hook.counts.open_count = count;
    hook.counts.last_scoid = ctp->info.scoid;
    pthread_mutex_unlock(&hook.mutex);
    return st;
}

/* Runs on every close of a binding, without the attr lock (also with rcvid 0 when the
   client died). */
static int sample_close_dup(resmgr_context_t *ctp, io_close_t *msg, RESMGR_OCB_T *ocb)
{
    hook_check_unlocked();
    pthread_mutex_lock(&hook.mutex);
    hook.counts.close_dups++;
    pthread_mutex_unlock(&hook.mutex);
    iofunc_attr_lock(&ocb->attr->attr);              /* not locked by the library here */
    iofunc_notify_remove(ctp, ocb->attr->notify);
    iofunc_attr_unlock(&ocb->attr->attr);
    return iofunc_close_dup_default(ctp, msg, ocb);
}

/* Runs once per OCB, when its last binding went. */
static int sample_close_ocb(resmgr_context_t *ctp, void *reserved, RESMGR_OCB_T *ocb)
{
    iofunc_attr_t *attr = &ocb->attr->attr;
    hook_check_unlocked();
    int st = iofunc_close_ocb_default(ctp, reserved, ocb);
    pthread_mutex_lock(&hook.mutex);
    hook.close_ocbs++;
    hook.counts.open_count = attr->count;
    pthread_cond_broadcast(&hook.cv);
    pthread_mutex_unlock(&hook.mutex);
    return st;
}

/* SAMPLE_RELEASE: reply to every held read; the number of replies that failed with ESRCH
   (their client died) goes back in ret_val (attr lock held). */
static int sample_release(void)
{
    int esrch = 0;
    while (dev.nwait > 0) {
        sample_rcvid_t rcvid = dev.waiters[0];
        waiter_remove(rcvid);
        if (MsgReply(rcvid, 0, NULL, 0) == -1 && errno == ESRCH)
            esrch++;
    }
    return esrch;
}

/* select/poll/ionotify: input is ready while this OCB has unread bytes, output while there
   is room (computed from the state every time). */
static int sample_notify(resmgr_context_t *ctp, io_notify_t *msg, RESMGR_OCB_T *ocb)
{
    int trig = 0;
    if (ocb->attr->attr.nbytes > ocb->offset)
        trig |= (int)_NOTIFY_COND_INPUT;
    if (ocb->attr->attr.nbytes < SAMPLE_BUF_SIZE)
        trig |= (int)_NOTIFY_COND_OUTPUT;
    return iofunc_notify(ctp, msg, ocb->attr->notify, trig, NULL, NULL);
}

/* A client process let go of its last connection to us (after the library's handling). */
static int sample_disconnect(message_context_t *ctp, int code, unsigned flags, void *handle)
{
    (void)ctp;
    (void)code;
    (void)flags;
    (void)handle;
    pthread_mutex_lock(&hook.mutex);
    hook.counts.disconnects++;
    pthread_mutex_unlock(&hook.mutex);
    return 0;
}

/* A notify event came back to us (the tests aim them at the device's own channel). */
static int sample_pulse(message_context_t *ctp, int code, unsigned flags, void *handle)
{
    (void)ctp;
    (void)code;
    (void)flags;
    (void)handle;
    pthread_mutex_lock(&hook.mutex);
    hook.pulses++;
    pthread_cond_broadcast(&hook.cv);
    pthread_mutex_unlock(&hook.mutex);
    return 0;
}

static int sample_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
    int nonblock;
    int st = iofunc_read_verify(ctp, msg, ocb, &nonblock);
    if (st != EOK)
        return st;
    if (ocb->attr->hold.mode != SAMPLE_HOLD_OFF)      /* test of client timeouts */
        return sample_hold_read(ctp);
    int64_t off;
    switch (msg->i.xtype & _IO_XTYPE_MASK) {
    case _IO_XTYPE_NONE:
        off = ocb->offset;
        break;
    case _IO_XTYPE_OFFSET:                            /* pread: header verified above */
        off = ((struct _xtype_offset *)(&msg->i + 1))->offset;
        break;
    default:
        return ENOSYS;
    }
    int64_t size = ocb->attr->attr.nbytes;
    size_t want = SAMPLE_READ_NBYTES(msg);
    size_t n = off < size ? (size_t)(size - off) : 0;
    if (n > want)
        n = want;
    _IO_SET_READ_NBYTES(ctp, n);
    if ((msg->i.xtype & _IO_XTYPE_MASK) == _IO_XTYPE_NONE)
        ocb->offset += (int64_t)n;
    if (n == 0)                                       /* end of file */
        return EOK;
    SETIOV(ctp->iov, ocb->attr->buf + off, n);
    return _RESMGR_NPARTS(1);
}

static int sample_write(resmgr_context_t *ctp, io_write_t *msg, RESMGR_OCB_T *ocb)
{
    int st = iofunc_write_verify(ctp, msg, ocb, NULL);
    if (st != EOK)
        return st;
    size_t skip = sizeof msg->i;
    int64_t off = ocb->offset;
    switch (msg->i.xtype & _IO_XTYPE_MASK) {
    case _IO_XTYPE_NONE:
        break;
    case _IO_XTYPE_OFFSET:                            /* pwrite: offset header first */
        off = ((struct _xtype_offset *)(&msg->i + 1))->offset;
        skip += sizeof(struct _xtype_offset);
        break;
    default:
        return ENOSYS;
    }
    size_t n = SAMPLE_WRITE_NBYTES(msg);
    if (off >= SAMPLE_BUF_SIZE)                       /* device full */
        return ENOSPC;
    if (n > (size_t)(SAMPLE_BUF_SIZE - off))
        n = (size_t)(SAMPLE_BUF_SIZE - off);
    ssize_t got = sample_get(ctp, ocb->attr->buf + off, n, skip);
    if (got < 0)
        return errno;
    if ((size_t)got != n)                             /* client sent less than it said */
        return EBADMSG;
    if (off + (int64_t)n > ocb->attr->attr.nbytes)
        ocb->attr->attr.nbytes = off + (int64_t)n;
    if (IOFUNC_NOTIFY_INPUT_CHECK(ocb->attr->notify, (int)n, 0))  /* n new bytes to read */
        iofunc_notify_trigger(ocb->attr->notify, (int)n, IOFUNC_NOTIFY_INPUT);
    if ((msg->i.xtype & _IO_XTYPE_MASK) == _IO_XTYPE_NONE)
        ocb->offset = off + (int64_t)n;
    _IO_SET_WRITE_NBYTES(ctp, n);
    ocb->attr->attr.flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
    return EOK;
}

/* A held devctl, answered later by another thread. */
static void *sample_late_reply(void *arg)
{
    sample_rcvid_t rcvid = *(sample_rcvid_t *)arg;
    free(arg);
    usleep(20000);
    struct { struct _io_devctl_reply o; struct sample_val v; } reply;
    memset(&reply, 0, sizeof reply);
    reply.o.ret_val = SAMPLE_INFO;
    reply.o.nbytes = sizeof reply.v;
    reply.v.value = 4242;
    MsgReply(rcvid, 0, &reply, sizeof reply);
    return NULL;
}

static int sample_defer(resmgr_context_t *ctp)
{
    sample_rcvid_t *held = malloc(sizeof *held);
    pthread_t t;
    if (!held)
        return ENOMEM;
    *held = ctp->rcvid;
    if (pthread_create(&t, NULL, sample_late_reply, held) != 0) {
        free(held);
        return EAGAIN;
    }
    pthread_detach(t);
    return _RESMGR_NOREPLY;
}

#if _NTO_VERSION >= 800
/* 8.0's check_msg: the library's default, except that a devctl may come before more parts
   of a combine (no sample devctl carries a sigevent; the combine tests put them there). */
static int sample_check_msg(resmgr_context_t const *ctp, resmgr_iomsgs_t const *msg,
                            _Bool combine, RESMGR_OCB_T const *ocb)
{
    if (msg->type == _IO_DEVCTL)
        return EOK;
    return iofunc_check_msg_default(ctp, msg, combine, ocb);
}
#endif

static int sample_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
    int st = iofunc_devctl_default(ctp, msg, ocb);
    if (st != (int)_RESMGR_DEFAULT)
        return st;
    struct sample_val v;
    size_t out_len = 0;
    void *data = _DEVCTL_DATA(msg->i);

    switch ((unsigned)msg->i.dcmd) {
    case (unsigned)SAMPLE_GET:
        v.value = ocb->attr->value;
        memcpy(data, &v, sizeof v);
        out_len = sizeof v;
        break;
    case (unsigned)SAMPLE_SET:
        if (!(ocb->ioflag & _IO_FLAG_WR))             /* writers only */
            return EPERM;
        if (sample_get(ctp, &v, sizeof v, sizeof msg->i) != (ssize_t)sizeof v)
            return EBADMSG;
        ocb->attr->value = v.value;
        break;
    case (unsigned)SAMPLE_XCHG:
        if (sample_get(ctp, &v, sizeof v, sizeof msg->i) != (ssize_t)sizeof v)
            return EBADMSG;
        v.value += 1;
        memcpy(data, &v, sizeof v);
        out_len = sizeof v;
        break;
    case (unsigned)SAMPLE_RESET:
        ocb->attr->value = 0;
        break;
    case (unsigned)SAMPLE_DEFAULT:
        return _RESMGR_DEFAULT;
    case (unsigned)SAMPLE_DEFERRED:
        return sample_defer(ctp);
    case (unsigned)SAMPLE_TWO_PARTS:
        memset(&msg->o, 0, sizeof msg->o);
        msg->o.ret_val = SAMPLE_INFO;
        msg->o.nbytes = sizeof ocb->attr->value;
        SETIOV(ctp->iov + 0, &msg->o, sizeof msg->o);
        SETIOV(ctp->iov + 1, &ocb->attr->value, sizeof ocb->attr->value);
        return _RESMGR_NPARTS(2);
    case (unsigned)SAMPLE_ERRNO:
        return _RESMGR_ERRNO(EIO);
    case (unsigned)SAMPLE_HOLD:
        if (sample_get(ctp, &ocb->attr->hold, sizeof ocb->attr->hold, sizeof msg->i) !=
            (ssize_t)sizeof ocb->attr->hold)
            return EBADMSG;
        break;
    case (unsigned)SAMPLE_STATS:
        ocb->attr->stats.held = ocb->attr->nwait;
        pthread_mutex_lock(&hook.mutex);
        ocb->attr->stats.order_timeouts = hook.timeouts;
        pthread_mutex_unlock(&hook.mutex);
        memcpy(data, &ocb->attr->stats, sizeof ocb->attr->stats);
        out_len = sizeof ocb->attr->stats;
        break;
    case (unsigned)SAMPLE_BUSY:                       /* keep the (single) server thread busy */
        sample_busy();
        break;
    case (unsigned)SAMPLE_WHERE: {                    /* where in a combine did this run? */
        struct sample_where2 w;
        w.prev = dev.where;
        w.cur.offset = (int32_t)ctp->offset;
        w.cur.size = (int32_t)ctp->size;
        w.cur.rcvid_zero = ctp->rcvid == 0;
        w.cur.srcmsglen = (int32_t)ctp->info.srcmsglen;
        w.cur.calls = ++dev.where_calls;
        dev.where = w.cur;
        if (ctp->rcvid == 0)                          /* non-final part: no reply */
            return EOK;
        memcpy(data, &w, sizeof w);
        out_len = sizeof w;
        break;
    }
    case (unsigned)SAMPLE_NOTIFY_STATS: {             /* the input list's bookkeeping */
        struct sample_notify ns = { 0, 0, ocb->attr->notify[IOFUNC_NOTIFY_INPUT].cnt, 0 };
        for (iofunc_notify_event_t *e = ocb->attr->notify[IOFUNC_NOTIFY_INPUT].list; e;
             e = e->next) {
            ns.entries++;
            ns.armed += (e->flags & 1) != 0;         /* the host's "armed" entry flag */
        }
        pthread_mutex_lock(&hook.mutex);
        ns.pulses = (int32_t)hook.pulses;
        pthread_mutex_unlock(&hook.mutex);
        memcpy(data, &ns, sizeof ns);
        out_len = sizeof ns;
        break;
    }
    case (unsigned)SAMPLE_LOCKFAIL:
        pthread_mutex_lock(&hook.mutex);
        hook.lock_fail = 1;
        pthread_mutex_unlock(&hook.mutex);
        break;
    case (unsigned)SAMPLE_FAKE_OPENS:                 /* test of the 16-bit open counts */
        if (sample_get(ctp, &v, sizeof v, sizeof msg->i) != (ssize_t)sizeof v)
            return EBADMSG;
        ocb->attr->attr.count = (uint16_t)(ocb->attr->attr.count + v.value);
        ocb->attr->attr.rcount = (uint16_t)(ocb->attr->attr.rcount + v.value);
        ocb->attr->attr.wcount = (uint16_t)(ocb->attr->attr.wcount + v.value);
        break;
    case (unsigned)SAMPLE_RELEASE:
        memset(&msg->o, 0, sizeof msg->o);
        msg->o.ret_val = sample_release();
        return _RESMGR_PTR(ctp, &msg->o, sizeof msg->o);
    case (unsigned)BAD_DOUBLE_REPLY:                  /* deliberately wrong */
        MsgReply(ctp->rcvid, 0, NULL, 0);
        return EOK;
    case (unsigned)BAD_NPARTS:                        /* deliberately wrong */
        return _RESMGR_NPARTS(NPARTS_MAX + 3);
    case (unsigned)BAD_NO_REPLY:                      /* deliberately wrong */
        return _RESMGR_NOREPLY;
    case (unsigned)BAD_MID_REPLY:                     /* deliberately wrong: no rcvid 0 check */
        memset(data, 0x5a, sizeof ocb->attr->stats);
        out_len = sizeof ocb->attr->stats;
        break;
    default:
        return ENOTTY;
    }
    memset(&msg->o, 0, sizeof msg->o);
    msg->o.ret_val = SAMPLE_INFO;
    msg->o.nbytes = (uint32_t)out_len;
    return _RESMGR_PTR(ctp, &msg->o, sizeof msg->o + out_len);
}

/* self: the calling thread joins the pool (POOL_FLAG_USE_SELF), else it exits. */
static int run_pool(dispatch_t *dpp, int self)
{
    thread_pool_attr_t pa;
    memset(&pa, 0, sizeof pa);
    pa.handle = dpp;
    pa.context_alloc = dispatch_context_alloc;
    pa.block_func = dispatch_block;
    pa.unblock_func = dispatch_unblock;
    pa.handler_func = dispatch_handler;
    pa.context_free = dispatch_context_free;
    pa.lo_water = 2;
    pa.hi_water = 4;
    pa.increment = 1;
    pa.maximum = 8;
    thread_pool_t *tp = thread_pool_create(&pa, self ? POOL_FLAG_USE_SELF : POOL_FLAG_EXIT_SELF);
    if (tp == NULL) {
        perror("thread_pool_create");
        return EXIT_FAILURE;
    }
    thread_pool_start(tp);
    return self ? EXIT_SUCCESS : EXIT_FAILURE;        /* USE_SELF: the pool was stopped */
}

static int run_loop(dispatch_t *dpp)
{
    dispatch_context_t *ctp = dispatch_context_alloc(dpp);
    if (ctp == NULL) {
        perror("dispatch_context_alloc");
        return EXIT_FAILURE;
    }
    for (;;) {
        dispatch_context_t *got = dispatch_block(ctp);
        if (got == NULL) {
            if (errno == EINTR)
                continue;
            break;                                    /* stopped */
        }
        ctp = got;
        dispatch_handler(ctp);
    }
    dispatch_context_free(ctp);
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    dispatch_t *dpp = dispatch_create_channel(-1, DISPATCH_FLAG_NOLOCK);
    if (dpp == NULL) {
        perror("dispatch_create_channel");
        return EXIT_FAILURE;
    }
    resmgr_attr_t rattr;
    memset(&rattr, 0, sizeof rattr);
    rattr.nparts_max = NPARTS_MAX;
    rattr.msg_max_size = MSG_MAX_SIZE;
    iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs, _RESMGR_IO_NFUNCS, &io_funcs);
    io_funcs.read = sample_read;
    io_funcs.write = sample_write;
    io_funcs.devctl = sample_devctl;
    io_funcs.unblock = sample_unblock;
    io_funcs.close_dup = sample_close_dup;
    io_funcs.close_ocb = sample_close_ocb;
    io_funcs.lock_ocb = sample_lock_ocb;
    io_funcs.notify = sample_notify;
    io_funcs.unlock_ocb = sample_unlock_ocb;
    io_funcs_default_check = io_funcs;        /* SAMPLE_PATH_DEFAULT_CHECK: a NULL check_msg */
#if _NTO_VERSION >= 800
    io_funcs.check_msg = sample_check_msg;
#endif
    connect_funcs.open = sample_open;
    memset(&dev, 0, sizeof dev);                      /* a restart starts afresh */
    iofunc_attr_init(&dev.attr, S_IFCHR | 0666, NULL, NULL);
    iofunc_mount_init(&mount, sizeof mount);
    mount.flags = SAMPLE_MOUNT_FLAGS | IOFUNC_MOUNT_32BIT;  /* GETMOUNTFLAGS: the ST_* part */
    mount.conf = IOFUNC_PC_NO_TRUNC;
    dev.attr.mount = &mount;
    IOFUNC_NOTIFY_INIT(dev.notify);
    if (pulse_attach(dpp, 0, SAMPLE_PULSE_CODE, sample_pulse, NULL) == -1 ||
        pulse_attach(dpp, 0, _PULSE_CODE_DISCONNECT, sample_disconnect, NULL) == -1) {
        perror("pulse_attach");
        return EXIT_FAILURE;
    }
    if (resmgr_attach(dpp, &rattr, SAMPLE_PATH, _FTYPE_ANY, 0, &connect_funcs, &io_funcs,
                      &dev) == -1) {
        perror("resmgr_attach");
        return EXIT_FAILURE;
    }
    if (resmgr_attach(dpp, &rattr, SAMPLE_PATH_DEFAULT_CHECK, _FTYPE_ANY, 0, &connect_funcs,
                      &io_funcs_default_check, &dev) == -1) {
        perror("resmgr_attach");
        return EXIT_FAILURE;
    }
    if (argc > 1 && strncmp(argv[1], "pool", 4) == 0)  /* "pool" or "pool-self" */
        return run_pool(dpp, strcmp(argv[1], "pool-self") == 0);
    return run_loop(dpp);
}
