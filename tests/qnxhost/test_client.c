/*
 * Host test client for the sample resource manager: starts it with
 * qh_server_start(), drives it through the emulated QNX client calls
 * (redirect.h is force-included) and prints "N passed, N failed".
 * Modes: basic, pool, protocol, restart, unblock, combine.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/iofunc.h>
#include <sys/dcmd_all.h>
#include <sys/mman.h>
#include <sys/procmgr.h>
#include <sys/wait.h>
#include <qnxhost/host.h>
#include "sample.h"

#define POOL_CLIENTS 8
#define POOL_CALLS   200
#define RESTARTS     20
#define RACES        200

static int passed, failed;

#define CHECK(_cond) check((_cond), #_cond, __LINE__)

static void check(int ok, const char *what, int line)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "FAIL line %d: %s\n", line, what);
}

static int start(const char *mode)
{
    static char name[] = "sample";
    static char arg[16];
    static char *argv[3] = { name, arg, NULL };
    snprintf(arg, sizeof arg, "%s", mode);
    return qh_server_start(sample_server_main, 2, argv);
}

static void test_io(void)
{
    char buf[64];
    int fd = open(SAMPLE_PATH, O_RDWR);
    CHECK(fd >= QH_FD_BASE);
    CHECK(read(fd, buf, sizeof buf) == 0);                  /* empty: EOF */
    CHECK(write(fd, "hello world", 11) == 11);
    CHECK(lseek(fd, 0, SEEK_CUR) == 11);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    memset(buf, 0, sizeof buf);
    CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
    CHECK(read(fd, buf, sizeof buf) == 6 && memcmp(buf, " world", 6) == 0);
    CHECK(read(fd, buf, sizeof buf) == 0);                  /* EOF again */
    CHECK(pwrite(fd, "W", 1, 6) == 1);
    CHECK(pread(fd, buf, 5, 6) == 5 && memcmp(buf, "World", 5) == 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 11);                    /* pread/pwrite keep offset */
    CHECK(lseek(fd, -1, SEEK_END) == 10);
    errno = 0;
    CHECK(lseek(fd, -100, SEEK_CUR) == -1 && errno == EINVAL);
    errno = 0;
    CHECK(lseek(fd, 0, 42) == -1 && errno == EINVAL);
    errno = 0;
    CHECK(pread(fd, buf, 1, -1) == -1 && errno == EINVAL);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 11 && S_ISCHR(st.st_mode));
    CHECK(close(fd) == 0);
    errno = 0;
    CHECK(read(fd, buf, 1) == -1 && errno == EBADF);        /* closed */

    fd = open(SAMPLE_PATH, O_RDONLY);
    errno = 0;
    CHECK(write(fd, "x", 1) == -1 && errno == EBADF);       /* wrong open mode */
    CHECK(close(fd) == 0);
    fd = open(SAMPLE_PATH, O_WRONLY);
    errno = 0;
    CHECK(read(fd, buf, 1) == -1 && errno == EBADF);        /* wrong open mode */
    CHECK(close(fd) == 0);

    errno = 0;
    CHECK(open("/dev/qhsample/sub", O_RDONLY) == -1 && errno == ENOENT);
    fd = open("/dev/null", O_RDONLY);                        /* falls through to libc */
    CHECK(fd >= 0 && fd < QH_FD_BASE && read(fd, buf, 1) == 0 && close(fd) == 0);
}

static void test_devctl(void)
{
    struct sample_val v = { 41 };
    int info = -1;
    int fd = open(SAMPLE_PATH, O_RDWR);
    CHECK(devctl(fd, SAMPLE_SET, &v, sizeof v, &info) == EOK && info == SAMPLE_INFO);
    v.value = 0;
    CHECK(devctl(fd, SAMPLE_GET, &v, sizeof v, &info) == EOK && v.value == 41);
    v.value = 9;
    CHECK(devctl(fd, SAMPLE_XCHG, &v, sizeof v, NULL) == EOK && v.value == 10);
    CHECK(devctl(fd, SAMPLE_RESET, NULL, 0, &info) == EOK && info == SAMPLE_INFO);
    errno = 1234;
    CHECK(devctl(fd, SAMPLE_DEFAULT, NULL, 0, NULL) == ENOTTY);
    CHECK(devctl(fd, __DION(_DCMD_MISC, 0x7f), NULL, 0, NULL) == ENOTTY);
    CHECK(devctl(fd, SAMPLE_ERRNO, NULL, 0, NULL) == EIO);
    CHECK(errno == 1234);                                    /* devctl leaves errno alone */
    CHECK(devctl(fd, SAMPLE_DEFERRED, &v, sizeof v, &info) == EOK && v.value == 4242);
    v.value = 0;
    CHECK(devctl(fd, SAMPLE_TWO_PARTS, &v, sizeof v, &info) == EOK && info == SAMPLE_INFO);
    int flags = 0;
    CHECK(devctl(fd, DCMD_ALL_GETFLAGS, &flags, sizeof flags, NULL) == EOK &&
          (flags & O_ACCMODE) == O_RDWR);
    flags = O_NONBLOCK;
    CHECK(devctl(fd, DCMD_ALL_SETFLAGS, &flags, sizeof flags, NULL) == EOK);
    CHECK(devctl(fd, DCMD_ALL_GETFLAGS, &flags, sizeof flags, NULL) == EOK &&
          (flags & O_NONBLOCK));
    struct sample_val in = { 1 }, out = { 0 };
    iov_t sv, rv;
    SETIOV(&sv, &in, sizeof in);
    SETIOV(&rv, &out, sizeof out);
    CHECK(devctlv(fd, SAMPLE_XCHG, 1, 1, &sv, &rv, &info) == EOK && out.value == 2);
    CHECK(close(fd) == 0);

    fd = open(SAMPLE_PATH, O_RDONLY);
    CHECK(devctl(fd, SAMPLE_SET, &v, sizeof v, NULL) == EPERM);  /* per-command check */
    CHECK(close(fd) == 0);
    CHECK(devctl(12345, SAMPLE_GET, &v, sizeof v, NULL) == EBADF);
}

static void test_raw(void)
{
    char reply[64];
    int fd = open(SAMPLE_PATH, O_RDWR);
    errno = 0;
    CHECK(MsgSend(fd, "x", 1, reply, sizeof reply) == -1 && errno == EBADMSG);
    uint16_t devctl_type = _IO_DEVCTL;
    errno = 0;
    CHECK(MsgSend(fd, &devctl_type, sizeof devctl_type, reply, sizeof reply) == -1 &&
          errno == EBADMSG);                                 /* header cut short */
    uint16_t unknown[8] = { _IO_MAX, 0 };
    errno = 0;
    CHECK(MsgSend(fd, unknown, sizeof unknown, reply, sizeof reply) == -1 && errno == ENOSYS);
    uint16_t low[8] = { 0x10, 0 };
    errno = 0;
    CHECK(MsgSend(fd, low, sizeof low, reply, sizeof reply) == -1 && errno == ENOSYS);
    io_write_t w;
    memset(&w, 0, sizeof w);
    w.i.type = _IO_WRITE;
    w.i.nbytes = 1000;                                       /* claims more than sent */
    errno = 0;
    CHECK(MsgSend(fd, &w.i, sizeof w.i, NULL, 0) == -1 && errno == EBADMSG);
    io_read_t r;
    memset(&r, 0, sizeof r);
    r.i.type = _IO_READ;
    r.i.nbytes = 4;
    r.i.xtype = _IO_XTYPE_OFFSET;                            /* offset header missing */
    errno = 0;
    CHECK(MsgSend(fd, &r.i, sizeof r.i, reply, sizeof reply) == -1 && errno == EBADMSG);
    struct _io_connect c;
    memset(&c, 0, sizeof c);
    c.type = _IO_CONNECT;
    c.subtype = _IO_CONNECT_OPEN;
    c.path_len = 200;                                        /* path runs past the message */
    errno = 0;
    CHECK(MsgSend(fd, &c, sizeof c, reply, sizeof reply) == -1 && errno == EBADMSG);
    struct { struct _io_connect c; char path[4]; } again;   /* well-formed, on a bound fd */
    memset(&again, 0, sizeof again);
    again.c.type = _IO_CONNECT;
    again.c.subtype = _IO_CONNECT_OPEN;
    again.c.ioflag = O_RDWR + 1;
    again.c.path_len = 1;                                    /* "" : the attached path itself */
    long st = -1;
    int err = ENOENT;
    for (unsigned h = 0; h < 16 && st == -1 && err == ENOENT; h++) {   /* find the attach */
        again.c.handle = h;
        errno = 0;
        st = MsgSend(fd, &again, offsetof(struct _io_connect, path) + 1, reply, sizeof reply);
        err = errno;
    }
    CHECK(st == -1 && err == EBUSY);       /* not bound over the open OCB (it would leak) */
    CHECK(write(fd, "q", 1) == 1);         /* the fd keeps its OCB */
    io_devctl_t d;
    memset(&d, 0, sizeof d);
    d.i.type = _IO_DEVCTL;
    d.i.dcmd = SAMPLE_SET;
    d.i.nbytes = 4096;                                       /* payload never sent */
    errno = 0;
    CHECK(MsgSend(fd, &d.i, sizeof d.i, reply, sizeof reply) == -1 && errno == EBADMSG);
    CHECK(close(fd) == 0);
    CHECK(qh_protocol_errors() == 0);
}

/* ---- client timeouts (TimerTimeout) and unblock pulses ---- */

static void set_hold(int fd, int mode, int delay_us, int order)
{
    struct sample_hold h = { mode, delay_us, order };
    CHECK(devctl(fd, SAMPLE_HOLD, &h, sizeof h, NULL) == EOK);
}

static struct sample_stats get_stats(int fd)
{
    struct sample_stats st;
    memset(&st, 0, sizeof st);
    CHECK(devctl(fd, SAMPLE_STATS, &st, sizeof st, NULL) == EOK);
    return st;
}

/* Arm a timeout of ms milliseconds for this thread's next call. REPLY only, unless a test
   is about SEND-blocking: a loaded machine may leave a message queued for a while. */
static int timeout_ms(unsigned ms, int flags)
{
    uint64_t ns = (uint64_t)ms * 1000000u;
    return TimerTimeout(CLOCK_MONOTONIC, flags, NULL, &ns, NULL);
}

static long ms_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_timer_timeout_args(void)
{
    uint64_t ns = 1000000, left = 1;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    errno = 0;
    CHECK(TimerTimeout(CLOCK_PROCESS_CPUTIME_ID, _NTO_TIMEOUT_REPLY, NULL, &ns, NULL) == -1 &&
          errno == EINVAL);
    errno = 0;
    CHECK(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY, &ev, &ns, NULL) == -1 &&
          errno == ENOTSUP);                                 /* only SIGEV_UNBLOCK/NULL */
    ev.sigev_notify = SIGEV_UNBLOCK;
    CHECK(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY, &ev, &ns, &left) == 0 && left == 0);
    CHECK(TimerTimeout(CLOCK_MONOTONIC, 0, NULL, NULL, NULL) == _NTO_TIMEOUT_REPLY);  /* disarm */
}

/* The unblock handler finds the held read (MsgInfo shows _NTO_MI_UNBLOCK_REQ): EINTR.
   Held with no helper: only the unblock can end it (the upper bound is the safety net's). */
static void test_unblock_eintr(int fd)
{
    char buf[8];
    struct timespec t0;
    set_hold(fd, SAMPLE_HOLD_EINTR, 0, SAMPLE_ORDER_NONE);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(timeout_ms(100, _NTO_TIMEOUT_REPLY) == 0);
    errno = 0;
    CHECK(read(fd, buf, sizeof buf) == -1 && errno == EINTR);
    long ms = ms_since(&t0);
    CHECK(ms >= 99 && ms < QH_SEND_TIMEOUT_MS_DEFAULT);
    struct sample_stats st = get_stats(fd);
    CHECK(st.unblocks == 1 && st.unblock_req == 1 && st.held == 0);
}

/* The default handler ignores it: the client keeps waiting and gets the late reply, sent
   (forced order) only after the unblock handler ran, plus 50 ms. */
static void test_unblock_ignored(int fd)
{
    char buf[8];
    struct timespec t0;
    set_hold(fd, SAMPLE_HOLD_IGNORE, 50000, SAMPLE_ORDER_UNBLOCK_FIRST);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(timeout_ms(30, _NTO_TIMEOUT_REPLY) == 0);
    CHECK(read(fd, buf, sizeof buf) == 4 && memcmp(buf, SAMPLE_LATE, 4) == 0);
    CHECK(ms_since(&t0) >= 79);
    struct sample_stats st = get_stats(fd);
    CHECK(st.unblocks == 2 && st.unblock_req == 2 && st.held == 0);
    CHECK(sample_counts().late_saw_req == 1);   /* _NTO_MI_UNBLOCK_REQ stays until the reply */
}

/* The timeout belongs to the next call only: a call consumes it (REPLY only: however slow
   the devctl is, it is answered at once and its pulse finds nothing held). */
static void test_timeout_consumed(int fd)
{
    char buf[8];
    struct sample_val v;
    set_hold(fd, SAMPLE_HOLD_EINTR, 150000, SAMPLE_ORDER_NONE);
    CHECK(timeout_ms(20, _NTO_TIMEOUT_REPLY) == 0);
    CHECK(devctl(fd, SAMPLE_GET, &v, sizeof v, NULL) == EOK);
    CHECK(read(fd, buf, sizeof buf) == 4);                  /* not timed: the late reply */
    CHECK(get_stats(fd).unblocks == 2);
}

static void *busy_client(void *arg)
{
    int *rc = arg;
    int fd = open(SAMPLE_PATH, O_RDWR);
    *rc = devctl(fd, SAMPLE_BUSY, NULL, 0, NULL);
    close(fd);
    return NULL;
}

/* The (single-threaded) server is busy until released: the read is still queued when it
   times out, so it fails with ETIMEDOUT and the server never sees it (no pulse). */
static void test_send_timeout(int fd)
{
    char buf[8];
    pthread_t t;
    int rc = -1;
    set_hold(fd, SAMPLE_HOLD_OFF, 0, SAMPLE_ORDER_NONE);
    CHECK(pthread_create(&t, NULL, busy_client, &rc) == 0);
    sample_busy_wait();                                      /* server now in SAMPLE_BUSY */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(timeout_ms(100, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY) == 0);
    errno = 0;
    CHECK(read(fd, buf, sizeof buf) == -1 && errno == ETIMEDOUT);
    CHECK(ms_since(&t0) >= 99);
    sample_busy_release();
    pthread_join(t, NULL);
    CHECK(rc == EOK);
    CHECK(get_stats(fd).unblocks == 2);                      /* never received: no pulse */
}

struct held_reader { int fd; ssize_t n; };

static void *held_reader(void *arg)
{
    struct held_reader *r = arg;
    char buf[8];
    r->n = read(r->fd, buf, sizeof buf);
    return NULL;
}

/* qh_held_count(): a message counts once its handler has returned without a reply, not
   while it is still being handled (a test waiting for "held" must not go on too early). */
static void test_held_count(int fd)
{
    pthread_t t;
    int rc = -1, info = -1;
    set_hold(fd, SAMPLE_HOLD_OFF, 0, SAMPLE_ORDER_NONE);
    CHECK(pthread_create(&t, NULL, busy_client, &rc) == 0);
    sample_busy_wait();                                      /* received, in its handler */
    CHECK(qh_held_count() == 0);
    sample_busy_release();
    pthread_join(t, NULL);
    CHECK(rc == EOK && qh_held_count() == 0);                /* replied */
    set_hold(fd, SAMPLE_HOLD_EINTR, 0, SAMPLE_ORDER_NONE);
    struct held_reader r = { fd, 0 };
    CHECK(pthread_create(&t, NULL, held_reader, &r) == 0);
    sample_wait_held(1);                                     /* in the server's list ... */
    for (int i = 0; i < 10000 && qh_held_count() == 0; i++)  /* ... and its handler done */
        usleep(1000);
    CHECK(qh_held_count() == 1);
    CHECK(devctl(fd, SAMPLE_RELEASE, NULL, 0, &info) == EOK && info == 0);
    pthread_join(t, NULL);
    CHECK(r.n == 0 && qh_held_count() == 0);
    set_hold(fd, SAMPLE_HOLD_OFF, 0, SAMPLE_ORDER_NONE);
}

/* Late reply against the unblock handler, both orders forced by the test hook: the handler
   first gives exactly EINTR, the late reply first exactly the data, every time. */
static void test_unblock_orders(int fd)
{
    char buf[8];
    int eintr = 0, data = 0;
    for (int i = 0; i < RACES; i++) {
        int unblock_first = i % 2 == 0;
        set_hold(fd, SAMPLE_HOLD_EINTR, 0,
                 unblock_first ? SAMPLE_ORDER_UNBLOCK_FIRST : SAMPLE_ORDER_REPLY_FIRST);
        CHECK(timeout_ms(2, _NTO_TIMEOUT_REPLY) == 0);
        errno = 0;
        memset(buf, 0, sizeof buf);
        ssize_t n = read(fd, buf, sizeof buf);
        if (unblock_first)
            eintr += n == -1 && errno == EINTR;
        else
            data += n == 4 && memcmp(buf, SAMPLE_LATE, 4) == 0;
    }
    CHECK(eintr == RACES / 2 && data == RACES / 2);
    set_hold(fd, SAMPLE_HOLD_OFF, 0, SAMPLE_ORDER_NONE);
    sample_helpers_drain();
    struct sample_stats st = get_stats(fd);
    CHECK(st.held == 0 && st.order_timeouts == 0);
    CHECK(st.unblocks == 2 + RACES && st.unblock_req == 2 + RACES / 2);  /* replied: no REQ */
    printf("orders: %d EINTR (unblock first), %d late replies (reply first)\n", eintr, data);
}

static void test_unblock(void)
{
    int fd = open(SAMPLE_PATH, O_RDWR);
    test_timer_timeout_args();
    test_unblock_eintr(fd);
    test_unblock_ignored(fd);
    test_timeout_consumed(fd);
    test_send_timeout(fd);
    test_held_count(fd);
    test_unblock_orders(fd);
    CHECK(close(fd) == 0);
    CHECK(qh_protocol_errors() == 0);
}

static void test_protocol(void)
{
    int fd = open(SAMPLE_PATH, O_RDWR);
    unsigned before = qh_protocol_errors();
    CHECK(devctl(fd, BAD_DOUBLE_REPLY, NULL, 0, NULL) == EOK);
    CHECK(devctl(fd, SAMPLE_RESET, NULL, 0, NULL) == EOK);  /* server is past its 2nd reply */
    CHECK(qh_protocol_errors() == before + 1);
    CHECK(devctl(fd, BAD_NPARTS, NULL, 0, NULL) == EFAULT);
    CHECK(qh_protocol_errors() == before + 2);
    qh_send_timeout_set(200);
    CHECK(devctl(fd, BAD_NO_REPLY, NULL, 0, NULL) == ETIMEDOUT);
    qh_send_timeout_set(0);
    CHECK(qh_protocol_errors() == before + 3);
    CHECK(MsgReply(999999, 0, NULL, 0) == -1 && errno == ESRCH);
    CHECK(qh_protocol_errors() == before + 4);
    set_hold(fd, SAMPLE_HOLD_IGNORE, 0, SAMPLE_ORDER_NONE);  /* held, unblock ignored */
    qh_send_timeout_set(1000);
    char buf[4];
    CHECK(timeout_ms(20, _NTO_TIMEOUT_REPLY) == 0);
    errno = 0;
    CHECK(read(fd, buf, sizeof buf) == -1 && errno == ETIMEDOUT);   /* the safety net */
    qh_send_timeout_set(0);
    CHECK(qh_protocol_errors() == before + 5);
    CHECK(get_stats(fd).unblocks == 1);
    set_hold(fd, SAMPLE_HOLD_OFF, 0, SAMPLE_ORDER_NONE);
    /* A non-final devctl that builds its reply anyway writes over the next part: always the
       same answer (a protocol error, EFAULT), whatever the reply bytes happen to be. */
    struct { struct _io_devctl i; uint8_t pad[8]; } mid;
    struct _io_devctl last;
    memset(&mid, 0, sizeof mid);
    memset(&last, 0, sizeof last);
    mid.i.type = last.type = _IO_DEVCTL;
    mid.i.dcmd = BAD_MID_REPLY;
    last.dcmd = SAMPLE_RESET;
    last.combine_len = sizeof last;
    iov_t parts[2];
    SETIOV(&parts[0], &mid.i, sizeof mid.i);
    SETIOV(&parts[1], &last, sizeof last);
    errno = 0;
    CHECK(qh_send_combine(fd, parts, 2, NULL, 0) == -1 && errno == EFAULT);
    CHECK(qh_protocol_errors() == before + 6);
    CHECK(close(fd) == 0);
}

/* ---- combine messages, connect combines, dup, client death ---- */

static struct _io_lseek lseek_msg(int64_t offset, int whence)
{
    struct _io_lseek m;
    memset(&m, 0, sizeof m);
    m.type = _IO_LSEEK;
    m.combine_len = sizeof m;
    m.whence = (int16_t)whence;
    m.offset = (uint64_t)offset;
    return m;
}

static struct _io_devctl devctl_msg(int dcmd, size_t nbytes)
{
    struct _io_devctl m;
    memset(&m, 0, sizeof m);
    m.type = _IO_DEVCTL;
    m.combine_len = sizeof m;
    m.dcmd = dcmd;
    m.nbytes = (uint32_t)nbytes;
    return m;
}

/* One combine: an lseek padded to lead bytes, then a devctl header (and pad bytes more). */
static long send_at(int fd, size_t lead, int dcmd, size_t pad, void *reply, size_t len)
{
    static uint8_t msg[SAMPLE_MSG_MAX + 64];
    struct _io_lseek sk = lseek_msg(0, SEEK_CUR);
    struct _io_devctl d = devctl_msg(dcmd, sizeof(int));
    memset(msg, 0, sizeof msg);
    sk.combine_len = (uint16_t)(lead | _IO_COMBINE_FLAG);
    memcpy(msg, &sk, sizeof sk);
    memcpy(msg + lead, &d, sizeof d);
    return MsgSend(fd, msg, lead + sizeof d + pad, reply, len);
}

/* Parts at the end of the receive buffer (SAMPLE_MSG_MAX bytes): one whose header is cut off
   there is refused before any handler sees it; one that ends exactly there is answered. */
static void test_combine_buffer_end(int fd)
{
    struct { struct _io_devctl_reply o; int flags; } r;
    memset(&r, 0, sizeof r);
    int calls = sample_counts().where_calls;
    errno = 0;
    CHECK(send_at(fd, SAMPLE_MSG_MAX - 8, SAMPLE_WHERE, 32, &r, sizeof r) == -1 && errno == EBADMSG);
    CHECK(sample_counts().where_calls == calls);             /* its handler never ran */
    errno = 0;
    CHECK(send_at(fd, SAMPLE_MSG_MAX - 8, DCMD_ALL_GETFLAGS, 32, &r, sizeof r) == -1 &&
          errno == EBADMSG);
    CHECK(send_at(fd, SAMPLE_MSG_MAX - sizeof(struct _io_devctl), DCMD_ALL_GETFLAGS, 0,
                  &r, sizeof r) == 0 && (r.flags & O_ACCMODE) == O_RDWR && r.o.nbytes == sizeof r.flags);
}

/* The io loop: offsets, sizes and rcvid 0 per part, stop at the first error, last reply. */
/* Defaults whose reply is larger than their request (stat: 8 bytes in, a struct stat out;
   fdinfo) in a combine: a short non-final part does not reach the next part (no protocol
   error, the next part runs as sent), and a last part at the very end of the receive buffer
   is still answered in full. */
static void test_default_replies_in_combine(void)
{
    int fd = open(SAMPLE_PATH, O_RDWR);
    unsigned before = qh_protocol_errors();
    size_t max = sizeof(resmgr_iomsgs_t) > SAMPLE_MSG_MAX ? sizeof(resmgr_iomsgs_t) : SAMPLE_MSG_MAX;
    io_stat_t st;
    io_fdinfo_t fi;
    io_devctl_t last;
    struct { io_devctl_t h; int flags; } gf;
    iov_t parts[2];
    memset(&st, 0, sizeof st);
    st.i.type = _IO_STAT;
    st.i.combine_len = sizeof st.i;
    memset(&fi, 0, sizeof fi);
    fi.i.type = _IO_FDINFO;
    fi.i.combine_len = sizeof fi.i;
    memset(&last, 0, sizeof last);
    last.i.type = _IO_DEVCTL;
    last.i.combine_len = sizeof last.i;
    last.i.dcmd = (int)DCMD_ALL_GETFLAGS;
    last.i.nbytes = sizeof(int);
    SETIOV(&parts[1], &last.i, sizeof last.i);
    SETIOV(&parts[0], &st.i, sizeof st.i);
    CHECK(qh_send_combine(fd, parts, 2, &gf, sizeof gf) == 0 && (gf.flags & O_ACCMODE) == O_RDWR);
    SETIOV(&parts[0], &fi.i, sizeof fi.i);
    CHECK(qh_send_combine(fd, parts, 2, &gf, sizeof gf) == 0 && (gf.flags & O_ACCMODE) == O_RDWR);
    CHECK(qh_protocol_errors() == before);   /* neither reply covered the devctl */
    static unsigned char pad[4096];          /* an lseek padded to leave 8 bytes: the stat header */
    struct _io_lseek sk = lseek_msg(0, SEEK_CUR);
    size_t at = (max - sizeof st.i) & ~(size_t)7u;
    struct stat got;
    memset(pad, 0, sizeof pad);
    memcpy(pad, &sk, sizeof sk);
    SETIOV(&parts[0], pad, at);
    SETIOV(&parts[1], &st.i, sizeof st.i);
    memset(&got, 0, sizeof got);
    CHECK(at <= sizeof pad && qh_send_combine(fd, parts, 2, &got, sizeof got) == 0 && S_ISCHR(got.st_mode));
    close(fd);
}

static void test_combine(void)
{
    int fd = open(SAMPLE_PATH, O_RDWR);
    CHECK(write(fd, "hello world", 11) == 11);
    struct _io_lseek sk = lseek_msg(6, SEEK_SET);
    struct _io_read rd;
    memset(&rd, 0, sizeof rd);
    rd.type = _IO_READ;
    rd.combine_len = sizeof rd;
    rd.nbytes = 5;
    iov_t parts[3];
    char buf[16] = "";
    SETIOV(&parts[0], &sk, sizeof sk);
    SETIOV(&parts[1], &rd, sizeof rd);
    CHECK(qh_send_combine(fd, parts, 2, buf, sizeof buf) == 5 && memcmp(buf, "world", 5) == 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 11);                     /* the read moved on from 6 */
    struct _io_lseek bad = lseek_msg(0, 42);                 /* EINVAL: the read never runs */
    SETIOV(&parts[0], &bad, sizeof bad);
    errno = 0;
    CHECK(qh_send_combine(fd, parts, 2, buf, sizeof buf) == -1 && errno == EINVAL);
    CHECK(lseek(fd, 0, SEEK_CUR) == 11);

    struct _io_devctl where = devctl_msg(SAMPLE_WHERE, sizeof(struct sample_where2));
    struct { struct _io_devctl_reply o; struct sample_where2 w; } wr;
    memset(&wr, 0, sizeof wr);
    SETIOV(&parts[0], &where, sizeof where);
    SETIOV(&parts[1], &where, sizeof where);
    CHECK(qh_send_combine(fd, parts, 2, &wr, sizeof wr) == 0);
    CHECK(wr.w.prev.offset == 0 && wr.w.prev.size == (int)sizeof where && wr.w.prev.rcvid_zero);
    CHECK(wr.w.cur.offset == (int)sizeof where && wr.w.cur.size == (int)sizeof where &&
          !wr.w.cur.rcvid_zero && wr.w.cur.calls == wr.w.prev.calls + 1);
#if _NTO_VERSION >= 700
    CHECK(wr.w.cur.srcmsglen == 2 * (int)sizeof where);     /* what the client sent */
#else
    CHECK(wr.w.cur.srcmsglen == 0);           /* 6.x: no _NTO_CHF_SENDER_LEN, no srcmsglen */
#endif
    struct _io_devctl eio = devctl_msg(SAMPLE_ERRNO, 0);     /* first part fails: stop there */
    SETIOV(&parts[0], &eio, sizeof eio);
    int calls = wr.w.cur.calls;
    errno = 0;
    CHECK(qh_send_combine(fd, parts, 2, &wr, sizeof wr) == -1 && errno == EIO);
    SETIOV(&parts[0], &where, sizeof where);
    CHECK(qh_send_combine(fd, parts, 1, &wr, sizeof wr) == 0 && wr.w.cur.calls == calls + 1);

    struct { struct _io_devctl i; struct sample_val v; } set;  /* 20 bytes: padded to 24 */
    set.i = devctl_msg(SAMPLE_SET, sizeof set.v);
    set.v.value = 77;
    struct _io_devctl get = devctl_msg(SAMPLE_GET, sizeof(struct sample_val));
    struct { struct _io_devctl_reply o; struct sample_val v; } gr;
    memset(&gr, 0, sizeof gr);
    SETIOV(&parts[0], &set, sizeof set);
    SETIOV(&parts[1], &sk, sizeof sk);
    SETIOV(&parts[2], &get, sizeof get);                     /* data lands at offset 40 */
    CHECK(qh_send_combine(fd, parts, 3, &gr, sizeof gr) == 0 && gr.v.value == 77 &&
          gr.o.ret_val == SAMPLE_INFO);
    uint8_t odd[24];                                          /* combine_len not a multiple of 8 */
    memcpy(odd, &where, sizeof where);
    ((struct _io_devctl *)(void *)odd)->combine_len = 12 | _IO_COMBINE_FLAG;
    errno = 0;
    CHECK(MsgSend(fd, odd, sizeof odd, &wr, sizeof wr) == -1 && errno == EBADMSG);
    test_combine_buffer_end(fd);
    CHECK(close(fd) == 0);
    CHECK(qh_protocol_errors() == 0);
}

/* _IO_CONNECT_COMBINE(_CLOSE): open, the io message, [close]; stat() is one of them. */
static void test_connect_combine(void)
{
    struct sample_counts c0 = sample_counts();
    struct stat st;
    CHECK(qh_stat(SAMPLE_PATH, &st) == 0 && S_ISCHR(st.st_mode) && st.st_size == 11);
    struct sample_counts c1 = sample_counts();
    CHECK(c1.opens == c0.opens + 1 && c1.close_ocbs == c0.close_ocbs + 1 &&
          c1.close_dups == c0.close_dups && c1.open_count == 0);
    struct _io_lseek sk = lseek_msg(6, SEEK_SET);
    uint64_t pos = 0;
    int fd = qh_open_combine(SAMPLE_PATH, O_RDONLY, &sk, sizeof sk, &pos, sizeof pos, 0);
    CHECK(fd >= QH_FD_BASE && pos == 6);
    char buf[8] = "";
    CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0);  /* the fd stays open */
    CHECK(close(fd) == 0);
    struct _io_lseek bad = lseek_msg(0, 42);
    c0 = sample_counts();
    errno = 0;
    CHECK(qh_open_combine(SAMPLE_PATH, O_RDONLY, &bad, sizeof bad, &pos, sizeof pos, 0) == -1 &&
          errno == EINVAL);
    c1 = sample_counts();
    CHECK(c1.opens == c0.opens + 1 && c1.close_ocbs == c0.close_ocbs + 1);  /* not leaked */
    errno = 0;
    CHECK(qh_open_combine(SAMPLE_PATH, O_RDONLY, &sk, sizeof sk, &pos, sizeof pos, 1) == 0 &&
          pos == 6);
    CHECK(sample_counts().close_ocbs == c1.close_ocbs + 1);
    CHECK(qh_protocol_errors() == 0);
}

/* dup()/dup2(): one OCB, shared offset; close_dup on every close, close_ocb on the last. */
static void test_dup(void)
{
    struct sample_counts c0 = sample_counts();
    int fd = open(SAMPLE_PATH, O_RDWR);
    int fd2 = dup(fd);
    int fd3 = dup2(fd, QH_FD_BASE + 500);
    CHECK(fd2 >= QH_FD_BASE && fd2 != fd && fd3 == QH_FD_BASE + 500);
    CHECK(lseek(fd, 3, SEEK_SET) == 3 && lseek(fd2, 0, SEEK_CUR) == 3);   /* same OCB */
    CHECK(sample_counts().open_count == c0.open_count + 1);
    CHECK(close(fd) == 0 && close(fd3) == 0);
    struct sample_counts c1 = sample_counts();
    CHECK(c1.close_dups == c0.close_dups + 2 && c1.close_ocbs == c0.close_ocbs);
    CHECK(lseek(fd2, 0, SEEK_CUR) == 3);                     /* still open through fd2 */
    CHECK(close(fd2) == 0);
    c1 = sample_counts();
    CHECK(c1.close_dups == c0.close_dups + 3 && c1.close_ocbs == c0.close_ocbs + 1);
    errno = 0;
    CHECK(dup(fd) == -1 && errno == EBADF);                  /* closed */
    fd = open(SAMPLE_PATH, O_RDONLY);
    CHECK(dup2(fd, fd) == fd && dup2(fd, 3) == -1 && errno == EINVAL);   /* host range only */
    CHECK(close(fd) == 0);
    CHECK(qh_protocol_errors() == 0);
}

struct victim { int fd, client, rc, err; };

static void *victim_read(void *arg)
{
    struct victim *v = arg;
    char buf[4];
    qh_client_use(v->client);
    errno = 0;
    v->rc = (int)read(v->fd, buf, sizeof buf);
    v->err = errno;
    return NULL;
}

/* A NULL check_msg slot: on 8.0 the library's default, which refuses a devctl before more
   combine parts (EBADMSG, its handler never runs) and lets other parts pass; before 8.0 there
   is no such check and the handler runs. */
static void test_default_check_msg(const io_devctl_t *last)
{
    int fd = open(SAMPLE_PATH_DEFAULT_CHECK, O_RDWR);
    io_devctl_t first = *last;
    struct _io_lseek seek = lseek_msg(0, SEEK_CUR);
    iov_t parts[2];
    char reply[64];
    int calls = sample_counts().where_calls;
    first.i.combine_len = sizeof first.i;
    first.i.dcmd = (int)SAMPLE_WHERE;         /* counts its calls */
    SETIOV(&parts[0], &first.i, sizeof first.i);
    SETIOV(&parts[1], &last->i, sizeof last->i);
    errno = 0;
    long rc = qh_send_combine(fd, parts, 2, reply, sizeof reply);
#if _NTO_VERSION >= 800
    CHECK(fd >= 0 && rc == -1 && errno == EBADMSG);
    CHECK(sample_counts().where_calls == calls);      /* refused before its handler ran */
#else
    CHECK(fd >= 0 && rc == 0);
    CHECK(sample_counts().where_calls == calls + 1);  /* no check: the handler ran */
#endif
    SETIOV(&parts[0], &seek, sizeof seek);
    CHECK(qh_send_combine(fd, parts, 2, reply, sizeof reply) == 0);  /* lseek, then the devctl */
    close(fd);
}

/* A client process dies with a held read and three bindings (two share an OCB). */
/* A server without an io_funcs.msg handler answers _IO_MSG with ENOSYS; an _IO_MSG part
   before more combine parts is refused EBADMSG on 8.0 (the default check_msg). Clients with
   credentials of their own: iofunc_client_info() reports them, so a non-owner cannot chown.
   procmgr_ability() is recorded: what was allowed, after an attach, the rest denied. */
static void test_messages_and_credentials(void)
{
    struct _io_msg m = { _IO_MSG, sizeof m, _IOMGR_PRIVATE_BASE + 1, 7 };
    char reply[64];
    int fd = open(SAMPLE_PATH, O_RDWR);
    errno = 0;
    CHECK(MsgSend(fd, &m, sizeof m, reply, sizeof reply) == -1 && errno == ENOSYS);
    iov_t parts[2];
    struct _io_msg first = m;
    io_devctl_t last;
    memset(&last, 0, sizeof last);
    last.i.type = _IO_DEVCTL;
    last.i.dcmd = (int)DCMD_ALL_GETFLAGS;
    last.i.nbytes = sizeof(int);
    SETIOV(&parts[0], &first, sizeof first);
    SETIOV(&parts[1], &last.i, sizeof last.i);
    errno = 0;
#if _NTO_VERSION >= 800
    CHECK(qh_send_combine(fd, parts, 2, reply, sizeof reply) == -1 && errno == EBADMSG);
#else
    CHECK(qh_send_combine(fd, parts, 2, reply, sizeof reply) == -1 && errno == ENOSYS);  /* no handler */
#endif
    close(fd);
    test_default_check_msg(&last);

    gid_t groups[9] = { 0 };
    errno = 0;
    CHECK(qh_client_new_cred(4242, 4242, groups, 9) == -1 && errno == EINVAL);  /* 8 at most */
    int user = qh_client_new_cred(4242, 4242, groups, 1), root = qh_client_new_cred(0, 0, NULL, 0);
    CHECK(user > 0 && root > 0);
    CHECK(qh_client_use(user) == 0);
    fd = open(SAMPLE_PATH, O_RDWR);
    errno = 0;
    CHECK(fd >= 0 && fchown(fd, 4242, 4242) == -1 && errno == EPERM);  /* not the owner, not root */
    CHECK(qh_client_use(root) == 0);
    CHECK(fchown(fd, (uid_t)-1, (gid_t)-1) == -1 && errno == EPERM);  /* the fd's client is still the user */
    close(fd);
    fd = open(SAMPLE_PATH, O_RDWR);
    CHECK(fd >= 0 && fchown(fd, (uid_t)-1, (gid_t)-1) == 0);          /* root may */
    close(fd);
    CHECK(qh_client_use(0) == 0);

    unsigned kept[4] = { 0 };
    int after = -1, denied = -1;
    CHECK(procmgr_ability(0, PROCMGR_ADN_ROOT | PROCMGR_AOP_ALLOW | PROCMGR_AID_IO,
                          PROCMGR_ADN_ROOT | PROCMGR_AOP_DENY | PROCMGR_AOP_SUBRANGE | PROCMGR_AID_TIMER,
                          (uint64_t)1, (uint64_t)2,
                          PROCMGR_ADN_ROOT | PROCMGR_ADN_NONROOT | PROCMGR_AOP_DENY | PROCMGR_AOP_LOCK
                              | PROCMGR_AID_EOL) == EOK);
    CHECK(qh_abilities_kept(kept, 4, &after, &denied) == 1);
    CHECK(kept[0] == (unsigned)PROCMGR_AID_IO && after == 1 && denied == 1);
}

static void test_client_death(void)
{
    int fd = open(SAMPLE_PATH, O_RDWR);
    struct sample_counts c0 = sample_counts();
    int scoid0 = c0.last_scoid;
    int id = qh_client_new();
    CHECK(id > 0 && qh_client_use(id) == 0);
    int a = open(SAMPLE_PATH, O_RDWR), b = dup(a), c = open(SAMPLE_PATH, O_RDONLY);
    CHECK(sample_counts().last_scoid != scoid0);             /* its own scoid */
    CHECK(qh_client_use(0) == 0);
    set_hold(fd, SAMPLE_HOLD_EINTR, 0, SAMPLE_ORDER_NONE);
    struct victim v = { c, id, 0, 0 };
    pthread_t t;
    CHECK(pthread_create(&t, NULL, victim_read, &v) == 0);
    sample_wait_held(1);
    CHECK(qh_client_kill(id) == 0);
    pthread_join(t, NULL);
    CHECK(v.rc == -1 && v.err == ECANCELED);                 /* its thread returns */
    sample_wait_close_ocbs(c0.close_ocbs + 2);
    struct sample_counts c1 = sample_counts();
    CHECK(c1.close_dups == c0.close_dups + 3 && c1.close_ocbs == c0.close_ocbs + 2);
    CHECK(c1.open_count == 1);                               /* only fd is left */
    char buf[4];
    errno = 0;
    CHECK(read(a, buf, 1) == -1 && errno == EBADF);          /* its fds are gone */
    int info = -1;
    CHECK(devctl(fd, SAMPLE_RELEASE, NULL, 0, &info) == EOK && info == 1);  /* ESRCH, no error */
    CHECK(qh_client_use(id) == 0);
    errno = 0;
    CHECK(open(SAMPLE_PATH, O_RDONLY) == -1 && errno == ECANCELED);
    CHECK(qh_client_use(0) == 0 && qh_client_kill(id) == -1 && errno == EINVAL);
    CHECK(qh_client_kill(0) == -1 && qh_client_use(-1) == -1);
    set_hold(fd, SAMPLE_HOLD_OFF, 0, SAMPLE_ORDER_NONE);
    CHECK(close(fd) == 0 && b != a);
    CHECK(qh_protocol_errors() == 0);
}

/* A client process's last close of its last connection brings the disconnect pulse too (as
   the kernel sends it), which finds no binding left: close_dup ran once, at the close. */
static void test_last_close_disconnect(void)
{
    int keep = open(SAMPLE_PATH, O_RDWR);    /* messages are handled in order: earlier pulses */
    struct sample_counts c0 = sample_counts();  /* are done once this open is answered */
    int id = qh_client_new();
    CHECK(id > 0 && qh_client_use(id) == 0);
    int a = open(SAMPLE_PATH, O_RDONLY), b = dup(a);
    CHECK(close(a) == 0 && close(b) == 0);
    CHECK(qh_client_use(0) == 0 && lseek(keep, 0, SEEK_SET) == 0);  /* after the pulse */
    struct sample_counts c1 = sample_counts();
    CHECK(c1.disconnects == c0.disconnects + 1 && c1.close_dups == c0.close_dups + 2 &&
          c1.close_ocbs == c0.close_ocbs + 1);
    CHECK(close(keep) == 0);
}

/* Client ids are reused once a dead client's connections are gone, so more than
   QH_CLIENTS_MAX (1,024) processes can come and die. */
static void test_client_ids_reused(void)
{
    int keep = open(SAMPLE_PATH, O_RDWR), bad = 0;
    struct sample_counts c0 = sample_counts();
    for (int i = 0; i < 1100; i++) {
        int id = qh_client_new();
        if (id <= 0 || qh_client_use(id) != 0) {
            bad++;
            continue;
        }
        int fd = open(SAMPLE_PATH, O_RDONLY);
        qh_client_use(0);
        bad += fd < QH_FD_BASE || qh_client_kill(id) != 0;
        bad += lseek(keep, 0, SEEK_SET) != 0;  /* after the disconnect handling */
    }
    CHECK(bad == 0);
    CHECK(sample_counts().close_ocbs == c0.close_ocbs + 1100);
    CHECK(close(keep) == 0);
}

/* fcntl() record lock request: _IO_LOCK with the flock after the header. */
static long lock_send(int fd, int cmd, short type, off_t start, off_t len, struct flock *out)
{
    struct { struct _io_lock i; struct flock fl; } m;
    memset(&m, 0, sizeof m);
    m.i.type = _IO_LOCK;
    m.i.combine_len = sizeof m.i;
    m.i.subtype = (uint32_t)cmd;
    m.i.nbytes = sizeof m.fl;
    m.fl.l_type = type;
    m.fl.l_whence = SEEK_SET;
    m.fl.l_start = start;
    m.fl.l_len = len;
    iov_t siov[2];
    SETIOV(&siov[0], &m.i, sizeof m.i);       /* as libc sends it: header, then the flock */
    SETIOV(&siov[1], &m.fl, sizeof m.fl);
    struct flock dummy;
    return MsgSendv(fd, siov, 2, &(iov_t){ out ? out : &dummy, sizeof *out }, 1);
}

struct locker { int fd, client; long rc; int err; };

static void *blocked_lock(void *arg)
{
    struct locker *l = arg;
    qh_client_use(l->client);
    errno = 0;
    l->rc = lock_send(l->fd, F_SETLKW, F_WRLCK, 0, 10, NULL);
    l->err = errno;
    return NULL;
}

/* iofunc_lock_default: per-process locks, conflicts (F_GETLK, EAGAIN), F_SETLKW held until
   the range is free, unblocked with EINTR by iofunc_unblock_default, released by close. */
static void test_record_locks(void)
{
    int a = open(SAMPLE_PATH, O_RDWR), ro = open(SAMPLE_PATH, O_RDONLY);
    struct flock got;
    CHECK(lock_send(a, F_SETLK, F_WRLCK, 0, 10, NULL) == 0);
    CHECK(lock_send(a, F_SETLK, F_RDLCK, 2, 2, NULL) == 0);  /* its own: converted, split */
    errno = 0;
    CHECK(lock_send(ro, F_SETLK, F_WRLCK, 0, 1, NULL) == -1 && errno == EBADF);  /* read-only fd */
    errno = 0;
    CHECK(lock_send(a, F_SETLK, F_WRLCK, 10, -11, NULL) == -1 && errno == EINVAL);  /* before byte 0 */
    errno = 0;                                /* the same, where start + len would overflow */
    CHECK(lock_send(a, F_SETLK, F_WRLCK, 5, INT64_MIN, NULL) == -1 && errno == EINVAL);
    int id = qh_client_new(), b;
    CHECK(id > 0 && qh_client_use(id) == 0);
    b = open(SAMPLE_PATH, O_RDWR);
    memset(&got, 0, sizeof got);
    CHECK(lock_send(b, F_GETLK, F_RDLCK, 0, 0, &got) == 0 && got.l_type == F_WRLCK &&
          got.l_pid == getpid());            /* the first write lock in the way: a's */
    CHECK(lock_send(b, F_GETLK, F_RDLCK, 2, 2, &got) == 0 && got.l_type == F_UNLCK);
    errno = 0;
    CHECK(lock_send(b, F_SETLK, F_WRLCK, 5, 1, NULL) == -1 && errno == EAGAIN);
    CHECK(lock_send(b, F_SETLK, F_RDLCK, 2, 2, NULL) == 0);  /* shares the read lock */
    CHECK(lock_send(b, F_SETLK, F_UNLCK, 0, 0, NULL) == 0);
    CHECK(qh_client_use(0) == 0);
    struct locker w = { b, id, 0, 0 };        /* blocks until a's lock goes */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, blocked_lock, &w) == 0);
    for (int i = 0; i < 10000 && qh_held_count() == 0; i++)  /* until the server holds it */
        usleep(1000);
    CHECK(qh_held_count() == 1);
    CHECK(lock_send(a, F_SETLK, F_UNLCK, 0, 0, NULL) == 0);
    pthread_join(t, NULL);
    CHECK(w.rc == 0);                         /* granted once a unlocked */
    errno = 0;
    CHECK(lock_send(a, F_SETLK, F_WRLCK, 0, 1, NULL) == -1 && errno == EAGAIN);
    CHECK(qh_client_use(id) == 0 && lock_send(b, F_SETLK, F_UNLCK, 0, 0, NULL) == 0);
    CHECK(qh_client_use(0) == 0 && lock_send(a, F_SETLK, F_WRLCK, 0, 0, NULL) == 0);
    CHECK(qh_client_use(id) == 0 && timeout_ms(20, _NTO_TIMEOUT_REPLY) == 0);
    errno = 0;
    CHECK(lock_send(b, F_SETLKW, F_RDLCK, 0, 1, NULL) == -1 && errno == EINTR);  /* unblocked */
    CHECK(qh_client_use(0) == 0 && close(ro) == 0);  /* any close of a's process drops its locks */
    CHECK(qh_client_use(id) == 0 && lock_send(b, F_SETLK, F_WRLCK, 0, 0, NULL) == 0);
    CHECK(close(b) == 0 && qh_client_use(0) == 0 && close(a) == 0);
    CHECK(qh_protocol_errors() == 0);
}

/* The pid a server sees is the sending process's: after a fork, the child's own (qnxhost
   asks the kernel once; the answer must not outlive a fork). Run with no server started. */
static void test_pid_after_fork(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct flock got;
        memset(&got, 0, sizeof got);
        int ok = start("loop") == 0;
        int a = open(SAMPLE_PATH, O_RDWR);
        ok = ok && lock_send(a, F_SETLK, F_WRLCK, 0, 1, NULL) == 0;
        int id = qh_client_new();
        ok = ok && id > 0 && qh_client_use(id) == 0;
        int b = open(SAMPLE_PATH, O_RDWR);
        ok = ok && lock_send(b, F_GETLK, F_WRLCK, 0, 1, &got) == 0 && got.l_type == F_WRLCK &&
             got.l_pid == getpid();           /* the lock is the child's, not its parent's */
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* lock_ocb: a failure aborts the message with its error (no handler, no unlock); open,
   close_dup, close_ocb and unblock run without it. Then the 16-bit open counts. */
static void test_locking(void)
{
    int fd = open(SAMPLE_PATH, O_RDWR);
    char buf[4];
    struct sample_counts c0 = sample_counts();
    CHECK(devctl(fd, SAMPLE_LOCKFAIL, NULL, 0, NULL) == EOK);
    errno = 0;
    CHECK(read(fd, buf, sizeof buf) == -1 && errno == ENOLCK);
    struct sample_counts c1 = sample_counts();
    CHECK(c1.lock_ocbs == c0.lock_ocbs + 2 && c1.lock_depth == 0);   /* no unlock after it */
    CHECK(lseek(fd, 0, SEEK_SET) == 0);                              /* the next one works */
    CHECK(c1.locked_in_unlocked == 0);
    int flags = O_NONBLOCK, info = 0;
    CHECK(devctl(fd, DCMD_ALL_SETFLAGS, &flags, sizeof flags, &info) == EOK &&
          info == (int)DCMD_ALL_SETFLAGS);    /* no reply data: ret_val reads back the header */
    struct _fadvise adv = { 0, 0, 0, 0 };
    CHECK(devctl(fd, DCMD_ALL_FADVISE, &adv, sizeof adv, NULL) == ESPIPE);   /* not a file */

    struct sample_val v = { 65535 - 2 };      /* one open (fd) is real: 65534 in all */
    CHECK(devctl(fd, SAMPLE_FAKE_OPENS, &v, sizeof v, NULL) == EOK);
    int last = open(SAMPLE_PATH, O_RDWR);     /* 65535: the last the 16-bit counts hold */
    CHECK(last >= QH_FD_BASE);
    errno = 0;
    CHECK(open(SAMPLE_PATH, O_RDONLY) == -1 && errno == ENFILE);
    CHECK(close(last) == 0);
    last = open(SAMPLE_PATH, O_RDONLY);
    CHECK(last >= QH_FD_BASE && close(last) == 0);
    v.value = -(65535 - 2);
    CHECK(devctl(fd, SAMPLE_FAKE_OPENS, &v, sizeof v, NULL) == EOK);
    CHECK(close(fd) == 0 && sample_counts().open_count == 0);
    CHECK(sample_counts().locked_in_unlocked == 0);
}

static struct sample_notify notify_stats(int fd)
{
    struct sample_notify ns;
    memset(&ns, 0, sizeof ns);
    CHECK(devctl(fd, SAMPLE_NOTIFY_STATS, &ns, sizeof ns, NULL) == EOK);
    return ns;
}

/* Ask for input readiness with this action; returns the ready flags or -1 (errno). */
static int notify_action(int fd, int action)
{
    io_notify_t m;
    memset(&m, 0, sizeof m);
    m.i.type = _IO_NOTIFY;
    m.i.combine_len = sizeof m.i;
    m.i.action = action;
    m.i.flags = (int32_t)_NOTIFY_COND_INPUT;
    m.i.event.qsev_notify = SIGEV_PULSE;
    m.i.event.qsev_coid = fd;                 /* back to the device's own channel */
    m.i.event.qsev_code = SAMPLE_PULSE_CODE;
    if (MsgSend(fd, &m.i, sizeof m.i, &m.o, sizeof m.o) == -1)
        return -1;
    return (int)m.o.flags;
}

/* Ask for input readiness (POLLARM, as select() does). */
static int notify_input(int fd)
{
    return notify_action(fd, _NOTIFY_ACTION_POLLARM);
}

/* A transition arm is one client connection's at a time: another one's is EBUSY until the
   transition fires (or the arm goes with close_dup); the holder may re-arm. */
static void test_notify_tranarm(void)
{
    int a = open(SAMPLE_PATH, O_RDWR), b = open(SAMPLE_PATH, O_RDWR), w = open(SAMPLE_PATH, O_RDWR);
    CHECK(lseek(a, 0, SEEK_END) >= 0 && lseek(b, 0, SEEK_END) >= 0);
    int pulses = notify_stats(a).pulses;
    CHECK(notify_action(a, _NOTIFY_ACTION_TRANARM) == 0);
    errno = 0;
    CHECK(notify_action(b, _NOTIFY_ACTION_TRANARM) == -1 && errno == EBUSY);
    CHECK(notify_action(a, _NOTIFY_ACTION_TRANARM) == 0);    /* its own: re-armed */
    CHECK(notify_input(b) == 0);                             /* other actions are not held up */
    CHECK(lseek(w, 0, SEEK_END) >= 0 && write(w, "t", 1) == 1);
    sample_wait_pulses(pulses + 2);
    CHECK(notify_action(b, _NOTIFY_ACTION_TRANARM) >= 0);    /* fired: free again */
    CHECK(close(b) == 0);                                    /* and its close_dup drops it */
    CHECK(notify_action(a, _NOTIFY_ACTION_TRANARM) >= 0);
    CHECK(close(a) == 0 && close(w) == 0);
}

/* Notify bookkeeping: one entry per client connection and condition, re-armed on every call
   (also when ready), disarmed (not freed) on trigger, removed by close_dup. */
static void test_notify(void)
{
    int a = open(SAMPLE_PATH, O_RDWR), b = open(SAMPLE_PATH, O_RDWR), w = open(SAMPLE_PATH, O_RDWR);
    CHECK(lseek(a, 0, SEEK_END) >= 0 && lseek(b, 0, SEEK_END) >= 0 && lseek(w, 0, SEEK_END) >= 0);
    struct sample_notify n0 = notify_stats(a);
    CHECK(n0.entries == 0 && n0.cnt == 1);                  /* IOFUNC_NOTIFY_INIT: one byte */
    CHECK(notify_input(a) == 0 && notify_input(a) == 0);     /* nothing to read: armed */
    CHECK(notify_input(b) == 0);
    struct sample_notify n1 = notify_stats(a);
    CHECK(n1.entries == 2 && n1.armed == 2);                 /* a's re-arm reused its entry */
    CHECK(write(w, "x", 1) == 1);                            /* fires both */
    sample_wait_pulses(n0.pulses + 2);
    struct sample_notify n2 = notify_stats(a);
    CHECK(n2.pulses == n0.pulses + 2 && n2.entries == 2 && n2.armed == 0);  /* kept, disarmed */
    CHECK(notify_input(a) == (int)_NOTIFY_COND_INPUT);       /* ready: reported, and armed */
    struct sample_notify n3 = notify_stats(a);
    CHECK(n3.entries == 2 && n3.armed == 1);
    CHECK(close(b) == 0);                                    /* close_dup removes b's entry */
    CHECK(notify_stats(a).entries == 1);
    CHECK(close(a) == 0 && close(w) == 0);
    test_notify_tranarm();
    CHECK(qh_protocol_errors() == 0);
}

/* _IO_MMAP as the memory manager sends it for a client's mmap(): what the fd allows comes
   back (the open mode, but no PROT_WRITE on the sample's read-only mount; exec only with an
   execute bit), more is EACCES, PROT_WRITE EROFS. _IO_POWER: ENOSYS (a reserved slot). Both
   slots hold the library's defaults after iofunc_func_init(). */
static long mmap_send(int fd, unsigned prot, io_mmap_t *m)
{
    memset(m, 0, sizeof *m);
    m->i.type = _IO_MMAP;
    m->i.combine_len = sizeof m->i;
    m->i.prot = prot;
    m->i.offset = 4096;
    return MsgSend(fd, &m->i, sizeof m->i, &m->o, sizeof m->o);
}

static void test_mmap_power_defaults(int rw, int ro)
{
    io_mmap_t m;
    resmgr_connect_funcs_t cf;
    resmgr_io_funcs_t io;
    iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &cf, _RESMGR_IO_NFUNCS, &io);
    CHECK(io.mmap == iofunc_mmap_default && io.power == iofunc_power_default);
    CHECK(mmap_send(rw, PROT_READ, &m) == 0 && m.o.allowed_prot == PROT_READ &&
          m.o.offset == 4096);                /* no PROT_WRITE: the mount is read-only */
    CHECK(mmap_send(ro, PROT_READ, &m) == 0 && m.o.allowed_prot == PROT_READ);
    errno = 0;
    CHECK(mmap_send(rw, PROT_READ | PROT_WRITE, &m) == -1 && errno == EROFS);  /* mount read-only */
    errno = 0;
    CHECK(mmap_send(ro, PROT_EXEC, &m) == -1 && errno == EACCES);  /* mode 0666: no exec */
    io_power_t pw;
    memset(&pw, 0, sizeof pw);
    pw.i.type = _IO_POWER;
    pw.i.combine_len = sizeof pw.i;
    errno = 0;
    CHECK(MsgSend(rw, &pw.i, sizeof pw.i, NULL, 0) == -1 && errno == ENOSYS);
}

/* iofunc_func_init() fills every slot: chmod, chown, utime(64), openfd, fdinfo, sync, mmap,
   power. */
static void test_func_init_defaults(void)
{
    int fd = open(SAMPLE_PATH, O_RDWR);
    struct stat st;
    CHECK(fchmod(fd, 0640) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640 &&
          S_ISCHR(st.st_mode));
    CHECK(fchmod(fd, 0666) == 0);
    gid_t gid = st.st_gid;
    CHECK(fchown(fd, (uid_t)-1, 4321) == 0 && fstat(fd, &st) == 0 && st.st_gid == 4321);
    CHECK(fchown(fd, (uid_t)-1, gid) == 0);
    struct timespec times[2] = { { 1000, 0 }, { 2000, 0 } };
    CHECK(futimens(fd, times) == 0 && fstat(fd, &st) == 0 && st.st_mtime == 2000 &&
          st.st_atime == 1000);
    CHECK(futimens(fd, NULL) == 0 && fstat(fd, &st) == 0 && st.st_mtime > 2000);

    struct sample_counts c0 = sample_counts();
    CHECK(lseek(fd, 5, SEEK_SET) == 5);
    int ro = openfd(fd, O_RDONLY);            /* a new OCB: own offset and access */
    CHECK(ro >= QH_FD_BASE && lseek(ro, 0, SEEK_CUR) == 0);
    errno = 0;
    CHECK(write(ro, "x", 1) == -1 && errno == EBADF);
    errno = 0;
    CHECK(openfd(ro, O_RDWR) == -1 && errno == EACCES);     /* no more than it has */
    io_fdinfo_t fi;
    memset(&fi, 0, sizeof fi);
    fi.i.type = _IO_FDINFO;
    fi.i.combine_len = sizeof fi.i;
    CHECK(MsgSend(fd, &fi.i, sizeof fi.i, &fi.o, sizeof fi.o) == 0);
    CHECK(fi.o.offset == 5 && fi.o.count == c0.open_count + 1 && (fi.o.ioflag & _IO_FLAG_WR));
    io_sync_t sy;
    memset(&sy, 0, sizeof sy);
    sy.i.type = _IO_SYNC;
    sy.i.combine_len = sizeof sy.i;
    CHECK(MsgSend(fd, &sy.i, sizeof sy.i, NULL, 0) == 0);
    test_mmap_power_defaults(fd, ro);
#if _NTO_VERSION >= 800
    resmgr_iomsgs_t im;                       /* 8.0's default check_msg, called directly */
    memset(&im, 0, sizeof im);
    im.type = _IO_DEVCTL;
    CHECK(iofunc_check_msg_default(NULL, &im, 1, NULL) == EBADMSG &&
          iofunc_check_msg_default(NULL, &im, 0, NULL) == EOK);
    im.type = _IO_LSEEK;
    CHECK(iofunc_check_msg_default(NULL, &im, 1, NULL) == EOK);
#endif
    int mflags = -1;                          /* the mount's ST_* flags, not IOFUNC_MOUNT_32BIT */
    CHECK(devctl(fd, DCMD_ALL_GETMOUNTFLAGS, &mflags, sizeof mflags, NULL) == EOK &&
          mflags == SAMPLE_MOUNT_FLAGS);
    io_pathconf_t pc;                          /* fpathconf(): the mount's conf bits */
    memset(&pc, 0, sizeof pc);
    pc.i.type = _IO_PATHCONF;
    pc.i.combine_len = sizeof pc.i;
    pc.i.name = _PC_NO_TRUNC;
    CHECK(MsgSend(fd, &pc.i, sizeof pc.i, NULL, 0) == 1);
    pc.i.name = _PC_CHOWN_RESTRICTED;          /* not declared by the mount */
    errno = 0;
    CHECK(MsgSend(fd, &pc.i, sizeof pc.i, NULL, 0) == -1 && errno == EINVAL);
    CHECK(close(ro) == 0 && close(fd) == 0);
    CHECK(sample_counts().close_ocbs == c0.close_ocbs + 2);
    CHECK(qh_protocol_errors() == 0);
}

static void *pool_client(void *arg)
{
    int *bad = arg;
    int fd = open(SAMPLE_PATH, O_RDWR);
    for (int i = 0; i < POOL_CALLS; i++) {
        struct sample_val v = { i };
        int info = 0;
        int want = (i % 50 == 0) ? 4242 : i + 1;
        int cmd = (i % 50 == 0) ? SAMPLE_DEFERRED : SAMPLE_XCHG;
        if (devctl(fd, cmd, &v, sizeof v, &info) != EOK || v.value != want ||
            info != SAMPLE_INFO)
            (*bad)++;
    }
    if (close(fd) != 0)
        (*bad)++;
    return NULL;
}

static void test_pool(void)
{
    pthread_t t[POOL_CLIENTS];
    int bad[POOL_CLIENTS] = { 0 };
    for (int i = 0; i < POOL_CLIENTS; i++)
        CHECK(pthread_create(&t[i], NULL, pool_client, &bad[i]) == 0);
    for (int i = 0; i < POOL_CLIENTS; i++) {
        pthread_join(t[i], NULL);
        CHECK(bad[i] == 0);
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "basic";
    if (strcmp(mode, "restart") == 0) {
        for (int i = 0; i < RESTARTS; i++) {
            static const char *const kinds[] = { "loop", "pool", "pool-self" };
            CHECK(start(kinds[i % 3]) == 0);
            int fd = open(SAMPLE_PATH, O_RDWR);
            CHECK(write(fd, "abc", 3) == 3);
            if (i % 3 == 0)
                CHECK(close(fd) == 0);                       /* others left open on purpose */
            CHECK(qh_server_stop() == 0);
        }
        errno = 0;
        CHECK(open(SAMPLE_PATH, O_RDONLY) == -1 && errno == ENOENT);
        test_pid_after_fork();
    } else {
        int pool = strcmp(mode, "pool") == 0;
        CHECK(start(pool ? "pool" : "loop") == 0);
        if (strcmp(mode, "protocol") == 0) {
            test_protocol();
        } else if (strcmp(mode, "unblock") == 0) {
            test_unblock();
        } else if (strcmp(mode, "combine") == 0) {
            test_combine();
            test_default_replies_in_combine();
            test_connect_combine();
            test_dup();
            test_client_death();
            test_last_close_disconnect();
            test_client_ids_reused();
            test_messages_and_credentials();
            test_record_locks();
            test_locking();
            test_notify();
            test_func_init_defaults();
        } else {
            test_io();
            test_devctl();
            test_raw();
            if (pool)
                test_pool();
        }
        CHECK(qh_server_stop() == 0);
        if (strcmp(mode, "protocol") != 0)
            CHECK(qh_protocol_errors() == 0);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
