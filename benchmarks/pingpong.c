/*
 * pingpong.c: the qnxhost devctl round trip against the machine's own thread-to-thread
 * round trips, measured in one run (benchmarks/bench_runtime.py drives it).
 *
 *     pingpong ROUNDS [MODE]     MODE: all (default), futex, spin, condvar, qnxhost
 *
 * futex:   two threads hand a token back and forth through one futex word (wait/wake);
 * spin:    the same, but a waiter first polls the word for up to QH_SPIN_NS (default 20 µs,
 *          as qnxhost's waits do; never with one CPU) and the passer wakes only a sleeper;
 * condvar: the same with a mutex and two condition variables;
 * qnxhost: a client thread sends devctl(DCMD_ALL_GETFLAGS) to an in-process resource manager
 *          (iofunc defaults, the single-threaded dispatch loop of the QNX samples) and waits
 *          for the reply: a full MsgSend/receive/handler/MsgReply round trip.
 * Prints one line "mode=M rounds=N seconds=S" per measurement; no thresholds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <sys/iofunc.h>
#include <sys/dispatch.h>
#include <sys/dcmd_all.h>
#include <qnxhost/host.h>

#define BENCH_PATH "/dev/qh-pingpong"

static long rounds;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process (every thread): what the round trips cost, whatever else
   the machine runs. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu0;

static void report(const char *mode, double seconds)
{
    printf("mode=%s rounds=%ld seconds=%.6f cpu=%.6f\n", mode, rounds, seconds, cpu() - cpu0);
}

/* ---- futex ping-pong: the token is 0 (ping's turn) or 1 (pong's turn) ---- */

static _Atomic int token;

static void futex_wait(_Atomic int *word, int value)
{
    while (atomic_load(word) == value)
        syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}

static void futex_pass(_Atomic int *word, int value)
{
    atomic_store(word, value);
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* One hand-off kind: wait while the token holds a value, pass it the other value. */
struct handoff {
    const char *mode;
    void      (*wait)(_Atomic int *word, int value);
    void      (*pass)(_Atomic int *word, int value);
};

static void *handoff_pong(void *arg)
{
    const struct handoff *h = arg;
    for (long i = 0; i < rounds; i++) {
        h->wait(&token, 0);
        h->pass(&token, 0);
    }
    return NULL;
}

static void bench_handoff(const struct handoff *h)
{
    pthread_t t;
    atomic_store(&token, 0);
    pthread_create(&t, NULL, handoff_pong, (void *)h);
    cpu0 = cpu();
    double t0 = now();
    for (long i = 0; i < rounds; i++) {
        h->pass(&token, 1);
        h->wait(&token, 1);
    }
    double t1 = now();
    pthread_join(t, NULL);
    report(h->mode, t1 - t0);
}

static void bench_futex(void)
{
    static const struct handoff futex = { "futex", futex_wait, futex_pass };
    bench_handoff(&futex);
}

/* ---- the futex ping-pong with qnxhost's poll before sleeping ---- */

static _Atomic int sleepers;
static long        spin_ns = 20000;

static void spin_wait(_Atomic int *word, int value)
{
    double t0 = now();
    do {
        for (int i = 0; i < 64 && spin_ns > 0; i++) {
            if (atomic_load_explicit(word, memory_order_relaxed) != value)
                return;
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
    } while ((now() - t0) * 1e9 < spin_ns);
    atomic_fetch_add(&sleepers, 1);           /* before the futex looks at the word */
    futex_wait(word, value);
    atomic_fetch_sub(&sleepers, 1);
}

static void spin_pass(_Atomic int *word, int value)
{
    atomic_store(word, value);                /* before the look at sleepers */
    if (atomic_load(&sleepers) > 0)
        syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void bench_spin(void)
{
    static const struct handoff spin = { "spin", spin_wait, spin_pass };
    const char *env = getenv("QH_SPIN_NS");
    cpu_set_t cpus;
    if (env && *env)
        spin_ns = atol(env);
    if (sched_getaffinity(0, sizeof cpus, &cpus) != 0 || CPU_COUNT(&cpus) < 2)
        spin_ns = 0;                          /* the peer could not run while we poll */
    bench_handoff(&spin);
}

/* ---- mutex + condition variable ping-pong ---- */

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  cv_ping = PTHREAD_COND_INITIALIZER, cv_pong = PTHREAD_COND_INITIALIZER;
static int             cv_turn;

static void *condvar_pong(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cv_lock);
    for (long i = 0; i < rounds; i++) {
        while (cv_turn != 1)
            pthread_cond_wait(&cv_pong, &cv_lock);
        cv_turn = 0;
        pthread_cond_signal(&cv_ping);
    }
    pthread_mutex_unlock(&cv_lock);
    return NULL;
}

static void bench_condvar(void)
{
    pthread_t t;
    cv_turn = 0;
    pthread_create(&t, NULL, condvar_pong, NULL);
    cpu0 = cpu();
    double t0 = now();
    pthread_mutex_lock(&cv_lock);
    for (long i = 0; i < rounds; i++) {
        cv_turn = 1;
        pthread_cond_signal(&cv_pong);
        while (cv_turn != 0)
            pthread_cond_wait(&cv_ping, &cv_lock);
    }
    pthread_mutex_unlock(&cv_lock);
    double t1 = now();
    pthread_join(t, NULL);
    report("condvar", t1 - t0);
}

/* ---- qnxhost: a devctl round trip to a resource manager with the iofunc defaults ---- */

static resmgr_connect_funcs_t connect_funcs;
static resmgr_io_funcs_t      io_funcs;
static iofunc_attr_t          attr;

static int server_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    dispatch_t *dpp = dispatch_create();
    iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs, _RESMGR_IO_NFUNCS, &io_funcs);
    iofunc_attr_init(&attr, S_IFCHR | 0666, NULL, NULL);
    if (!dpp || resmgr_attach(dpp, NULL, BENCH_PATH, _FTYPE_ANY, 0, &connect_funcs, &io_funcs,
                              &attr) == -1)
        return EXIT_FAILURE;
    dispatch_context_t *ctp = dispatch_context_alloc(dpp);
    while (ctp) {
        dispatch_context_t *got = dispatch_block(ctp);
        if (got == NULL) {
            if (errno == EINTR)
                continue;
            break;
        }
        dispatch_handler(got);
    }
    return EXIT_SUCCESS;
}

static int bench_qnxhost(void)
{
    static char name[] = "pingpong";
    static char *argv[] = { name, NULL };
    if (qh_server_start(server_main, 1, argv) != 0)
        return -1;
    int fd = qh_open(BENCH_PATH, O_RDWR);
    int flags = 0, bad = 0;
    cpu0 = cpu();
    double t0 = now();
    for (long i = 0; i < rounds; i++)
        bad += devctl(fd, DCMD_ALL_GETFLAGS, &flags, sizeof flags, NULL) != EOK;
    double t1 = now();
    report("qnxhost", t1 - t0);
    qh_close(fd);
    qh_server_stop();
    if (fd < 0 || bad) {
        fprintf(stderr, "pingpong: %d devctl calls failed\n", bad);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atol(argv[1]) : 100000;
    const char *mode = argc > 2 ? argv[2] : "all";
    int all = strcmp(mode, "all") == 0;
    if (rounds <= 0) {
        fprintf(stderr, "usage: pingpong ROUNDS [all|futex|spin|condvar|qnxhost]\n");
        return 2;
    }
    if (all || strcmp(mode, "futex") == 0)
        bench_futex();
    if (all || strcmp(mode, "spin") == 0)
        bench_spin();
    if (all || strcmp(mode, "condvar") == 0)
        bench_condvar();
    if ((all || strcmp(mode, "qnxhost") == 0) && bench_qnxhost() != 0)
        return 1;
    return 0;
}
