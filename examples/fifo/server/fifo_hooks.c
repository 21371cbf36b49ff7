/*
 * server/fifo_hooks.c: created once by rmgen from ../fifo.yaml, then written by hand.
 * This file is yours: rmgen never overwrites it.
 *
 * A pipe: write() appends to a ring buffer and wakes waiting readers with
 * fifo_data_ready(); read() takes the oldest bytes, or returns EAGAIN when the ring is
 * empty, which makes the generated handler hold the reader until data arrives (or
 * answer EAGAIN to an O_NONBLOCK reader).
 */
#include <errno.h>
#include <string.h>
#include "fifo_hooks.h"

#define RING_SIZE ((uint32_t)sizeof ((fifo_dev_t *)0)->ring)

int fifo_on_init(fifo_dev_t *dev)
{
    (void)dev;                                /* the ring starts empty */
    return EOK;
}

int fifo_on_read(fifo_dev_t *dev, fifo_ocb_t *ocb, void *buf, size_t nbytes, size_t *done)
{
    uint8_t *out = buf;
    size_t n = nbytes < dev->used ? nbytes : dev->used;

    (void)ocb;
    if (n == 0) {
        *done = 0;
        return nbytes == 0 ? EOK : EAGAIN;    /* empty: the reader waits */
    }
    for (size_t i = 0; i < n; i++)
        out[i] = dev->ring[(dev->head + i) % RING_SIZE];
    dev->head = (uint32_t)((dev->head + n) % RING_SIZE);
    dev->used -= (uint32_t)n;
    *done = n;
    return EOK;
}

int fifo_on_write(fifo_dev_t *dev, fifo_ocb_t *ocb, const void *buf, size_t nbytes, size_t *done)
{
    const uint8_t *in = buf;
    size_t room = RING_SIZE - dev->used;
    size_t n = nbytes < room ? nbytes : room;

    (void)ocb;
    if (n == 0 && nbytes > 0)                 /* full: a short write of nothing would spin */
        return EAGAIN;
    for (size_t i = 0; i < n; i++)
        dev->ring[(dev->head + dev->used + i) % RING_SIZE] = in[i];
    dev->used += (uint32_t)n;
    *done = n;
    if (n > 0)
        fifo_data_ready(dev);                 /* hand the new bytes to waiting readers */
    return EOK;
}

int fifo_on_get_status(fifo_dev_t *dev, fifo_ocb_t *ocb, fifo_status_t *out)
{
    (void)ocb;
    out->used = dev->used;
    out->capacity = RING_SIZE;
    return EOK;
}

int fifo_on_flush(fifo_dev_t *dev, fifo_ocb_t *ocb)
{
    (void)ocb;
    dev->head = 0;
    dev->used = 0;
    return EOK;
}
