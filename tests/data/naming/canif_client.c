/*
 * An "existing" client of canif.h (fictional, for rmgen's tests): it uses the header's
 * command macros, types, tags and enum constants with plain devctl(), as code written
 * before rmgen would. It must compile unchanged against the generated canif.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <devctl.h>
#include "canif.h"

static const char *mode_name(canif_mode_t mode)
{
    switch (mode) {
    case CANIF_MODE_NORMAL:
        return "normal";
    case CANIF_MODE_LISTEN_ONLY:
        return "listen-only";
    case CANIF_MODE_LOOPBACK:
        return "loopback";
    default:
        return "?";
    }
}

/* Set the bit rate and the mode, send one frame, print the counters. */
int canif_demo(const char *path)
{
    uint32_t rate = 250000;
    canif_mode_t mode = CANIF_MODE_LOOPBACK;
    CANIF_FRAME frame;
    struct canif_stats stats;
    canif_stats_t copy;
    int fd = open(path, O_RDWR);
    int err;

    if (fd == -1)
        return errno;
    memset(&frame, 0, sizeof frame);
    frame.id = 0x123;
    frame.dlc = 2;
    frame.data[0] = 0xAB;
    err = devctl(fd, CANIF_DEVCTL_SET_BITRATE, &rate, sizeof rate, NULL);
    if (err == EOK)
        err = devctl(fd, CANIF_DEVCTL_SET_MODE, &mode, sizeof mode, NULL);
    if (err == EOK)
        err = devctl(fd, CANIF_DEVCTL_SWAP_MODE, &mode, sizeof mode, NULL);
    if (err == EOK)
        err = devctl(fd, CANIF_DEVCTL_TX_FRAME, &frame, sizeof frame, NULL);
    if (err == EOK)
        err = devctl(fd, CANIF_DEVCTL_GET_STATS, &stats, sizeof stats, NULL);
    if (err == EOK) {
        copy = stats;
        printf("mode %s, %u frames sent\n", mode_name(mode), (unsigned)copy.tx_frames);
    }
    if (err == EOK)
        err = devctl(fd, CANIF_DEVCTL_RESET, NULL, 0, NULL);
    close(fd);
    return err;
}
