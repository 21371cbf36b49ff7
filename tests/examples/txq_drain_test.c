/*
 * The txq example (write-only, blocking) on the host runtime: the test fills the queue,
 * a writer is then held, and the drain timer (advanced on the runtime's virtual clock)
 * makes room: txq_room_ready() lets the held writer on with a short write of what fits.
 * Built by tests/test_txq_example.py, under ASan+UBSan.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <qnxhost/host.h>
#include <sys/iomsg.h>
#include <sys/neutrino.h>
#include "txq_client.h"

int txq_server_main(int argc, char *argv[]);

#define PERIOD_NS 10000000ull                 /* 10 ms, as in txq.yaml */
#define CAPACITY  256u
#define LINE      16u                         /* bytes sent per tick */
#define WAIT_MS   5000u

static unsigned passed, failed;
#define CHECK(cond) do { if (cond) passed++; else { failed++; printf("FAIL line %d: %s (errno %d)\n", __LINE__, #cond, errno); } } while (0)

struct writer { int fd; ssize_t n; int err; int done; pthread_mutex_t lock; };

static void *write_20(void *arg)
{
    struct writer *w = arg;
    static const char data[20];
    ssize_t n;

    errno = 0;
    n = write(w->fd, data, sizeof data);
    pthread_mutex_lock(&w->lock);
    w->n = n;
    w->err = errno;
    w->done = 1;
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static int is_done(struct writer *w)
{
    int d;
    pthread_mutex_lock(&w->lock);
    d = w->done;
    pthread_mutex_unlock(&w->lock);
    return d;
}

/* Output readiness as select()/poll() sees it. */
static int writable(int fd)
{
    io_notify_t msg;

    memset(&msg, 0, sizeof msg);
    msg.i.type = _IO_NOTIFY;
    msg.i.combine_len = sizeof msg.i;
    msg.i.action = _NOTIFY_ACTION_POLL;
    msg.i.flags = _NOTIFY_COND_OUTPUT;
    if (MsgSend(fd, &msg.i, sizeof msg.i, &msg.o, sizeof msg.o) == -1)
        return -1;
    return (msg.o.flags & _NOTIFY_COND_OUTPUT) != 0;
}

int main(void)
{
    char *argv[] = { "txq", NULL };
    struct timespec ms = { 0, 1000000 };
    static const char block[64];
    txq_stats_t st;
    unsigned long handled;
    size_t queued = 0;

    if (qh_server_start(txq_server_main, 1, argv) != 0) {
        perror("txq server");
        return 1;
    }
    int nb = txq_open(NULL, O_WRONLY | O_NONBLOCK);
    struct writer w = { txq_open(NULL, O_WRONLY), 0, 0, 0, PTHREAD_MUTEX_INITIALIZER };
    CHECK(nb >= 0 && w.fd >= 0);

    /* Fill the queue without waiting: the last write is short, then EAGAIN. */
    for (int i = 0; i < 10; i++) {
        ssize_t n = write(nb, block, sizeof block);
        if (n <= 0)
            break;
        queued += (size_t)n;
    }
    CHECK(queued == CAPACITY);
    errno = 0;
    CHECK(write(nb, block, 1) == -1 && errno == EAGAIN);
    CHECK(writable(nb) == 0);

    /* A blocking writer is held while the queue is full ... */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, write_20, &w) == 0);
    for (int i = 0; i < 50; i++)
        nanosleep(&ms, NULL);
    CHECK(!is_done(&w));

    /* ... until a drain tick sends LINE bytes: it gets what fits (a short write). */
    handled = qh_pulses_handled();
    CHECK(qh_timer_advance(PERIOD_NS) == 1);
    CHECK(qh_pulses_wait(handled + 1, WAIT_MS) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(w.n == (ssize_t)LINE);
    CHECK(txq_get_stats(nb, &st) == 0 && st.sent == LINE && st.queued == CAPACITY && st.capacity == CAPACITY);
    CHECK(writable(nb) == 0);                  /* full again: the writer took the room */

    /* Another tick with nobody waiting: room stays, and poll() says so. */
    handled = qh_pulses_handled();
    CHECK(qh_timer_advance(PERIOD_NS) == 1);
    CHECK(qh_pulses_wait(handled + 1, WAIT_MS) == 0);
    CHECK(writable(nb) == 1);
    CHECK(write(nb, block, sizeof block) == (ssize_t)LINE);

    txq_close(w.fd);
    txq_close(nb);
    qh_server_stop();
    CHECK(qh_protocol_errors() == 0);
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
