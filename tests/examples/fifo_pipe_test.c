/*
 * The fifo example behaves like a pipe: a reader blocks on an empty pipe until a writer's
 * data arrives, and a writer on a full pipe until a reader makes room; O_NONBLOCK clients
 * get EAGAIN; a client whose timeout fires is released with EINTR; poll() says readable
 * exactly when there are bytes and writable exactly when there is room; many blocking
 * readers and writers in parallel lose and duplicate no byte.
 * Built against the generated fifo driver and qnxhost by tests/test_fifo_example.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <qnxhost/host.h>
#include <sys/iomsg.h>
#include <sys/neutrino.h>
#include "fifo_client.h"

int fifo_server_main(int argc, char *argv[]);

static unsigned passed, failed;
#define CHECK(cond) do { if (cond) passed++; else { failed++; printf("FAIL line %d: %s (errno %d)\n", __LINE__, #cond, errno); } } while (0)

struct reader { int fd; char buf[32]; ssize_t n; int err; };

static void *read_once(void *arg)
{
    struct reader *r = arg;
    r->n = read(r->fd, r->buf, sizeof r->buf);
    r->err = errno;
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* The conditions poll() would report for fd (a _NOTIFY_ACTION_POLL message). */
static unsigned poll_flags(int fd)
{
    io_notify_t msg;
    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_NOTIFY;
    msg.i.combine_len = sizeof msg.i;
    msg.i.action = _NOTIFY_ACTION_POLL;
    msg.i.flags = (int32_t)(_NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT);
    return MsgSend(fd, &msg.i, sizeof msg.i, &msg.o, sizeof msg.o) == -1 ? ~0u : msg.o.flags;
}

struct writer_once { int fd; size_t len; ssize_t n; };

static void *write_once(void *arg)
{
    static const char big[64];
    struct writer_once *w = arg;
    w->n = write(w->fd, big, w->len);
    return NULL;
}

/* Writers push numbered bytes; readers count every byte value they get. */
enum { WRITERS = 3, PER_WRITER = 3000 };
static unsigned counts[WRITERS];

static void *writer(void *arg)
{
    unsigned id = (unsigned)(size_t)arg;
    int fd = open(FIFO_PATH, O_WRONLY);
    for (unsigned i = 0; i < PER_WRITER; i++) {
        unsigned char b = (unsigned char)id;
        if (write(fd, &b, 1) != 1)             /* full: the write waits for room */
            break;
    }
    close(fd);
    return NULL;
}

static void *drain(void *arg)
{
    unsigned total = *(unsigned *)arg, got = 0;
    int fd = open(FIFO_PATH, O_RDONLY);
    unsigned char buf[64];
    while (got < total) {
        ssize_t n = read(fd, buf, sizeof buf);  /* blocks while the pipe is empty */
        for (ssize_t i = 0; i < n; i++)
            __atomic_fetch_add(&counts[buf[i]], 1, __ATOMIC_RELAXED);
        got += n > 0 ? (unsigned)n : 0;
    }
    close(fd);
    return NULL;
}

int main(void)
{
    char *argv[] = { "fifo", NULL };
    if (qh_server_start(fifo_server_main, 1, argv) != 0) {
        perror("fifo server");
        return 1;
    }

    /* A blocked reader is woken by a writer. */
    struct reader r = { open(FIFO_PATH, O_RDONLY), {0}, 0, 0 };
    int w = open(FIFO_PATH, O_WRONLY);
    pthread_t t;
    CHECK(r.fd >= 0 && w >= 0);
    pthread_create(&t, NULL, read_once, &r);
    sleep_ms(100);                             /* the reader is now held by the server */
    CHECK(write(w, "ping", 4) == 4);
    pthread_join(t, NULL);
    CHECK(r.n == 4 && memcmp(r.buf, "ping", 4) == 0);

    /* An empty pipe: O_NONBLOCK says EAGAIN; a timeout releases a blocked reader. */
    int nb = open(FIFO_PATH, O_RDONLY | O_NONBLOCK);
    char c;
    errno = 0;
    CHECK(read(nb, &c, 1) == -1 && errno == EAGAIN);
    uint64_t ns = 50000000u;
    TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &ns, NULL);
    errno = 0;
    CHECK(read(r.fd, &c, 1) == -1 && errno == EINTR);

    /* poll(): an empty pipe is writable, not readable; with data, readable too. */
    CHECK(poll_flags(nb) == _NOTIFY_COND_OUTPUT);
    CHECK(write(w, "ab", 2) == 2);
    CHECK(poll_flags(nb) == (_NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT));
    char two[2];
    CHECK(read(nb, two, 2) == 2 && memcmp(two, "ab", 2) == 0);
    CHECK(poll_flags(nb) == _NOTIFY_COND_OUTPUT);              /* drained: not readable again */

    /* A full pipe: not writable, O_NONBLOCK writers get EAGAIN, a blocking writer waits
       until a reader makes room, then writes. */
    int wnb = open(FIFO_PATH, O_WRONLY | O_NONBLOCK);
    static const char block[4096];
    CHECK(write(wnb, block, sizeof block) == (ssize_t)sizeof block);
    CHECK(poll_flags(nb) == _NOTIFY_COND_INPUT);
    errno = 0;
    CHECK(write(wnb, "x", 1) == -1 && errno == EAGAIN);
    struct writer_once wo = { w, 10, 0 };
    pthread_create(&t, NULL, write_once, &wo);
    sleep_ms(100);                             /* the writer is now held by the server */
    char room[16];
    CHECK(read(nb, room, sizeof room) == (ssize_t)sizeof room);
    pthread_join(t, NULL);
    CHECK(wo.n == 10);                         /* it went on once there was room */
    CHECK(fifo_flush(w) == 0);
    close(wnb);

    /* Several writers and one blocking reader: every byte arrives exactly once. */
    unsigned total = WRITERS * PER_WRITER;
    pthread_t rd, wr[WRITERS];
    pthread_create(&rd, NULL, drain, &total);
    for (size_t i = 0; i < WRITERS; i++)
        pthread_create(&wr[i], NULL, writer, (void *)i);
    for (size_t i = 0; i < WRITERS; i++)
        pthread_join(wr[i], NULL);
    pthread_join(rd, NULL);
    for (size_t i = 0; i < WRITERS; i++)
        CHECK(counts[i] == PER_WRITER);

    close(nb);
    close(w);
    close(r.fd);
    qh_server_stop();
    CHECK(qh_protocol_errors() == 0);
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
