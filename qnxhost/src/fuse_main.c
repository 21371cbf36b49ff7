/*
 * qnxhost FUSE front-end: runs a driver's server main() on a thread of this
 * process and mounts a FUSE file system that shows every path the server
 * attached (/dev/x appears as MOUNTPOINT/dev/x; the directories above it are
 * made up). Linux programs then reach the QNX handlers: each FUSE request
 * becomes the QNX client call that libc would make on QNX (open, read, write,
 * lseek, fstat, close, devctl), one message per read(2)/write(2) (direct I/O).
 *
 * The driver's main() is linked in under the name qh_driver_main (host.mk
 * compiles it as <dev>_server_main and binds it with --defsym).
 *
 *   DRIVER-fuse [-o FUSE_OPTIONS] MOUNTPOINT [-- SERVER_OPTIONS...]
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include "qh_internal.h"

/* The driver's server main(), bound at link time. */
int qh_driver_main(int argc, char **argv);

/* Linux ioctl direction bits (_IOC_WRITE: caller -> driver, _IOC_READ: driver -> caller). */
#define QF_IOC_WRITE_BIT ((unsigned)_IOC_WRITE << _IOC_DIRSHIFT)
#define QF_IOC_READ_BIT  ((unsigned)_IOC_READ << _IOC_DIRSHIFT)

/* One open(2) of a node: the emulated QNX fd behind it. */
struct qf_handle {
    struct qf_handle *prev, *next;
    int               fd;
    int               flags;     /* the open(2) flags */
    int               stream;    /* lseek said ESPIPE: offsets are ignored */
    pthread_mutex_t   lock;      /* keeps lseek + read/write of one fd together */
};

static struct qf_handle qf_open_list = { &qf_open_list, &qf_open_list, -1, 0, 0,
                                         PTHREAD_MUTEX_INITIALIZER };
static pthread_mutex_t  qf_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec  qf_start_time;

#define QF_H(_fi) ((struct qf_handle *)(uintptr_t)(_fi)->fh)

/* ---- the name space: attached paths and the directories they imply ---- */

enum qf_kind { QF_NONE, QF_DIR, QF_NODE };

static enum qf_kind qf_classify(const char *path)
{
    if (strcmp(path, "/") == 0)
        return QF_DIR;
    size_t n = strlen(path);
    enum qf_kind kind = QF_NONE;
    pthread_mutex_lock(&qh_lock);
    for (struct qh_attach *a = qh_attaches; a; a = a->next) {
        if (strcmp(a->path, path) == 0) {     /* an attached path wins over a directory */
            kind = QF_NODE;
            break;
        }
        if (strncmp(a->path, path, n) == 0 && a->path[n] == '/')
            kind = QF_DIR;
    }
    pthread_mutex_unlock(&qh_lock);
    return kind;
}

/* The path component of p that follows directory dir ("/" or "/a/b"), or NULL. */
static const char *qf_child(const char *p, const char *dir, size_t dirlen, size_t *len)
{
    const char *rest;
    if (dirlen == 1)                          /* the root */
        rest = p + 1;
    else if (strncmp(p, dir, dirlen) == 0 && p[dirlen] == '/')
        rest = p + dirlen + 1;
    else
        return NULL;
    size_t n = strcspn(rest, "/");
    if (n == 0)
        return NULL;
    *len = n;
    return rest;
}

static void qf_dir_stat(struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFDIR | 0755;
    st->st_nlink = 2;
    st->st_uid = geteuid();
    st->st_gid = getegid();
    st->st_atim = st->st_mtim = st->st_ctim = qf_start_time;
}

/* Devices look like regular files: a FUSE character device would be the kernel's. */
static void qf_node_fix(struct stat *st)
{
    st->st_mode = S_IFREG | (st->st_mode & 07777);
    st->st_nlink = 1;
    st->st_ino = 0;
    st->st_dev = 0;
    st->st_rdev = 0;
}

/* Open a node through the runtime; never falls through to the host's file. */
static int qf_qopen(const char *path, int oflag)
{
    int fd = qh_open(path, oflag);
    if (fd != -1 && fd < QH_FD_BASE) {        /* detached meanwhile: a host file, not ours */
        close(fd);
        errno = ENOENT;
        return -1;
    }
    return fd;
}

/* stat() of a node without an fd: open it for reading (else writing), fstat, close. */
static int qf_node_stat(const char *path, struct stat *st)
{
    int fd = qf_qopen(path, O_RDONLY);
    if (fd == -1 && (errno == EACCES || errno == EPERM || errno == EBADF))
        fd = qf_qopen(path, O_WRONLY);
    if (fd == -1) {                           /* the server refuses: show an inaccessible node */
        if (errno == ENOENT)
            return -ENOENT;
        memset(st, 0, sizeof *st);
        st->st_uid = geteuid();
        st->st_gid = getegid();
        st->st_atim = st->st_mtim = st->st_ctim = qf_start_time;
        qf_node_fix(st);
        return 0;
    }
    int rc = qh_fstat(fd, st) == -1 ? -errno : 0;
    qh_close(fd);
    if (rc == 0)
        qf_node_fix(st);
    return rc;
}

/* ---- FUSE operations ---- */

static void *qf_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    cfg->direct_io = 1;                       /* one read(2)/write(2) = one message */
    cfg->kernel_cache = 0;
    cfg->attr_timeout = 0;                    /* sizes change behind the kernel's back */
    cfg->entry_timeout = 0;
    cfg->negative_timeout = 0;
    cfg->use_ino = 0;
    return NULL;
}

static int qf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    if (fi && fi->fh) {                       /* fstat() of an open node */
        if (qh_fstat(QF_H(fi)->fd, st) == -1)
            return -errno;
        qf_node_fix(st);
        return 0;
    }
    switch (qf_classify(path)) {
    case QF_DIR:
        qf_dir_stat(st);
        return 0;
    case QF_NODE:
        return qf_node_stat(path, st);
    default:
        return -ENOENT;
    }
}

static int qf_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)offset;
    (void)fi;
    (void)flags;
    if (qf_classify(path) != QF_DIR)
        return -ENOTDIR;
    size_t dirlen = strlen(path);
    filler(buf, ".", NULL, 0, 0);
    filler(buf, "..", NULL, 0, 0);
    pthread_mutex_lock(&qh_lock);
    for (struct qh_attach *a = qh_attaches; a; a = a->next) {
        size_t len;
        const char *name = qf_child(a->path, path, dirlen, &len);
        if (!name)
            continue;
        int seen = 0;                         /* several paths may share a directory */
        for (struct qh_attach *b = qh_attaches; b != a && !seen; b = b->next) {
            size_t blen;
            const char *bname = qf_child(b->path, path, dirlen, &blen);
            seen = bname && blen == len && memcmp(bname, name, len) == 0;
        }
        char entry[256];
        if (seen || len >= sizeof entry)
            continue;
        memcpy(entry, name, len);
        entry[len] = '\0';
        filler(buf, entry, NULL, 0, 0);
    }
    pthread_mutex_unlock(&qh_lock);
    return 0;
}

static int qf_open(const char *path, struct fuse_file_info *fi)
{
    switch (qf_classify(path)) {
    case QF_NODE:
        break;
    case QF_DIR:
        return -EISDIR;
    default:
        return -ENOENT;
    }
    struct qf_handle *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    int oflag = fi->flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_TRUNC | O_SYNC | O_DSYNC);
    h->fd = qf_qopen(path, oflag);
    if (h->fd == -1) {
        int err = errno;
        free(h);
        return -err;
    }
    h->flags = fi->flags;
    pthread_mutex_init(&h->lock, NULL);
    pthread_mutex_lock(&qf_list_lock);
    h->next = qf_open_list.next;
    h->prev = &qf_open_list;
    h->next->prev = h;
    qf_open_list.next = h;
    pthread_mutex_unlock(&qf_list_lock);
    fi->fh = (uint64_t)(uintptr_t)h;
    fi->direct_io = 1;
    fi->keep_cache = 0;
    return 0;
}

static void qf_handle_free(struct qf_handle *h)
{
    pthread_mutex_destroy(&h->lock);
    free(h);
}

static int qf_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    struct qf_handle *h = QF_H(fi);
    pthread_mutex_lock(&qf_list_lock);
    h->prev->next = h->next;
    h->next->prev = h->prev;
    pthread_mutex_unlock(&qf_list_lock);
    qh_close(h->fd);
    qf_handle_free(h);
    return 0;
}

/* Move the server's offset to off (lock held); a stream ignores offsets. */
static int qf_seek(struct qf_handle *h, off_t off)
{
    if (h->stream)
        return 0;
    if (qh_lseek(h->fd, off, SEEK_SET) != -1)
        return 0;
    if (errno == ESPIPE || errno == ENOSYS) { /* not seekable: plain reads and writes */
        h->stream = 1;
        return 0;
    }
    return -1;
}

static int qf_read(const char *path, char *buf, size_t size, off_t off,
                   struct fuse_file_info *fi)
{
    (void)path;
    struct qf_handle *h = QF_H(fi);
    pthread_mutex_lock(&h->lock);
    ssize_t n = qf_seek(h, off) == -1 ? -1 : qh_read(h->fd, buf, size);
    int err = errno;
    pthread_mutex_unlock(&h->lock);
    return n == -1 ? -err : (int)n;
}

static int qf_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    (void)path;
    struct qf_handle *h = QF_H(fi);
    pthread_mutex_lock(&h->lock);
    ssize_t n;
    if (!(h->flags & O_APPEND) && qf_seek(h, off) == -1)
        n = -1;
    else                                      /* O_APPEND: the server picks the end */
        n = qh_write(h->fd, buf, size);
    int err = errno;
    pthread_mutex_unlock(&h->lock);
    return n == -1 ? -err : (int)n;
}

/*
 * truncate()/ftruncate(): the client side has no _IO_SPACE, so only what open()
 * can express works: to the current size (nothing to do) or to 0 (open with O_TRUNC;
 * the server decides what that means).
 */
static int qf_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    struct stat st;
    int rc = fi && fi->fh ? (qh_fstat(QF_H(fi)->fd, &st) == -1 ? -errno : 0)
                          : (qf_classify(path) == QF_NODE ? qf_node_stat(path, &st) : -ENOENT);
    if (rc != 0)
        return rc;
    if (st.st_size == size)
        return 0;
    if (size != 0)
        return -EOPNOTSUPP;
    int fd = qf_qopen(path, O_WRONLY | O_TRUNC);
    if (fd == -1)
        return -errno;
    qh_close(fd);
    return 0;
}

/* ioctl(): Linux and QNX encode commands alike except the two direction bits. */
static int qf_ioctl(const char *path, int cmd, void *arg, struct fuse_file_info *fi,
                    unsigned int flags, void *data)
{
    (void)path;
    (void)arg;
    if ((flags & FUSE_IOCTL_DIR) || !fi || !fi->fh)
        return -ENOTTY;
    unsigned lcmd = (unsigned)cmd;
    unsigned dcmd = (lcmd & ~(DEVDIR_TO | DEVDIR_FROM)) |
                    ((lcmd & QF_IOC_WRITE_BIT) ? DEVDIR_TO : 0) |
                    ((lcmd & QF_IOC_READ_BIT) ? DEVDIR_FROM : 0);
    size_t size = get_device_size(dcmd);      /* the kernel sized data from the same field */
    int info = 0;
    int err = devctl(QF_H(fi)->fd, (int)dcmd, size ? data : NULL, size, &info);
    return err == EOK ? 0 : -err;
}

static const struct fuse_operations qf_ops = {
    .init     = qf_init,
    .getattr  = qf_getattr,
    .readdir  = qf_readdir,
    .open     = qf_open,
    .release  = qf_release,
    .read     = qf_read,
    .write    = qf_write,
    .truncate = qf_truncate,
    .ioctl    = qf_ioctl,
};

/* After the loop: close what the kernel never released (e.g. stopped by a signal). */
static void qf_close_all(void)
{
    pthread_mutex_lock(&qf_list_lock);
    while (qf_open_list.next != &qf_open_list) {
        struct qf_handle *h = qf_open_list.next;
        qf_open_list.next = h->next;
        h->next->prev = &qf_open_list;
        qh_close(h->fd);
        qf_handle_free(h);
    }
    pthread_mutex_unlock(&qf_list_lock);
}

/* ---- main ---- */

static void qf_usage(FILE *out, const char *prog)
{
    fprintf(out,
            "usage: %s [-o FUSE_OPTIONS] MOUNTPOINT [-- SERVER_OPTIONS...]\n"
            "Runs the driver in this process and mounts every path it attaches below\n"
            "MOUNTPOINT (/dev/x appears as MOUNTPOINT/dev/x) until the file system is\n"
            "unmounted (fusermount3 -u MOUNTPOINT) or SIGINT/SIGTERM arrives.\n"
            "FUSE_OPTIONS go to libfuse (e.g. allow_other); SERVER_OPTIONS to the driver.\n",
            prog);
}

int main(int argc, char **argv)
{
    const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    const char *mnt = NULL, *fuse_opts = NULL;
    int i = 1;

    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            qf_usage(stdout, prog);
            return 0;
        }
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            fuse_opts = argv[++i];
        } else if (argv[i][0] == '-' || mnt) {
            fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[i]);
            qf_usage(stderr, prog);
            return 1;
        } else {
            mnt = argv[i];
        }
    }
    if (!mnt) {
        qf_usage(stderr, prog);
        return 1;
    }
    struct stat st;
    if (stat(mnt, &st) == -1 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: mount point %s: %s\n", prog, mnt,
                stat(mnt, &st) == -1 ? strerror(errno) : "not a directory");
        return 1;
    }
    if (stat("/dev/fuse", &st) == -1) {
        fprintf(stderr, "%s: /dev/fuse: %s (FUSE needs the fuse kernel module and its device)\n",
                prog, strerror(errno));
        return 1;
    }
    clock_gettime(CLOCK_REALTIME, &qf_start_time);

    /* The server gets argv[0] and everything after "--". */
    int sargc = 1 + (argc - i);
    char **sargv = calloc((size_t)sargc + 1, sizeof *sargv);
    if (!sargv) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    sargv[0] = argv[0];
    for (int k = 1; k < sargc; k++)
        sargv[k] = argv[i + k - 1];

    /* Server threads never take the stop signals: they must reach the FUSE loop. */
    sigset_t stop_sigs, old_sigs;
    sigemptyset(&stop_sigs);
    sigaddset(&stop_sigs, SIGINT);
    sigaddset(&stop_sigs, SIGTERM);
    sigaddset(&stop_sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_sigs, &old_sigs);
    qh_signals_owned_by_front_end();          /* the driver's SignalWaitinfo() leaves them to us */
    int rc = qh_server_start(qh_driver_main, sargc, sargv);
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);
    if (rc == -1) {
        fprintf(stderr, "%s: the driver did not start serving: %s\n", prog,
                err == ECHILD ? "its main() returned" : strerror(err));
        qh_server_stop();
        free(sargv);
        return 1;
    }

    int status = 1;
    char opts[256];
    snprintf(opts, sizeof opts, "default_permissions,fsname=qnxhost,subtype=%s", prog);
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    if (fuse_opt_add_arg(&args, argv[0]) == -1 || fuse_opt_add_arg(&args, "-o") == -1 ||
        fuse_opt_add_arg(&args, opts) == -1 ||
        (fuse_opts && (fuse_opt_add_arg(&args, "-o") == -1 ||
                       fuse_opt_add_arg(&args, fuse_opts) == -1))) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out_args;
    }
    struct fuse *f = fuse_new(&args, &qf_ops, sizeof qf_ops, NULL);
    if (!f) {
        fprintf(stderr, "%s: cannot set up FUSE (bad -o option?)\n", prog);
        goto out_args;
    }
    if (fuse_mount(f, mnt) != 0) {
        fprintf(stderr, "%s: cannot mount at %s (needs /dev/fuse and the right to mount: "
                "root, or fusermount3 installed setuid)\n", prog, mnt);
        goto out_fuse;
    }
    struct fuse_session *se = fuse_get_session(f);
    if (fuse_set_signal_handlers(se) != 0) {
        fprintf(stderr, "%s: cannot install signal handlers\n", prog);
        goto out_mount;
    }
    rc = fuse_loop_mt(f, 0);                  /* until unmounted or signalled */
    fuse_remove_signal_handlers(se);
    if (rc < 0)
        fprintf(stderr, "%s: FUSE loop failed: %s\n", prog, strerror(-rc));
    else
        status = 0;
out_mount:
    fuse_unmount(f);
out_fuse:
    fuse_destroy(f);
out_args:
    fuse_opt_free_args(&args);
    qf_close_all();
    qh_server_stop();
    free(sargv);
    unsigned perrs = qh_protocol_errors();
    if (perrs) {
        fprintf(stderr, "%s: %u protocol error(s) in the driver (see above)\n", prog, perrs);
        status = 1;
    }
    return status;
}
