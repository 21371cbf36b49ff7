/*
 * qnxhost client side: what a QNX client's libc does. open() of an attached
 * path sends _IO_CONNECT/_IO_CONNECT_OPEN and yields an fd; read/write/
 * pread/pwrite/lseek/fstat/close send the matching I/O messages; devctl()/
 * devctlv() follow QNX libc semantics. Everything else falls through to the
 * host libc.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "qh_internal.h"

static int qh_is_emulated(int fd)
{
    pthread_mutex_lock(&qh_lock);
    int yes = qh_conn_find(fd) != NULL;
    pthread_mutex_unlock(&qh_lock);
    return yes;
}

/* A new connection to the server of an attached path, for the calling thread's client
   process; 0 if the path is not attached, -1 (errno) on failure. */
static int qh_path_conn(const char *path, const char **rel, unsigned *handle)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_attach *a = path ? qh_attach_lookup(path, rel) : NULL;
    struct qh_conn *c = a ? qh_conn_new(a->dpp, qh_client_current()) : NULL;
    *handle = a ? (unsigned)a->id : 0;
    pthread_mutex_unlock(&qh_lock);
    if (!a)                                   /* not ours: the real file system */
        return 0;
    if (!c) {
        errno = ENOMEM;
        return -1;
    }
    return c->coid;
}

static void qh_conn_drop(int coid)
{
    int err = errno;
    pthread_mutex_lock(&qh_lock);
    qh_conn_free(coid);
    pthread_mutex_unlock(&qh_lock);
    errno = err;
}

static unsigned qh_ioflag(int oflag)
{
    return ((unsigned)oflag & ~(unsigned)O_ACCMODE) | (((unsigned)oflag & O_ACCMODE) + 1);
}

/* Send an _IO_CONNECT of this subtype for rel on coid, followed (combine subtypes) by an
   io message at the next QH_COMBINE_ALIGN boundary. */
static long qh_connect_send(int coid, unsigned handle, const char *rel, unsigned subtype,
                            unsigned ioflag, mode_t mode, const void *iomsg, size_t iolen,
                            void *reply, size_t reply_len)
{
    static const char zeros[QH_COMBINE_ALIGN];
    struct _io_connect hdr;
    memset(&hdr, 0, sizeof hdr);
    hdr.type = _IO_CONNECT;
    hdr.subtype = (_Uint16t)subtype;
    hdr.file_type = _FTYPE_ANY;
    hdr.handle = handle;
    hdr.ioflag = ioflag;
    hdr.mode = mode;
    hdr.path_len = (_Uint16t)(strlen(rel) + 1);
    size_t head = offsetof(struct _io_connect, path) + hdr.path_len;
    iov_t siov[4], riov[1];
    SETIOV(&siov[0], &hdr, offsetof(struct _io_connect, path));
    SETIOV(&siov[1], rel, hdr.path_len);
    SETIOV(&siov[2], zeros, iomsg ? QH_ALIGN_UP(head) - head : 0);
    SETIOV(&siov[3], iomsg, iomsg ? iolen : 0);
    SETIOV(&riov[0], reply, reply_len);
    return MsgSendv(coid, siov, iomsg ? 4 : 2, riov, 1);
}

int qh_open(const char *path, int oflag, ...)
{
    mode_t mode = 0;
    if (oflag & (O_CREAT | O_TMPFILE)) {      /* mode argument present */
        va_list ap;
        va_start(ap, oflag);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    const char *rel = NULL;
    unsigned handle;
    int coid = qh_path_conn(path, &rel, &handle);
    if (coid == 0)
        return open(path, oflag, mode);
    if (coid < 0)
        return -1;
    io_open_t reply;
    if (qh_connect_send(coid, handle, rel, _IO_CONNECT_OPEN, qh_ioflag(oflag), mode,
                        NULL, 0, &reply, sizeof reply) == -1) {
        qh_conn_drop(coid);
        return -1;
    }
    return coid;
}

/* Does the connection have an OCB bound? */
static int qh_conn_bound(int coid)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(coid);
    int bound = c && c->bind;
    pthread_mutex_unlock(&qh_lock);
    return bound;
}

int qh_open_combine(const char *path, int oflag, const void *iomsg, size_t iolen,
                    void *reply, size_t reply_len, int close_after)
{
    const char *rel = NULL;
    unsigned handle;
    if (!iomsg || iolen < sizeof(struct _io_close)) {  /* no io message to combine */
        errno = EINVAL;
        return -1;
    }
    int coid = qh_path_conn(path, &rel, &handle);
    if (coid == 0)
        errno = ENOSYS;                       /* a real file: nothing to combine with */
    if (coid <= 0)
        return -1;
    unsigned subtype = close_after ? _IO_CONNECT_COMBINE_CLOSE : _IO_CONNECT_COMBINE;
    long st = qh_connect_send(coid, handle, rel, subtype, qh_ioflag(oflag), 0, iomsg, iolen,
                              reply, reply_len);
    if (close_after) {                        /* the server closed it: the status */
        qh_conn_drop(coid);
        return (int)st;
    }
    if (st == -1) {                           /* the io part failed: do not leak the open */
        int err = errno;
        if (qh_conn_bound(coid))
            qh_close(coid);
        else
            qh_conn_drop(coid);
        errno = err;
        return -1;
    }
    return coid;
}

int qh_stat(const char *path, struct stat *statp)
{
    const char *rel = NULL;
    unsigned handle;
    int coid = qh_path_conn(path, &rel, &handle);
    if (coid == 0)
        return stat(path, statp);
    if (coid < 0)
        return -1;
    io_stat_t msg;                            /* like libc: connect + stat + close, one send */
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_STAT;
    msg.i.combine_len = sizeof msg.i;
    long st = qh_connect_send(coid, handle, rel, _IO_CONNECT_COMBINE_CLOSE, 0, 0, &msg.i,
                              sizeof msg.i, statp, sizeof *statp);
    qh_conn_drop(coid);
    return st == -1 ? -1 : 0;
}

long qh_send_combine(int fd, const iov_t *parts, int nparts, void *reply, size_t reply_len)
{
    size_t total = 0;
    for (int i = 0; i < nparts; i++) {        /* each part: a whole io message */
        size_t len = i + 1 < nparts ? QH_ALIGN_UP(parts[i].iov_len) : parts[i].iov_len;
        if (parts[i].iov_len < sizeof(struct _io_close) ||
            (i + 1 < nparts && len > (size_t)(_IO_COMBINE_FLAG - 1))) {
            errno = EINVAL;                   /* no header, or too long for combine_len */
            return -1;
        }
        total += len;
    }
    if (nparts <= 0) {
        errno = EINVAL;
        return -1;
    }
    char *buf = calloc(1, total);
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    size_t off = 0;
    for (int i = 0; i < nparts; i++) {
        memcpy(buf + off, parts[i].iov_base, parts[i].iov_len);
        if (i + 1 < nparts) {                 /* more follows: its length and the flag */
            size_t len = QH_ALIGN_UP(parts[i].iov_len);
            _Uint16t combine_len = (_Uint16t)(len | _IO_COMBINE_FLAG);
            memcpy(buf + off + offsetof(struct _io_close, combine_len), &combine_len,
                   sizeof combine_len);
            off += len;
        }
    }
    long st = MsgSend(fd, buf, total, reply, reply_len);
    int err = errno;
    free(buf);
    errno = err;
    return st;
}

/* Send _IO_DUP on the new connection coid, naming fd: the server binds coid to fd's OCB. */
static int qh_dup_send(int fd, int coid)
{
    io_dup_t msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_DUP;
    msg.i.combine_len = sizeof msg.i;
    msg.i.info.pid = qh_client_pid(qh_client_current());
    msg.i.info.chid = 1;
    msg.i.info.scoid = qh_client_scoid(qh_client_current());
    msg.i.info.coid = fd;
    if (MsgSend(coid, &msg.i, sizeof msg.i, NULL, 0) == -1) {
        qh_conn_drop(coid);
        return -1;
    }
    return coid;
}

int qh_dup(int fd)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(fd);
    struct qh_conn *n = c ? qh_conn_new(c->dpp, qh_client_current()) : NULL;
    pthread_mutex_unlock(&qh_lock);
    if (!c)                                   /* not emulated: the host's dup() */
        return dup(fd);
    if (!n) {
        errno = ENOMEM;
        return -1;
    }
    return qh_dup_send(fd, n->coid);
}

int qh_dup2(int fd, int fd2)
{
    if (!qh_is_emulated(fd))
        return dup2(fd, fd2);
    if (fd == fd2)                            /* POSIX: nothing to do */
        return fd2;
    if (fd2 < QH_FD_BASE) {                   /* host limit: emulated fds stay in their range */
        errno = EINVAL;
        return -1;
    }
    if (qh_is_emulated(fd2))
        qh_close(fd2);
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(fd);
    struct qh_conn *n = c ? qh_conn_at(fd2, c->dpp, qh_client_current()) : NULL;
    pthread_mutex_unlock(&qh_lock);
    if (!n) {
        errno = EBADF;                        /* fd gone, or fd2 taken meanwhile */
        return -1;
    }
    return qh_dup_send(fd, fd2);
}

int qh_openfd(int fd, int oflag)
{
    pthread_mutex_lock(&qh_lock);
    struct qh_conn *c = qh_conn_find(fd);
    struct qh_conn *n = c ? qh_conn_new(c->dpp, qh_client_current()) : NULL;
    pthread_mutex_unlock(&qh_lock);
    if (!c || !n) {
        errno = c ? ENOMEM : EBADF;
        return -1;
    }
    io_openfd_t msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_OPENFD;
    msg.i.combine_len = sizeof msg.i;
    msg.i.ioflag = qh_ioflag(oflag);
    msg.i.info.pid = qh_client_pid(qh_client_current());
    msg.i.info.chid = 1;
    msg.i.info.scoid = qh_client_scoid(qh_client_current());
    msg.i.info.coid = fd;
    if (MsgSend(n->coid, &msg.i, sizeof msg.i, NULL, 0) == -1) {
        qh_conn_drop(n->coid);
        return -1;
    }
    return n->coid;
}

int qh_fchmod(int fd, mode_t mode)
{
    if (!qh_is_emulated(fd))
        return fchmod(fd, mode);
    io_chmod_t msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_CHMOD;
    msg.i.combine_len = sizeof msg.i;
    msg.i.mode = (_Uint32t)mode;
    return MsgSend(fd, &msg.i, sizeof msg.i, NULL, 0) == -1 ? -1 : 0;
}

int qh_fchown(int fd, uid_t owner, gid_t group)
{
    if (!qh_is_emulated(fd))
        return fchown(fd, owner, group);
    io_chown_t msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_CHOWN;
    msg.i.combine_len = sizeof msg.i;
    msg.i.uid = (_Int32t)owner;
    msg.i.gid = (_Int32t)group;
    return MsgSend(fd, &msg.i, sizeof msg.i, NULL, 0) == -1 ? -1 : 0;
}

/* times NULL (or UTIME_NOW): now; 8.0 sends nanoseconds (_IO_UTIME64), 6.x seconds. */
int qh_futimens(int fd, const struct timespec times[2])
{
    if (!qh_is_emulated(fd))
        return futimens(fd, times);
    io_utime_t msg;
    memset(&msg, 0, sizeof msg);
    int now = !times || times[0].tv_nsec == UTIME_NOW || times[1].tv_nsec == UTIME_NOW;
#if _NTO_VERSION >= 800
    msg.i64.type = _IO_UTIME64;
    msg.i64.combine_len = sizeof msg.i64;
    msg.i64.cur_flag = now;
    for (int i = 0; !now && i < 2; i++) {
        msg.i64.times[i].tv_sec = times[i].tv_sec;
        msg.i64.times[i].tv_nsec = times[i].tv_nsec;
    }
    return MsgSend(fd, &msg.i64, sizeof msg.i64, NULL, 0) == -1 ? -1 : 0;
#else
    msg.i.type = _IO_UTIME;
    msg.i.combine_len = sizeof msg.i;
    msg.i.cur_flag = now;
    msg.i.times.actime = now ? 0 : (_Uint32t)times[0].tv_sec;
    msg.i.times.modtime = now ? 0 : (_Uint32t)times[1].tv_sec;
    return MsgSend(fd, &msg.i, sizeof msg.i, NULL, 0) == -1 ? -1 : 0;
#endif
}

int qh_close(int fd)
{
    if (!qh_is_emulated(fd))
        return close(fd);
    io_close_t msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_CLOSE;
    msg.i.combine_len = sizeof msg.i;
    long st = MsgSend(fd, &msg.i, sizeof msg.i, NULL, 0);
    qh_conn_drop(fd);
    return st == -1 ? -1 : 0;
}

static ssize_t qh_read_msg(int fd, void *buf, size_t nbytes, const off_t *offset)
{
    struct { struct _io_read i; struct _xtype_offset off; } msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_READ;
    msg.i.combine_len = sizeof msg.i;
    msg.i.nbytes = nbytes > UINT32_MAX ? UINT32_MAX : (_Uint32t)nbytes;
    msg.i.xtype = offset ? _IO_XTYPE_OFFSET : _IO_XTYPE_NONE;
    msg.off.offset = offset ? *offset : 0;
    return MsgSend(fd, &msg, sizeof msg.i + (offset ? sizeof msg.off : 0), buf, msg.i.nbytes);
}

static ssize_t qh_write_msg(int fd, const void *buf, size_t nbytes, const off_t *offset)
{
    struct { struct _io_write i; struct _xtype_offset off; } msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_WRITE;
    msg.i.combine_len = sizeof msg.i;
    msg.i.nbytes = nbytes > UINT32_MAX ? UINT32_MAX : (_Uint32t)nbytes;
    msg.i.xtype = offset ? _IO_XTYPE_OFFSET : _IO_XTYPE_NONE;
    msg.off.offset = offset ? *offset : 0;
    iov_t siov[2];
    SETIOV(&siov[0], &msg, sizeof msg.i + (offset ? sizeof msg.off : 0));
    SETIOV(&siov[1], buf, msg.i.nbytes);
    return MsgSendv(fd, siov, 2, NULL, 0);
}

ssize_t qh_read(int fd, void *buf, size_t nbytes)
{
    return qh_is_emulated(fd) ? qh_read_msg(fd, buf, nbytes, NULL) : read(fd, buf, nbytes);
}

ssize_t qh_write(int fd, const void *buf, size_t nbytes)
{
    return qh_is_emulated(fd) ? qh_write_msg(fd, buf, nbytes, NULL) : write(fd, buf, nbytes);
}

ssize_t qh_pread(int fd, void *buf, size_t nbytes, off_t offset)
{
    if (!qh_is_emulated(fd))
        return pread(fd, buf, nbytes, offset);
    if (offset < 0) {                         /* POSIX: negative offset */
        errno = EINVAL;
        return -1;
    }
    return qh_read_msg(fd, buf, nbytes, &offset);
}

ssize_t qh_pwrite(int fd, const void *buf, size_t nbytes, off_t offset)
{
    if (!qh_is_emulated(fd))
        return pwrite(fd, buf, nbytes, offset);
    if (offset < 0) {                         /* POSIX: negative offset */
        errno = EINVAL;
        return -1;
    }
    return qh_write_msg(fd, buf, nbytes, &offset);
}

off_t qh_lseek(int fd, off_t offset, int whence)
{
    if (!qh_is_emulated(fd))
        return lseek(fd, offset, whence);
    io_lseek_t msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_LSEEK;
    msg.i.combine_len = sizeof msg.i;
    msg.i.whence = (_Int16t)whence;
    msg.i.offset = (_Uint64t)offset;
    _Uint64t result = 0;
    if (MsgSend(fd, &msg.i, sizeof msg.i, &result, sizeof result) == -1)
        return -1;
    return (off_t)result;
}

int qh_fstat(int fd, struct stat *statp)
{
    if (!qh_is_emulated(fd))
        return fstat(fd, statp);
    io_stat_t msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_STAT;
    msg.i.combine_len = sizeof msg.i;
    return MsgSend(fd, &msg.i, sizeof msg.i, statp, sizeof *statp) == -1 ? -1 : 0;
}

/* ---- devctl ---- */

/* Send header + sv, receive header + rv; map the result like QNX libc. */
static int qh_devctl_send(int fd, int dcmd, size_t nbytes, int sparts, int rparts,
                          const iov_t *sv, const iov_t *rv, int *dev_info_ptr)
{
    enum { QH_DEVCTL_MAX_PARTS = 16 };
    if (sparts < 0 || rparts < 0 || sparts >= QH_DEVCTL_MAX_PARTS || rparts >= QH_DEVCTL_MAX_PARTS)
        return EINVAL;                        /* more parts than the host supports */
    io_devctl_t msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_DEVCTL;
    msg.i.combine_len = sizeof msg.i;
    msg.i.dcmd = dcmd;
    msg.i.nbytes = (_Uint32t)nbytes;
    iov_t siov[QH_DEVCTL_MAX_PARTS], riov[QH_DEVCTL_MAX_PARTS];
    SETIOV(&siov[0], &msg.i, sizeof msg.i);
    SETIOV(&riov[0], &msg.o, sizeof msg.o);
    for (int i = 0; i < sparts; i++)
        siov[i + 1] = sv[i];
    for (int i = 0; i < rparts; i++)
        riov[i + 1] = rv[i];
    int saved = errno;
    long st = MsgSendv(fd, siov, (size_t)sparts + 1, riov, (size_t)rparts + 1);
    int err = errno;
    errno = saved;                            /* devctl() leaves errno alone */
    if (st == -1)
        return err == ENOSYS ? ENOTTY : err;
    if (st != EOK)                            /* a handler set ctp->status: QNX libc hands it */
        return (int)-st;                      /* back negated, which no caller expects */
    if (dev_info_ptr)
        *dev_info_ptr = msg.o.ret_val;
    return EOK;
}

int devctl(int fd, int dcmd, void *dev_data_ptr, size_t n_bytes, int *dev_info_ptr)
{
    iov_t data;
    SETIOV(&data, dev_data_ptr, n_bytes);
    unsigned dir = get_device_direction(dcmd);
    return qh_devctl_send(fd, dcmd, n_bytes, (dir & DEVDIR_TO) ? 1 : 0,
                          (dir & DEVDIR_FROM) ? 1 : 0, &data, &data, dev_info_ptr);
}

int devctlv(int fd, int dcmd, int sparts, int rparts, const iov_t *sv,
            const iov_t *rv, int *dev_info_ptr)
{
    size_t sbytes = sparts > 0 ? qh_iov_total(sv, (size_t)sparts) : 0;
    size_t rbytes = rparts > 0 ? qh_iov_total(rv, (size_t)rparts) : 0;
    return qh_devctl_send(fd, dcmd, sbytes > rbytes ? sbytes : rbytes, sparts, rparts,
                          sv, rv, dev_info_ptr);
}
