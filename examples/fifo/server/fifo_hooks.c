/*
 * server/fifo_hooks.c: created once by rmgen from ../fifo.yaml, then written by hand.
 * This file is yours: rmgen never overwrites it.
 *
 * A pipe: write() appends to a ring buffer, read() takes the oldest bytes. read() returns
 * EAGAIN when the ring is empty and write() when it is full: the generated handlers then
 * hold the reader (or writer) until the other side makes progress, and answer EAGAIN to
 * O_NONBLOCK clients. After a read or write the generated code serves held requests and
 * wakes select()/poll() by itself; fifo_room_ready() is called here only where the ring
 * changes outside read/write (flush). select()/poll() ask fifo_on_readable/_writable().
 * wait_status is a blocking devctl: its hook says EAGAIN while the ring is empty, and
 * fifo_on_write() calls fifo_wait_status_ready() once bytes arrived, which asks it again
 * for every held request (all of them are answered: each sees the same bytes waiting).
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
    if (n == 0) {                             /* empty (nbytes is never 0): the reader waits */
        *done = 0;
        return EAGAIN;
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
    if (n == 0 && nbytes > 0)                 /* full: the writer waits for room */
        return EAGAIN;
    for (size_t i = 0; i < n; i++)
        dev->ring[(dev->head + dev->used + i) % RING_SIZE] = in[i];
    dev->used += (uint32_t)n;
    *done = n;
    if (n > 0)
        fifo_wait_status_ready(dev);          /* held wait_status requests have an answer */
    return EOK;
}

int fifo_on_get_status(fifo_dev_t *dev, fifo_ocb_t *ocb, fifo_status_t *out)
{
    (void)ocb;
    out->used = dev->used;
    out->capacity = RING_SIZE;
    return EOK;
}

/* Held (EAGAIN) while the ring is empty; answered by fifo_on_write()'s ready call. */
int fifo_on_wait_status(fifo_dev_t *dev, fifo_ocb_t *ocb, fifo_status_t *out)
{
    if (dev->used == 0)
        return EAGAIN;
    return fifo_on_get_status(dev, ocb, out);
}

int fifo_on_flush(fifo_dev_t *dev, fifo_ocb_t *ocb)
{
    (void)ocb;
    dev->head = 0;
    dev->used = 0;
    fifo_room_ready(dev);                     /* held writers can go on now */
    return EOK;
}

size_t fifo_on_readable(const fifo_dev_t *dev)
{
    return dev->used;
}

size_t fifo_on_writable(const fifo_dev_t *dev)
{
    return RING_SIZE - dev->used;
}

int fifo_on_shutdown(fifo_dev_t *dev)
{
    /* The readers and writers have been answered already; the bytes still in the
       ring are lost, so say how many. */
    if (dev->used != 0)
        fifo_log(0, "stopping with %u unread byte(s)", (unsigned)dev->used);
    dev->head = 0;
    dev->used = 0;
    return EOK;
}
