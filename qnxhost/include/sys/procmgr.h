/*
 * qnxhost clean-room <sys/procmgr.h>: procmgr_daemon() and procmgr_ability(). On the host
 * the server runs as a thread of the test process: procmgr_daemon() is a no-op and
 * procmgr_ability() records what the server kept (qh_abilities_kept() in qnxhost/host.h).
 */
#ifndef _QH_SYS_PROCMGR_H_INCLUDED
#define _QH_SYS_PROCMGR_H_INCLUDED

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROCMGR_DAEMON_NOCHDIR   0x0001
#define PROCMGR_DAEMON_NOCLOSE   0x0002
#define PROCMGR_DAEMON_NODEVNULL 0x0004
#define PROCMGR_DAEMON_KEEPUMASK 0x0008

int procmgr_daemon(int status, unsigned flags);

/* Abilities (QNX 6.6+): each argument of procmgr_ability() is a domain, operations and an
   ability id ORed together; the list ends with PROCMGR_AID_EOL, whose operations then apply
   to every unlocked ability not listed. These are host values: code must use the names. */
#define PROCMGR_ADN_ROOT        0x80000000u   /* while running as root */
#define PROCMGR_ADN_NONROOT     0x40000000u   /* while running as another user */
#define PROCMGR_AOP_DENY        0x20000000u
#define PROCMGR_AOP_ALLOW       0x10000000u
#define PROCMGR_AOP_LOCK        0x08000000u   /* no later change */
#define PROCMGR_AOP_INHERIT_YES 0x04000000u
#define PROCMGR_AOP_INHERIT_NO  0x02000000u
#define PROCMGR_AOP_SUBRANGE    0x01000000u   /* two uint64_t (lower, upper) follow */
#define PROCMGR_AID_MASK        0x00FFFFFFu
#define PROCMGR_AID_EOL         0u

/* The ability ids the generated code uses (host numbering). */
enum {
    PROCMGR_AID_INTERRUPT = 1, PROCMGR_AID_INTERRUPTEVENT, PROCMGR_AID_IO, PROCMGR_AID_MEM_PHYS,
    PROCMGR_AID_MEM_SPECIAL, PROCMGR_AID_PATHSPACE, PROCMGR_AID_PUBLIC_CHANNEL, PROCMGR_AID_TIMER,
    PROCMGR_AID_PRIORITY, PROCMGR_AID_SPAWN, PROCMGR_AID_KEYDATA
};

/* pid 0: the calling process. Returns EOK or an errno value (EINVAL: a bad list). */
int procmgr_ability(pid_t pid, unsigned ability, ...);

#ifdef __cplusplus
}
#endif
#endif
