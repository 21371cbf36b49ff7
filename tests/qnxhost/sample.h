/*
 * Shared header of the hand-written sample resource manager (/dev/qhsample)
 * and its host test client: devctl commands and payloads.
 */
#ifndef SAMPLE_H
#define SAMPLE_H

#include <stdint.h>
#include <devctl.h>

#define SAMPLE_PATH     "/dev/qhsample"
#define SAMPLE_BUF_SIZE 256
#define SAMPLE_INFO     7            /* ret_val of every successful devctl */

struct sample_val { int32_t value; };

/* Held reads (SAMPLE_HOLD): every read is held (_RESMGR_NOREPLY) until a helper thread
   replies "late" after delay_us (0: never), or the unblock handler answers. */
#define SAMPLE_HOLD_OFF    0
#define SAMPLE_HOLD_EINTR  1         /* unblock handler replies EINTR (slogger style) */
#define SAMPLE_HOLD_IGNORE 2         /* unblock handler does what the default one does */
#define SAMPLE_LATE        "late"
struct sample_hold  { int32_t mode, delay_us; };
struct sample_stats { int32_t unblocks, unblock_req, held, late_running; };

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
#define SAMPLE_SLEEP     __DIOT(_DCMD_MISC, 0x4a, struct sample_val)   /* keeps the server busy (ms) */
#define BAD_DOUBLE_REPLY __DION(_DCMD_MISC, 0x50)
#define BAD_NPARTS       __DION(_DCMD_MISC, 0x51)
#define BAD_NO_REPLY     __DION(_DCMD_MISC, 0x52)

int sample_server_main(int argc, char **argv);

#endif
