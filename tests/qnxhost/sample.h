/*
 * Shared header of the hand-written sample resource manager (/dev/qhsample)
 * and its host test client: devctl commands and payloads.
 */
#ifndef SAMPLE_H
#define SAMPLE_H

#include <stdint.h>
#include <devctl.h>

#define SAMPLE_PATH     "/dev/qhsample"
#define SAMPLE_PATH_DEFAULT_CHECK "/dev/qhsample-dc"  /* the same, with a NULL check_msg slot */
#define SAMPLE_BUF_SIZE 256
#define SAMPLE_MSG_MAX  512          /* the server's receive buffer (msg_max_size) */
#define SAMPLE_INFO     7            /* ret_val of every successful devctl */

struct sample_val { int32_t value; };

/* Held reads (SAMPLE_HOLD): every read is held (_RESMGR_NOREPLY) until a helper thread
   replies "late" after delay_us (0 with SAMPLE_ORDER_NONE: never), or the unblock handler
   answers. */
#define SAMPLE_HOLD_OFF    0
#define SAMPLE_HOLD_EINTR  1         /* unblock handler replies EINTR (slogger style) */
#define SAMPLE_HOLD_IGNORE 2         /* unblock handler does what the default one does */
#define SAMPLE_LATE        "late"
/* Test hook forcing the order of the late reply and the unblock handler (no timing). */
#define SAMPLE_ORDER_NONE          0 /* late reply after delay_us, whatever happens */
#define SAMPLE_ORDER_UNBLOCK_FIRST 1 /* late reply waits until the unblock handler has run */
#define SAMPLE_ORDER_REPLY_FIRST   2 /* unblock handler waits until the late reply is done */
struct sample_hold  { int32_t mode, delay_us, order; };
struct sample_stats { int32_t unblocks, unblock_req, held, order_timeouts; };

#define SAMPLE_GET       __DIOF(_DCMD_MISC, 0x40, struct sample_val)
#define SAMPLE_SET       __DIOT(_DCMD_MISC, 0x41, struct sample_val)
#define SAMPLE_XCHG      __DIOTF(_DCMD_MISC, 0x42, struct sample_val)
#define SAMPLE_RESET     __DION(_DCMD_MISC, 0x43)
#define SAMPLE_DEFAULT   __DION(_DCMD_MISC, 0x44)
#define SAMPLE_DEFERRED  __DIOF(_DCMD_MISC, 0x45, struct sample_val)
#define SAMPLE_TWO_PARTS __DIOF(_DCMD_MISC, 0x46, struct sample_val)
#define SAMPLE_ERRNO     __DION(_DCMD_MISC, 0x47)
#define SAMPLE_HOLD      __DIOT(_DCMD_MISC, 0x48, struct sample_hold)
#define SAMPLE_STATS     __DIOF(_DCMD_MISC, 0x49, struct sample_stats)
#define SAMPLE_BUSY      __DION(_DCMD_MISC, 0x4a)   /* keeps the server busy until released */
#define SAMPLE_WHERE     __DIOF(_DCMD_MISC, 0x4b, struct sample_where2)  /* combine positions */
#define SAMPLE_RELEASE   __DION(_DCMD_MISC, 0x4c)   /* reply every held read; ret_val: ESRCH count */
#define SAMPLE_LOCKFAIL  __DION(_DCMD_MISC, 0x4d)   /* the next lock_ocb fails with ENOLCK */
#define SAMPLE_FAKE_OPENS __DIOT(_DCMD_MISC, 0x4e, struct sample_val)  /* add to the open counts */
#define SAMPLE_NOTIFY_STATS __DIOF(_DCMD_MISC, 0x4f, struct sample_notify)
#define SAMPLE_PULSE_CODE 5          /* the pulse of the notify events in the tests */
#define SAMPLE_MOUNT_FLAGS 0x1       /* the ST_* flags of the server's mount (one of them) */
#define BAD_DOUBLE_REPLY __DION(_DCMD_MISC, 0x50)
#define BAD_NPARTS       __DION(_DCMD_MISC, 0x51)
#define BAD_NO_REPLY     __DION(_DCMD_MISC, 0x52)
#define BAD_MID_REPLY    __DIOF(_DCMD_MISC, 0x53, struct sample_stats)  /* replies even mid-combine */

/* Where a SAMPLE_WHERE ran: ctp->offset, ctp->size, ctp->rcvid == 0, info.srcmsglen. The
   reply holds the previous call's (e.g. a non-final part's) and its own. */
struct sample_where  { int32_t offset, size, rcvid_zero, calls, srcmsglen; };
struct sample_where2 { struct sample_where prev, cur; };

/* The input condition's notify list: entries, armed ones, threshold; pulses received. */
struct sample_notify { int32_t entries, armed, cnt, pulses; };

/* Counters of the connect/close handlers (test hook, read without a message). */
struct sample_counts { int32_t opens, close_dups, close_ocbs, open_count, last_scoid,
                       lock_depth, locked_in_unlocked, late_saw_req, lock_ocbs, where_calls,
                       disconnects; };

int sample_server_main(int argc, char **argv);

/* Test hooks called by the client thread (same process): no timing in the tests. */
void sample_busy_wait(void);     /* returns once the server is inside SAMPLE_BUSY */
void sample_busy_release(void);  /* lets SAMPLE_BUSY return */
void sample_helpers_drain(void); /* returns once no late-reply helper thread runs */
void sample_wait_held(int n);    /* returns once n reads are held */
struct sample_counts sample_counts(void);
void sample_wait_close_ocbs(int n);  /* returns once close_ocb ran n times in all */
void sample_wait_pulses(int n);      /* returns once n notify pulses arrived in all */

#endif
