/*
 * The can example on the host runtime: eight mailbox paths served by one process. The
 * test plays the controller (it writes the registers in qh_device_memory() and raises
 * the receive and transmit interrupts) and checks what clients of different paths see:
 * an interrupt-delivered frame releases a read() or an rx_frame command held on its rx
 * mailbox, mailbox filters route frames, a full tx mailbox holds a writer (O_NONBLOCK:
 * EAGAIN) until the transmit interrupt makes room, commands are refused on the wrong
 * role's paths, and canif_demo() (an existing client of canif.h, compiled unchanged
 * against the generated header) works. Built by tests/test_can_example.py, under ASan+UBSan.
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
#include <sys/neutrino.h>
#include "can_client.h"

int can_server_main(int argc, char *argv[]);
int canif_demo(const char *path);              /* tests/data/naming/canif_client.c */

#define REGS_PADDR  0xfe300000u               /* as in can.yaml */
#define REGS_SIZE   0x100u
#define IRQ_RX      53
#define IRQ_TX      54
#define WAIT_MS     5000u
#define QUEUE_LEN   4                         /* frames per mailbox (can.yaml: queue.frames) */
#define R_RX_ID     (0x00u / 4)               /* register indexes, as in can_hooks.c */
#define R_RX_CTRL   (0x04u / 4)
#define R_RX_DATA0  (0x08u / 4)
#define R_RX_DATA1  (0x0cu / 4)
#define R_RX_ACK    (0x14u / 4)
#define R_TX_REQ    (0x20u / 4)
#define R_TX_DONE   (0x24u / 4)
#define R_SLOT0_ID  (0x40u / 4)

static unsigned passed, failed;
#define CHECK(cond) do { if (cond) passed++; else { failed++; printf("FAIL line %d: %s (errno %d)\n", __LINE__, #cond, errno); } } while (0)

static volatile uint32_t *regs;               /* the controller */

/* The controller receives a frame: registers filled, then the receive interrupt. */
static void receive(uint32_t id, uint8_t dlc, uint32_t data0)
{
    unsigned long handled = qh_pulses_handled();

    regs[R_RX_ID] = id;
    regs[R_RX_CTRL] = dlc;
    regs[R_RX_DATA0] = data0;
    regs[R_RX_DATA1] = 0;
    regs[R_RX_ACK] = 0;
    CHECK(qh_interrupt_raise(IRQ_RX) == 1);
    CHECK(qh_pulses_wait(handled + 1, WAIT_MS) == 0);
    CHECK(regs[R_RX_ACK] == 1u);              /* the hook freed the receive registers */
}

/* The controller sent the frames of the slots in `done`: the transmit interrupt. */
static void sent(uint32_t done)
{
    unsigned long handled = qh_pulses_handled();

    regs[R_TX_DONE] = done;
    CHECK(qh_interrupt_raise(IRQ_TX) == 1);
    CHECK(qh_pulses_wait(handled + 1, WAIT_MS) == 0);
}

struct blocked_io { int fd; ssize_t n; int err; CANIF_FRAME frame; volatile int done; };

static void *read_frame(void *arg)
{
    struct blocked_io *b = arg;
    b->n = read(b->fd, &b->frame, sizeof b->frame);
    b->err = errno;
    b->done = 1;
    return NULL;
}

static void *write_frame(void *arg)
{
    struct blocked_io *b = arg;
    b->n = write(b->fd, &b->frame, sizeof b->frame);
    b->err = errno;
    b->done = 1;
    return NULL;
}

static void pause_ms(long ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

/* A read() on rx0 waits; the interrupt's frame releases it. */
static void test_interrupt_releases_read(void)
{
    struct blocked_io b;
    pthread_t t;
    int fd = can_open(CAN_RX_PATH "0", O_RDONLY);

    CHECK(fd >= 0);
    memset(&b, 0, sizeof b);
    b.fd = fd;
    CHECK(pthread_create(&t, NULL, read_frame, &b) == 0);
    pause_ms(100);
    CHECK(!b.done);                           /* held: no frame yet */
    receive(0x321u, 4, 0xddccbbaau);
    pthread_join(t, NULL);
    CHECK(b.n == (ssize_t)sizeof b.frame);
    CHECK(b.frame.id == 0x321u && b.frame.dlc == 4 && b.frame.data[0] == 0xaa && b.frame.data[3] == 0xdd);
    can_close(fd);
}

struct held_cmd { int fd; int result; CANIF_FRAME frame; volatile int done; };

static void *rx_frame_held(void *arg)
{
    struct held_cmd *h = arg;
    h->result = can_rx_frame(h->fd, &h->frame) == 0 ? EOK : errno;
    h->done = 1;
    return NULL;
}

/* The blocking rx_frame command on rx2 waits; a frame routed there answers it. */
static void test_interrupt_answers_rx_frame(void)
{
    can_mailbox_t box = { 0x42u, 0x7ffu };
    struct held_cmd h;
    pthread_t t;
    int fd = can_open(CAN_RX_PATH "2", O_RDWR);
    int nb = can_open(CAN_RX_PATH "2", O_RDONLY | O_NONBLOCK);

    CHECK(fd >= 0 && nb >= 0);
    CHECK(can_set_mailbox(fd, &box) == 0);
    errno = 0;
    CHECK(can_rx_frame(nb, &h.frame) == -1 && errno == EAGAIN);  /* O_NONBLOCK: never held */
    memset(&h, 0, sizeof h);
    h.fd = fd;
    CHECK(pthread_create(&t, NULL, rx_frame_held, &h) == 0);
    pause_ms(100);
    CHECK(!h.done);                           /* held: no frame for rx2 yet */
    receive(0x42u, 2, 0xbeefu);
    pthread_join(t, NULL);
    CHECK(h.result == EOK && h.frame.id == 0x42u && h.frame.dlc == 2 && h.frame.data[0] == 0xef);
    box.mask = 0;
    CHECK(can_set_mailbox(fd, &box) == 0);
    can_close(fd);
    can_close(nb);
}

/* A filter on rx1 takes its frames; everything else goes to the first catch-all (rx0). */
static void test_filters_route_frames(void)
{
    can_mailbox_t box = { 0x123u, 0x7ffu };
    uint32_t pending = 99;
    CANIF_FRAME f;
    int rx0 = can_open(CAN_RX_PATH "0", O_RDONLY | O_NONBLOCK);
    int rx1 = can_open(CAN_RX_PATH "1", O_RDWR | O_NONBLOCK);

    CHECK(rx0 >= 0 && rx1 >= 0);
    CHECK(can_set_mailbox(rx1, &box) == 0);
    receive(0x123u, 1, 0x11u);
    receive(0x456u, 1, 0x22u);
    CHECK(can_rx_pending(rx1, &pending) == 0 && pending == 1);
    CHECK(can_rx_pending(rx0, &pending) == 0 && pending == 1);
    CHECK(read(rx1, &f, sizeof f) == (ssize_t)sizeof f && f.id == 0x123u && f.data[0] == 0x11);
    CHECK(read(rx0, &f, sizeof f) == (ssize_t)sizeof f && f.id == 0x456u && f.data[0] == 0x22);
    errno = 0;
    CHECK(read(rx0, &f, sizeof f) == -1 && errno == EAGAIN);  /* empty, and O_NONBLOCK */
    box.mask = 0;
    CHECK(can_set_mailbox(rx1, &box) == 0);   /* back to a catch-all */
    can_close(rx0);
    can_close(rx1);
}

/* A full tx mailbox: O_NONBLOCK gets EAGAIN, a blocking writer is held until the
   transmit interrupt says the first frame left. */
static void test_full_tx_holds_writer(void)
{
    struct blocked_io b;
    canif_stats_t stats;
    pthread_t t;
    CANIF_FRAME f;
    int nb = can_open(CAN_TX_PATH "2", O_WRONLY | O_NONBLOCK);
    int fd = can_open(CAN_TX_PATH "2", O_WRONLY);
    int i;

    CHECK(nb >= 0 && fd >= 0);
    memset(&f, 0, sizeof f);
    for (i = 0; i < QUEUE_LEN + 1; i++) {
        f.id = 0x100u + (uint32_t)i;
        f.dlc = 1;
        errno = 0;
        if (write(nb, &f, sizeof f) != (ssize_t)sizeof f)
            break;
    }
    CHECK(i == QUEUE_LEN && errno == EAGAIN);  /* four fit, the fifth is refused */
    CHECK((regs[R_TX_REQ] & (1u << 2)) != 0);  /* slot 2 was asked to send ... */
    CHECK(regs[R_SLOT0_ID + 4 * 2] == 0x100u); /* ... the oldest frame */
    memset(&b, 0, sizeof b);
    b.fd = fd;
    b.frame.id = 0x200u;
    CHECK(pthread_create(&t, NULL, write_frame, &b) == 0);
    pause_ms(100);
    CHECK(!b.done);                            /* held: the mailbox is full */
    sent(1u << 2);
    pthread_join(t, NULL);
    CHECK(b.n == (ssize_t)sizeof b.frame);
    CHECK(regs[R_SLOT0_ID + 4 * 2] == 0x101u); /* the next frame is loaded */
    CHECK(can_get_stats(fd, &stats) == 0 && stats.tx_frames == 1 && stats.bus_off >= 1);
    CHECK(can_reset(fd) == 0);
    can_close(nb);
    can_close(fd);
}

/* tx_frame on a tx path queues; on an rx path it is not a command (ENOTTY). */
static void test_commands_by_role(void)
{
    CANIF_FRAME f;
    uint32_t pending;
    int tx = can_open(CAN_TX_PATH "1", O_WRONLY);
    int rx = can_open(CAN_RX_PATH "1", O_RDWR);

    CHECK(tx >= 0 && rx >= 0);
    memset(&f, 0, sizeof f);
    f.id = 0x7ffu;
    CHECK(can_tx_frame(tx, &f) == 0);
    errno = 0;
    CHECK(can_tx_frame(rx, &f) == -1 && errno == ENOTTY);
    errno = 0;
    CHECK(can_rx_pending(tx, &pending) == -1 && errno == ENOTTY);
    errno = 0;
    CHECK(can_rx_frame(tx, &f) == -1 && errno == ENOTTY);  /* refused, not held */
    f.id = 0x800u;                             /* 12 bits without the extended flag */
    errno = 0;
    CHECK(can_tx_frame(tx, &f) == -1 && errno == EINVAL);
    errno = 0;
    CHECK(write(rx, &f, sizeof f) == -1 && errno == ENOSYS);  /* rx paths do not write */
    CHECK(can_reset(tx) == 0);
    can_close(tx);
    can_close(rx);
}

int main(void)
{
    char *argv[] = { "can", NULL };

    setvbuf(stdout, NULL, _IOLBF, 0);
    regs = qh_device_memory(REGS_PADDR, REGS_SIZE);  /* before the server maps it: the same buffer */
    CHECK(regs != NULL);
    optind = 1;
    if (regs == NULL || qh_server_start(can_server_main, 1, argv) != 0) {
        perror("can server");
        return 1;
    }
    test_interrupt_releases_read();
    test_interrupt_answers_rx_frame();
    test_filters_route_frames();
    test_full_tx_holds_writer();
    test_commands_by_role();
    CHECK(canif_demo(CAN_TX_PATH "0") == EOK);  /* the existing client, unchanged */
    qh_server_stop();
    CHECK(qh_protocol_errors() == 0);
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
