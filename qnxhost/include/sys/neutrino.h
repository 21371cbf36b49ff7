/*
 * qnxhost clean-room <sys/neutrino.h>: the QNX Neutrino 8.0 (or 6.4.1) kernel-call view
 * that resource managers use (message passing, iov_t, struct _msg_info,
 * pulses, channel flags, pulse sigevents). Written from the public QNX
 * documentation; values checked numerically against the 8.0 ABI figures.
 */
#ifndef _QH_SYS_NEUTRINO_H_INCLUDED
#define _QH_SYS_NEUTRINO_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#include <sys/nto_version.h>

#ifndef EOK
#define EOK 0
#endif

/* QNX fixed-width type names. */
typedef int8_t   _Int8t;
typedef uint8_t  _Uint8t;
typedef int16_t  _Int16t;
typedef uint16_t _Uint16t;
typedef int32_t  _Int32t;
typedef uint32_t _Uint32t;
typedef int64_t  _Int64t;
typedef uint64_t _Uint64t;

/* Receive ids are 64-bit in 8.0 (rcvid_t), a plain int before. The kernel-call sizes,
   offsets and statuses are size_t/ssize_t/long since 7.0, int in 6.x. */
#if _NTO_VERSION >= 800
#define __RCVID_T_SIZE 8
typedef _Int64t rcvid_t;
#define _QH_RCVID_T rcvid_t
#else
#define _QH_RCVID_T int
#endif
#if _NTO_VERSION >= 700
#define _QH_MSGSIZE_T  size_t
#define _QH_MSGSSIZE_T ssize_t
#define _QH_STATUS_T   long
#else
#define _QH_MSGSIZE_T  int
#define _QH_MSGSSIZE_T int
#define _QH_STATUS_T   int
#endif

/* Opaque handle carried by _IO_DUP/_IO_OPENFD. */
typedef _Uint64t dupfd_handle_t;

/* Scatter/gather vector. */
typedef struct iovec_qnx {
    void   *iov_base;
    size_t  iov_len;
} iov_t;

#define SETIOV(_iov, _addr, _len) \
    ((void)((_iov)->iov_base = (void *)(_addr), (_iov)->iov_len = (size_t)(_len)))
#define GETIOVBASE(_iov) ((_iov)->iov_base)
#define GETIOVLEN(_iov)  ((_iov)->iov_len)

/* Value carried by a pulse (same layout as union sigval). */
union _qh_sigval {
    int   sival_int;
    void *sival_ptr;
};

#if _NTO_VERSION >= 700
/* The QNX 32-byte sigevent, as embedded in messages (io_notify). */
struct _qh_qnx_sigevent {
    int              qsev_notify;
    int              qsev_coid;
    union _qh_sigval qsev_value;
    short            qsev_code;
    short            qsev_priority;
    unsigned         qsev_flags;
    _Uint64t         qsev_reserved;
};
#else
/* The 16-byte sigevent of 32-bit QNX 6.x, as embedded in messages: a 4-byte value. */
struct _qh_qnx_sigevent {
    int              qsev_notify;
    int              qsev_coid;
    union { int sival_int; } qsev_value;
    short            qsev_code;
    short            qsev_priority;
};
#endif

#if _NTO_VERSION >= 800
/* Header shared by the message-info layouts. */
struct _msg_info_hdr {
    _Uint32t nd;
    _Uint32t srcnd;
    pid_t    pid;
    _Int32t  tid;
    _Int32t  chid;
    _Int32t  scoid;
    _Int32t  coid;
};

/* Message information for a 32-bit process. */
struct _msg_info32 {
    _Uint32t nd;
    _Uint32t srcnd;
    pid_t    pid;
    _Int32t  tid;
    _Int32t  chid;
    _Int32t  scoid;
    _Int32t  coid;
    _Int16t  priority;
    _Int16t  flags;
    _Uint32t msglen;
    _Uint32t srcmsglen;
    _Uint32t dstmsglen;
    _Uint32t type_id;
};

/* Message information (8.0 layout: priority/flags before the lengths). */
struct _msg_info64 {
    _Uint32t nd;
    _Uint32t srcnd;
    pid_t    pid;
    _Int32t  tid;
    _Int32t  chid;
    _Int32t  scoid;
    _Int32t  coid;
    _Int16t  priority;
    _Int16t  flags;
    size_t   msglen;
    size_t   srcmsglen;
    size_t   dstmsglen;
    _Uint32t type_id;
    _Uint32t reserved;
};
#define _msg_info _msg_info64
#else
/* Message information (6.x layout: 32-bit lengths, then priority and flags). */
struct _msg_info {
    _Uint32t nd;
    _Uint32t srcnd;
    pid_t    pid;
    _Int32t  tid;
    _Int32t  chid;
    _Int32t  scoid;
    _Int32t  coid;
    _Int32t  msglen;
    _Int32t  srcmsglen;
    _Int32t  dstmsglen;
    _Int16t  priority;
    _Int16t  flags;
    _Uint32t reserved;
};
#endif

/* A pulse as received. */
struct _pulse {
    _Uint16t         type;
    _Uint16t         subtype;
    _Int8t           code;
    _Uint8t          zero[3];
    union _qh_sigval value;
    _Int32t          scoid;
};

#define _PULSE_TYPE             0
#define _PULSE_SUBTYPE          0
#define _PULSE_CODE_UNBLOCK     (-32)
#define _PULSE_CODE_DISCONNECT  (-33)
#define _PULSE_CODE_THREADDEATH (-34)
#define _PULSE_CODE_COIDDEATH   (-35)
#define _PULSE_CODE_NET_ACK     (-36)
#define _PULSE_CODE_NET_UNBLOCK (-37)
#define _PULSE_CODE_NET_DETACH  (-38)
#define _PULSE_CODE_RESTART     (-39)
#define _PULSE_CODE_NORESTART   (-40)
#define _PULSE_CODE_UNBLOCK_RESTART (-41)
#define _PULSE_CODE_UNBLOCK_TIMER   (-42)
#define _PULSE_CODE_PIPE_INPUT  (-43)
#define _PULSE_CODE_PIPE_OUTPUT (-44)
#define _PULSE_CODE_MINAVAIL    0
#define _PULSE_CODE_MAXAVAIL    127

/* ChannelCreate() flags. */
#define _NTO_CHF_FIXED_PRIORITY   0x0001u
#define _NTO_CHF_UNBLOCK          0x0002u
#define _NTO_CHF_THREAD_DEATH     0x0004u
#define _NTO_CHF_DISCONNECT       0x0008u
#define _NTO_CHF_NET_MSG          0x0010u
#define _NTO_CHF_SENDER_LEN       0x0020u
#define _NTO_CHF_COID_DISCONNECT  0x0040u
#define _NTO_CHF_REPLY_LEN        0x0080u
#define _NTO_CHF_PULSE_POOL       0x0100u
#define _NTO_CHF_GLOBAL           0x0800u
#define _NTO_CHF_PRIVATE          0x1000u
#define _NTO_CHF_MSG_PAUSING      0x2000u
#define _NTO_CHF_INHERIT_RUNMASK  0x4000u
#define _NTO_CHF_UNBLOCK_TIMER    0x8000u

/* ConnectAttach() flags and message-info/client-info flags. */
#define _NTO_SIDE_CHANNEL     0x40000000
#define _NTO_COF_CLOEXEC      0x0001
#define _NTO_COF_NOEVENT      0x0800
#define _NTO_COF_REG_EVENTS   0x2000
#define _NTO_MI_ENDIAN_BIG    0x0001
#define _NTO_MI_ENDIAN_DIFF   0x0002
#define _NTO_MI_UNBLOCK_REQ   0x0100
#define _NTO_MI_BITS_64       0x1000
#define _NTO_CI_FULL_GROUPS   0x80000000u
#define _NTO_CLIENTINFO_GETGROUPS 0x00000001  /* iofunc_client_info_ext(): the groups too (host value) */

/* Pulse sigevents. The host's struct sigevent carries the QNX fields. */
#define SIGEV_PULSE            4
#define SIGEV_FLAG_UPDATEABLE  0x0400
#define SIGEV_FLAG_SIVAL_INT   0x0800
#define SIGEV_FLAG_HANDLE      0x2000
#define sigev_coid     sigev_signo
#define sigev_priority _sigev_un._pad[0]
#define sigev_code     _sigev_un._pad[1]
#define SIGEV_PULSE_INIT(_e, _coid, _prio, _code, _val) \
    ((void)((_e)->sigev_notify = SIGEV_PULSE, (_e)->sigev_coid = (_coid), \
            (_e)->sigev_priority = (_prio), (_e)->sigev_code = (_code), \
            (_e)->sigev_value.sival_ptr = (void *)(uintptr_t)(_val)))

/* sigev_notify value for "unblock the thread" (TimerTimeout; host's choice, not in the
   ABI figures). */
#ifndef SIGEV_UNBLOCK
#define SIGEV_UNBLOCK          5
#endif

/* TimerTimeout() flags: one bit per blocking state (1 << STATE_xxx, SEND 4, RECEIVE 5,
   REPLY 6). These numeric values are the host's choice: they are not in the ABI figures
   and have not been checked on a target; code must use the names only. */
#define _NTO_TIMEOUT_SEND      (1 << 4)
#define _NTO_TIMEOUT_RECEIVE   (1 << 5)
#define _NTO_TIMEOUT_REPLY     (1 << 6)

struct sigevent;

/* Message passing (8.0 signatures; int sizes, statuses and rcvids in 6.x). */
_QH_STATUS_T   MsgSend(int coid, const void *smsg, _QH_MSGSIZE_T sbytes, void *rmsg,
                       _QH_MSGSIZE_T rbytes);
_QH_STATUS_T   MsgSendnc(int coid, const void *smsg, _QH_MSGSIZE_T sbytes, void *rmsg,
                         _QH_MSGSIZE_T rbytes);
_QH_STATUS_T   MsgSendv(int coid, const iov_t *siov, _QH_MSGSIZE_T sparts, const iov_t *riov,
                        _QH_MSGSIZE_T rparts);
int            MsgReply(_QH_RCVID_T rcvid, _QH_STATUS_T status, const void *msg,
                        _QH_MSGSIZE_T bytes);
int            MsgReplyv(_QH_RCVID_T rcvid, _QH_STATUS_T status, const iov_t *riov,
                         _QH_MSGSIZE_T rparts);
int            MsgError(_QH_RCVID_T rcvid, int error);
_QH_MSGSSIZE_T MsgRead(_QH_RCVID_T rcvid, void *msg, _QH_MSGSIZE_T bytes, _QH_MSGSIZE_T offset);
_QH_MSGSSIZE_T MsgReadv(_QH_RCVID_T rcvid, const iov_t *riov, _QH_MSGSIZE_T rparts,
                        _QH_MSGSIZE_T offset);
_QH_MSGSSIZE_T MsgWrite(_QH_RCVID_T rcvid, const void *msg, _QH_MSGSIZE_T bytes,
                        _QH_MSGSIZE_T offset);
_QH_MSGSSIZE_T MsgWritev(_QH_RCVID_T rcvid, const iov_t *iov, _QH_MSGSIZE_T parts,
                         _QH_MSGSIZE_T offset);
int            MsgInfo(_QH_RCVID_T rcvid, struct _msg_info *info);
int            ChannelCreate(unsigned flags);
int            ChannelDestroy(int chid);
int            MsgDeliverEvent(_QH_RCVID_T rcvid, const struct sigevent *event);
int     MsgSendPulse(int coid, int priority, int code, int value);
int     TimerTimeout(clockid_t id, int flags, const struct sigevent *notify,
                     const uint64_t *ntime, uint64_t *otime);

#ifdef __cplusplus
}
#endif

#include <sys/qh_events.h>  /* interrupts, I/O privity, pulse timers */
#include <sys/qh_signals.h> /* SignalWaitinfo() */
#endif
