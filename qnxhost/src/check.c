/*
 * qnxhost protocol checks: counts and reports misuse of the QNX message
 * protocol that the real kernel/library would turn into hangs or errors
 * (double replies, NPARTS beyond nparts_max, negative reply status,
 * never-replied messages).
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include "qh_internal.h"

#define QH_REPLIED_RING 256

static unsigned qh_errors;
static struct { rcvid_t rcvid; unsigned type; } qh_replied[QH_REPLIED_RING];
static pthread_mutex_t qh_check_lock = PTHREAD_MUTEX_INITIALIZER;

void qh_protocol_error(rcvid_t rcvid, unsigned type, const char *what)
{
    pthread_mutex_lock(&qh_check_lock);
    qh_errors++;
    fprintf(stderr, "qnxhost: protocol error: %s (rcvid %lld, message type 0x%03x)\n",
            what, (long long)rcvid, type);
    pthread_mutex_unlock(&qh_check_lock);
}

unsigned qh_protocol_errors(void)
{
    pthread_mutex_lock(&qh_check_lock);
    unsigned n = qh_errors;
    pthread_mutex_unlock(&qh_check_lock);
    return n;
}

/* Remember the type of a replied message so a second reply can name it (qh_lock held, as
   for qh_replied_type: the ring needs no lock of its own). */
void qh_replied_remember(rcvid_t rcvid, unsigned type)
{
    qh_replied[rcvid % QH_REPLIED_RING].rcvid = rcvid;
    qh_replied[rcvid % QH_REPLIED_RING].type = type;
}

unsigned qh_replied_type(rcvid_t rcvid)
{
    if (rcvid <= 0)                       /* no message has such an id */
        return 0;
    if (qh_replied[rcvid % QH_REPLIED_RING].rcvid != rcvid)
        return 0;
    return qh_replied[rcvid % QH_REPLIED_RING].type;
}

/* Client send timeout: qh_send_timeout_set(), else QH_SEND_TIMEOUT_MS from the environment
   (read once, at the first send), else the default. */
static _Atomic long    qh_timeout_ms;
static pthread_once_t  qh_timeout_once = PTHREAD_ONCE_INIT;

static void qh_timeout_from_env(void)
{
    const char *env = getenv("QH_SEND_TIMEOUT_MS");
    long ms = env ? strtol(env, NULL, 10) : 0;
    long unset = 0;
    atomic_compare_exchange_strong(&qh_timeout_ms, &unset, ms > 0 ? ms : QH_SEND_TIMEOUT_MS_DEFAULT);
}

long qh_send_timeout_ms(void)
{
    pthread_once(&qh_timeout_once, qh_timeout_from_env);
    return atomic_load_explicit(&qh_timeout_ms, memory_order_relaxed);
}

long qh_send_timeout_set(long ms)
{
    long old = qh_send_timeout_ms();
    atomic_store(&qh_timeout_ms, ms > 0 ? ms : QH_SEND_TIMEOUT_MS_DEFAULT);
    return old;
}
