/*
 * qnxhost hardware events: I/O privity, interrupts delivered as pulses, periodic
 * timers on a virtual clock, and device memory as plain buffers. Tests drive them
 * deterministically through qnxhost/host.h: qh_interrupt_raise(), qh_timer_advance(),
 * qh_device_memory(); qh_pulses_wait() waits until the server has handled the pulses.
 *
 * One mutex (qh_ev_lock) protects this file's tables. Pulses are sent with
 * MsgSendPulse(), which takes the runtime's qh_lock: the order is always
 * qh_ev_lock, then qh_lock, and the runtime never calls back while holding qh_lock.
 */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/neutrino.h>
#include <sys/iofunc.h>
#include <hw/inout.h>
#include <qnxhost/host.h>
#include "qh_events.h"
#include "qh_internal.h"

static pthread_mutex_t qh_ev_lock = PTHREAD_MUTEX_INITIALIZER;
static int qh_io_privity;              /* ThreadCtl(_NTO_TCTL_IO) was called */
static int qh_next_id = 1;             /* interrupt and timer ids */

/* ---- I/O privity ---- */

int ThreadCtl(int cmd, void *data)
{
    (void)data;
    if (cmd != _NTO_TCTL_IO) {            /* the only command emulated */
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&qh_ev_lock);
    qh_io_privity = 1;                    /* process-wide on the host */
    pthread_mutex_unlock(&qh_ev_lock);
    return 0;
}

/* ---- interrupts ---- */

/* One InterruptAttachEvent() attachment. */
struct qh_intr {
    struct qh_intr *next;
    int             irq, id;
    struct sigevent event;
    int             masked;    /* mask count: the kernel masks on each delivery */
    int             pending;   /* raises while masked, delivered one per unmask */
};
static struct qh_intr *qh_intrs;

/* Send the attachment's event (qh_ev_lock held); 0, or -1 if its server is gone. */
static int qh_intr_deliver(struct qh_intr *in)
{
    if (in->event.sigev_notify != SIGEV_PULSE)
        return -1;
    in->masked++;
    if (MsgSendPulse(in->event.sigev_coid, in->event.sigev_priority, in->event.sigev_code,
                     in->event.sigev_value.sival_int) == -1) {
        in->masked--;
        return -1;
    }
    return 0;
}

static struct qh_intr *qh_intr_by_id(int id)
{
    for (struct qh_intr *in = qh_intrs; in; in = in->next)
        if (in->id == id)
            return in;
    return NULL;
}

/* EPERM without I/O privity (qh_ev_lock held): the host requires ThreadCtl() first. */
static int qh_need_privity(void)
{
    if (qh_io_privity)
        return 0;
    errno = EPERM;
    return -1;
}

int InterruptAttachEvent(int intr, const struct sigevent *event, unsigned flags)
{
    (void)flags;                          /* the mask is always tracked per id here */
    if (event == NULL || event->sigev_notify != SIGEV_PULSE || intr < 0) {
        errno = EINVAL;                   /* only pulse events are emulated */
        return -1;
    }
    struct qh_intr *in = calloc(1, sizeof *in);
    if (!in) {
        errno = ENOMEM;
        return -1;
    }
    pthread_mutex_lock(&qh_ev_lock);
    if (qh_need_privity() == -1) {
        pthread_mutex_unlock(&qh_ev_lock);
        free(in);
        return -1;
    }
    in->irq = intr;
    in->id = qh_next_id++;
    in->event = *event;
    in->next = qh_intrs;
    qh_intrs = in;
    int id = in->id;
    pthread_mutex_unlock(&qh_ev_lock);
    return id;
}

int InterruptDetach(int id)
{
    pthread_mutex_lock(&qh_ev_lock);
    for (struct qh_intr **pp = &qh_intrs; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            struct qh_intr *in = *pp;
            *pp = in->next;
            pthread_mutex_unlock(&qh_ev_lock);
            free(in);
            return 0;
        }
    }
    pthread_mutex_unlock(&qh_ev_lock);
    errno = EINVAL;
    return -1;
}

int InterruptMask(int intr, int id)
{
    pthread_mutex_lock(&qh_ev_lock);
    struct qh_intr *in = qh_intr_by_id(id);
    int level = -1;
    if (qh_need_privity() == 0 && in && in->irq == intr)
        level = ++in->masked;
    else if (qh_io_privity)
        errno = EINVAL;
    pthread_mutex_unlock(&qh_ev_lock);
    return level;
}

/* Unmask; a raise latched while masked is delivered now (and masks again). */
int InterruptUnmask(int intr, int id)
{
    pthread_mutex_lock(&qh_ev_lock);
    struct qh_intr *in = qh_intr_by_id(id);
    int level = -1;
    if (qh_need_privity() == 0 && in && in->irq == intr) {
        if (in->masked > 0)
            in->masked--;
        if (in->masked == 0 && in->pending > 0 && qh_intr_deliver(in) == 0)
            in->pending--;
        level = in->masked;
    } else if (qh_io_privity) {
        errno = EINVAL;
    }
    pthread_mutex_unlock(&qh_ev_lock);
    return level;
}

int qh_interrupt_raise(int irq)
{
    int result = -1;
    pthread_mutex_lock(&qh_ev_lock);
    for (struct qh_intr *in = qh_intrs; in; in = in->next) {
        if (in->irq != irq)
            continue;
        if (in->masked > 0) {             /* latched until the driver unmasks */
            in->pending++;
            if (result < 0)
                result = 0;
        } else if (qh_intr_deliver(in) == 0) {
            result = 1;
        }
    }
    pthread_mutex_unlock(&qh_ev_lock);
    if (result < 0)
        errno = ENOENT;
    return result;
}

/* Sum of a field over the irq's attachments. */
static int qh_intr_sum(int irq, int pending)
{
    int sum = 0;
    pthread_mutex_lock(&qh_ev_lock);
    for (struct qh_intr *in = qh_intrs; in; in = in->next)
        if (in->irq == irq)
            sum += pending ? in->pending : in->masked;
    pthread_mutex_unlock(&qh_ev_lock);
    return sum;
}

int qh_interrupt_masked(int irq)
{
    return qh_intr_sum(irq, 0);
}

int qh_interrupt_pending(int irq)
{
    return qh_intr_sum(irq, 1);
}

/* ---- timers on a virtual clock ---- */

struct qh_timer {
    struct qh_timer *next;
    int              id;
    struct sigevent  event;
    uint64_t         expiry;       /* virtual ns; 0 = disarmed */
    uint64_t         interval;     /* 0 = one-shot */
};
static struct qh_timer *qh_timers;
static uint64_t qh_vclock = 0;     /* ns since the first timer call */

static uint64_t qh_ts_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static void qh_ns_ts(uint64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
}

static struct qh_timer *qh_timer_find(timer_t timerid)
{
    int id = (int)(intptr_t)timerid;
    for (struct qh_timer *t = qh_timers; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

int qh_timer_create(clockid_t clock_id, struct sigevent *event, timer_t *timerid)
{
    if (clock_id != CLOCK_MONOTONIC && clock_id != CLOCK_REALTIME) {
        errno = EINVAL;
        return -1;
    }
    if (event == NULL || event->sigev_notify != SIGEV_PULSE) {
        errno = EINVAL;                   /* only pulse events are emulated */
        return -1;
    }
    struct qh_timer *t = calloc(1, sizeof *t);
    if (!t) {
        errno = EAGAIN;
        return -1;
    }
    pthread_mutex_lock(&qh_ev_lock);
    t->id = qh_next_id++;
    t->event = *event;
    t->next = qh_timers;
    qh_timers = t;
    *timerid = (timer_t)(intptr_t)t->id;
    pthread_mutex_unlock(&qh_ev_lock);
    return 0;
}

int qh_timer_settime(timer_t timerid, int flags, const struct itimerspec *value,
                     struct itimerspec *ovalue)
{
    pthread_mutex_lock(&qh_ev_lock);
    struct qh_timer *t = qh_timer_find(timerid);
    if (!t || value == NULL || value->it_value.tv_nsec < 0 || value->it_value.tv_nsec >= 1000000000L) {
        pthread_mutex_unlock(&qh_ev_lock);
        errno = EINVAL;
        return -1;
    }
    if (ovalue) {
        qh_ns_ts(t->expiry ? t->expiry - qh_vclock : 0, &ovalue->it_value);
        qh_ns_ts(t->interval, &ovalue->it_interval);
    }
    uint64_t v = qh_ts_ns(&value->it_value);
    t->interval = qh_ts_ns(&value->it_interval);
    if (v == 0)
        t->expiry = 0;                    /* disarm */
    else if (flags & TIMER_ABSTIME)
        t->expiry = v > qh_vclock ? v : qh_vclock + 1;   /* the virtual clock's time */
    else
        t->expiry = qh_vclock + v;
    pthread_mutex_unlock(&qh_ev_lock);
    return 0;
}

int qh_timer_delete(timer_t timerid)
{
    pthread_mutex_lock(&qh_ev_lock);
    for (struct qh_timer **pp = &qh_timers; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == (int)(intptr_t)timerid) {
            struct qh_timer *t = *pp;
            *pp = t->next;
            pthread_mutex_unlock(&qh_ev_lock);
            free(t);
            return 0;
        }
    }
    pthread_mutex_unlock(&qh_ev_lock);
    errno = EINVAL;
    return -1;
}

/* Move the virtual clock on by ns: each armed timer sends one pulse per expiry passed.
   Returns the number of pulses delivered (a timer whose server is gone is disarmed). */
int qh_timer_advance(uint64_t ns)
{
    int sent = 0;
    pthread_mutex_lock(&qh_ev_lock);
    uint64_t until = qh_vclock + ns;
    for (struct qh_timer *t = qh_timers; t; t = t->next) {
        while (t->expiry != 0 && t->expiry <= until) {
            if (MsgSendPulse(t->event.sigev_coid, t->event.sigev_priority, t->event.sigev_code,
                             t->event.sigev_value.sival_int) == -1) {
                t->expiry = 0;
                break;
            }
            sent++;
            t->expiry = t->interval ? t->expiry + t->interval : 0;
        }
    }
    qh_vclock = until;
    pthread_mutex_unlock(&qh_ev_lock);
    return sent;
}

/* ---- pulses handled by the server ---- */

static unsigned long qh_handled;

void qh_events_pulse_handled(void)
{
    pthread_mutex_lock(&qh_ev_lock);
    qh_handled++;
    pthread_mutex_unlock(&qh_ev_lock);
}

unsigned long qh_pulses_handled(void)
{
    pthread_mutex_lock(&qh_ev_lock);
    unsigned long n = qh_handled;
    pthread_mutex_unlock(&qh_ev_lock);
    return n;
}

/* Wait (polling every 100 us, at most timeout_ms) until n pulses have been handled. */
int qh_pulses_wait(unsigned long n, unsigned timeout_ms)
{
    const struct timespec step = { 0, 100000 };
    for (unsigned long i = 0; i <= (unsigned long)timeout_ms * 10u; i++) {
        if (qh_pulses_handled() >= n)
            return 0;
        nanosleep(&step, NULL);
    }
    errno = ETIMEDOUT;
    return -1;
}

void qh_events_stop(void)
{
    pthread_mutex_lock(&qh_ev_lock);
    while (qh_intrs) {
        struct qh_intr *in = qh_intrs;
        qh_intrs = in->next;
        free(in);
    }
    while (qh_timers) {
        struct qh_timer *t = qh_timers;
        qh_timers = t->next;
        free(t);
    }
    qh_io_privity = 0;
    pthread_mutex_unlock(&qh_ev_lock);
}

/* ---- the attr lock, seen from outside ---- */

static void *qh_try_attr(void *attr)
{
    if (iofunc_attr_trylock(attr) != EOK)
        return (void *)1;
    iofunc_attr_unlock(attr);
    return NULL;
}

/* Held by some thread? Asked from another thread, since the lock is recursive. */
int qh_attr_held(void *attr)
{
    pthread_t th;
    void *held = NULL;
    if (pthread_create(&th, NULL, qh_try_attr, attr) != 0)
        return -1;
    pthread_join(th, &held);
    return held != NULL;
}

/* ---- device memory ---- */

struct qh_region {
    struct qh_region *next;
    uint64_t          paddr;
    size_t            size;
    unsigned char    *buf;
};
static struct qh_region *qh_regions;   /* kept until exit: tests read them after a stop */
static struct qh_region *qh_ports;     /* port I/O ranges: an address space of their own */

/* The buffer behind [paddr, paddr+size) in a list of regions: an existing region
   containing it, or a new zeroed one; NULL (errno EINVAL) if it overlaps one only partly. */
static void *qh_region_in(struct qh_region **list, uint64_t paddr, size_t size)
{
    if (size == 0 || paddr + size < paddr) {
        errno = EINVAL;
        return NULL;
    }
    for (struct qh_region *r = *list; r; r = r->next) {
        if (paddr >= r->paddr && paddr + size <= r->paddr + r->size)
            return r->buf + (paddr - r->paddr);
        if (paddr < r->paddr + r->size && r->paddr < paddr + size) {
            errno = EINVAL;
            return NULL;
        }
    }
    struct qh_region *r = calloc(1, sizeof *r);
    unsigned char *buf = calloc(1, size);
    if (!r || !buf) {
        free(r);
        free(buf);
        errno = ENOMEM;
        return NULL;
    }
    r->paddr = paddr;
    r->size = size;
    r->buf = buf;
    r->next = *list;
    *list = r;
    return buf;
}

static void *qh_region_get(uint64_t paddr, size_t size)
{
    return qh_region_in(&qh_regions, paddr, size);
}

void *qh_device_memory(uint64_t paddr, size_t size)
{
    pthread_mutex_lock(&qh_ev_lock);
    void *p = qh_region_get(paddr, size);
    pthread_mutex_unlock(&qh_ev_lock);
    return p;
}

void *mmap_device_memory(void *addr, size_t len, int prot, int flags, uint64_t physical)
{
    (void)addr;
    (void)prot;
    (void)flags;
    void *p = qh_device_memory(physical, len);
    return p ? p : MAP_FAILED;
}

int munmap_device_memory(void *addr, size_t len)
{
    int found = 0;
    pthread_mutex_lock(&qh_ev_lock);
    for (struct qh_region *r = qh_regions; r; r = r->next)
        if ((unsigned char *)addr >= r->buf && (unsigned char *)addr + len <= r->buf + r->size)
            found = 1;
    pthread_mutex_unlock(&qh_ev_lock);
    if (!found) {
        errno = EINVAL;
        return -1;
    }
    return 0;                             /* the buffer stays for the test to inspect */
}

/* ---- port I/O ---- */

void *qh_device_io(uint64_t port, size_t size)
{
    pthread_mutex_lock(&qh_ev_lock);
    void *p = qh_region_in(&qh_ports, port, size);
    pthread_mutex_unlock(&qh_ev_lock);
    return p;
}

/* The handle is the port number itself, as on x86; the range gets its buffer now. */
uintptr_t mmap_device_io(size_t len, uint64_t io)
{
    if (io > UINTPTR_MAX || qh_device_io(io, len) == NULL)
        return MAP_DEVICE_FAILED;
    return (uintptr_t)io;
}

int munmap_device_io(uintptr_t io, size_t len)
{
    int found = 0;
    pthread_mutex_lock(&qh_ev_lock);
    for (struct qh_region *r = qh_ports; r; r = r->next)
        if (io >= r->paddr && io + len <= r->paddr + r->size)
            found = 1;
    pthread_mutex_unlock(&qh_ev_lock);
    if (!found) {
        errno = EINVAL;
        return -1;
    }
    return 0;                             /* the buffer stays for the test to inspect */
}

/* The bytes behind width ports from port, or NULL (a protocol error: a real CPU would
   fault) without I/O privity or outside every mapped range. */
static volatile unsigned char *qh_port(uintptr_t port, size_t width, const char *call)
{
    volatile unsigned char *p = NULL;
    int privity;

    pthread_mutex_lock(&qh_ev_lock);
    privity = qh_io_privity;
    for (struct qh_region *r = qh_ports; r && !p; r = r->next)
        if (port >= r->paddr && port + width <= r->paddr + r->size)
            p = r->buf + (port - r->paddr);
    pthread_mutex_unlock(&qh_ev_lock);
    if (privity && p)
        return p;
    char what[96];
    snprintf(what, sizeof what, "%s(0x%llx) %s", call, (unsigned long long)port,
             privity ? "outside every mmap_device_io() range" : "without I/O privity (ThreadCtl)");
    qh_protocol_error(0, 0, what);
    return NULL;
}

uint8_t in8(uintptr_t port)
{
    volatile unsigned char *p = qh_port(port, 1, "in8");
    return p ? p[0] : 0xFFu;
}

uint16_t in16(uintptr_t port)
{
    volatile unsigned char *p = qh_port(port, 2, "in16");
    uint16_t v = 0xFFFFu;
    if (p)
        memcpy(&v, (const void *)p, sizeof v);   /* ports need not be aligned */
    return v;
}

uint32_t in32(uintptr_t port)
{
    volatile unsigned char *p = qh_port(port, 4, "in32");
    uint32_t v = 0xFFFFFFFFu;
    if (p)
        memcpy(&v, (const void *)p, sizeof v);
    return v;
}

void out8(uintptr_t port, uint8_t val)
{
    volatile unsigned char *p = qh_port(port, 1, "out8");
    if (p)
        p[0] = val;
}

void out16(uintptr_t port, uint16_t val)
{
    volatile unsigned char *p = qh_port(port, 2, "out16");
    if (p)
        memcpy((void *)p, &val, sizeof val);
}

void out32(uintptr_t port, uint32_t val)
{
    volatile unsigned char *p = qh_port(port, 4, "out32");
    if (p)
        memcpy((void *)p, &val, sizeof val);
}
