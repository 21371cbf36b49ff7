/*
 * qnxhost test-harness API: run a QNX resource manager's main() on a thread
 * of the test process, stop it cleanly, and read the protocol-check counter.
 */
#ifndef _QH_QNXHOST_HOST_H_INCLUDED
#define _QH_QNXHOST_HOST_H_INCLUDED

#include <sys/types.h>
#include <sys/stat.h>
#include <stdint.h>
#include <devctl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* First fd number handed out for an emulated connection. */
#define QH_FD_BASE 0x40000000
/* Default client send timeout; the environment variable of the same name overrides it. */
#define QH_SEND_TIMEOUT_MS_DEFAULT 10000

int      qh_server_start(int (*server_main)(int, char **), int argc, char **argv);
int      qh_server_stop(void);
unsigned qh_protocol_errors(void);

/* Client calls: emulated for attached paths / emulated fds, libc otherwise. */
int     qh_open(const char *path, int oflag, ...);
int     qh_close(int fd);
ssize_t qh_read(int fd, void *buf, size_t nbytes);
ssize_t qh_write(int fd, const void *buf, size_t nbytes);
ssize_t qh_pread(int fd, void *buf, size_t nbytes, off_t offset);
ssize_t qh_pwrite(int fd, const void *buf, size_t nbytes, off_t offset);
off_t   qh_lseek(int fd, off_t offset, int whence);
int     qh_fstat(int fd, struct stat *statp);


/* Hardware events and registers (src/events.c; see README "Events"). */
int      qh_interrupt_raise(int irq);      /* 1 delivered, 0 latched (masked), -1 none attached */
int      qh_interrupt_masked(int irq);     /* mask count of the irq's attachments */
int      qh_interrupt_pending(int irq);    /* raises latched while masked, not yet delivered */
int      qh_timer_advance(uint64_t ns);    /* advance the timers' clock; pulses delivered */
unsigned long qh_pulses_handled(void);     /* pulse_attach handlers that have returned */
int      qh_pulses_wait(unsigned long n, unsigned timeout_ms);  /* until handled >= n; 0 or -1 */
void    *qh_device_memory(uint64_t paddr, size_t size);  /* the buffer behind that address */
int      qh_attr_held(void *attr);          /* 1 when some thread holds this iofunc_attr_t's lock */

#ifdef __cplusplus
}
#endif
#endif
