/*
 * A short client session with the generated /dev/sample driver, on the Linux host.
 *
 * `make run` builds the unchanged generated server (examples/sample/server) and client
 * library (examples/sample/lib) against rmgen's QNX host runtime, then runs this: the
 * server starts on its own thread and every call below is a real synchronous QNX
 * message exchange with it. Written by hand, as a user of the client library would.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <qnxhost/host.h>
#include "sample_client.h"

int sample_server_main(int argc, char *argv[]);   /* the generated main(), renamed */

static void show_info(int fd)
{
    sample_info_t info;

    if (sample_get_info(fd, &info) == 0)
        printf("  devctl SAMPLE_DCMD_GET_INFO (0x%08x) -> capacity %u, used %u, opens %u\n",
               (unsigned)SAMPLE_DCMD_GET_INFO, info.capacity, info.used, info.opens);
    else
        printf("  devctl SAMPLE_DCMD_GET_INFO failed: %s\n", strerror(errno));
}

int main(void)
{
    static const char text[] = "Hello from a QNX resource manager, running on Linux.\n";
    char *server_argv[] = { "sample", "-v", NULL };
    char buf[128];
    ssize_t n;
    int fd, status;

    if (qh_server_start(sample_server_main, 2, server_argv) != 0) {
        perror("sample server");
        return 1;
    }
    printf("client session with %s:\n", SAMPLE_PATH);
    fd = sample_open(NULL, O_RDWR | O_TRUNC);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    printf("  open(\"%s\", O_RDWR|O_TRUNC) -> fd %#x\n", SAMPLE_PATH, (unsigned)fd);
    n = sample_write(fd, text, strlen(text));
    printf("  write(%zu bytes) -> %zd\n", strlen(text), n);
    show_info(fd);
    lseek(fd, 0, SEEK_SET);
    n = sample_read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("  read() -> %zd bytes: %s", n, buf);
    printf("  read() at the end -> %zd (EOF)\n", sample_read(fd, buf, sizeof buf));
    printf("  devctl SAMPLE_DCMD_CLEAR -> %d\n", sample_clear(fd));
    show_info(fd);
    status = devctl(fd, __DIOF(_DCMD_MISC, 0x7F, uint32_t), buf, sizeof(uint32_t), NULL);
    printf("  devctl of an unknown command -> %s\n", strerror(status));
    sample_close(fd);

    qh_server_stop();
    printf("server stopped; QNX protocol errors: %u\n", qh_protocol_errors());
    return qh_protocol_errors() == 0 ? 0 : 1;
}
