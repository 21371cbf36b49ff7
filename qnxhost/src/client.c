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
    pthread_mutex_lock(&qh_lock);
    struct qh_attach *a = path ? qh_attach_lookup(path, &rel) : NULL;
    struct qh_conn *c = a ? qh_conn_new(a->dpp) : NULL;
    unsigned handle = a ? (unsigned)a->id : 0;
    pthread_mutex_unlock(&qh_lock);
    if (!a)                                   /* not ours: the real file system */
        return open(path, oflag, mode);
    if (!c) {
        errno = ENOMEM;
        return -1;
    }

    struct _io_connect hdr;
    memset(&hdr, 0, sizeof hdr);
    hdr.type = _IO_CONNECT;
    hdr.subtype = _IO_CONNECT_OPEN;
    hdr.file_type = _FTYPE_ANY;
    hdr.handle = handle;
    hdr.ioflag = ((unsigned)oflag & ~(unsigned)O_ACCMODE) | (((unsigned)oflag & O_ACCMODE) + 1);
    hdr.mode = mode;
    hdr.path_len = (_Uint16t)(strlen(rel) + 1);
    iov_t siov[2], riov[1];
    io_open_t reply;
    SETIOV(&siov[0], &hdr, offsetof(struct _io_connect, path));
    SETIOV(&siov[1], rel, hdr.path_len);
    SETIOV(&riov[0], &reply, sizeof reply);
    int coid = c->coid;
    if (MsgSendv(coid, siov, 2, riov, 1) == -1) {
        int err = errno;
        pthread_mutex_lock(&qh_lock);
        qh_conn_free(coid);
        pthread_mutex_unlock(&qh_lock);
        errno = err;
        return -1;
    }
    return coid;
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
    int err = errno;
    pthread_mutex_lock(&qh_lock);
    qh_conn_free(fd);
    pthread_mutex_unlock(&qh_lock);
    errno = err;
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
