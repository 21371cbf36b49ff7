/*
 * server/txq_hooks.c: created once by rmgen from ../txq.yaml, then written by hand.
 * This file is yours: rmgen never overwrites it.
 *
 * A transmit queue: write() appends to a ring, the drain timer sends up to LINE_BYTES of
 * the oldest bytes per tick. txq_on_write() returns EAGAIN when the ring is full: the
 * generated handler then holds the writer (O_NONBLOCK writers get EAGAIN) until the timer
 * hook makes room and calls txq_room_ready(), which feeds the held writers their data.
 * select()/poll() for output ask txq_on_writable(). Every hook runs with the device locked.
 */
#include <errno.h>
#include <string.h>
#include "txq_hooks.h"

#define RING_SIZE  ((uint32_t)sizeof ((txq_dev_t *)0)->ring)
#define LINE_BYTES 16u                        /* what the line sends per drain tick */

int txq_on_init(txq_dev_t *dev)
{
    (void)dev;                                /* the ring starts empty */
    return EOK;
}

int txq_on_write(txq_dev_t *dev, txq_ocb_t *ocb, const void *buf, size_t nbytes, size_t *done)
{
    const uint8_t *in = buf;
    size_t room = RING_SIZE - dev->used;
    size_t n = nbytes < room ? nbytes : room;

    (void)ocb;
    *done = 0;
    if (n == 0 && nbytes > 0)                 /* full: the writer waits for the line */
        return EAGAIN;
    for (size_t i = 0; i < n; i++)
        dev->ring[(dev->head + dev->used + i) % RING_SIZE] = in[i];
    dev->used += (uint32_t)n;
    *done = n;
    return EOK;
}

size_t txq_on_writable(const txq_dev_t *dev)
{
    return RING_SIZE - dev->used;
}

int txq_on_get_stats(txq_dev_t *dev, txq_ocb_t *ocb, txq_stats_t *out)
{
    (void)ocb;
    out->queued = dev->used;
    out->sent = dev->sent;
    out->capacity = RING_SIZE;
    return EOK;
}

/* The line took up to LINE_BYTES: drop them from the ring, let held writers on. */
int txq_on_timer_drain(txq_dev_t *dev)
{
    uint32_t n = dev->used < LINE_BYTES ? dev->used : LINE_BYTES;

    dev->head = (dev->head + n) % RING_SIZE;
    dev->used -= n;
    dev->sent += n;
    if (n > 0)
        txq_room_ready(dev);                  /* room: held writers, select()/poll() */
    return EOK;
}
