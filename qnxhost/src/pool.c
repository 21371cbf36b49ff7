/*
 * qnxhost thread pools: emulates thread_pool_create()/start()/destroy() on
 * pthreads. Keeps at least lo_water threads blocked, adds `increment` more
 * when fewer wait (up to `maximum`), lets threads above hi_water exit, and
 * honours POOL_FLAG_EXIT_SELF / POOL_FLAG_USE_SELF.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "qh_internal.h"

struct qh_worker {
    struct qh_worker *next;
    pthread_t         thread;
    thread_pool_t    *pool;
    int               done;
};

struct _thread_pool {
    struct _thread_pool *next;
    thread_pool_attr_t   attr;
    unsigned             flags;
    int                  nthreads;   /* workers and a POOL_FLAG_USE_SELF caller in the loop */
    int                  nwaiting;
    int                  stopping;
    struct qh_worker    *workers;
};

static struct _thread_pool *qh_pools;
static pthread_cond_t       qh_pool_gone = PTHREAD_COND_INITIALIZER;  /* nthreads reached 0 */

thread_pool_t *thread_pool_create(thread_pool_attr_t *pool_attr, unsigned flags)
{
    if (!pool_attr || !pool_attr->block_func || !pool_attr->handler_func ||
        !pool_attr->context_alloc) {          /* cannot run without these */
        errno = EINVAL;
        return NULL;
    }
    thread_pool_t *pool = calloc(1, sizeof *pool);
    if (!pool) {
        errno = ENOMEM;
        return NULL;
    }
    pool->attr = *pool_attr;
    pool->flags = flags;
    thread_pool_attr_t *a = &pool->attr;
    if (a->maximum == 0)
        a->maximum = 1;
    if (a->hi_water > a->maximum || a->hi_water == 0)
        a->hi_water = a->maximum;
    if (a->lo_water > a->hi_water)
        a->lo_water = a->hi_water;
    if (a->increment == 0)
        a->increment = 1;
    pthread_mutex_lock(&qh_lock);
    pool->next = qh_pools;
    qh_pools = pool;
    pthread_mutex_unlock(&qh_lock);
    return pool;
}

/* Run one pool thread: block, keep the pool at its water marks, handle. */
static void qh_pool_loop(thread_pool_t *pool);

static void *qh_worker_main(void *arg)
{
    struct qh_worker *w = arg;
    qh_pool_loop(w->pool);
    pthread_mutex_lock(&qh_lock);
    w->done = 1;
    pthread_mutex_unlock(&qh_lock);
    return NULL;
}

/* Join finished workers (called with qh_lock; they no longer need it). */
static void qh_pool_reap(thread_pool_t *pool)
{
    struct qh_worker **pp = &pool->workers;
    while (*pp) {
        struct qh_worker *w = *pp;
        if (!w->done) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        pthread_join(w->thread, NULL);
        free(w);
    }
}

static void qh_pool_spawn(thread_pool_t *pool, int n)
{
    qh_pool_reap(pool);
    for (int i = 0; i < n && pool->nthreads < pool->attr.maximum; i++) {
        struct qh_worker *w = calloc(1, sizeof *w);
        if (!w)
            return;
        w->pool = pool;
        if (pthread_create(&w->thread, NULL, qh_worker_main, w) != 0) {
            free(w);                          /* out of threads: keep what we have */
            return;
        }
        w->next = pool->workers;
        pool->workers = w;
        pool->nthreads++;
    }
}

/* A thread leaves the pool's loop (also by pthread_exit from a stopped dispatch_block()). */
static void qh_pool_leave(void *arg)
{
    thread_pool_t *pool = arg;
    pthread_mutex_lock(&qh_lock);
    if (--pool->nthreads == 0)
        pthread_cond_broadcast(&qh_pool_gone);
    pthread_mutex_unlock(&qh_lock);
}

/* Runs on a worker or on the thread_pool_start() caller (POOL_FLAG_USE_SELF); once it has
   left nthreads it never touches the pool again (qh_pools_stop frees it). */
static void qh_pool_loop(thread_pool_t *pool)
{
    const thread_pool_attr_t *a = &pool->attr;
    void (*context_free)(THREAD_POOL_PARAM_T *) = a->context_free;
    THREAD_POOL_PARAM_T *ctp = a->context_alloc(a->handle);
    pthread_cleanup_push(qh_pool_leave, pool);
    pthread_mutex_lock(&qh_lock);
    while (ctp && !pool->stopping) {
        pool->nwaiting++;
        pthread_mutex_unlock(&qh_lock);
        THREAD_POOL_PARAM_T *got = a->block_func(ctp);
        pthread_mutex_lock(&qh_lock);
        pool->nwaiting--;
        if (pool->stopping || !got)           /* stop, or an interrupted block */
            continue;
        ctp = got;
        if (pool->nwaiting < a->lo_water)     /* too few threads left waiting */
            qh_pool_spawn(pool, a->increment);
        pthread_mutex_unlock(&qh_lock);
        a->handler_func(ctp);
        pthread_mutex_lock(&qh_lock);
        if (pool->nwaiting >= a->hi_water)    /* enough waiters: this one may go */
            break;
    }
    pthread_mutex_unlock(&qh_lock);
    pthread_cleanup_pop(1);
    if (ctp && context_free)
        context_free(ctp);
}

/* The pool is read only under qh_lock: once the workers run, qh_server_stop() may free it. */
int thread_pool_start(void *handle)
{
    thread_pool_t *pool = handle;
    pthread_mutex_lock(&qh_lock);
    unsigned flags = pool->flags;
    int first = pool->attr.lo_water > 0 ? pool->attr.lo_water : 1;
    if (flags & POOL_FLAG_USE_SELF) {         /* this thread is one of them */
        pool->nthreads++;
        first--;
    }
    qh_pool_spawn(pool, first);
    pthread_mutex_unlock(&qh_lock);
    if (flags & POOL_FLAG_USE_SELF) {         /* counted in nthreads: the pool stays */
        qh_pool_loop(pool);
        return 0;
    }
    if (flags & POOL_FLAG_EXIT_SELF)
        pthread_exit(NULL);
    return 0;
}

int thread_pool_destroy(thread_pool_t *pool)
{
    pthread_mutex_lock(&qh_lock);
    pool->stopping = 1;
    pthread_mutex_unlock(&qh_lock);
    return 0;
}

/* qh_server_stop(): make every pool thread leave and free the pools, each once no thread
   (worker or POOL_FLAG_USE_SELF caller) is left in its loop. */
void qh_pools_stop(void)
{
    pthread_mutex_lock(&qh_lock);
    for (thread_pool_t *p = qh_pools; p; p = p->next)
        p->stopping = 1;
    thread_pool_t *pools = qh_pools;
    qh_pools = NULL;
    pthread_mutex_unlock(&qh_lock);
    while (pools) {
        thread_pool_t *p = pools;
        pools = p->next;
        pthread_mutex_lock(&qh_lock);
        struct qh_worker *workers = p->workers;
        p->workers = NULL;
        pthread_mutex_unlock(&qh_lock);
        while (workers) {
            struct qh_worker *w = workers;
            workers = w->next;
            pthread_join(w->thread, NULL);
            free(w);
        }
        pthread_mutex_lock(&qh_lock);
        while (p->nthreads > 0)               /* a USE_SELF caller still leaving its loop */
            pthread_cond_wait(&qh_pool_gone, &qh_lock);
        pthread_mutex_unlock(&qh_lock);
        free(p);
    }
}
