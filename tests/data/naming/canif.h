/*
 * canif.h: the interface of a (fictional) CAN controller driver, as it existed before
 * rmgen. Written for rmgen's tests: tests/data/naming/canif.yaml reproduces it name for
 * name, and canif_client.c (an "existing" client of this header) must compile unchanged
 * against the header rmgen generates from that spec.
 */
#ifndef CANIF_H
#define CANIF_H

#include <stdint.h>
#include <devctl.h>

#define CANIF_CMD_BASE 0x40             /* the driver's first command number */

/* Operating modes of the controller. */
typedef enum {
    CANIF_MODE_NORMAL      = 0,         /* send and receive */
    CANIF_MODE_LISTEN_ONLY = 1,         /* receive, never acknowledge */
    CANIF_MODE_LOOPBACK    = 2          /* frames sent are received back */
} canif_mode_t;

/* One CAN frame. */
typedef struct canif_frame {
    uint32_t id;                        /* 11- or 29-bit identifier */
    uint8_t  dlc;                       /* data length code, 0..8 */
    uint8_t  flags;
    uint8_t  data[8];
    uint64_t timestamp;                 /* ns, CLOCK_MONOTONIC */
} CANIF_FRAME;

/* Controller counters. */
struct canif_stats {
    uint32_t rx_frames;
    uint32_t tx_frames;
    uint32_t errors;
    uint32_t bus_off;
};
typedef struct canif_stats canif_stats_t;

#define CANIF_DEVCTL_GET_BITRATE __DIOF(_DCMD_MISC, CANIF_CMD_BASE + 0, uint32_t)
#define CANIF_DEVCTL_SET_BITRATE __DIOT(_DCMD_MISC, CANIF_CMD_BASE + 1, uint32_t)
#define CANIF_DEVCTL_GET_MODE    __DIOF(_DCMD_MISC, CANIF_CMD_BASE + 2, canif_mode_t)
#define CANIF_DEVCTL_SET_MODE    __DIOT(_DCMD_MISC, CANIF_CMD_BASE + 3, canif_mode_t)
#define CANIF_DEVCTL_TX_FRAME    __DIOT(_DCMD_MISC, CANIF_CMD_BASE + 4, CANIF_FRAME)
#define CANIF_DEVCTL_RX_FRAME    __DIOF(_DCMD_MISC, CANIF_CMD_BASE + 5, CANIF_FRAME)
#define CANIF_DEVCTL_GET_STATS   __DIOF(_DCMD_MISC, CANIF_CMD_BASE + 6, struct canif_stats)
#define CANIF_DEVCTL_RESET       __DION(_DCMD_MISC, CANIF_CMD_BASE + 7)
#define CANIF_DEVCTL_SWAP_MODE   __DIOTF(_DCMD_MISC, CANIF_CMD_BASE + 8, canif_mode_t)

#endif /* CANIF_H */
