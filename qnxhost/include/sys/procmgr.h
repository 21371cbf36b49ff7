/*
 * qnxhost clean-room <sys/procmgr.h>: procmgr_daemon(). On the host the
 * server runs as a thread of the test process, so it is a no-op.
 */
#ifndef _QH_SYS_PROCMGR_H_INCLUDED
#define _QH_SYS_PROCMGR_H_INCLUDED

#ifdef __cplusplus
extern "C" {
#endif

#define PROCMGR_DAEMON_NOCHDIR   0x0001
#define PROCMGR_DAEMON_NOCLOSE   0x0002
#define PROCMGR_DAEMON_NODEVNULL 0x0004
#define PROCMGR_DAEMON_KEEPUMASK 0x0008

int procmgr_daemon(int status, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
