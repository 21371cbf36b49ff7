/*
 * qnxhost wait words: the futex waits and wakes behind a client's reply wait (one word per
 * message slot) and a channel's receive wait (a sequence number), instead of condition
 * variables, so that a round trip costs about what a thread-to-thread hand-off does.
 * Every word is changed under qh_lock; waiters sleep without it. With more than one CPU a
 * waiter first watches its word for a few microseconds (qh_spin_while): a peer that answers
 * in that time spares both the sleep and the cross-CPU wake-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "qh_internal.h"

/* ---- a short spin before sleeping ----
   A round trip's other side (a receiver's handler, a client's next send) takes a microsecond
   or two; a sleep and its wake-up from another CPU take tens of microseconds in a VM. So a
   waiter first polls its word, for at most QH_SPIN_NS (the environment's QH_SPIN_NS, read
   once, may change it; 0: never spin). With one CPU to run on the peer cannot run while the
   waiter spins, so it never does. Only the polling is added: what ends a wait is unchanged. */
#define QH_SPIN_NS_DEFAULT 20000L
#define QH_SPIN_POLLS      64           /* polls of the word between two looks at the clock */

static long           qh_spin_ns;
static pthread_once_t qh_spin_once = PTHREAD_ONCE_INIT;

static void qh_spin_init(void)
{
    cpu_set_t cpus;
    const char *env = getenv("QH_SPIN_NS");
    qh_spin_ns = env && *env ? strtol(env, NULL, 10) : QH_SPIN_NS_DEFAULT;
    if (sched_getaffinity(0, sizeof cpus, &cpus) != 0 || CPU_COUNT(&cpus) < 2)
        qh_spin_ns = 0;
}

static void qh_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

static long qh_ns_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000000000L + (t.tv_nsec - t0->tv_nsec);
}

static int qh_spin_enabled(void)
{
    pthread_once(&qh_spin_once, qh_spin_init);
    return qh_spin_ns > 0;
}

/* Poll *word while it holds value, for at most qh_spin_ns; 1 if it changed. */
static int qh_spin_while(_Atomic unsigned *word, unsigned value)
{
    if (!qh_spin_enabled())
        return 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        for (int i = 0; i < QH_SPIN_POLLS; i++) {
            if (atomic_load_explicit(word, memory_order_relaxed) != value)
                return 1;
            qh_cpu_relax();
        }
    } while (qh_ns_since(&t0) < qh_spin_ns);
    return 0;
}

/* Sleep while *word == value, at most until *deadline (CLOCK_MONOTONIC, absolute; NULL:
   no limit). Returns ETIMEDOUT once the deadline passed, else 0 (woken, value changed, or a
   spurious wake: the caller looks again). errno is left alone. */
int qh_futex_wait(_Atomic unsigned *word, unsigned value, const struct timespec *deadline)
{
    int saved = errno;
    long rc = syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, value, deadline, NULL,
                      FUTEX_BITSET_MATCH_ANY);
    int timed_out = rc == -1 && errno == ETIMEDOUT;
    errno = saved;
    return timed_out ? ETIMEDOUT : 0;
}

/* Wake up to n sleepers on word (INT_MAX: all). */
void qh_futex_wake(_Atomic unsigned *word, int n)
{
    int saved = errno;
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
    errno = saved;
}

/* ---- wakes after the lock ----
   The hot paths (a send waking a receiver, a reply waking its client) wake after releasing
   qh_lock, so the woken thread never meets the lock held. qh_wakers counts such wakes in
   flight; memory holding a wait word is freed only once none is (qh_wakers_drain). */
static _Atomic unsigned qh_wakers;

void qh_wake_finish(_Atomic unsigned *word)
{
    qh_futex_wake(word, 1);
    atomic_fetch_sub(&qh_wakers, 1);
}

void qh_wakers_drain(void)
{
    while (atomic_load(&qh_wakers) != 0)      /* a few instructions away from done */
        sched_yield();
}

/* ---- a message's reply word ---- */

/* The client waits for its reply (without qh_lock); 0, or ETIMEDOUT at the deadline. */
int qh_reply_wait(struct qh_msg *m, const struct timespec *deadline)
{
    unsigned w = QH_WORD_PENDING;
    qh_spin_while(&m->word, QH_WORD_PENDING);
    if (!atomic_compare_exchange_strong(&m->word, &w, QH_WORD_SLEEPING) && w == QH_WORD_DONE)
        return 0;                             /* answered before we slept */
    return qh_futex_wait(&m->word, QH_WORD_SLEEPING, deadline);
}

/* End the message's wait (qh_lock held). Returns 1 if its client sleeps: the caller then
   calls qh_wake_finish(&m->word) once it has released qh_lock. */
int qh_reply_post(struct qh_msg *m)
{
    if (atomic_exchange(&m->word, QH_WORD_DONE) != QH_WORD_SLEEPING)
        return 0;
    atomic_fetch_add(&qh_wakers, 1);
    return 1;
}

/* End the message's wait now (qh_lock held: the rare paths, stop and kill). */
void qh_reply_wake(struct qh_msg *m)
{
    if (atomic_exchange(&m->word, QH_WORD_DONE) == QH_WORD_SLEEPING)
        qh_futex_wake(&m->word, 1);
}

/* ---- a channel's receive word ---- */

/* A message was queued (qh_lock held). Returns 1 if a receiver must be woken: the caller then
   calls qh_wake_finish(&chan->seq) once it has released qh_lock. A spinning receiver is
   claimed instead: it sees the new seq and takes the message, and the next post wakes a
   sleeper. */
int qh_chan_post(struct qh_chan *chan)
{
    atomic_fetch_add(&chan->seq, 1);          /* before the looks at spinner and nasleep */
    if (atomic_exchange(&chan->spinner, NULL) != NULL)
        return 0;
    if (atomic_load(&chan->nasleep) == 0)
        return 0;
    atomic_fetch_add(&qh_wakers, 1);
    return 1;
}

/* Something changed on the channel (a pulse, a stop, a kick; qh_lock held): wake n
   receivers (INT_MAX: all) if any sleeps; a spinning one sees seq change. */
void qh_chan_wake(struct qh_chan *chan, int n)
{
    atomic_fetch_add(&chan->seq, 1);
    if (atomic_load(&chan->nasleep) > 0)
        qh_futex_wake(&chan->seq, n);
}

/* Wait for a change on the channel: called and returns with qh_lock held.
   One receiver at a time spins (more would only share the CPUs): chan->spinner names it.
   When its spin ends with seq unchanged it takes its name back before it sleeps; if a post
   took the name first, seq has changed and it does not sleep. A sleeper counts itself in
   nasleep before it sleeps, and a poster bumps seq before it looks at nasleep: either the
   poster sees the sleeper and wakes it, or the sleeper's futex sees the new seq. */
void qh_chan_wait(struct qh_chan *chan)
{
    unsigned seq = atomic_load_explicit(&chan->seq, memory_order_relaxed);
    void *expected = NULL;
    int spin = qh_spin_enabled() && atomic_compare_exchange_strong(&chan->spinner, &expected, &seq);
    pthread_mutex_unlock(&qh_lock);
    if (spin && !qh_spin_while(&chan->seq, seq)) {
        expected = &seq;
        spin = !atomic_compare_exchange_strong(&chan->spinner, &expected, NULL);  /* 1: claimed */
    }
    if (!spin) {
        atomic_fetch_add(&chan->nasleep, 1);
        qh_futex_wait(&chan->seq, seq, NULL);
        atomic_fetch_sub(&chan->nasleep, 1);
    }
    pthread_mutex_lock(&qh_lock);
    expected = &seq;                          /* seq changed without a post: let go of the name */
    atomic_compare_exchange_strong(&chan->spinner, &expected, NULL);
}
