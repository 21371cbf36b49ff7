/*
 * qnxhost iofunc layer: the POSIX helpers of the QNX library (attr/OCB/mount
 * initialisation, attr locking, open with access checks, read/write verify,
 * the *_default handlers, notify lists). The 8.0 attr's 8-byte mutex slot is
 * not used; attrs are locked through a striped table of recursive mutexes
 * keyed by the attr address.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/dcmd_all.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include "qh_internal.h"

#define QH_ATTR_LOCKS 257                    /* prime: spreads aligned addresses */
#define QH_SETFLAGS_MASK (O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC)
/* The ST_* bits of mount->flags (statvfs() flags, DCMD_ALL_GETMOUNTFLAGS); IOFUNC_MOUNT_32BIT
   and the bits above are the library's own. */
#define QH_MOUNT_ST_FLAGS 0xffu

static pthread_mutex_t qh_attr_locks[QH_ATTR_LOCKS];
static pthread_once_t  qh_attr_locks_once = PTHREAD_ONCE_INIT;

static void qh_attr_locks_init(void)
{
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    for (int i = 0; i < QH_ATTR_LOCKS; i++)
        pthread_mutex_init(&qh_attr_locks[i], &ma);
    pthread_mutexattr_destroy(&ma);
}

static pthread_mutex_t *qh_attr_mutex(const iofunc_attr_t *attr)
{
    pthread_once(&qh_attr_locks_once, qh_attr_locks_init);
    return &qh_attr_locks[((uintptr_t)attr >> 4) % QH_ATTR_LOCKS];
}

int iofunc_attr_lock(iofunc_attr_t *attr)
{
    return pthread_mutex_lock(qh_attr_mutex(attr));
}

int iofunc_attr_unlock(iofunc_attr_t *attr)
{
    return pthread_mutex_unlock(qh_attr_mutex(attr));
}

int iofunc_attr_trylock(iofunc_attr_t *attr)
{
    return pthread_mutex_trylock(qh_attr_mutex(attr)) == 0 ? EOK : EBUSY;
}

/* The mount's hooks, when it provides them. */
static iofunc_funcs_t *qh_mount_funcs(const iofunc_attr_t *attr)
{
    return attr->mount ? attr->mount->funcs : NULL;
}

static void qh_lock_attr(iofunc_attr_t *attr)
{
    iofunc_funcs_t *f = qh_mount_funcs(attr);
    if (f && f->nfuncs >= 4 && f->attr_lock)
        f->attr_lock(attr);
    else
        iofunc_attr_lock(attr);
}

static void qh_unlock_attr(iofunc_attr_t *attr)
{
    iofunc_funcs_t *f = qh_mount_funcs(attr);
    if (f && f->nfuncs >= 4 && f->attr_unlock)
        f->attr_unlock(attr);
    else
        iofunc_attr_unlock(attr);
}

void iofunc_func_init(unsigned nconnect, resmgr_connect_funcs_t *connect,
                      unsigned nio, resmgr_io_funcs_t *io)
{
    memset(connect, 0, sizeof *connect);
    connect->nfuncs = nconnect < _RESMGR_CONNECT_NFUNCS ? nconnect : _RESMGR_CONNECT_NFUNCS;
    connect->open = iofunc_open_default;
    memset(io, 0, sizeof *io);
    io->nfuncs = nio < _RESMGR_IO_NFUNCS ? nio : _RESMGR_IO_NFUNCS;
    io->read = iofunc_read_default;
    io->write = iofunc_write_default;
    io->close_ocb = iofunc_close_ocb_default;
    io->stat = iofunc_stat_default;
    io->devctl = iofunc_devctl_default;
    io->unblock = iofunc_unblock_default;
    io->lseek = iofunc_lseek_default;
    io->close_dup = iofunc_close_dup_default;
    io->lock_ocb = iofunc_lock_ocb_default;
    io->unlock_ocb = iofunc_unlock_ocb_default;
    io->chmod = iofunc_chmod_default;
    io->chown = iofunc_chown_default;
    io->utime = iofunc_utime_default;
#if _NTO_VERSION >= 800
    io->utime64 = iofunc_utime_default;
#endif
    io->openfd = iofunc_openfd_default;
    io->fdinfo = iofunc_fdinfo_default;
    io->sync = iofunc_sync_default;
    io->pathconf = iofunc_pathconf_default;
    io->lock = iofunc_lock_default;
    io->mmap = iofunc_mmap_default;
    io->power = iofunc_power_default;
}

void iofunc_attr_init_sized(iofunc_attr_t *attr, mode_t mode, iofunc_attr_t *dattr,
                            struct _client_info *info, size_t size)
{
    (void)dattr;                              /* no directory inheritance on the host */
    memset(attr, 0, size < sizeof *attr ? size : sizeof *attr);
    attr->mode = mode;
    attr->nlink = 1;
    attr->uid = info ? info->cred.euid : geteuid();
    attr->gid = info ? info->cred.egid : getegid();
    attr->flags = IOFUNC_ATTR_ATIME | IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
}

int iofunc_mount_init(iofunc_mount_t *mountp, size_t size)
{
    memset(mountp, 0, size < sizeof *mountp ? size : sizeof *mountp);
    mountp->size = size;
    return EOK;
}

int iofunc_time_update(iofunc_attr_t *attr)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (attr->flags & IOFUNC_ATTR_MTIME) {
        attr->mtime = now.tv_sec;
        attr->mtime_ns = (_Uint32t)now.tv_nsec;
    }
    if (attr->flags & IOFUNC_ATTR_ATIME) {
        attr->atime = now.tv_sec;
        attr->atime_ns = (_Uint32t)now.tv_nsec;
    }
    if (attr->flags & IOFUNC_ATTR_CTIME) {
        attr->ctime = now.tv_sec;
        attr->ctime_ns = (_Uint32t)now.tv_nsec;
    }
    attr->flags &= ~(IOFUNC_ATTR_MTIME | IOFUNC_ATTR_ATIME | IOFUNC_ATTR_CTIME);
    return EOK;
}

/* ---- open ---- */

int iofunc_check_access(resmgr_context_t *ctp, const iofunc_attr_t *attr,
                        mode_t checkmode, const struct _client_info *info)
{
    (void)ctp;
    if (info->cred.euid == 0)                 /* root may do anything */
        return EOK;
    mode_t granted;
    if (info->cred.euid == attr->uid)
        granted = attr->mode & S_IRWXU;
    else if (info->cred.egid == attr->gid)
        granted = (attr->mode & S_IRWXG) << 3;
    else
        granted = (attr->mode & S_IRWXO) << 6;
    return (checkmode & S_IRWXU & ~granted) ? EACCES : EOK;
}

int iofunc_open(resmgr_context_t *ctp, io_open_t *msg, iofunc_attr_t *attr,
                iofunc_attr_t *dattr, struct _client_info *info)
{
    (void)dattr;
    struct _client_info own;
    if (!info) {
        iofunc_client_info(ctp, 0, &own);
        info = &own;
    }
    unsigned ioflag = msg->connect.ioflag;
    if ((ioflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))  /* the node exists */
        return EEXIST;
    if ((ioflag & _IO_FLAG_WR) && S_ISDIR(attr->mode))        /* no writing to directories */
        return EISDIR;
    mode_t need = 0;
    if (ioflag & _IO_FLAG_RD)
        need |= S_IRUSR;
    if (ioflag & _IO_FLAG_WR)
        need |= S_IWUSR;
    return iofunc_check_access(ctp, attr, need, info);
}

int iofunc_ocb_attach(resmgr_context_t *ctp, io_open_t *msg, iofunc_ocb_t *ocb,
                      iofunc_attr_t *attr, const resmgr_io_funcs_t *io_funcs)
{
    iofunc_funcs_t *f = qh_mount_funcs(attr);
    unsigned ioflag = msg ? msg->connect.ioflag : _IO_FLAG_RD;
    if (attr->count == UINT16_MAX || ((ioflag & _IO_FLAG_RD) && attr->rcount == UINT16_MAX) ||
        ((ioflag & _IO_FLAG_WR) && attr->wcount == UINT16_MAX))
        return ENFILE;                        /* the 16-bit open counts would wrap */
    int own = ocb == NULL;
    if (own)
        ocb = f && f->ocb_calloc ? f->ocb_calloc(ctp, attr) : calloc(1, sizeof *ocb);
    if (!ocb)                                 /* allocation failed */
        return ENOMEM;
    ocb->attr = attr;
    ocb->ioflag = msg ? msg->connect.ioflag : _IO_FLAG_RD;
    ocb->sflag = msg ? msg->connect.sflag : 0;
    ocb->offset = 0;
    if (resmgr_open_bind(ctp, ocb, io_funcs) == -1) {
        int err = errno;
        if (own && f && f->ocb_free)
            f->ocb_free(ocb);
        else if (own)
            free(ocb);
        return err;
    }
    attr->count++;
    if (ocb->ioflag & _IO_FLAG_RD)
        attr->rcount++;
    if (ocb->ioflag & _IO_FLAG_WR)
        attr->wcount++;
    return EOK;
}

int iofunc_open_default(resmgr_context_t *ctp, io_open_t *msg, iofunc_attr_t *attr, void *extra)
{
    (void)extra;
    qh_lock_attr(attr);
    int st = iofunc_open(ctp, msg, attr, NULL, NULL);
    if (st == EOK)
        st = iofunc_ocb_attach(ctp, msg, NULL, attr, NULL);
    qh_unlock_attr(attr);
    return st;
}

/* ---- close ---- */

int iofunc_ocb_detach(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
    (void)ctp;
    iofunc_attr_t *attr = ocb->attr;
    int last = 0;
    iofunc_time_update(attr);
    if (attr->count && --attr->count == 0)
        last |= IOFUNC_OCB_LAST_INUSE;
    if ((ocb->ioflag & _IO_FLAG_RD) && attr->rcount && --attr->rcount == 0)
        last |= IOFUNC_OCB_LAST_READER;
    if ((ocb->ioflag & _IO_FLAG_WR) && attr->wcount && --attr->wcount == 0)
        last |= IOFUNC_OCB_LAST_WRITER;
    if (last & IOFUNC_OCB_LAST_INUSE)         /* nobody has it open: no record lock is left */
        qh_locks_free(attr);
    return last;
}

int iofunc_close_ocb(resmgr_context_t *ctp, iofunc_ocb_t *ocb, iofunc_attr_t *attr)
{
    iofunc_funcs_t *f = qh_mount_funcs(attr);
    qh_lock_attr(attr);
    iofunc_ocb_detach(ctp, ocb);
    qh_unlock_attr(attr);
    if (f && f->ocb_free)
        f->ocb_free(ocb);
    else
        free(ocb);
    return EOK;
}

int iofunc_close_ocb_default(resmgr_context_t *ctp, void *reserved, iofunc_ocb_t *ocb)
{
    (void)reserved;
    return iofunc_close_ocb(ctp, ocb, ocb->attr);
}

/* Every close: the process's record locks on the file go, the connection's blocked
   F_SETLKW requests are answered (runs without lock_ocb: takes the attr lock itself). */
int iofunc_close_dup_default(resmgr_context_t *ctp, io_close_t *msg, iofunc_ocb_t *ocb)
{
    (void)msg;
    qh_lock_attr(ocb->attr);
    qh_locks_close(ctp, ocb->attr);
    qh_unlock_attr(ocb->attr);
    return EOK;
}

/* Releases a client blocked on a record lock (EINTR); anything else is not the library's. */
int iofunc_unblock_default(resmgr_context_t *ctp, io_pulse_t *msg, iofunc_ocb_t *ocb)
{
    (void)msg;
    if (!ocb)
        return QH_DEFAULT;
    qh_lock_attr(ocb->attr);
    int found = qh_locks_unblock(ctp, ocb->attr);
    qh_unlock_attr(ocb->attr);
    return found ? EINTR : QH_DEFAULT;
}

int iofunc_lock_ocb_default(resmgr_context_t *ctp, void *reserved, iofunc_ocb_t *ocb)
{
    (void)ctp;
    (void)reserved;
    qh_lock_attr(ocb->attr);
    return EOK;
}

int iofunc_unlock_ocb_default(resmgr_context_t *ctp, void *reserved, iofunc_ocb_t *ocb)
{
    (void)ctp;
    (void)reserved;
    qh_unlock_attr(ocb->attr);
    return EOK;
}

/* ---- read / write ---- */

/* Header bytes before the data of a read/write with this xtype. */
static size_t qh_xtype_header(unsigned xtype)
{
    return (xtype & _IO_XTYPE_MASK) == _IO_XTYPE_OFFSET ? sizeof(struct _xtype_offset) : 0;
}

static int qh_nonblock(unsigned xtype, const iofunc_ocb_t *ocb)
{
    if (xtype & _IO_XFLAG_NONBLOCK)
        return 1;
    if (xtype & _IO_XFLAG_BLOCK)
        return 0;
    return (ocb->ioflag & O_NONBLOCK) != 0;
}

/* The xtype header must have arrived and carry a non-negative offset. */
static int qh_verify_xtype(resmgr_context_t *ctp, const void *hdr, size_t hdr_size, unsigned xtype)
{
    size_t extra = qh_xtype_header(xtype);
    if (extra == 0)
        return EOK;
    if (QH_SIZE(ctp) < hdr_size + extra)         /* offset header missing */
        return EBADMSG;
    struct _xtype_offset off;
    memcpy(&off, (const char *)hdr + hdr_size, sizeof off);
#if _NTO_VERSION >= 710
    return off.offset < 0 ? EINVAL : EOK;     /* no negative positions (7.1+) */
#else
    return EOK;
#endif
}

int iofunc_read_verify(resmgr_context_t *ctp, io_read_t *msg, iofunc_ocb_t *ocb, int *nonblock)
{
    if (!(ocb->ioflag & _IO_FLAG_RD))         /* not opened for reading */
        return EBADF;
    int st = qh_verify_xtype(ctp, msg, sizeof msg->i, msg->i.xtype);
    if (st != EOK)
        return st;
    if (nonblock)
        *nonblock = qh_nonblock(msg->i.xtype, ocb);
    return EOK;
}

int iofunc_write_verify(resmgr_context_t *ctp, io_write_t *msg, iofunc_ocb_t *ocb, int *nonblock)
{
    if (!(ocb->ioflag & _IO_FLAG_WR))         /* not opened for writing */
        return EBADF;
    int st = qh_verify_xtype(ctp, msg, sizeof msg->i, msg->i.xtype);
    if (st != EOK)
        return st;
#if _NTO_VERSION >= 710                      /* 6.x checks neither (fidelity-notes.md §5) */
    size_t skip = sizeof msg->i + qh_xtype_header(msg->i.xtype);
    size_t sent = qh_msggetsize(ctp, 0, NULL, NULL);
    if (sent < skip || QH_WRITE_NBYTES(msg) > sent - skip)
        return EBADMSG;                       /* client claims more data than it sent */
#endif
    if (ocb->ioflag & O_APPEND)
        ocb->offset = ocb->attr->nbytes;
    if (nonblock)
        *nonblock = qh_nonblock(msg->i.xtype, ocb);
    return EOK;
}

int iofunc_read_default(resmgr_context_t *ctp, io_read_t *msg, iofunc_ocb_t *ocb)
{
    int st = iofunc_read_verify(ctp, msg, ocb, NULL);
    if (st != EOK)
        return st;
    if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE)  /* no special reads */
        return ENOSYS;
    _IO_SET_READ_NBYTES(ctp, 0);
    return EOK;
}

int iofunc_write_default(resmgr_context_t *ctp, io_write_t *msg, iofunc_ocb_t *ocb)
{
    int st = iofunc_write_verify(ctp, msg, ocb, NULL);
    if (st != EOK)
        return st;
    if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE)  /* no special writes */
        return ENOSYS;
    _IO_SET_WRITE_NBYTES(ctp, QH_WRITE_NBYTES(msg));
    ocb->attr->flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
    return EOK;
}

/* ---- devctl ---- */

/* The reply header in place of the request's (the part's header is in the receive buffer);
   the value goes straight to the client's reply buffer after it, so a part at any offset,
   even one ending where the buffer ends, is answered without writing past its header. */
static int qh_devctl_reply_int(resmgr_context_t *ctp, io_devctl_t *msg, int value)
{
    if (ctp->rcvid == 0)                      /* a non-final combine part: no reply */
        return EOK;
    if (resmgr_msgwrite(ctp, &value, sizeof value, sizeof msg->o) == -1)
        return errno;                         /* the client is gone */
    memset(&msg->o, 0, sizeof msg->o);
    msg->o.nbytes = sizeof value;
    return _RESMGR_PTR(ctp, &msg->o, sizeof msg->o);
}

/* DCMD_ALL_FADVISE: advice checked, accepted as a no-op on regular files; other files
   cannot seek, so ESPIPE (as posix_fadvise() on a pipe). */
static int qh_devctl_fadvise(resmgr_context_t *ctp, io_devctl_t *msg, iofunc_attr_t *attr)
{
    struct _fadvise adv;
    if (QH_SIZE(ctp) < sizeof msg->i + sizeof adv)  /* the advice did not arrive */
        return EBADMSG;
    memcpy(&adv, _DEVCTL_DATA(msg->i), sizeof adv);
    if (!S_ISREG(attr->mode))
        return ESPIPE;
    if (adv.advice < POSIX_FADV_NORMAL || adv.advice > POSIX_FADV_NOREUSE || adv.len < 0)
        return EINVAL;
    return EOK;
}

int iofunc_devctl(resmgr_context_t *ctp, io_devctl_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr)
{
    int value;
    switch ((unsigned)msg->i.dcmd) {
    case (unsigned)DCMD_ALL_GETFLAGS:
        value = (int)((ocb->ioflag & ~(unsigned)O_ACCMODE) | ((ocb->ioflag - 1) & O_ACCMODE));
        return qh_devctl_reply_int(ctp, msg, value);
    case (unsigned)DCMD_ALL_SETFLAGS:         /* only the settable flags; EOK, no data */
        if (QH_SIZE(ctp) < sizeof msg->i + sizeof value)  /* the new flags did not arrive */
            return EBADMSG;
        memcpy(&value, _DEVCTL_DATA(msg->i), sizeof value);
        ocb->ioflag = (ocb->ioflag & ~(unsigned)QH_SETFLAGS_MASK) |
                      ((unsigned)value & QH_SETFLAGS_MASK);
        return EOK;
    case (unsigned)DCMD_ALL_GETMOUNTFLAGS:
        value = attr->mount ? (int)(attr->mount->flags & QH_MOUNT_ST_FLAGS) : 0;
        return qh_devctl_reply_int(ctp, msg, value);
    case (unsigned)DCMD_ALL_FADVISE:
        return qh_devctl_fadvise(ctp, msg, attr);
    default:
        return QH_DEFAULT;
    }
}

int iofunc_devctl_default(resmgr_context_t *ctp, io_devctl_t *msg, iofunc_ocb_t *ocb)
{
    return iofunc_devctl(ctp, msg, ocb, ocb->attr);
}

/* ---- lseek / stat ---- */

int iofunc_lseek(resmgr_context_t *ctp, io_lseek_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr)
{
    int64_t base;
    switch (msg->i.whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = ocb->offset; break;
    case SEEK_END: base = attr->nbytes; break;
    default:       return EINVAL;             /* unknown whence */
    }
    int64_t delta = (int64_t)msg->i.offset;
    if ((delta > 0 && base > INT64_MAX - delta) || (delta < 0 && base < INT64_MIN - delta))
        return EOVERFLOW;                     /* position not representable */
    if (base + delta < 0)                     /* before the start of the file */
        return EINVAL;
    ocb->offset = base + delta;
    if (msg->i.combine_len & _IO_COMBINE_FLAG)  /* lseek+read: no reply of its own */
        return EOK;
    msg->o = (_Uint64t)ocb->offset;
    return _RESMGR_PTR(ctp, &msg->o, sizeof msg->o);
}

int iofunc_lseek_default(resmgr_context_t *ctp, io_lseek_t *msg, iofunc_ocb_t *ocb)
{
    return iofunc_lseek(ctp, msg, ocb, ocb->attr);
}

int iofunc_stat(resmgr_context_t *ctp, iofunc_attr_t *attr, struct stat *statp)
{
    (void)ctp;
    memset(statp, 0, sizeof *statp);
    statp->st_ino = attr->inode;
    statp->st_dev = attr->mount ? attr->mount->dev : 0;
    statp->st_mode = attr->mode;
    statp->st_nlink = attr->nlink;
    statp->st_uid = attr->uid;
    statp->st_gid = attr->gid;
    statp->st_rdev = attr->rdev;
    statp->st_size = attr->nbytes;
    statp->st_blksize = attr->mount && attr->mount->blocksize > 0 ? attr->mount->blocksize : 512;
    statp->st_atim.tv_sec = attr->atime;
    statp->st_atim.tv_nsec = attr->atime_ns;
    statp->st_mtim.tv_sec = attr->mtime;
    statp->st_mtim.tv_nsec = attr->mtime_ns;
    statp->st_ctim.tv_sec = attr->ctime;
    statp->st_ctim.tv_nsec = attr->ctime_ns;
    return EOK;
}

/* Where a default handler may build a reply of size bytes that is larger than its request:
   in place (the message itself) while that stays inside its own part (a non-final part of a
   combine) or inside the receive buffer (the last part); else spare, or NULL for a non-final
   part, whose reply is discarded anyway. The library builds such replies in place; the host
   never lets them reach the next part or past the buffer (what real QNX does when a client
   sends a part too short for its reply is not verified). */
static void *qh_reply_room(resmgr_context_t *ctp, void *in_place, size_t size, void *spare)
{
    if (ctp->rcvid == 0)                      /* a non-final combine part */
        return (size_t)ctp->size >= size ? in_place : NULL;
    return (size_t)ctp->offset + size <= (size_t)ctp->msg_max_size ? in_place : spare;
}

int iofunc_stat_default(resmgr_context_t *ctp, io_stat_t *msg, iofunc_ocb_t *ocb)
{
    static _Thread_local struct stat spare;
    struct stat *st = qh_reply_room(ctp, &msg->o, sizeof msg->o, &spare);
    iofunc_time_update(ocb->attr);
    if (st == NULL)                           /* nobody will see it */
        return EOK;
    iofunc_stat(ctp, ocb->attr, st);
    return _RESMGR_PTR(ctp, st, sizeof *st);
}

/* ---- notify (fidelity-notes.md §4) ---- */

#define QH_NOTIFY_ARMED 0x1                  /* entry flag (host meaning): waiting to fire */
#define QH_NOTIFY_TRAN  0x2                  /* entry flag (host meaning): armed by TRANARM */

static const unsigned qh_notify_cond[3] = {
    _NOTIFY_COND_INPUT, _NOTIFY_COND_OUTPUT, _NOTIFY_COND_OBAND
};

/* The list's threshold: the lowest of its armed entries, 1 ("one byte") if none is. */
static void qh_notify_recount(iofunc_notify_t *nop)
{
    nop->cnt = 0;
    for (iofunc_notify_event_t *e = nop->list; e; e = e->next)
        if ((e->flags & QH_NOTIFY_ARMED) && (nop->cnt == 0 || e->cnt < nop->cnt))
            nop->cnt = e->cnt;
    if (nop->cnt == 0)
        nop->cnt = 1;
}

/* This client connection's entry in a condition's list (a re-arm reuses it); NULL: no memory. */
static iofunc_notify_event_t *qh_notify_entry(iofunc_notify_t *nop, const resmgr_context_t *ctp)
{
    for (iofunc_notify_event_t *e = nop->list; e; e = e->next)
        if (e->scoid == ctp->info.scoid && e->coid == ctp->info.coid)
            return e;
    iofunc_notify_event_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->next = nop->list;
    nop->list = e;
    return e;
}

/* Is one of the asked conditions armed for a transition by another client connection? */
static int qh_notify_tran_taken(const iofunc_notify_t *nop, unsigned want,
                                const resmgr_context_t *ctp)
{
    for (int i = 0; i < 3; i++) {
        if (!(want & qh_notify_cond[i]))
            continue;
        for (const iofunc_notify_event_t *e = nop[i].list; e; e = e->next)
            if ((e->flags & (QH_NOTIFY_ARMED | QH_NOTIFY_TRAN)) == (QH_NOTIFY_ARMED | QH_NOTIFY_TRAN) &&
                (e->scoid != ctp->info.scoid || e->coid != ctp->info.coid))
                return 1;
    }
    return 0;
}

/* Every asked condition gets an armed entry on every call (also when it already holds), except
   for a plain poll, or a conditional arm that finds something ready. A transition arm while
   another client connection holds one on the same condition is EBUSY (resmgr-notes §2.8). */
int iofunc_notify(resmgr_context_t *ctp, io_notify_t *msg, iofunc_notify_t *nop,
                  int trig, const int *notifycnts, int *armed)
{
    unsigned want = (unsigned)msg->i.flags & (_NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT |
                                              _NOTIFY_COND_OBAND);
    unsigned ready = want & (unsigned)trig;
    int action = msg->i.action & _NOTIFY_ACTION_MASK;
    struct _qh_qnx_sigevent event = msg->i.event;
    if (armed)
        *armed = 0;
    int arm = action != _NOTIFY_ACTION_POLL && !(action == _NOTIFY_ACTION_CONDARM && ready);
    if (action == _NOTIFY_ACTION_TRANARM && qh_notify_tran_taken(nop, want, ctp))
        return EBUSY;
    for (int i = 0; arm && i < 3; i++) {
        if (!(want & qh_notify_cond[i]))
            continue;
        iofunc_notify_event_t *e = qh_notify_entry(&nop[i], ctp);
        if (!e)                               /* cannot remember the client */
            return ENOMEM;
        e->rcvid = ctp->rcvid;
        e->scoid = ctp->info.scoid;
        e->coid = ctp->info.coid;
        e->cnt = notifycnts ? notifycnts[i] : 1;
        e->flags = QH_NOTIFY_ARMED | (action == _NOTIFY_ACTION_TRANARM ? QH_NOTIFY_TRAN : 0);
        e->event = event;
        qh_notify_recount(&nop[i]);
        if (armed)
            *armed = 1;
    }
    if (arm && action == _NOTIFY_ACTION_CONDARM)  /* armed, nothing ready */
        return EAGAIN;
    memset(&msg->o, 0, sizeof msg->o);
    msg->o.flags = ready;
    return _RESMGR_PTR(ctp, &msg->o, sizeof msg->o);
}

/* Deliver the event of every armed entry whose threshold cnt reaches, and disarm it (the
   entry stays until iofunc_notify_remove() or a re-arm). */
void iofunc_notify_trigger(iofunc_notify_t *nop, int cnt, int index)
{
    iofunc_notify_t *n = &nop[index];
    for (iofunc_notify_event_t *e = n->list; e; e = e->next) {
        if (!(e->flags & QH_NOTIFY_ARMED) || cnt < e->cnt)
            continue;                         /* not waiting, or threshold not reached */
        e->flags &= ~QH_NOTIFY_ARMED;
        if (e->event.qsev_notify == SIGEV_PULSE)
            MsgSendPulse(e->event.qsev_coid, e->event.qsev_priority, e->event.qsev_code,
                         e->event.qsev_value.sival_int);
    }
    qh_notify_recount(n);
}

/* Free the entries of ctp's client connection (all of them with ctp NULL). */
void iofunc_notify_remove(resmgr_context_t *ctp, iofunc_notify_t *nop)
{
    for (int i = 0; i < 3; i++) {
        iofunc_notify_event_t **pp = &nop[i].list;
        while (*pp) {
            iofunc_notify_event_t *e = *pp;
            if (ctp && (e->scoid != ctp->info.scoid || e->coid != ctp->info.coid)) {
                pp = &e->next;                /* another client's entry */
                continue;
            }
            *pp = e->next;
            free(e);
        }
        qh_notify_recount(&nop[i]);
    }
}

/* ---- chmod / chown / utime (fchmod(), fchown(), futimens() work on any resmgr) ---- */

/* Only the owner or root may change an attr's mode, owner or times. */
static int qh_owner_check(resmgr_context_t *ctp, const iofunc_attr_t *attr)
{
    struct _client_info info;
    iofunc_client_info(ctp, 0, &info);
    return info.cred.euid == 0 || info.cred.euid == attr->uid ? EOK : EPERM;
}

int iofunc_chmod(resmgr_context_t *ctp, io_chmod_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr)
{
    (void)ocb;
    int st = qh_owner_check(ctp, attr);
    if (st != EOK)
        return st;
    attr->mode = (attr->mode & S_IFMT) | ((mode_t)msg->i.mode & ~(mode_t)S_IFMT & 07777);
    attr->flags |= IOFUNC_ATTR_CTIME | IOFUNC_ATTR_DIRTY_MODE;
    return EOK;
}

int iofunc_chmod_default(resmgr_context_t *ctp, io_chmod_t *msg, iofunc_ocb_t *ocb)
{
    return iofunc_chmod(ctp, msg, ocb, ocb->attr);
}

/* Root changes anything; the owner only the group, to one of its own (chown restricted);
   -1 keeps a field. A non-root change clears set-id bits. */
int iofunc_chown(resmgr_context_t *ctp, io_chown_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr)
{
    (void)ocb;
    struct _client_info info;
    iofunc_client_info(ctp, 0, &info);
    uid_t uid = msg->i.uid == -1 ? attr->uid : (uid_t)msg->i.uid;
    gid_t gid = msg->i.gid == -1 ? attr->gid : (gid_t)msg->i.gid;
    if (info.cred.euid != 0) {
        if (info.cred.euid != attr->uid || uid != attr->uid)
            return EPERM;                     /* not the owner, or giving it away */
        if (gid != attr->gid && gid != info.cred.egid)
            return EPERM;                     /* not one of the caller's groups */
        attr->mode &= ~(mode_t)(S_ISUID | S_ISGID);
    }
    attr->uid = uid;
    attr->gid = gid;
    attr->flags |= IOFUNC_ATTR_CTIME | IOFUNC_ATTR_DIRTY_OWNER;
    return EOK;
}

int iofunc_chown_default(resmgr_context_t *ctp, io_chown_t *msg, iofunc_ocb_t *ocb)
{
    return iofunc_chown(ctp, msg, ocb, ocb->attr);
}

/* cur_flag: both times become now (the owner, or anyone who may write); else the times in
   the message (owner only). 8.0's _IO_UTIME64 carries nanoseconds. */
int iofunc_utime(resmgr_context_t *ctp, io_utime_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr)
{
    int st = qh_owner_check(ctp, attr);
    if (msg->i.cur_flag) {
        if (st != EOK && !(ocb->ioflag & _IO_FLAG_WR))
            return EACCES;
        attr->flags |= IOFUNC_ATTR_ATIME | IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
        return iofunc_time_update(attr);
    }
    if (st != EOK)
        return st;
#if _NTO_VERSION >= 800
    if (msg->i.type == _IO_UTIME64) {
        if (QH_SIZE(ctp) < sizeof msg->i64)   /* the times did not arrive */
            return EBADMSG;
        attr->atime = (time_t)msg->i64.times[0].tv_sec;
        attr->atime_ns = (_Uint32t)msg->i64.times[0].tv_nsec;
        attr->mtime = (time_t)msg->i64.times[1].tv_sec;
        attr->mtime_ns = (_Uint32t)msg->i64.times[1].tv_nsec;
        attr->flags |= IOFUNC_ATTR_CTIME | IOFUNC_ATTR_DIRTY_TIME;
        return EOK;
    }
#endif
    attr->atime = (time_t)msg->i.times.actime;
    attr->mtime = (time_t)msg->i.times.modtime;
    attr->atime_ns = attr->mtime_ns = 0;
    attr->flags |= IOFUNC_ATTR_CTIME | IOFUNC_ATTR_DIRTY_TIME;
    return EOK;
}

int iofunc_utime_default(resmgr_context_t *ctp, io_utime_t *msg, iofunc_ocb_t *ocb)
{
    return iofunc_utime(ctp, msg, ocb, ocb->attr);
}

/* ---- openfd / fdinfo / sync ---- */

/* openfd(): a new OCB on the same attr, with no more access than the fd it comes from. */
int iofunc_openfd(resmgr_context_t *ctp, io_openfd_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr)
{
    (void)ctp;
    (void)attr;
    unsigned want = msg->i.ioflag & _IO_FLAG_MASK;
    return (want & ~ocb->ioflag & _IO_FLAG_MASK) ? EACCES : EOK;
}

int iofunc_openfd_default(resmgr_context_t *ctp, io_openfd_t *msg, iofunc_ocb_t *ocb)
{
    iofunc_attr_t *attr = ocb->attr;
    qh_lock_attr(attr);
    int st = iofunc_openfd(ctp, msg, ocb, attr);
    if (st == EOK) {
        io_open_t open;                       /* what the new OCB is opened with */
        memset(&open, 0, sizeof open);
        open.connect.ioflag = msg->i.ioflag;
        open.connect.sflag = msg->i.sflag;
        st = iofunc_ocb_attach(ctp, &open, NULL, attr, NULL);
    }
    qh_unlock_attr(attr);
    return st;
}

int iofunc_fdinfo(resmgr_context_t *ctp, iofunc_ocb_t *ocb, iofunc_attr_t *attr,
                  struct _fdinfo *info)
{
    (void)ctp;
    memset(info, 0, sizeof *info);
    info->mode = attr->mode;
    info->ioflag = ocb->ioflag;
    info->offset = (_Uint64t)ocb->offset;
    info->size = (_Uint64t)attr->nbytes;
    info->flags = ocb->flags;
    info->sflag = ocb->sflag;
    info->count = attr->count;
    info->rcount = attr->rcount;
    info->wcount = attr->wcount;
    info->rlocks = attr->rlocks;
    info->wlocks = attr->wlocks;
    return EOK;
}

/* No path is reported (path_len 0 in the reply's count). */
int iofunc_fdinfo_default(resmgr_context_t *ctp, io_fdinfo_t *msg, iofunc_ocb_t *ocb)
{
    static _Thread_local struct _fdinfo spare;
    struct _fdinfo *info = qh_reply_room(ctp, &msg->o, sizeof msg->o, &spare);
    if (info == NULL)                         /* a non-final part: nobody will see it */
        return EOK;
    iofunc_fdinfo(ctp, ocb, ocb->attr, info);
    return _RESMGR_PTR(ctp, info, sizeof *info);
}

/* fsync()/fdatasync(): nothing is buffered by the defaults. */
int iofunc_sync_default(resmgr_context_t *ctp, io_sync_t *msg, iofunc_ocb_t *ocb)
{
    (void)ctp;
    (void)msg;
    (void)ocb;
    return EOK;
}

/* ---- mmap and power ---- */

/* _IO_MMAP comes from the memory manager (procnto) when a client maps the fd; the host has
   none, so only a raw message reaches this. The documented checks: the mapping asked for
   must not need more than the fd's open mode (PROT_READ: read access, PROT_WRITE: write
   access; else EACCES), PROT_WRITE on a read-only mount is EROFS, and PROT_EXEC is allowed
   only where the file has an execute bit. The reply says what the fd allows (never
   PROT_WRITE on a read-only mount) and echoes the offset; coid and fd concern the memory
   manager's own connection and stay 0. The host's message has no required_prot (7.1+): the
   whole prot asked for is checked. The PROT_* values are the host's. */
int iofunc_mmap(resmgr_context_t *ctp, io_mmap_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr)
{
    unsigned prot = msg->i.prot, allowed = 0;
    int read_only = attr->mount && (attr->mount->flags & ST_RDONLY);
    if (ocb->ioflag & _IO_FLAG_RD)
        allowed |= PROT_READ;
    if ((ocb->ioflag & _IO_FLAG_WR) && !read_only)
        allowed |= PROT_WRITE;
    if (attr->mode & (S_IXUSR | S_IXGRP | S_IXOTH))
        allowed |= PROT_EXEC;
    if ((prot & PROT_WRITE) && read_only)
        return EROFS;
    if (prot & ~allowed)                      /* more than the open mode gives */
        return EACCES;
    uint64_t offset = msg->i.offset;
    memset(&msg->o, 0, sizeof msg->o);
    msg->o.allowed_prot = allowed;
    msg->o.offset = offset;
    return _RESMGR_PTR(ctp, &msg->o, sizeof msg->o);
}

int iofunc_mmap_default(resmgr_context_t *ctp, io_mmap_t *msg, iofunc_ocb_t *ocb)
{
    return iofunc_mmap(ctp, msg, ocb, ocb->attr);
}

/* _IO_POWER: the docs reserve the slot ("initialize it with iofunc_func_init() and do not
   change it"); with no power manager behind it, the host answers ENOSYS. */
int iofunc_power_default(resmgr_context_t *ctp, io_power_t *msg, iofunc_ocb_t *ocb)
{
    (void)ctp;
    (void)msg;
    (void)ocb;
    return ENOSYS;
}

/* ---- check_msg (8.0) ---- */

#if _NTO_VERSION >= 800
/* The 8.0 docs' default check: a devctl or _IO_MSG followed by more parts of a combine is
   EBADMSG (either may carry a sigevent). A NULL check_msg slot runs it too. */
int iofunc_check_msg_default(resmgr_context_t const *ctp, resmgr_iomsgs_t const *msg,
                             _Bool combine, iofunc_ocb_t const *ocb)
{
    (void)ctp;
    (void)ocb;
    return combine && (msg->type == _IO_DEVCTL || msg->type == _IO_MSG) ? EBADMSG : EOK;
}
#endif

/* ---- pathconf ---- */

/* fpathconf(): the options the mount's conf bits declare are 1; anything else, including
   an option the mount does not declare, is EINVAL ("not associated with this file"). The
   _PC_* names are the host's. */
int iofunc_pathconf(resmgr_context_t *ctp, io_pathconf_t *msg, iofunc_ocb_t *ocb,
                    iofunc_attr_t *attr)
{
    (void)ocb;
    unsigned conf = attr->mount ? attr->mount->conf : 0, bit;
    switch (msg->i.name) {
    case _PC_CHOWN_RESTRICTED: bit = IOFUNC_PC_CHOWN_RESTRICTED; break;
    case _PC_NO_TRUNC:         bit = IOFUNC_PC_NO_TRUNC; break;
    case _PC_SYNC_IO:          bit = IOFUNC_PC_SYNC_IO; break;
    default:                   return EINVAL;   /* no such option here */
    }
    if (!(conf & bit))                        /* the mount does not declare it */
        return EINVAL;
    _IO_SET_PATHCONF_VALUE(ctp, 1);
    return EOK;
}

int iofunc_pathconf_default(resmgr_context_t *ctp, io_pathconf_t *msg, iofunc_ocb_t *ocb)
{
    return iofunc_pathconf(ctp, msg, ocb, ocb->attr);
}
