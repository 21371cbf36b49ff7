/*
 * The gpio example driven by its hardware events, on the host runtime: the test plays
 * the hardware (it writes the registers in qh_device_memory() and raises the interrupt)
 * and the clock (qh_timer_advance()), then reads the hooks' work back with devctls.
 * wait_result, a blocking devctl, is held until the conversion's interrupt completes it.
 * Also: every event hook ran with the device locked, and -i / -t move the interrupt
 * and the timer period. Built by tests/test_gpio_example.py, under ASan+UBSan.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <qnxhost/host.h>
#include <sys/neutrino.h>
#include "gpio_client.h"

int gpio_server_main(int argc, char *argv[]);

#define REGS_PADDR 0xfe200000u                /* as in gpio.yaml */
#define REGS_SIZE  0x100u
#define LEDS_PORT  0x378u                     /* the leds window: port I/O */
#define IRQ        42
#define PERIOD_NS  100000000ull               /* 100 ms */
#define WAIT_MS    5000u

static unsigned passed, failed;
#define CHECK(cond) do { if (cond) passed++; else { failed++; printf("FAIL line %d: %s (errno %d)\n", __LINE__, #cond, errno); } } while (0)

static volatile uint32_t *regs;               /* the "hardware": CTRL, STATUS, DATA, ACK */

static int start_server(int argc, char **argv)
{
    optind = 1;
    return qh_server_start(gpio_server_main, argc, argv);
}

static gpio_counters_t counters(int fd)
{
    gpio_counters_t c;
    memset(&c, 0xFF, sizeof c);
    CHECK(gpio_get_counters(fd, &c) == 0);
    return c;
}

/* Start a conversion, complete it with the interrupt: the hook reads DATA. */
static void conversion(int fd, uint32_t data)
{
    unsigned long handled = qh_pulses_handled();
    uint32_t result = 0;

    CHECK(gpio_start(fd) == 0);
    CHECK((regs[0] & 1u) == 1u);              /* CTRL.START set through the mapped window */
    regs[2] = data;                           /* the converter's result appears in DATA */
    regs[3] = 0;
    CHECK(qh_interrupt_raise(IRQ) == 1);
    CHECK(qh_pulses_wait(handled + 1, WAIT_MS) == 0);
    CHECK(gpio_get_result(fd, &result) == 0);
    CHECK(result == data);
    CHECK((regs[0] & 1u) == 0u);              /* START cleared */
    CHECK(regs[3] == 1u);                     /* interrupt acknowledged */
    CHECK(qh_interrupt_masked(IRQ) == 0);     /* and unmasked */
}

struct waiter { int fd; int started; int done; int status; uint32_t result; pthread_mutex_t lock; };

/* A client that waits for the next conversion (gpio_wait_result() is held). */
static void *wait_result(void *arg)
{
    struct waiter *w = arg;
    uint32_t result = 0;
    int status;

    pthread_mutex_lock(&w->lock);
    w->started = 1;
    pthread_mutex_unlock(&w->lock);
    status = gpio_wait_result(w->fd, &result);
    pthread_mutex_lock(&w->lock);
    w->status = status;
    w->result = result;
    w->done = 1;
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static int waiter_flag(struct waiter *w, int done)
{
    int v;
    pthread_mutex_lock(&w->lock);
    v = done ? w->done : w->started;
    pthread_mutex_unlock(&w->lock);
    return v;
}

/* Two clients wait; one interrupt completes both with its conversion's result. A waiter
   whose request had not arrived yet at that conversion waits for the next: bounded retries. */
static void held_until_interrupt(int fd)
{
    struct waiter w[2];
    pthread_t t[2];
    struct timespec ms = { 0, 1000000 };
    uint32_t result = 1;

    for (int i = 0; i < 2; i++) {
        w[i] = (struct waiter){ gpio_open(NULL, O_RDONLY), 0, 0, -2, 0, PTHREAD_MUTEX_INITIALIZER };
        CHECK(w[i].fd >= 0);
        CHECK(pthread_create(&t[i], NULL, wait_result, &w[i]) == 0);
    }
    for (int i = 0; i < 2000 && !(waiter_flag(&w[0], 0) && waiter_flag(&w[1], 0)); i++)
        nanosleep(&ms, NULL);
    for (int i = 0; i < 50; i++)
        nanosleep(&ms, NULL);                 /* 50 ms: both requests are held */
    CHECK(waiter_flag(&w[0], 1) == 0 && waiter_flag(&w[1], 1) == 0);  /* still waiting */
    for (int round = 0; round < 10 && !(waiter_flag(&w[0], 1) && waiter_flag(&w[1], 1)); round++) {
        conversion(fd, 0x0777u);              /* the adc hook answers every held request */
        for (int i = 0; i < 100 && !(waiter_flag(&w[0], 1) && waiter_flag(&w[1], 1)); i++)
            nanosleep(&ms, NULL);
    }
    for (int i = 0; i < 2; i++) {
        CHECK(pthread_join(t[i], NULL) == 0);
        CHECK(w[i].status == 0 && w[i].result == 0x0777u);
        gpio_close(w[i].fd);
    }
    /* O_NONBLOCK: no conversion is completing now, so EAGAIN at once. */
    int nb = gpio_open(NULL, O_RDONLY | O_NONBLOCK);
    CHECK(nb >= 0);
    errno = 0;
    CHECK(gpio_wait_result(nb, &result) == -1 && errno == EAGAIN);
    gpio_close(nb);
}

int main(void)
{
    char *argv[] = { "gpio", NULL };

    regs = qh_device_memory(REGS_PADDR, REGS_SIZE);   /* before the server maps it: the same buffer */
    CHECK(regs != NULL);
    if (regs == NULL || start_server(1, argv) != 0) {
        perror("gpio server");
        return 1;
    }
    int fd = gpio_open(NULL, O_RDWR);
    CHECK(fd >= 0);

    /* Two conversions, each completed by its interrupt. */
    conversion(fd, 0x0ABCu);
    conversion(fd, 0x0123u);
    CHECK(counters(fd).conversions == 2);

    /* A blocking devctl completed by the interrupt hook. */
    held_until_interrupt(fd);

    /* Port I/O: set_leds writes the LED port (out8 through the mapped window). */
    volatile uint8_t *leds = qh_device_io(LEDS_PORT, 4);
    CHECK(leds != NULL && leds[0] == 0);
    CHECK(gpio_set_leds(fd, &(uint8_t){ 0xA5 }) == 0);
    CHECK(leds != NULL && leds[0] == 0xA5 && leds[1] == 0);

    /* The timer polls STATUS once per period of the (virtual) clock. */
    regs[1] = 0x55u;
    unsigned long handled = qh_pulses_handled();
    uint32_t polls = counters(fd).polls;
    CHECK(qh_timer_advance(PERIOD_NS) == 1);
    CHECK(qh_pulses_wait(handled + 1, WAIT_MS) == 0);
    gpio_counters_t c = counters(fd);
    CHECK(c.polls == polls + 1 && c.last_status == 0x55u);
    CHECK(qh_timer_advance(PERIOD_NS / 2) == 0);       /* half a period: no tick */
    regs[1] = 0xAAu;
    CHECK(qh_timer_advance(3 * PERIOD_NS) == 3);       /* three periods more: three ticks */
    CHECK(qh_pulses_wait(handled + 4, WAIT_MS) == 0);
    c = counters(fd);
    CHECK(c.polls == polls + 4 && c.last_status == 0xAAu);

    /* A wake pulse (sent here on the client's fd) polls now and keeps its value. */
    handled = qh_pulses_handled();
    CHECK(MsgSendPulse(fd, 10, GPIO_PULSE_WAKE, 1234) == 0);
    CHECK(qh_pulses_wait(handled + 1, WAIT_MS) == 0);
    c = counters(fd);
    CHECK(c.wakes == 1 && c.last_wake == 1234 && c.polls == polls + 5);

    /* Every event hook found the device locked. */
    CHECK(c.unlocked == 0);

    gpio_close(fd);
    qh_server_stop();
    CHECK(qh_protocol_errors() == 0);

    /* -i and -t: the interrupt number and the period come from the command line. */
    char *argv2[] = { "gpio", "-i", "7", "-t", "5", NULL };
    CHECK(start_server(5, argv2) == 0);
    fd = gpio_open(NULL, O_RDWR);
    CHECK(fd >= 0);
    CHECK(qh_interrupt_raise(IRQ) == -1);      /* 42 is no longer attached */
    regs[2] = 77u;
    handled = qh_pulses_handled();
    CHECK(qh_interrupt_raise(7) == 1);
    CHECK(qh_pulses_wait(handled + 1, WAIT_MS) == 0);
    uint32_t result = 0;
    CHECK(gpio_get_result(fd, &result) == 0 && result == 77u);
    CHECK(qh_timer_advance(5000000ull) == 1);  /* 5 ms */
    CHECK(qh_pulses_wait(handled + 2, WAIT_MS) == 0);
    CHECK(counters(fd).polls == 1);
    gpio_close(fd);
    qh_server_stop();

    /* A period of 0 is refused on the command line. */
    char *argv3[] = { "gpio", "-t", "0", NULL };
    CHECK(start_server(3, argv3) == -1);
    CHECK(qh_protocol_errors() == 0);

    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
