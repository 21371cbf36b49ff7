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
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(ctp->info.coid);
    struct qh_attach *a = qh_attach_by_id(ctp->dpp, (unsigned)ctp->id);
    if (!c || (!iofuncs && !a)) {             /* no connection or no table to bind */
        pthread_mutex_unlock(&qh_lock);
        errno = EBADF;
        return -1;
    }
    if (c->ocb) {                             /* a second _IO_CONNECT on an open connection: */
        pthread_mutex_unlock(&qh_lock);       /* binding over it would lose the first OCB */
        errno = EBUSY;
        return -1;
    }
    c->ocb = ocb;
    c->io_funcs = iofuncs ? iofuncs : a->io_funcs;
    pthread_mutex_unlock(&qh_lock);
    return 0;
}

/* ---- the handler return protocol ---- */

static void qh_resmgr_reply(resmgr_context_t *ctp, int ret)
{
    if (ret == _RESMGR_NOREPLY)               /* handler replied or will reply */
        return;
    if (ret == _RESMGR_DEFAULT) {             /* nobody handled it */
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

/* ---- _IO_CONNECT ---- */

static int qh_connect(resmgr_context_t *ctp)
{
    io_open_t *msg = &ctp->msg->connect;
    size_t hdr = offsetof(struct _io_connect, path);
    if (ctp->size < hdr)                      /* header incomplete */
        return EBADMSG;
    size_t plen = msg->connect.path_len;
    if (plen == 0 || hdr + plen > ctp->size || msg->connect.path[plen - 1] != '\0')
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
    case _IO_CONNECT_COMBINE:
    case _IO_CONNECT_COMBINE_CLOSE:
        return cf->open ? cf->open(ctp, msg, found.handle, NULL) : _RESMGR_DEFAULT;
    case _IO_CONNECT_UNLINK:
        return cf->unlink ? cf->unlink(ctp, msg, found.handle, NULL) : _RESMGR_DEFAULT;
    case _IO_CONNECT_MKNOD:
        return cf->mknod ? cf->mknod(ctp, msg, found.handle, NULL) : _RESMGR_DEFAULT;
    case _IO_CONNECT_READLINK:
        return cf->readlink ? cf->readlink(ctp, msg, found.handle, NULL) : _RESMGR_DEFAULT;
    default:
        return _RESMGR_DEFAULT;
    }
}

/* ---- I/O messages ---- */

/* Smallest well-formed message of each I/O type (0: not routed). */
static size_t qh_io_min_size(unsigned type)
{
    switch (type) {
    case _IO_READ: case _IO_READ64:   return sizeof(struct _io_read);
    case _IO_WRITE: case _IO_WRITE64: return sizeof(struct _io_write);
    case _IO_STAT:     return sizeof(struct _io_stat);
    case _IO_NOTIFY: case _IO_NOTIFY64: return sizeof(struct _io_notify);
    case _IO_DEVCTL:   return sizeof(struct _io_devctl);
    case _IO_PATHCONF: return sizeof(struct _io_pathconf);
    case _IO_LSEEK:    return sizeof(struct _io_lseek);
    case _IO_CHMOD:    return sizeof(struct _io_chmod);
    case _IO_CHOWN:    return sizeof(struct _io_chown);
    case _IO_UTIME:    return sizeof(struct _io_utime);
    case _IO_UTIME64:  return sizeof(struct _io_utime64);
    case _IO_SPACE:    return sizeof(struct _io_space);
    case _IO_MSG:      return sizeof(struct _io_msg);
    case _IO_CLOSE:    return sizeof(struct _io_close);
    case _IO_SYNC:     return sizeof(struct _io_sync);
    default:           return 0;
    }
}

#define QH_CALL(_slot, _msg) ((f->_slot) ? f->_slot(ctp, (_msg), ocb) : _RESMGR_DEFAULT)

static int qh_io_call(resmgr_context_t *ctp, const resmgr_io_funcs_t *f, void *ocb)
{
    resmgr_iomsgs_t *m = ctp->msg;
    switch (m->type) {
    case _IO_READ:     return QH_CALL(read, &m->read);
    case _IO_READ64:   return f->read64 ? QH_CALL(read64, &m->read) : QH_CALL(read, &m->read);
    case _IO_WRITE:    return QH_CALL(write, &m->write);
    case _IO_WRITE64:  return f->write64 ? QH_CALL(write64, &m->write) : QH_CALL(write, &m->write);
    case _IO_STAT:     return QH_CALL(stat, &m->stat);
    case _IO_NOTIFY:   return QH_CALL(notify, &m->notify);
    case _IO_NOTIFY64: return f->notify64 ? QH_CALL(notify64, &m->notify) : QH_CALL(notify, &m->notify);
    case _IO_DEVCTL:   return QH_CALL(devctl, &m->devctl);
    case _IO_PATHCONF: return QH_CALL(pathconf, &m->pathconf);
    case _IO_LSEEK:    return QH_CALL(lseek, &m->lseek);
    case _IO_CHMOD:    return QH_CALL(chmod, &m->chmod);
    case _IO_CHOWN:    return QH_CALL(chown, &m->chown);
    case _IO_UTIME:    return QH_CALL(utime, &m->utime);
    case _IO_UTIME64:  return f->utime64 ? QH_CALL(utime64, &m->utime) : QH_CALL(utime, &m->utime);
    case _IO_SPACE:    return QH_CALL(space, &m->space);
    case _IO_MSG:      return QH_CALL(msg, &m->msg);
    case _IO_SYNC:     return QH_CALL(sync, &m->sync);
    default:           return _RESMGR_DEFAULT;
    }
}

/* _IO_CLOSE: close_dup, then drop the binding and give the OCB its close_ocb. */
static int qh_io_close(resmgr_context_t *ctp, const resmgr_io_funcs_t *f, void *ocb)
{
    int ret = f->close_dup ? f->close_dup(ctp, &ctp->msg->close, ocb) : EOK;
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(ctp->info.coid);
    if (c)
        c->ocb = NULL;
    pthread_mutex_unlock(&qh_lock);
    if (f->close_ocb) {
        rcvid_t rcvid = ctp->rcvid;
        ctp->rcvid = 0;                       /* close_ocb runs without a client */
        f->close_ocb(ctp, NULL, ocb);
        ctp->rcvid = rcvid;
    }
    return ret;
}

static int qh_io(resmgr_context_t *ctp)
{
    unsigned type = ctp->msg->type;
    size_t min = qh_io_min_size(type);
    if (min == 0)                             /* type not supported by the host */
        return ENOSYS;
    if (ctp->size < min)                      /* shorter than its header */
        return EBADMSG;
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(ctp->info.coid);
    void *ocb = c ? c->ocb : NULL;
    const resmgr_io_funcs_t *f = c ? c->io_funcs : NULL;
    pthread_mutex_unlock(&qh_lock);
    if (!ocb || !f)                           /* connection not opened */
        return EBADF;
    if (f->check_msg) {                       /* 8.0 pre-validation hook */
        int st = f->check_msg(ctp, ctp->msg, 0, ocb);
        if (st != EOK)
            return st;
    }
    if (type == _IO_CLOSE)
        return qh_io_close(ctp, f, ocb);
    if (f->lock_ocb)
        f->lock_ocb(ctp, NULL, ocb);
    int ret = qh_io_call(ctp, f, ocb);
    if (f->unlock_ocb)
        f->unlock_ocb(ctp, NULL, ocb);
    return ret;
}

int qh_resmgr_handle(resmgr_context_t *ctp)
{
    ctp->status = 0;
    ctp->offset = 0;
    ctp->id = -1;
    int ret = ctp->msg->type == _IO_CONNECT ? qh_connect(ctp) : qh_io(ctp);
    qh_resmgr_reply(ctp, ret);
    return 0;
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
        return _RESMGR_DEFAULT;
    ctp->id = found.id;
    return found.connect_funcs->unblock(ctp, &ctp->msg->pulse, found.handle, NULL);
}

/* Unblock of a held io message: io_funcs->unblock with the connection's OCB, unlocked. */
static int qh_unblock_io(resmgr_context_t *ctp)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(ctp->info.coid);
    void *ocb = c ? c->ocb : NULL;
    const resmgr_io_funcs_t *f = c ? c->io_funcs : NULL;
    pthread_mutex_unlock(&qh_lock);
    if (!ocb || !f || !f->unblock)            /* no OCB, or nobody to ask */
        return _RESMGR_DEFAULT;
    return f->unblock(ctp, &ctp->msg->pulse, ocb);
}

/* A _PULSE_CODE_UNBLOCK pulse: route it to the held message's unblock handler with
   ctp->rcvid = the held rcvid. Returns -1 if no message is held under that rcvid
   (already replied): the pulse is then not the resmgr layer's. */
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
    int ret = hdr.type == _IO_CONNECT ? qh_unblock_connect(ctp, &hdr.connect) : qh_unblock_io(ctp);
    if (ret != _RESMGR_DEFAULT)               /* DEFAULT: the client keeps waiting */
        qh_resmgr_reply(ctp, ret);
    ctp->rcvid = 0;
    return 0;
}

/* ---- resmgr_msg* helpers ---- */

ssize_t resmgr_msgread(resmgr_context_t *ctp, void *msg, size_t bytes, size_t offset)
{
    return MsgRead(ctp->rcvid, msg, bytes, ctp->offset + offset);
}

ssize_t resmgr_msgreadv(resmgr_context_t *ctp, const iov_t *iov, size_t parts, size_t offset)
{
    return MsgReadv(ctp->rcvid, iov, parts, ctp->offset + offset);
}

size_t resmgr_msggetsize(resmgr_context_t *ctp, size_t start_offset, size_t *local, size_t *remote)
{
    size_t total = ctp->rcvid ? ctp->info.srcmsglen - ctp->offset : ctp->size;
    size_t here = ctp->info.msglen - ctp->offset;
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

ssize_t resmgr_msgget(resmgr_context_t *ctp, void *msg, size_t bytes, size_t offset)
{
    size_t local, remote;
    size_t avail = resmgr_msggetsize(ctp, offset, &local, &remote);
    if (bytes > avail)
        bytes = avail;
    size_t from_buf = bytes < local ? bytes : local;
    memcpy(msg, (char *)ctp->msg + ctp->offset + offset, from_buf);
    if (from_buf == bytes)                    /* all of it was in the receive buffer */
        return (ssize_t)bytes;
    ssize_t n = resmgr_msgread(ctp, (char *)msg + from_buf, bytes - from_buf, offset + from_buf);
    return n < 0 ? n : (ssize_t)from_buf + n;
}

ssize_t resmgr_msgwrite(resmgr_context_t *ctp, const void *msg, size_t bytes, size_t offset)
{
    return MsgWrite(ctp->rcvid, msg, bytes, offset);
}

int resmgr_msgreply(resmgr_context_t *ctp, const void *msg, size_t bytes)
{
    return MsgReply(ctp->rcvid, ctp->status, msg, bytes);
}

int resmgr_msgreplyv(resmgr_context_t *ctp, const iov_t *iov, size_t parts)
{
    return MsgReplyv(ctp->rcvid, ctp->status, iov, parts);
}
