/*
 * qnxhost resource-manager layer: emulates resmgr_attach()/resmgr_detach(),
 * the routing of _IO_CONNECT and I/O messages to the connect/io function
 * tables (with lock_ocb/unlock_ocb), the handler return protocol
 * (_RESMGR_NOREPLY/_DEFAULT/NPARTS/errno), unblock pulses and the resmgr_msg*
 * helpers.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "qh_internal.h"

struct qh_attach *qh_attaches;
static int qh_next_attach_id = 1;

int resmgr_attach(dispatch_t *dpp, resmgr_attr_t *attr, const char *path,
                  enum _file_type file_type, unsigned flags,
                  const resmgr_connect_funcs_t *connect_funcs,
                  const resmgr_io_funcs_t *io_funcs, RESMGR_HANDLE_T *handle)
{
    (void)file_type;                          /* every attach serves plain opens */
    if (!dpp || !path || path[0] != '/' || !connect_funcs || !io_funcs) {
        errno = EINVAL;                       /* the host only resolves absolute paths */
        return -1;
    }
    unsigned nparts = attr && attr->nparts_max > 1 ? attr->nparts_max : 1;
    size_t size = attr && attr->msg_max_size ? attr->msg_max_size : 0;
    struct qh_attach *a = calloc(1, sizeof *a);
    char *copy = strdup(path);
    if (!a || !copy) {
        free(a);
        free(copy);
        errno = ENOMEM;
        return -1;
    }
    pthread_mutex_lock(&qh_lock);
    if (dpp->context_alloced && (nparts > dpp->nparts_max || size > dpp->msg_max_size)) {
        pthread_mutex_unlock(&qh_lock);       /* contexts are already too small */
        free(a);
        free(copy);
        errno = EINVAL;
        return -1;
    }
    if (nparts > dpp->nparts_max)
        dpp->nparts_max = nparts;
    if (size > dpp->msg_max_size)
        dpp->msg_max_size = size;
    a->id = qh_next_attach_id++;
    a->path = copy;
    a->flags = flags;
    a->dpp = dpp;
    a->connect_funcs = connect_funcs;
    a->io_funcs = io_funcs;
    a->handle = handle;
    a->next = qh_attaches;
    qh_attaches = a;
    dpp->nattach++;
    pthread_mutex_unlock(&qh_lock);
    return a->id;
}

static void qh_attach_unlink_locked(struct qh_attach **pp)
{
    struct qh_attach *a = *pp;
    *pp = a->next;
    a->dpp->nattach--;
    free(a->path);
    free(a);
}

int resmgr_detach(dispatch_t *dpp, int id, unsigned flags)
{
    (void)flags;                              /* open connections keep working */
    pthread_mutex_lock(&qh_lock);
    for (struct qh_attach **pp = &qh_attaches; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id && (*pp)->dpp == dpp) {
            qh_attach_unlink_locked(pp);
            pthread_mutex_unlock(&qh_lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&qh_lock);
    errno = EINVAL;
    return -1;
}

/* Free every attach of dpp (called with qh_lock). */
void qh_attaches_free(dispatch_t *dpp)
{
    struct qh_attach **pp = &qh_attaches;
    while (*pp) {
        if ((*pp)->dpp == dpp)
            qh_attach_unlink_locked(pp);
        else
            pp = &(*pp)->next;
    }
}

/* Resolve a client path: exact match, or below a _RESMGR_FLAG_DIR attach (qh_lock held). */
struct qh_attach *qh_attach_lookup(const char *path, const char **rel)
{
    for (struct qh_attach *a = qh_attaches; a; a = a->next) {
        size_t n = strlen(a->path);
        if (strncmp(path, a->path, n) != 0)
            continue;
        if (path[n] == '\0') {
            *rel = path + n;
            return a;
        }
        if (path[n] == '/' && (a->flags & _RESMGR_FLAG_DIR)) {
            *rel = path + n + 1;
            return a;
        }
    }
    return NULL;
}

static struct qh_attach *qh_attach_by_id(dispatch_t *dpp, unsigned id)
{
    for (struct qh_attach *a = qh_attaches; a; a = a->next)
        if (a->dpp == dpp && (unsigned)a->id == id)
            return a;
    return NULL;
}

int resmgr_open_bind(resmgr_context_t *ctp, void *ocb, const resmgr_io_funcs_t *iofuncs)
{
    struct qh_bind *b = calloc(1, sizeof *b);
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(ctp->info.coid);
    struct qh_attach *a = qh_attach_by_id(ctp->dpp, (unsigned)ctp->id);
    if (!iofuncs && !a)                       /* an openfd(): the table of the fd it comes from */
        iofuncs = QH_CTX(ctp)->openfd_funcs;
    int err = !c || c->dead || (!iofuncs && !a) ? EBADF  /* no connection or no table */
            : c->bind ? EBUSY                 /* binding over it would lose the first OCB */
            : !b ? ENOMEM : EOK;
    if (err == EOK) {
        b->ocb = ocb;
        b->io_funcs = iofuncs ? iofuncs : a->io_funcs;
        b->links = 1;
        c->bind = b;
    }
    pthread_mutex_unlock(&qh_lock);
    if (err != EOK) {
        free(b);
        errno = err;
        return -1;
    }
    return 0;
}

/* ---- bindings: an OCB lives while a connection is bound or a handler runs for it ---- */

/* Has coid an OCB? */
static int qh_conn_has_ocb(int coid)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(coid);
    int bound = c && c->bind;
    pthread_mutex_unlock(&qh_lock);
    return bound;
}

/* Enter a handler for the OCB bound to coid; NULL if none. */
struct qh_bind *qh_bind_enter(int coid)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(coid);
    struct qh_bind *b = c && !c->dead ? c->bind : NULL;
    if (b)
        b->busy++;
    pthread_mutex_unlock(&qh_lock);
    return b;
}

/* Leave a handler; the last one out of an OCB without bindings runs close_ocb, with
   ctp->rcvid == 0 and without lock_ocb. */
void qh_bind_leave(resmgr_context_t *ctp, struct qh_bind *b)
{
    pthread_mutex_lock(&qh_lock);
    b->busy--;
    int last = b->busy == 0 && b->links == 0 && !b->closed;
    if (last)
        b->closed = 1;
    pthread_mutex_unlock(&qh_lock);
    if (!last)
        return;
    rcvid_t rcvid = ctp->rcvid;
    ctp->rcvid = 0;
    if (b->io_funcs->close_ocb)
        b->io_funcs->close_ocb(ctp, NULL, b->ocb);
    ctp->rcvid = rcvid;
    free(b);
}

/* Drop coid's binding to b (the caller is inside a handler for b). */
static void qh_unbind(int coid, struct qh_bind *b)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(coid);
    if (c && c->bind == b) {
        c->bind = NULL;
        b->links--;
    }
    pthread_mutex_unlock(&qh_lock);
}

/* ---- the handler return protocol ---- */

static void qh_resmgr_reply(resmgr_context_t *ctp, int ret)
{
    if (ret == QH_NOREPLY)               /* handler replied or will reply */
        return;
    if (ret == QH_DEFAULT) {             /* nobody handled it */
        MsgError(ctp->rcvid, ENOSYS);
        return;
    }
    if (ret > 0) {                            /* an errno value */
        MsgError(ctp->rcvid, ret);
        return;
    }
    unsigned nparts = (unsigned)-ret;
    if (nparts > QH_CTX(ctp)->nparts_max) {   /* would read past ctp->iov[] */
        qh_protocol_error(ctp->rcvid, ctp->msg->type, "_RESMGR_NPARTS(n) beyond nparts_max");
        MsgError(ctp->rcvid, EFAULT);
        return;
    }
    MsgReplyv(ctp->rcvid, ctp->status, ctp->iov, nparts);
}

/* Copy the reply iovs into one heap buffer (the OCB they may point into is about to go);
   returns the buffer (free it) or NULL with ret turned into ENOMEM. */
static void *qh_reply_stage(resmgr_context_t *ctp, int *ret)
{
    if (*ret > 0 || *ret == QH_NOREPLY || *ret == QH_DEFAULT || *ret == 0)
        return NULL;                          /* nothing points into the OCB */
    unsigned nparts = (unsigned)-*ret;
    if (nparts > QH_CTX(ctp)->nparts_max)     /* reported by qh_resmgr_reply */
        return NULL;
    size_t total = qh_iov_total(ctp->iov, nparts), off = 0;
    char *buf = malloc(total ? total : 1);
    if (!buf) {
        *ret = ENOMEM;
        return NULL;
    }
    for (unsigned i = 0; i < nparts; i++) {
        memcpy(buf + off, ctp->iov[i].iov_base, ctp->iov[i].iov_len);
        off += ctp->iov[i].iov_len;
    }
    SETIOV(ctp->iov, buf, total);
    *ret = _RESMGR_NPARTS(1);
    return buf;
}

/* ---- I/O messages ---- */

/* Smallest well-formed message of each I/O type (0: not routed). */
static size_t qh_io_min_size(unsigned type)
{
    switch (type) {
#if _NTO_VERSION >= 800
    case _IO_READ64:   return sizeof(struct _io_read);
    case _IO_WRITE64:  return sizeof(struct _io_write);
    case _IO_NOTIFY64: return sizeof(struct _io_notify);
    case _IO_UTIME64:  return sizeof(struct _io_utime64);
#endif
    case _IO_READ:     return sizeof(struct _io_read);
    case _IO_WRITE:    return sizeof(struct _io_write);
    case _IO_STAT:     return sizeof(struct _io_stat);
    case _IO_NOTIFY:   return sizeof(struct _io_notify);
    case _IO_DEVCTL:   return sizeof(struct _io_devctl);
    case _IO_PATHCONF: return sizeof(struct _io_pathconf);
    case _IO_LSEEK:    return sizeof(struct _io_lseek);
    case _IO_CHMOD:    return sizeof(struct _io_chmod);
    case _IO_CHOWN:    return sizeof(struct _io_chown);
    case _IO_UTIME:    return sizeof(struct _io_utime);
    case _IO_OPENFD:   return sizeof(struct _io_openfd);
    case _IO_FDINFO:   return sizeof(struct _io_fdinfo);
    case _IO_LOCK:     return sizeof(struct _io_lock);
    case _IO_SPACE:    return sizeof(struct _io_space);
    case _IO_MMAP:     return sizeof(struct _io_mmap);
    case _IO_MSG:      return sizeof(struct _io_msg);
    case _IO_DUP:      return sizeof(struct _io_dup);
    case _IO_CLOSE:    return sizeof(struct _io_close);
    case _IO_SYNC:     return sizeof(struct _io_sync);
    case _IO_POWER:    return sizeof(struct _io_power);
    default:           return 0;
    }
}

#define QH_CALL(_slot, _msg) ((f->_slot) ? f->_slot(ctp, (_msg), ocb) : QH_DEFAULT)

static int qh_io_call(resmgr_context_t *ctp, const resmgr_io_funcs_t *f, resmgr_iomsgs_t *m,
                      void *ocb)
{
    switch (m->type) {
#if _NTO_VERSION >= 800
    case _IO_READ64:   return f->read64 ? QH_CALL(read64, &m->read) : QH_CALL(read, &m->read);
    case _IO_WRITE64:  return f->write64 ? QH_CALL(write64, &m->write) : QH_CALL(write, &m->write);
    case _IO_NOTIFY64: return f->notify64 ? QH_CALL(notify64, &m->notify) : QH_CALL(notify, &m->notify);
    case _IO_UTIME64:  return f->utime64 ? QH_CALL(utime64, &m->utime) : QH_CALL(utime, &m->utime);
#endif
    case _IO_READ:     return QH_CALL(read, &m->read);
    case _IO_WRITE:    return QH_CALL(write, &m->write);
    case _IO_STAT:     return QH_CALL(stat, &m->stat);
    case _IO_NOTIFY:   return QH_CALL(notify, &m->notify);
    case _IO_DEVCTL:   return QH_CALL(devctl, &m->devctl);
    case _IO_PATHCONF: return QH_CALL(pathconf, &m->pathconf);
    case _IO_LSEEK:    return QH_CALL(lseek, &m->lseek);
    case _IO_CHMOD:    return QH_CALL(chmod, &m->chmod);
    case _IO_CHOWN:    return QH_CALL(chown, &m->chown);
    case _IO_UTIME:    return QH_CALL(utime, &m->utime);
    case _IO_OPENFD:   return QH_CALL(openfd, &m->openfd);
    case _IO_FDINFO:   return QH_CALL(fdinfo, &m->fdinfo);
    case _IO_LOCK:     return QH_CALL(lock, &m->lock);
    case _IO_SPACE:    return QH_CALL(space, &m->space);
    case _IO_MMAP:     return QH_CALL(mmap, &m->mmap);
    case _IO_MSG:      return QH_CALL(msg, &m->msg);
    case _IO_SYNC:     return QH_CALL(sync, &m->sync);
    case _IO_POWER:    return QH_CALL(power, &m->power);
    case _IO_DUP:      return EBUSY;          /* the connection already has an OCB */
    default:           return QH_DEFAULT;
    }
}

/* _IO_CLOSE: close_dup (without lock_ocb), then drop this connection's binding; the OCB
   gets its close_ocb when its last binding and handler are gone (qh_bind_leave). */
static int qh_io_close(resmgr_context_t *ctp, struct qh_bind *b, io_close_t *msg)
{
    const resmgr_io_funcs_t *f = b->io_funcs;
    int ret = f->close_dup ? f->close_dup(ctp, msg, b->ocb) : EOK;
    qh_unbind(ctp->info.coid, b);
    QH_CTX(ctp)->closed_here = 1;
    return ret;
}

/* _IO_DUP on a new connection: bind it to the OCB of the sender's connection named in
   the message (same client process only). */
static int qh_io_dup(resmgr_context_t *ctp)
{
    struct _io_dup d;
    if (QH_SIZE(ctp) < sizeof d)                 /* header incomplete */
        return EBADMSG;
    memcpy(&d, ctp->msg, sizeof d);
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *self = qh_conn_find(ctp->info.coid);
    struct qh_conn *orig = qh_conn_find(d.info.coid);
    int err = !self || !orig || orig->dead || !orig->bind || orig->dpp != ctp->dpp ? EBADF
            : orig->client != self->client || d.info.pid != ctp->info.pid ? EBADF  /* not its own */
            : self->bind ? EBUSY : EOK;
    if (err == EOK) {
        self->bind = orig->bind;
        orig->bind->links++;
    }
    pthread_mutex_unlock(&qh_lock);
    return err;
}

/* _IO_OPENFD on a new connection: the openfd handler of the OCB of the sender's connection
   named in the message (same client process) binds a new OCB to this one. */
static int qh_io_openfd(resmgr_context_t *ctp, struct qh_bind **held)
{
    struct _io_openfd o;
    if (QH_SIZE(ctp) < sizeof o)              /* header incomplete */
        return EBADMSG;
    memcpy(&o, ctp->msg, sizeof o);
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *self = qh_conn_find(ctp->info.coid);
    struct qh_conn *orig = qh_conn_find(o.info.coid);
    int err = !self || !orig || orig->dead || !orig->bind || orig->dpp != ctp->dpp ? EBADF
            : orig->client != self->client || o.info.pid != ctp->info.pid ? EBADF  /* not its own */
            : self->bind ? EBUSY : EOK;
    struct qh_bind *b = err == EOK ? orig->bind : NULL;
    if (b)
        b->busy++;                            /* inside a handler for the original OCB */
    pthread_mutex_unlock(&qh_lock);
    if (!b)
        return err;
    *held = b;
    if (!b->io_funcs->openfd)
        return ENOSYS;
    QH_CTX(ctp)->openfd_funcs = b->io_funcs;
    int ret = b->io_funcs->openfd(ctp, &ctp->msg->openfd, b->ocb);
    QH_CTX(ctp)->openfd_funcs = NULL;
    return ret;
}

/* The part at ctp->offset (its header checked by qh_part_len): check_msg, then its handler
   (lock_ocb already taken, except for _IO_CLOSE). */
static int qh_io_part(resmgr_context_t *ctp, struct qh_bind *b, int combine)
{
    resmgr_iomsgs_t *m = (resmgr_iomsgs_t *)(void *)((char *)ctp->msg + ctp->offset);
#if _NTO_VERSION >= 800
    /* 8.0 pre-validation hook; a NULL slot means the library's default check */
    int st = b->io_funcs->check_msg ? b->io_funcs->check_msg(ctp, m, combine, b->ocb)
                                    : iofunc_check_msg_default(ctp, m, combine, b->ocb);
    if (st != EOK)
        return st;
#else
    (void)combine;                            /* no check_msg slot before 8.0 */
#endif
    if (m->type == _IO_CLOSE)
        return qh_io_close(ctp, b, &m->close);
    return qh_io_call(ctp, b->io_funcs, m, b->ocb);
}

/* Length of the part at off, with *more set if a part follows; or an error (*err): ENOSYS
   for a type the host does not route, EBADMSG for a part that is cut off, i.e. whose header
   is not wholly in the receive buffer (the loop then stops: no handler meets such a part).
   So ctp->size bytes from ctp->offset always lie in the receive buffer. */
static size_t qh_part_len(resmgr_context_t *ctp, size_t off, int *more, int *err)
{
    struct _io_close hdr;                     /* type and combine_len: every io header */
    size_t here = QH_MSGLEN(ctp) > off ? QH_MSGLEN(ctp) - off : 0;
    *err = EBADMSG;
    if (here < sizeof hdr)                    /* not even type and combine_len arrived */
        return 0;
    memcpy(&hdr, (char *)ctp->msg + off, sizeof hdr);
    size_t min = qh_io_min_size(hdr.type);
    if (min == 0) {                           /* type not supported by the host */
        *err = ENOSYS;
        return 0;
    }
    if (here < min)                           /* cut off: its header is not all here */
        return 0;
    *more = (hdr.combine_len & _IO_COMBINE_FLAG) != 0;
    if (!*more)                               /* the last part: what is in the buffer */
        return here;
    size_t len = hdr.combine_len & ~(unsigned)_IO_COMBINE_FLAG;
    if (len < min || len % QH_COMBINE_ALIGN || len + sizeof hdr > here)
        return 0;                             /* shorter than its header, or no next header */
    return len;
}

/* A non-final part's handler must leave the rest of the message alone (it is the client's
   next parts): a copy of it before the handler, compared after (host check; on QNX the
   next part would silently be garbage). */
static void *qh_rest_save(resmgr_context_t *ctp, size_t from)
{
    size_t n = QH_MSGLEN(ctp) - from;
    void *copy = malloc(n);
    if (copy)
        memcpy(copy, (char *)ctp->msg + from, n);
    return copy;
}

static int qh_rest_changed(resmgr_context_t *ctp, size_t from, const void *copy)
{
    return copy && memcmp(copy, (char *)ctp->msg + from, QH_MSGLEN(ctp) - from) != 0;
}

/* Take the lock_ocb for the parts (not for _IO_CLOSE); nonzero: its error. */
static int qh_io_lock(resmgr_context_t *ctp, struct qh_bind *b, unsigned type, int *locked)
{
    const resmgr_io_funcs_t *f = b->io_funcs;
    if (type == _IO_CLOSE && *locked) {       /* close_dup runs unlocked */
        if (f->unlock_ocb)
            f->unlock_ocb(ctp, NULL, b->ocb);
        *locked = 0;
    }
    if (type == _IO_CLOSE || *locked || !f->lock_ocb)
        return EOK;
    int st = f->lock_ocb(ctp, NULL, b->ocb);
    if (st != EOK)                            /* a failed lock aborts the message */
        return st;
    *locked = 1;
    return EOK;
}

/* The io loop over the parts from ctp->offset: non-final parts run with ctp->rcvid == 0 and
   ctp->size = their combine_len; the first error stops it; the last part's result is the
   answer. *held is the binding entered (the caller leaves it after the reply). */
static int qh_io(resmgr_context_t *ctp, struct qh_bind **held)
{
    size_t off = (size_t)ctp->offset;
    if (QH_MSGLEN(ctp) - off >= sizeof(_Uint16t) &&
        ((resmgr_iomsgs_t *)(void *)((char *)ctp->msg + off))->type == _IO_DUP)
        return qh_io_dup(ctp);                /* binds a connection that has no OCB yet */
    if (QH_MSGLEN(ctp) - off >= sizeof(_Uint16t) &&
        ((resmgr_iomsgs_t *)(void *)((char *)ctp->msg + off))->type == _IO_OPENFD &&
        !qh_conn_has_ocb(ctp->info.coid))
        return qh_io_openfd(ctp, held);       /* a new OCB for a connection that has none */
    struct qh_bind *b = qh_bind_enter(ctp->info.coid);
    if (!b)                                   /* connection not opened */
        return EBADF;
    *held = b;
    rcvid_t rcvid = ctp->rcvid;
    int locked = 0, ret;
    for (;;) {
        int more = 0;
        size_t len = qh_part_len(ctp, off, &more, &ret);
        if (len == 0)                         /* malformed or cut off: stop here */
            break;
        ctp->offset = off;
        ctp->size = len;
        ctp->rcvid = more ? 0 : rcvid;
        ctp->status = 0;
        unsigned type = ((resmgr_iomsgs_t *)(void *)((char *)ctp->msg + off))->type;
        void *rest = more ? qh_rest_save(ctp, off + len) : NULL;
        ret = qh_io_lock(ctp, b, type, &locked);
        if (ret == EOK)
            ret = qh_io_part(ctp, b, more);
        int clobbered = more && qh_rest_changed(ctp, off + len, rest);
        free(rest);
        if (clobbered) {                      /* e.g. a reply built over the next part */
            qh_protocol_error(rcvid, type, "a non-final combine part wrote over the next part");
            ret = EFAULT;
            break;
        }
        if (!more || ret > 0)                 /* the last part, or the first error */
            break;
        if (ret == QH_DEFAULT) {         /* unhandled: the combine fails */
            ret = ENOSYS;
            break;
        }
        if (ret == QH_NOREPLY) {         /* a non-final part cannot be held or replied */
            qh_protocol_error(rcvid, type, "_RESMGR_NOREPLY from a non-final combine part");
            ret = EFAULT;
            break;
        }
        off += len;
    }
    if (locked && b->io_funcs->unlock_ocb)
        b->io_funcs->unlock_ocb(ctp, NULL, b->ocb);
    ctp->rcvid = rcvid;
    return ret;
}

/* ---- _IO_CONNECT ---- */

/* _IO_CONNECT_COMBINE[_CLOSE]: open (as a non-final part, rcvid 0), then the io message
   that follows the path and extra data (at the next QH_COMBINE_ALIGN boundary). */
static int qh_connect_combine(resmgr_context_t *ctp, io_open_t *msg, const struct qh_attach *a,
                              struct qh_bind **held)
{
    size_t io_off = QH_ALIGN_UP(offsetof(struct _io_connect, path) + msg->connect.path_len +
                                msg->connect.extra_len);
    if (io_off + sizeof(struct _io_close) > QH_MSGLEN(ctp))  /* no io message */
        return EBADMSG;
    rcvid_t rcvid = ctp->rcvid;
    ctp->rcvid = 0;
    ctp->size = io_off;
    int st = a->connect_funcs->open ? a->connect_funcs->open(ctp, msg, a->handle, NULL)
                                    : QH_DEFAULT;
    ctp->rcvid = rcvid;
    if (st == QH_DEFAULT)
        return ENOSYS;
    if (st == QH_NOREPLY) {
        qh_protocol_error(rcvid, _IO_CONNECT, "_RESMGR_NOREPLY from the open of a combine");
        return EFAULT;
    }
    if (st > 0)                               /* the open failed */
        return st;
    ctp->offset = io_off;
    return qh_io(ctp, held);
}

static int qh_connect(resmgr_context_t *ctp, struct qh_bind **held)
{
    io_open_t *msg = &ctp->msg->connect;
    size_t hdr = offsetof(struct _io_connect, path);
    if (QH_SIZE(ctp) < hdr)                      /* header incomplete */
        return EBADMSG;
    size_t plen = msg->connect.path_len;
    if (plen == 0 || hdr + plen > QH_SIZE(ctp) || msg->connect.path[plen - 1] != '\0')
        return EBADMSG;                       /* path missing or not terminated */
    pthread_mutex_lock(&qh_lock);
    struct qh_attach *a = qh_attach_by_id(ctp->dpp, msg->connect.handle);
    struct qh_attach found = a ? *a : (struct qh_attach){ 0 };
    pthread_mutex_unlock(&qh_lock);
    if (!a)                                   /* not one of our attaches */
        return ENOENT;
    ctp->id = found.id;
    const resmgr_connect_funcs_t *cf = found.connect_funcs;
    switch (msg->connect.subtype) {
    case _IO_CONNECT_OPEN:
        return cf->open ? cf->open(ctp, msg, found.handle, NULL) : QH_DEFAULT;
    case _IO_CONNECT_COMBINE:
    case _IO_CONNECT_COMBINE_CLOSE:
        return qh_connect_combine(ctp, msg, &found, held);
    case _IO_CONNECT_UNLINK:
        return cf->unlink ? cf->unlink(ctp, msg, found.handle, NULL) : QH_DEFAULT;
    case _IO_CONNECT_MKNOD:
        return cf->mknod ? cf->mknod(ctp, msg, found.handle, NULL) : QH_DEFAULT;
    case _IO_CONNECT_READLINK:
        return cf->readlink ? cf->readlink(ctp, msg, found.handle, NULL) : QH_DEFAULT;
    default:
        return QH_DEFAULT;
    }
}

int qh_resmgr_handle(resmgr_context_t *ctp)
{
    ctp->status = 0;
    ctp->offset = 0;
    ctp->id = -1;
    struct qh_bind *held = NULL;
    QH_CTX(ctp)->closed_here = 0;
    int connect = ctp->msg->type == _IO_CONNECT;
    int ret = connect ? qh_connect(ctp, &held) : qh_io(ctp, &held);
    void *staged = NULL;
    if (connect && ctp->msg->connect.connect.subtype == _IO_CONNECT_COMBINE_CLOSE) {
        if (!held)                            /* opened, but the io part never entered it */
            held = qh_bind_enter(ctp->info.coid);
        staged = qh_reply_stage(ctp, &ret);   /* the OCB goes before the reply */
        if (held)
            qh_unbind(ctp->info.coid, held);
        QH_CTX(ctp)->closed_here = 1;
    }
    if (!held) {
        qh_resmgr_reply(ctp, ret);
    } else if (QH_CTX(ctp)->closed_here) {    /* close_ocb is done when close() returns */
        qh_bind_leave(ctp, held);
        qh_resmgr_reply(ctp, ret);
    } else {                                  /* the reply may point into the OCB: first */
        qh_resmgr_reply(ctp, ret);
        qh_bind_leave(ctp, held);
    }
    free(staged);
    if (ret == QH_NOREPLY)                    /* replied by the handler, or held from now on */
        qh_rcvid_handled(QH_CTX(ctp)->msg_rcvid);
    return 0;
}

/* ---- client death ---- */

/* _PULSE_CODE_DISCONNECT: every binding of the dead client (pulse.scoid) gets its close_dup
   with ctp->rcvid == 0, then the OCB its close_ocb where the last binding went. */
void qh_resmgr_disconnect(resmgr_context_t *ctp)
{
    int scoid = ctp->msg->pulse.scoid;
    for (;;) {
        pthread_mutex_lock(&qh_lock);
        struct qh_conn *c = qh_conn_dead_next(ctp->dpp, scoid);
        struct qh_bind *b = c ? c->bind : NULL;
        int coid = c ? c->coid : -1;
        int client = c ? c->client : 0;
        if (b)
            b->busy++;                        /* close_dup is inside a handler for it */
        if (c)
            qh_conn_release(c);
        pthread_mutex_unlock(&qh_lock);
        if (!c)
            return;
        if (!b)                               /* never opened */
            continue;
        io_close_t close_msg;
        memset(&close_msg, 0, sizeof close_msg);
        close_msg.i.type = _IO_CLOSE;
        close_msg.i.combine_len = sizeof close_msg.i;
        ctp->rcvid = 0;
        ctp->info.coid = coid;
        ctp->info.scoid = scoid;
        ctp->info.pid = qh_client_pid(client);
        if (b->io_funcs->close_dup)
            b->io_funcs->close_dup(ctp, &close_msg, b->ocb);
        pthread_mutex_lock(&qh_lock);
        b->links--;
        pthread_mutex_unlock(&qh_lock);
        qh_bind_leave(ctp, b);
    }
}

/* ---- unblock pulses ---- */

/* Unblock of a held connect message: the attach's connect_funcs->unblock. */
static int qh_unblock_connect(resmgr_context_t *ctp, const struct _io_connect *hdr)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_attach *a = qh_attach_by_id(ctp->dpp, hdr->handle);
    struct qh_attach found = a ? *a : (struct qh_attach){ 0 };
    pthread_mutex_unlock(&qh_lock);
    if (!a || !found.connect_funcs->unblock)  /* detached, or nobody to ask */
        return QH_DEFAULT;
    ctp->id = found.id;
    return found.connect_funcs->unblock(ctp, &ctp->msg->pulse, found.handle, NULL);
}

/* A _PULSE_CODE_UNBLOCK pulse: route it to the held message's unblock handler with
   ctp->rcvid = the held rcvid (io: io_funcs->unblock with the connection's OCB, unlocked).
   Returns -1 if no message is held under that rcvid (already replied): the pulse is then
   not the resmgr layer's. */
int qh_resmgr_unblock(resmgr_context_t *ctp)
{
    rcvid_t rcvid = (rcvid_t)(intptr_t)ctp->msg->pulse.value.sival_ptr;
    union { _Uint16t type; struct _io_connect connect; } hdr;
    struct _msg_info info;
    memset(&hdr, 0, sizeof hdr);
    if (rcvid <= 0 || qh_held_peek(rcvid, &info, &hdr, sizeof hdr) < 0)
        return -1;                            /* replied meanwhile: nothing to unblock */
    ctp->rcvid = rcvid;
    ctp->info = info;
    ctp->status = 0;
    ctp->offset = 0;
    ctp->id = -1;
    struct qh_bind *b = NULL;
    int ret = QH_DEFAULT;
    if (hdr.type == _IO_CONNECT)
        ret = qh_unblock_connect(ctp, &hdr.connect);
    else if ((b = qh_bind_enter(ctp->info.coid)) != NULL && b->io_funcs->unblock)
        ret = b->io_funcs->unblock(ctp, &ctp->msg->pulse, b->ocb);
    if (ret != QH_DEFAULT)               /* DEFAULT: the client keeps waiting */
        qh_resmgr_reply(ctp, ret);
    if (b)
        qh_bind_leave(ctp, b);
    ctp->rcvid = 0;
    return 0;
}

/* ---- resmgr_msg* helpers ---- */

/* The message being handled: its own rcvid, also in a non-final combine part (rcvid 0). */
static rcvid_t qh_msg_rcvid(resmgr_context_t *ctp)
{
    return ctp->rcvid ? ctp->rcvid : QH_CTX(ctp)->msg_rcvid;
}

_QH_MSGSSIZE_T resmgr_msgread(resmgr_context_t *ctp, void *msg, _QH_MSGSIZE_T bytes,
                              _QH_MSGSIZE_T offset)
{
    return MsgRead(qh_msg_rcvid(ctp), msg, bytes, ctp->offset + offset);
}

_QH_MSGSSIZE_T resmgr_msgreadv(resmgr_context_t *ctp, const iov_t *iov, _QH_MSGSIZE_T parts,
                               _QH_MSGSIZE_T offset)
{
    return MsgReadv(qh_msg_rcvid(ctp), iov, parts, ctp->offset + offset);
}

/* The docs' rule: ctp->size bytes in a non-final part (rcvid 0), else what the client
   sent from ctp->offset on (srcmsglen; in 6.x only filled with _NTO_CHF_SENDER_LEN). */
size_t qh_msggetsize(resmgr_context_t *ctp, size_t start_offset, size_t *local, size_t *remote)
{
    size_t offset = (size_t)ctp->offset, msglen = (size_t)ctp->info.msglen;
    size_t sent = (size_t)ctp->info.srcmsglen;
    size_t total = ctp->rcvid ? (sent > offset ? sent - offset : 0) : (size_t)ctp->size;
    size_t here = msglen > offset ? msglen - offset : 0;
    size_t rest = start_offset < total ? total - start_offset : 0;
    size_t in_buf = start_offset < here ? here - start_offset : 0;
    if (in_buf > rest)
        in_buf = rest;
    if (local)
        *local = in_buf;
    if (remote)
        *remote = rest - in_buf;
    return rest;
}

#if _NTO_VERSION >= 710
size_t resmgr_msggetsize(resmgr_context_t *ctp, size_t start_offset, size_t *local, size_t *remote)
{
    return qh_msggetsize(ctp, start_offset, local, remote);
}

ssize_t resmgr_msgget(resmgr_context_t *ctp, void *msg, size_t bytes, size_t offset)
{
    size_t local, remote;
    size_t avail = qh_msggetsize(ctp, offset, &local, &remote);
    if (bytes > avail)
        bytes = avail;
    size_t from_buf = bytes < local ? bytes : local;
    memcpy(msg, (char *)ctp->msg + ctp->offset + offset, from_buf);
    if (from_buf == bytes)                    /* all of it was in the receive buffer */
        return (ssize_t)bytes;
    ssize_t n = resmgr_msgread(ctp, (char *)msg + from_buf, bytes - from_buf, offset + from_buf);
    return n < 0 ? n : (ssize_t)from_buf + n;
}
#endif

_QH_MSGSSIZE_T resmgr_msgwrite(resmgr_context_t *ctp, const void *msg, _QH_MSGSIZE_T bytes,
                               _QH_MSGSIZE_T offset)
{
    return MsgWrite(ctp->rcvid, msg, bytes, offset);
}

int resmgr_msgreply(resmgr_context_t *ctp, const void *msg, _QH_MSGSIZE_T bytes)
{
    return MsgReply(ctp->rcvid, ctp->status, msg, bytes);
}

int resmgr_msgreplyv(resmgr_context_t *ctp, const iov_t *iov, _QH_MSGSIZE_T parts)
{
    return MsgReplyv(ctp->rcvid, ctp->status, iov, parts);
}
