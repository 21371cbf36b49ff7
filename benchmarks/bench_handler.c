/*
 * bench_handler.c: CALLS devctls of one kind to the in-process thermo server, so that
 * callgrind (--toggle-collect=thermo_io_devctl) counts the handler's instructions per call.
 * Driven by benchmarks/bench_handler.py; linked with examples/thermo's server (the
 * generated handler, or benchmarks/expert_thermo_devctl.c in its place) and client library.
 *
 *     bench_handler get|set CALLS      thermo_get_config() or thermo_set_config() CALLS times
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qnxhost/host.h>
#include "thermo_client.h"

int thermo_server_main(int argc, char *argv[]);

int main(int argc, char *argv[])
{
    char *server_argv[] = { "thermo", "-p", "/dev/rmgen-bench/thermo", NULL };
    long calls = argc > 2 ? atol(argv[2]) : 1000;
    int set = argc > 1 && strcmp(argv[1], "set") == 0;
    thermo_config_t cfg;
    int fd, bad = 0;

    if (qh_server_start(thermo_server_main, 3, server_argv) != 0 ||
        (fd = thermo_open(server_argv[2], O_RDWR)) < 0) {
        perror("bench_handler");
        return 1;
    }
    bad |= thermo_get_config(fd, &cfg) != 0;  /* a valid config to send back */
    for (long i = 0; i < calls; i++)
        bad |= (set ? thermo_set_config(fd, &cfg) : thermo_get_config(fd, &cfg)) != 0;
    thermo_close(fd);
    qh_server_stop();
    if (bad || qh_protocol_errors() != 0) {
        fprintf(stderr, "bench_handler: a call failed\n");
        return 1;
    }
    return 0;
}
