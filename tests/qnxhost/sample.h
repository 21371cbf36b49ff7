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

#define SAMPLE_GET       __DIOF(_DCMD_MISC, 0x40, struct sample_val)
#define SAMPLE_SET       __DIOT(_DCMD_MISC, 0x41, struct sample_val)
#define SAMPLE_XCHG      __DIOTF(_DCMD_MISC, 0x42, struct sample_val)
#define SAMPLE_RESET     __DION(_DCMD_MISC, 0x43)
#define SAMPLE_DEFAULT   __DION(_DCMD_MISC, 0x44)
#define SAMPLE_DEFERRED  __DIOF(_DCMD_MISC, 0x45, struct sample_val)
#define SAMPLE_TWO_PARTS __DIOF(_DCMD_MISC, 0x46, struct sample_val)
#define SAMPLE_ERRNO     __DION(_DCMD_MISC, 0x47)
#define BAD_DOUBLE_REPLY __DION(_DCMD_MISC, 0x50)
#define BAD_NPARTS       __DION(_DCMD_MISC, 0x51)
#define BAD_NO_REPLY     __DION(_DCMD_MISC, 0x52)

int sample_server_main(int argc, char **argv);

#endif
