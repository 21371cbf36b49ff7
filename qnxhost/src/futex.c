/*
 * qnxhost wait words: the futex waits and wakes behind a client's reply wait (one word per
 * message slot) and a channel's receive wait (a sequence number), instead of condition
 * variables, so that a round trip costs about what a thread-to-thread hand-off does.
 * Every word is changed under qh_lock; waiters sleep without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "qh_internal.h"

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

/* A message was queued (qh_lock held). Returns 1 if a receiver sleeps: the caller then calls
   qh_wake_finish(&chan->seq) once it has released qh_lock. */
int qh_chan_post(struct qh_chan *chan)
{
    atomic_fetch_add_explicit(&chan->seq, 1, memory_order_release);
    if (chan->nsleeping == 0)
        return 0;
    atomic_fetch_add(&qh_wakers, 1);
    return 1;
}

/* Something changed on the channel (a pulse, a stop, a kick; qh_lock held): wake n
   receivers (INT_MAX: all) if any sleeps. */
void qh_chan_wake(struct qh_chan *chan, int n)
{
    atomic_fetch_add_explicit(&chan->seq, 1, memory_order_release);
    if (chan->nsleeping > 0)
        qh_futex_wake(&chan->seq, n);
}

/* Wait for a change on the channel: called and returns with qh_lock held. */
void qh_chan_wait(struct qh_chan *chan)
{
    unsigned seq = atomic_load_explicit(&chan->seq, memory_order_relaxed);
    chan->nsleeping++;
    pthread_mutex_unlock(&qh_lock);
    qh_futex_wait(&chan->seq, seq, NULL);
    pthread_mutex_lock(&qh_lock);
    chan->nsleeping--;
}
