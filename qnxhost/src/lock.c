/*
 * qnxhost fcntl() record locks: iofunc_lock_default()/iofunc_lock() on _IO_LOCK (F_GETLK,
 * F_SETLK, F_SETLKW with the host's struct flock and F_* values), owned per client process
 * (scoid) as POSIX locks are per process. A blocked F_SETLKW is held until the range is free;
 * iofunc_unblock_default() answers it EINTR, iofunc_close_dup_default() drops the closing
 * process's locks and the closing connection's waits. The list hangs off attr->lock_list and
 * is changed under the attr lock.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "qh_internal.h"

/* A held lock, or a blocked F_SETLKW (rcvid != 0): [start, end], both inclusive. */
struct qh_range {
    struct qh_range *next;
    int              scoid, coid;     /* owner process; the connection it came on */
    pid_t            pid;
    short            type;            /* F_RDLCK or F_WRLCK */
    int64_t          start, end;
    rcvid_t          rcvid;           /* a waiter's request, answered when it is granted */
};

struct qh_locks {
    struct qh_range *held;
    struct qh_range *waiting;
};

static struct qh_locks *qh_locks_of(iofunc_attr_t *attr, int create)
{
    if (!attr->lock_list && create)
        attr->lock_list = calloc(1, sizeof(struct qh_locks));
    return attr->lock_list;
}

/* The lock of another owner that stands in the way of r, or NULL. */
static struct qh_range *qh_conflict(struct qh_locks *l, const struct qh_range *r)
{
    for (struct qh_range *h = l->held; h; h = h->next)
        if (h->scoid != r->scoid && h->start <= r->end && r->start <= h->end &&
            (h->type == F_WRLCK || r->type == F_WRLCK))
            return h;
    return NULL;
}

static void qh_counts(iofunc_attr_t *attr, const struct qh_locks *l)
{
    attr->rlocks = attr->wlocks = 0;
    for (const struct qh_range *h = l->held; h; h = h->next) {
        if (h->type == F_RDLCK)
            attr->rlocks++;
        else
            attr->wlocks++;
    }
}

/* Take [start, end] out of scoid's locks (splitting one that spans it); 0 without memory. */
static int qh_unlock_range(struct qh_locks *l, int scoid, int64_t start, int64_t end)
{
    for (struct qh_range **pp = &l->held; *pp;) {
        struct qh_range *h = *pp;
        if (h->scoid != scoid || h->end < start || end < h->start) {
            pp = &h->next;
            continue;
        }
        if (h->start < start && h->end > end) {   /* the hole is inside: two pieces */
            struct qh_range *tail = malloc(sizeof *tail);
            if (!tail)
                return 0;
            *tail = *h;
            tail->start = end + 1;
            h->end = start - 1;
            tail->next = h->next;
            h->next = tail;
            return 1;
        }
        if (h->start < start)                 /* keep the part before */
            h->end = start - 1;
        else if (h->end > end)                /* keep the part after */
            h->start = end + 1;
        else {                                /* all of it goes */
            *pp = h->next;
            free(h);
            continue;
        }
        pp = &h->next;
    }
    return 1;
}

/* Grant r (no conflict): it replaces the owner's locks on its range. */
static int qh_grant(struct qh_locks *l, const struct qh_range *r)
{
    struct qh_range *n = malloc(sizeof *n);
    if (!n || !qh_unlock_range(l, r->scoid, r->start, r->end)) {
        free(n);
        return ENOMEM;
    }
    *n = *r;
    n->rcvid = 0;
    n->next = l->held;
    l->held = n;
    return EOK;
}

/* Locks went: grant every waiter that no longer conflicts, answering its request. */
static void qh_wake_waiters(iofunc_attr_t *attr, struct qh_locks *l)
{
    for (struct qh_range **pp = &l->waiting; *pp;) {
        struct qh_range *w = *pp;
        if (qh_conflict(l, w)) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        int st = qh_grant(l, w);
        if (st == EOK)
            MsgReply(w->rcvid, 0, NULL, 0);
        else
            MsgError(w->rcvid, st);
        free(w);
    }
    qh_counts(attr, l);
}

static void qh_locks_maybe_free(iofunc_attr_t *attr, struct qh_locks *l)
{
    if (!l->held && !l->waiting) {
        free(l);
        attr->lock_list = NULL;
    }
}

/* The flock's range as [start, end]; EINVAL if it starts before 0 or overflows. */
static int qh_flock_range(const struct flock *fl, const iofunc_ocb_t *ocb,
                          const iofunc_attr_t *attr, struct qh_range *r)
{
    int64_t base;
    switch (fl->l_whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = ocb->offset; break;
    case SEEK_END: base = attr->nbytes; break;
    default:       return EINVAL;             /* unknown whence */
    }
    int64_t start = (int64_t)fl->l_start, len = (int64_t)fl->l_len;
    if ((start > 0 && base > INT64_MAX - start) || (start < 0 && base < INT64_MIN - start))
        return EOVERFLOW;
    start += base;
    if (start < 0)                            /* before the start of the file */
        return EINVAL;
    if (len < 0) {                            /* POSIX: the len bytes before start */
        if (len < -start)                     /* they reach before byte 0 (no overflow: start >= 0) */
            return EINVAL;
        start += len;
        len = -len;
    }
    r->start = start;
    r->end = len == 0 || start > INT64_MAX - len ? INT64_MAX : start + len - 1;  /* 0: to EOF and on */
    return EOK;
}

/* F_GETLK: the first lock in the way of the request, or F_UNLCK; replied in place (at
   where, which need not be aligned for a struct flock). */
static int qh_getlk(resmgr_context_t *ctp, void *where, struct flock *fl, struct qh_locks *l,
                    const struct qh_range *r)
{
    struct qh_range *h = l ? qh_conflict(l, r) : NULL;
    if (!h) {
        fl->l_type = F_UNLCK;
    } else {
        fl->l_type = h->type;
        fl->l_whence = SEEK_SET;
        fl->l_start = (off_t)h->start;
        fl->l_len = h->end == INT64_MAX ? 0 : (off_t)(h->end - h->start + 1);
        fl->l_pid = h->pid;
    }
    memcpy(where, fl, sizeof *fl);
    return _RESMGR_PTR(ctp, where, sizeof *fl);
}

/* A blocked F_SETLKW: held until the range is free (EINTR at once if the client already
   asked to be unblocked: its pulse may have come and gone). */
static int qh_setlkw_hold(resmgr_context_t *ctp, struct qh_locks *l, const struct qh_range *r)
{
    struct _msg_info info;
    if (MsgInfo(ctp->rcvid, &info) == -1 || (info.flags & _NTO_MI_UNBLOCK_REQ))
        return EINTR;
    struct qh_range *w = malloc(sizeof *w);
    if (!w)
        return ENOMEM;
    *w = *r;
    w->rcvid = ctp->rcvid;
    w->next = NULL;
    struct qh_range **pp = &l->waiting;       /* first come, first served */
    while (*pp)
        pp = &(*pp)->next;
    *pp = w;
    return _RESMGR_NOREPLY;
}

int iofunc_lock(resmgr_context_t *ctp, io_lock_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr)
{
    void *where = &msg->i + 1;                /* the flock follows the header */
    struct flock flock, *fl = &flock;
    if (QH_SIZE(ctp) < sizeof msg->i + sizeof flock)  /* the flock did not arrive */
        return EBADMSG;
    memcpy(&flock, where, sizeof flock);
    unsigned cmd = msg->i.subtype;
    if (cmd != F_GETLK && cmd != F_SETLK && cmd != F_SETLKW)
        return EINVAL;                        /* not a record-lock command */
    if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
        return EINVAL;
    struct qh_range r;
    memset(&r, 0, sizeof r);
    r.scoid = ctp->info.scoid;
    r.coid = ctp->info.coid;
    r.pid = ctp->info.pid;
    r.type = fl->l_type;
    int st = qh_flock_range(fl, ocb, attr, &r);
    if (st != EOK)
        return st;
    if (cmd == F_GETLK)
        return qh_getlk(ctp, where, fl, qh_locks_of(attr, 0), &r);
    if ((r.type == F_RDLCK && !(ocb->ioflag & _IO_FLAG_RD)) ||
        (r.type == F_WRLCK && !(ocb->ioflag & _IO_FLAG_WR)))
        return EBADF;                         /* the fd's open mode does not allow it */
    struct qh_locks *l = qh_locks_of(attr, r.type != F_UNLCK);
    if (!l)                                   /* nothing to unlock, or no memory */
        return r.type == F_UNLCK ? EOK : ENOMEM;
    if (r.type == F_UNLCK) {
        st = qh_unlock_range(l, r.scoid, r.start, r.end) ? EOK : ENOMEM;
        qh_wake_waiters(attr, l);
    } else if (qh_conflict(l, &r)) {          /* someone else's lock is in the way */
        st = cmd == F_SETLKW ? qh_setlkw_hold(ctp, l, &r) : EAGAIN;
    } else {
        st = qh_grant(l, &r);
        qh_counts(attr, l);
    }
    qh_locks_maybe_free(attr, l);
    return st;
}

int iofunc_lock_default(resmgr_context_t *ctp, io_lock_t *msg, iofunc_ocb_t *ocb)
{
    return iofunc_lock(ctp, msg, ocb, ocb->attr);
}

/* close_dup: the closing process's locks on the file go (POSIX: any close does it), and the
   closing connection's blocked requests are answered EBADF (dropped if the client died). */
void qh_locks_close(resmgr_context_t *ctp, iofunc_attr_t *attr)
{
    struct qh_locks *l = qh_locks_of(attr, 0);
    if (!l)
        return;
    for (struct qh_range **pp = &l->held; *pp;) {
        struct qh_range *h = *pp;
        if (h->scoid == ctp->info.scoid) {
            *pp = h->next;
            free(h);
        } else {
            pp = &h->next;
        }
    }
    for (struct qh_range **pp = &l->waiting; *pp;) {
        struct qh_range *w = *pp;
        if (w->scoid == ctp->info.scoid && w->coid == ctp->info.coid) {
            *pp = w->next;
            if (ctp->rcvid != 0)              /* a close, not a dead client */
                MsgError(w->rcvid, EBADF);
            free(w);
        } else {
            pp = &w->next;
        }
    }
    qh_wake_waiters(attr, l);
    qh_locks_maybe_free(attr, l);
}

/* unblock: a blocked F_SETLKW of ctp->rcvid is taken off the list; 1 if it was there. */
int qh_locks_unblock(resmgr_context_t *ctp, iofunc_attr_t *attr)
{
    struct qh_locks *l = qh_locks_of(attr, 0);
    if (!l)
        return 0;
    for (struct qh_range **pp = &l->waiting; *pp; pp = &(*pp)->next) {
        struct qh_range *w = *pp;
        if (w->rcvid == ctp->rcvid) {
            *pp = w->next;
            free(w);
            qh_locks_maybe_free(attr, l);
            return 1;
        }
    }
    return 0;
}

/* The last open of the file went: no process can hold a lock on it any more. */
void qh_locks_free(iofunc_attr_t *attr)
{
    struct qh_locks *l = qh_locks_of(attr, 0);
    if (!l)
        return;
    for (int i = 0; i < 2; i++) {
        struct qh_range *r = i == 0 ? l->held : l->waiting;
        while (r) {
            struct qh_range *next = r->next;
            free(r);
            r = next;
        }
    }
    free(l);
    attr->lock_list = NULL;
    attr->rlocks = attr->wlocks = 0;
}
