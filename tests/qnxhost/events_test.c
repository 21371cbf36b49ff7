/*
 * qnxhost's emulated interrupts, timers, device memory and port I/O, without a server: events are queued on a
 * dispatch channel nobody receives from, so masking and latching are seen one step at a
 * time. Built and run by tests/test_qnxhost_events.py under ASan+UBSan.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <hw/inout.h>
#include <sys/mman.h>
#include <sys/neutrino.h>
#include <sys/dispatch.h>
#include <qnxhost/host.h>

static unsigned passed, failed;
#define CHECK(cond) do { if (cond) passed++; else { failed++; printf("FAIL line %d: %s (errno %d)\n", __LINE__, #cond, errno); } } while (0)

int main(void)
{
    dispatch_t *dpp = dispatch_create_channel(-1, 0);
    CHECK(dpp != NULL);
    int coid = message_connect(dpp, MSG_FLAG_SIDE_CHANNEL);
    CHECK(coid != -1);
    struct sigevent ev;
    SIGEV_PULSE_INIT(&ev, coid, 21, 5, 0);

    /* No I/O privity yet: refused. */
    errno = 0;
    CHECK(InterruptAttachEvent(3, &ev, _NTO_INTR_FLAGS_TRK_MSK) == -1 && errno == EPERM);
    CHECK(ThreadCtl(_NTO_TCTL_IO, 0) == 0);
    int id = InterruptAttachEvent(3, &ev, _NTO_INTR_FLAGS_TRK_MSK);
    CHECK(id > 0);

    /* Delivery masks; raises while masked are counted; each unmask delivers one. */
    CHECK(qh_interrupt_raise(4) == -1 && errno == ENOENT);   /* nothing on irq 4 */
    CHECK(qh_interrupt_raise(3) == 1 && qh_interrupt_masked(3) == 1);
    CHECK(qh_interrupt_raise(3) == 0 && qh_interrupt_raise(3) == 0);
    CHECK(qh_interrupt_pending(3) == 2);
    CHECK(InterruptUnmask(3, id) == 1 && qh_interrupt_pending(3) == 1);  /* redelivered: masked again */
    CHECK(InterruptUnmask(3, id) == 1 && qh_interrupt_pending(3) == 0);
    CHECK(InterruptUnmask(3, id) == 0 && qh_interrupt_masked(3) == 0);
    CHECK(InterruptUnmask(3, id) == 0);                      /* never below 0 */
    CHECK(InterruptMask(3, id) == 1 && qh_interrupt_raise(3) == 0);
    CHECK(InterruptUnmask(4, id) == -1 && errno == EINVAL);  /* id is not on irq 4 */
    CHECK(InterruptDetach(id) == 0 && qh_interrupt_raise(3) == -1);
    CHECK(InterruptDetach(id) == -1);

    /* Timers: only SIGEV_PULSE; periodic on the virtual clock; disarm; delete. */
    timer_t t;
    struct sigevent sig;
    memset(&sig, 0, sizeof sig);
    sig.sigev_notify = SIGEV_SIGNAL;
    CHECK(timer_create(CLOCK_MONOTONIC, &sig, &t) == -1 && errno == EINVAL);
    CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
    struct itimerspec its = { { 0, 1000 }, { 0, 3000 } };    /* first after 3 us, then every 1 us */
    CHECK(timer_settime(t, 0, &its, NULL) == 0);
    CHECK(qh_timer_advance(2999) == 0);
    CHECK(qh_timer_advance(1) == 1);
    CHECK(qh_timer_advance(2500) == 2);
    struct itimerspec old, off = { { 0, 0 }, { 0, 0 } };
    CHECK(timer_settime(t, 0, &off, &old) == 0 && old.it_interval.tv_nsec == 1000);
    CHECK(qh_timer_advance(1000000) == 0);                   /* disarmed */
    CHECK(timer_delete(t) == 0 && timer_delete(t) == -1);

    /* Device memory: one zeroed buffer per range, shared; partial overlaps refused. */
    unsigned char *m = qh_device_memory(0x4000, 64);
    CHECK(m != NULL && m[63] == 0);
    CHECK(mmap_device_memory(NULL, 16, PROT_READ | PROT_WRITE | PROT_NOCACHE, 0, 0x4010) == m + 16);
    CHECK(mmap_device_memory(NULL, 64, PROT_READ, 0, 0x4020) == MAP_FAILED && errno == EINVAL);
    CHECK(munmap_device_memory(m + 16, 16) == 0);
    CHECK(munmap_device_memory(&passed, 4) == -1);

    /* Port I/O: its own address space (0x4000 is not the memory above); the handle is the
       port; in/out reach the test's buffer, little-endian, unaligned allowed. */
    unsigned char *io = qh_device_io(0x4000, 8);
    CHECK(io != NULL && io != m);
    uintptr_t port = mmap_device_io(4, 0x4004);
    CHECK(port == 0x4004);
    out8(port, 0x5A);
    CHECK(io[4] == 0x5A && in8(port) == 0x5A);
    out16(port + 1, 0x1234);
    CHECK(io[5] == 0x34 && io[6] == 0x12 && in16(port + 1) == 0x1234);
    io[0] = 1; io[1] = 2; io[2] = 3; io[3] = 4;
    CHECK(in32(0x4000) == 0x04030201u);
    out32(0x4000, 0xA0B0C0D0u);
    CHECK(io[0] == 0xD0 && io[3] == 0xA0);
    CHECK(mmap_device_io(8, 0x4004) == MAP_DEVICE_FAILED && errno == EINVAL);  /* partly overlaps */
    unsigned errors = qh_protocol_errors();
    CHECK(in8(0x5000) == 0xFFu && qh_protocol_errors() == errors + 1);       /* no range there */
    CHECK(munmap_device_io(port, 4) == 0 && munmap_device_io(0x5000, 1) == -1);

    qh_server_stop();                                        /* frees the dispatch and queued pulses */
    errors = qh_protocol_errors();
    CHECK(in8(0x4004) == 0xFFu && qh_protocol_errors() == errors + 1);       /* privity ended with the server */
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
