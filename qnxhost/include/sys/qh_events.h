/*
 * qnxhost clean-room kernel calls for hardware events, included at the end of
 * <sys/neutrino.h> (where QNX declares them): I/O privity (ThreadCtl),
 * interrupts delivered as events (InterruptAttachEvent, InterruptMask/Unmask,
 * InterruptDetach) and timers that deliver a pulse (timer_create with SIGEV_PULSE,
 * timer_settime, timer_delete; QNX declares these in <time.h>). Written from the public
 * QNX documentation. The numeric values below are the host's choice (they are not in
 * the ABI figures): code must use the names only.
 */
#ifndef _QH_SYS_QH_EVENTS_H_INCLUDED
#define _QH_SYS_QH_EVENTS_H_INCLUDED

#include <signal.h>   /* struct sigevent, as QNX's <sys/neutrino.h> provides it */
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ThreadCtl() commands. */
#define _NTO_TCTL_IO              14   /* I/O privity: interrupts, port I/O */

/* InterruptAttachEvent() flags. */
#define _NTO_INTR_FLAGS_END       0x01u
#define _NTO_INTR_FLAGS_PROCESS   0x04u
#define _NTO_INTR_FLAGS_TRK_MSK   0x08u  /* the kernel tracks the mask count of this id */

struct sigevent;

int ThreadCtl(int cmd, void *data);
int InterruptAttachEvent(int intr, const struct sigevent *event, unsigned flags);
int InterruptDetach(int id);
int InterruptMask(int intr, int id);
int InterruptUnmask(int intr, int id);

/* The host's libc has its own POSIX timers (signals only); these names reach the
   emulation, which delivers SIGEV_PULSE events on a virtual clock (qnxhost/host.h). */
#define timer_create  qh_timer_create
#define timer_settime qh_timer_settime
#define timer_delete  qh_timer_delete
int qh_timer_create(clockid_t clock_id, struct sigevent *event, timer_t *timerid);
int qh_timer_settime(timer_t timerid, int flags, const struct itimerspec *value,
                     struct itimerspec *ovalue);
int qh_timer_delete(timer_t timerid);

#ifdef __cplusplus
}
#endif
#endif
