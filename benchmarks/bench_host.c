/*
 * bench_host.c: round trips on the qnxhost runtime, driven by benchmarks/run.py.
 *
 * Built with -DBENCH_THERMO (linked with examples/thermo's server and client library):
 *     bench_thermo CALLS THREADS     CALLS thermo_get_config() per thread, THREADS clients
 * Built with -DBENCH_SAMPLE (linked with examples/sample's server):
 *     bench_sample BYTES BLOCK       write then read BYTES in BLOCK-byte messages at offset 0
 * The server runs in-process (qh_server_start), as in the generated host tests. Prints
 * one line "ops=N bytes=N seconds=S mode=M" per measurement; measures only, no thresholds.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <qnxhost/host.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

#ifdef BENCH_THERMO
#include "thermo_client.h"
int thermo_server_main(int argc, char *argv[]);
#define BENCH_PATH "/dev/rmgen-bench/thermo"

static long calls;
static volatile int bad;

static void *client(void *arg)
{
    (void)arg;
    int fd = thermo_open(BENCH_PATH, O_RDONLY);
    thermo_config_t cfg;
    if (fd < 0)
        die("open");
    for (long i = 0; i < calls; i++)
        if (thermo_get_config(fd, &cfg) != 0)
            bad = 1;
    thermo_close(fd);
    return NULL;
}

int main(int argc, char *argv[])
{
    char *server_argv[] = { "thermo", "-p", BENCH_PATH, NULL };
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    pthread_t t[64];

    calls = argc > 1 ? atol(argv[1]) : 100000;
    if (threads < 1 || threads > 64)
        threads = 1;
    if (qh_server_start(thermo_server_main, 3, server_argv) != 0)
        die("qh_server_start");
    double t0 = now();
    for (int i = 0; i < threads; i++)
        if (pthread_create(&t[i], NULL, client, NULL) != 0)
            die("pthread_create");
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double dt = now() - t0;
    qh_server_stop();
    if (bad || qh_protocol_errors())
        die("a get_config call failed");
    printf("ops=%ld bytes=0 seconds=%.6f mode=get_config/%d\n", calls * threads, dt, threads);
    return 0;
}
#endif

#ifdef BENCH_SAMPLE
int sample_server_main(int argc, char *argv[]);
#define BENCH_PATH "/dev/rmgen-bench/sample"

int main(int argc, char *argv[])
{
    char *server_argv[] = { "sample", "-p", BENCH_PATH, NULL };
    long total = argc > 1 ? atol(argv[1]) : 64L << 20;
    size_t block = argc > 2 ? (size_t)atol(argv[2]) : 4096;
    char *buf = malloc(block);
    long n = total / (long)block;

    if (!buf)
        die("malloc");
    memset(buf, 'x', block);
    if (qh_server_start(sample_server_main, 3, server_argv) != 0)
        die("qh_server_start");
    int fd = open(BENCH_PATH, O_RDWR);
    if (fd < 0)
        die("open");
    /* pwrite/pread: one message each (xtype offset); else lseek + write/read, two each */
    int positioned = pwrite(fd, buf, block, 0) == (ssize_t)block;
    const char *how = positioned ? "pwrite/pread" : "lseek+write/read";

    double t0 = now();
    for (long i = 0; i < n; i++) {
        if (positioned ? pwrite(fd, buf, block, 0) != (ssize_t)block
                       : (lseek(fd, 0, SEEK_SET) != 0 || write(fd, buf, block) != (ssize_t)block))
            die("write");
    }
    double dt = now() - t0;
    printf("ops=%ld bytes=%ld seconds=%.6f mode=write/%s\n", n, n * (long)block, dt, how);
    t0 = now();
    for (long i = 0; i < n; i++) {
        if (positioned ? pread(fd, buf, block, 0) != (ssize_t)block
                       : (lseek(fd, 0, SEEK_SET) != 0 || read(fd, buf, block) != (ssize_t)block))
            die("read");
    }
    dt = now() - t0;
    printf("ops=%ld bytes=%ld seconds=%.6f mode=read/%s\n", n, n * (long)block, dt, how);
    close(fd);
    qh_server_stop();
    free(buf);
    return qh_protocol_errors() ? 1 : 0;
}
#endif
