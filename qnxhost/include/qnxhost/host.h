/*
 * qnxhost test-harness API: run a QNX resource manager's main() on a thread
 * of the test process, stop it cleanly, and read the protocol-check counter.
 */
#ifndef _QH_QNXHOST_HOST_H_INCLUDED
#define _QH_QNXHOST_HOST_H_INCLUDED

#include <sys/types.h>
#include <sys/stat.h>
#include <stdint.h>
#include <time.h>
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
/* Held requests, over all servers: messages whose handler returned without replying and
   that are not replied yet (one still being handled is not counted). */
unsigned qh_held_count(void);
/* Set the client send timeout (the safety net) in ms, <= 0: the default; returns the old one.
   QH_SEND_TIMEOUT_MS in the environment is read once, at the first send. */
long     qh_send_timeout_set(long ms);

/* Client calls: emulated for attached paths / emulated fds, libc otherwise. */
int     qh_open(const char *path, int oflag, ...);
int     qh_close(int fd);
ssize_t qh_read(int fd, void *buf, size_t nbytes);
ssize_t qh_write(int fd, const void *buf, size_t nbytes);
ssize_t qh_pread(int fd, void *buf, size_t nbytes, off_t offset);
ssize_t qh_pwrite(int fd, const void *buf, size_t nbytes, off_t offset);
off_t   qh_lseek(int fd, off_t offset, int whence);
int     qh_fstat(int fd, struct stat *statp);
int     qh_stat(const char *path, struct stat *statp);   /* connect+stat+close, one send */
int     qh_dup(int fd);                                  /* _IO_DUP: a second binding */
int     qh_dup2(int fd, int fd2);                        /* fd2 >= QH_FD_BASE if fd is emulated */
int     qh_openfd(int fd, int oflag);                    /* QNX openfd(): _IO_OPENFD, a new OCB */
int     qh_fchmod(int fd, mode_t mode);                  /* _IO_CHMOD */
int     qh_fchown(int fd, uid_t owner, gid_t group);     /* _IO_CHOWN */
int     qh_futimens(int fd, const struct timespec times[2]);  /* _IO_UTIME64 (6.x: _IO_UTIME) */

/* Combine messages: parts[i] is one whole io message, header first. All but the last get
   combine_len = their length (padded to 8) | _IO_COMBINE_FLAG; one send; returns like
   MsgSend (the last part's reply status, or -1 with errno = the first error). */
long    qh_send_combine(int fd, const iov_t *parts, int nparts, void *reply, size_t reply_len);
/* _IO_CONNECT_COMBINE (close_after 0: returns the new fd like open(), -1 if the open or the
   io message failed) or _IO_CONNECT_COMBINE_CLOSE (close_after 1: returns the io message's
   status like MsgSend); iomsg is one io message, header first. */
int     qh_open_combine(const char *path, int oflag, const void *iomsg, size_t iolen,
                        void *reply, size_t reply_len, int close_after);

/* Simulated client processes. Client 0 is the test process itself (the default of every
   thread); each client has its own scoid and pid as the server sees them. */
int     qh_client_new(void);        /* a new client id (> 0), or -1 (EAGAIN) */
int     qh_client_use(int id);      /* the calling thread acts as client id from now on */
int     qh_client_kill(int id);     /* the client dies: its fds go, the server gets a
                                       _PULSE_CODE_DISCONNECT; its threads blocked in a
                                       call (and its later calls) return -1, ECANCELED */
/* A new client process with these credentials (effective = real ids) and up to 8
   supplementary groups, as iofunc_client_info() reports them to the server. Other clients
   have the test process's own ids. Returns the id (> 0), or -1 (EINVAL, EAGAIN). */
int     qh_client_new_cred(uid_t uid, gid_t gid, const gid_t *groups, int ngroups);

/* Security (src/security.c). The abilities the server's last procmgr_ability(0, ...) call
   allowed, in call order, into kept[0..max): returns how many (-1: never called);
   *after_attach: 1 if a path was attached at that time; *rest_denied: 1 if its
   PROCMGR_AID_EOL entry denied every other ability. */
int     qh_abilities_kept(unsigned *kept, int max, int *after_attach, int *rest_denied);
int     qh_secpol_attaches(void);   /* secpol_resmgr_attach() calls that attached a path */


/* Hardware events and registers (src/events.c; see README "Events"). */
int      qh_interrupt_raise(int irq);      /* 1 delivered, 0 latched (masked), -1 none attached */
int      qh_interrupt_masked(int irq);     /* mask count of the irq's attachments */
int      qh_interrupt_pending(int irq);    /* raises latched while masked, not yet delivered */
int      qh_timer_advance(uint64_t ns);    /* advance the timers' clock; pulses delivered */
unsigned long qh_pulses_handled(void);     /* pulse_attach handlers that have returned */
int      qh_pulses_wait(unsigned long n, unsigned timeout_ms);  /* until handled >= n; 0 or -1 */
void    *qh_device_memory(uint64_t paddr, size_t size);  /* the buffer behind that address */
void    *qh_device_io(uint64_t port, size_t size);        /* the buffer behind those ports */
int      qh_attr_held(void *attr);          /* 1 when some thread holds this iofunc_attr_t's lock */

#ifdef __cplusplus
}
#endif
#endif
